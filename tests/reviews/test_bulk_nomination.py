"""Adding a unit's recognised (or outstanding) models of a period to a draft round at once."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from models_registry.choices import Status
from reviews import services
from reviews.choices import CommendationForm, RoundAction
from reviews.models import Commendation
from tests.factories import DanVanModelFactory
from tests.reviews.conftest import round_fields

CRITERIA = {"tu_ngay": "01/01/2025", "den_ngay": "31/12/2025", "loai": "recognised"}


def on(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def recognised(unit, name, day=datetime.date(2025, 6, 1), **kwargs):
    return DanVanModelFactory(
        owning_unit=unit, name=name, status=Status.RECOGNISED, recognised_at=on(day), **kwargs
    )


@pytest.fixture
def models(tree):
    return {
        "a": recognised(tree.ward, "Camera an ninh"),
        "b": recognised(tree.residential, "Hòm thư góp ý"),  # under the ward
        "listed": recognised(tree.ward, "Nuôi Dê"),
        "before": recognised(tree.ward, "Hiến đất 2024", datetime.date(2024, 12, 31)),
        "other_ward": recognised(tree.other_ward, "Tự quản an ninh trật tự"),
        "outstanding": recognised(
            tree.ward,
            "Dân vận số",
            is_outstanding=True,
            outstanding_at=on(datetime.date(2025, 9, 1)),
        ),
        "accepted": DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED),
    }


@pytest.fixture
def draft(tree, reviewer, models):
    commendation_round = services.round_create(by=reviewer, fields=round_fields(tree.province))
    services.commendation_nominate(
        commendation_round=commendation_round,
        by=reviewer,
        model=models["listed"],
        form=CommendationForm.CERTIFICATE,
    )
    return commendation_round


def bulk_url(commendation_round):
    return reverse("reviews:round_bulk_nominate", args=[commendation_round.pk])


def test_the_review_list_ticks_every_candidate_and_shows_the_listed_ones(
    client, reviewer, tree, draft, models
):
    client.force_login(reviewer)
    response = client.get(bulk_url(draft), {"don_vi": tree.ward.pk, **CRITERIA})
    assert response.status_code == 200
    shown = {model.pk: model.listed for model in response.context["candidates"]}
    assert shown == {
        models["a"].pk: False,
        models["b"].pk: False,
        models["listed"].pk: True,
        models["outstanding"].pk: False,
    }
    page = response.content.decode()
    for key in ("a", "b", "outstanding"):
        assert f'name="mo_hinh" value="{models[key].pk}"' in page
        assert f'id="mo-hinh-{models[key].pk}" aria-label="Chọn {models[key].name}" checked' in page
    assert f'name="mo_hinh" value="{models["listed"].pk}"' not in page
    assert "Đã có trong danh sách" in page
    assert "Hiến đất 2024" not in page
    assert "Tự quản an ninh trật tự" not in page


def test_outstanding_models_only(client, reviewer, tree, draft, models):
    client.force_login(reviewer)
    criteria = {**CRITERIA, "loai": "outstanding"}
    response = client.get(bulk_url(draft), {"don_vi": tree.ward.pk, **criteria})
    assert [model.pk for model in response.context["candidates"]] == [models["outstanding"].pk]


def test_confirm_adds_the_ticked_ones_once(client, reviewer, tree, draft, models):
    client.force_login(reviewer)
    ticked = [models[key].pk for key in ("a", "b", "listed")]  # "listed" from a stale page
    response = client.post(
        bulk_url(draft),
        {"don_vi": tree.ward.pk, **CRITERIA, "form": "merit", "mo_hinh": ticked},
    )
    assert response.status_code == 302
    lines = {line.model_id: line.form for line in Commendation.objects.filter(round=draft)}
    assert lines == {
        models["listed"].pk: CommendationForm.CERTIFICATE,  # kept as it was, not twice
        models["a"].pk: CommendationForm.MERIT,
        models["b"].pk: CommendationForm.MERIT,
    }
    nominated = draft.events.filter(action=RoundAction.NOMINATED).count()
    assert nominated == 3  # the fixture's one and the two added
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Đã đưa 2 mô hình, điển hình của Phường Chùa Hang vào danh sách." in page


def test_a_model_outside_the_criteria_cannot_be_slipped_in(client, reviewer, tree, draft, models):
    client.force_login(reviewer)
    response = client.post(
        bulk_url(draft),
        {
            "don_vi": tree.ward.pk,
            **CRITERIA,
            "form": "merit",
            "mo_hinh": [models["a"].pk, models["other_ward"].pk],
        },
    )
    assert response.status_code == 400
    assert Commendation.objects.filter(round=draft).count() == 1  # all or nothing


def test_a_unit_out_of_scope_is_not_found(client, reviewer, tree, draft):
    client.force_login(reviewer)
    for unit in (tree.other_province, tree.other_province_ward):
        response = client.get(bulk_url(draft), {"don_vi": unit.pk, **CRITERIA})
        assert response.status_code == 404
        response = client.post(
            bulk_url(draft), {"don_vi": unit.pk, **CRITERIA, "form": "merit", "mo_hinh": [1]}
        )
        assert response.status_code == 404
    assert client.get(bulk_url(draft), {"don_vi": "abc", **CRITERIA}).status_code == 404
    # Digits that str.isdigit accepts and int() refuses: not found, never a server error.
    for spelled in ("²", "①", "١"):
        assert client.get(bulk_url(draft), {"don_vi": spelled, **CRITERIA}).status_code == 404
    response = client.post(
        bulk_url(draft), {"don_vi": tree.ward.pk, **CRITERIA, "form": "merit", "mo_hinh": ["²"]}
    )
    assert response.status_code in (200, 302, 400)  # refused with a message, not a 500


def test_a_ward_round_offers_only_its_own_subtree(client, tree, reviewer, models):
    ward_round = services.round_create(by=reviewer, fields=round_fields(tree.ward))
    client.force_login(reviewer)
    response = client.get(bulk_url(ward_round), {"don_vi": tree.other_ward.pk, **CRITERIA})
    assert response.status_code == 404


def test_rights_on_the_bulk_page(client, tree, cadre, other_reviewer, draft):
    url = bulk_url(draft)
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(cadre)
    assert client.get(url).status_code == 404  # a draft round is not shown to cadres
    client.force_login(other_reviewer)
    assert client.get(url).status_code == 404


def test_a_published_round_takes_no_more(client, reviewer, tree, draft, models):
    from tests.reviews.test_round_views import publish

    publish(draft, reviewer)
    client.force_login(reviewer)
    response = client.post(
        bulk_url(draft),
        {"don_vi": tree.ward.pk, **CRITERIA, "form": "merit", "mo_hinh": [models["a"].pk]},
    )
    assert response.status_code == 302
    assert Commendation.objects.filter(round=draft).count() == 1


def test_the_unit_is_searched_under_the_rounds_organising_unit(client, reviewer, tree, draft):
    client.force_login(reviewer)
    page = client.get(bulk_url(draft)).content.decode()
    search = reverse("organisations:organisation_picker")
    assert f'data-picker-url="{search}?under={tree.province.pk}"' in page
    assert "js/picker.js" in page

    def found(**params):
        response = client.get(search, params)
        assert response.status_code == 200
        return [result["text"] for result in response.json()["results"]]

    assert found(q="to", under=tree.ward.pk) == ["Tổ dân phố 9"]
    # The units merged into the province are under it too.
    assert "Tổ 15" in found(q="to", under=tree.province.pk)
    assert found(q="phuong gia sang", under=tree.ward.pk) == []
    # Under a unit out of scope: not found.
    assert client.get(search, {"q": "phuong", "under": tree.other_province.pk}).status_code == 404
    assert client.get(search, {"q": "phuong", "under": "x"}).status_code == 404
