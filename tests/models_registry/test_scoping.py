"""The scoping matrix of every registry page: anonymous, wrong role, other unit, allowed."""

import re

import pytest
from django.urls import reverse

from models_registry import services
from models_registry.choices import Status
from models_registry.models import DanVanModel
from organisations.choices import Role
from tests.factories import DanVanModelFactory, user_with_role
from tests.models_registry.conftest import PDF, PNG, upload


@pytest.fixture
def submitted(tree):
    return DanVanModelFactory(owning_unit=tree.ward, status=Status.SUBMITTED, name="Nuôi Dê")


@pytest.fixture
def draft(tree, cadre):
    model = DanVanModelFactory(owning_unit=tree.ward, name="Trồng bí xanh")
    services.attachment_add(model=model, by=cadre, uploads=[upload("a.pdf", PDF)])
    return model


@pytest.fixture
def other_cadre(tree):
    return user_with_role(tree.other_ward, Role.CADRE, username="canbo.giasang")


def login_redirect(response):
    return response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize(
    "url_name",
    ["model_detail", "model_update", "model_submit", "model_discontinue", "result_report_create"],
)
def test_anonymous_is_sent_to_log_in(client, draft, url_name):
    url = reverse(f"models_registry:{url_name}", args=[draft.pk])
    assert login_redirect(client.get(url))
    assert login_redirect(client.post(url))


@pytest.mark.parametrize("url_name", ["model_list", "model_create", "model_export", "model_picker"])
def test_anonymous_is_sent_to_log_in_from_the_list_pages(client, url_name):
    assert login_redirect(client.get(reverse(f"models_registry:{url_name}")))


def test_anonymous_cannot_download(client, draft):
    attachment = draft.attachments.get()
    assert login_redirect(client.get(attachment.get_absolute_url()))


def test_detail(client_for, draft, submitted, cadre, reviewer, other_reviewer, other_cadre):
    assert client_for(cadre).get(draft.get_absolute_url()).status_code == 200
    # A reviewer sees a registration once it is submitted, not the cadre's draft.
    assert client_for(reviewer).get(submitted.get_absolute_url()).status_code == 200
    assert client_for(reviewer).get(draft.get_absolute_url()).status_code == 404
    assert client_for(other_reviewer).get(submitted.get_absolute_url()).status_code == 404
    assert client_for(other_cadre).get(draft.get_absolute_url()).status_code == 404


def test_merged_units_roll_up_into_their_successor(client_for, tree, reviewer):
    model = DanVanModelFactory(owning_unit=tree.former_residential, status=Status.ACCEPTED)
    assert client_for(reviewer).get(model.get_absolute_url()).status_code == 200


def test_edit(client_for, tree, draft, submitted, cadre, reviewer, other_cadre, admin_user):
    url = reverse("models_registry:model_update", args=[draft.pk])
    assert client_for(cadre).get(url).status_code == 200
    assert client_for(other_cadre).get(url).status_code == 404
    # Wrong role: a reviewer (who may see a returned registration) cannot edit it.
    returned = DanVanModelFactory(owning_unit=tree.ward, status=Status.RETURNED)
    returned_url = reverse("models_registry:model_update", args=[returned.pk])
    assert client_for(reviewer).get(returned_url).status_code == 403
    assert client_for(admin_user).post(returned_url, {"name": "x"}).status_code == 403
    # Once submitted, nobody edits it.
    submitted_url = reverse("models_registry:model_update", args=[submitted.pk])
    assert client_for(cadre).get(submitted_url).status_code == 403


def test_create_needs_the_cadre_role(client_for, cadre, reviewer):
    url = reverse("models_registry:model_create")
    assert client_for(cadre).get(url).status_code == 200
    assert client_for(reviewer).get(url).status_code == 403


def test_create_refuses_a_unit_outside_scope(client_for, tree, cadre):
    response = client_for(cadre).post(
        reverse("models_registry:model_create"),
        {
            "name": "Góc xanh",
            "kind": "model",
            "actor": "collective",
            "owning_unit": tree.other_ward.pk,
        },
    )
    assert response.status_code == 400
    assert "Góc xanh" in response.content.decode()  # what was typed is kept
    assert not DanVanModel.objects.exists()


def test_submit(client_for, tree, draft, cadre, reviewer, other_cadre):
    url = reverse("models_registry:model_submit", args=[draft.pk])
    assert client_for(other_cadre).post(url).status_code == 404
    returned = DanVanModelFactory(owning_unit=tree.ward, status=Status.RETURNED)
    returned_url = reverse("models_registry:model_submit", args=[returned.pk])
    assert client_for(reviewer).post(returned_url).status_code == 403
    assert client_for(cadre).get(url).status_code == 405  # POST only
    response = client_for(cadre).post(url)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def test_attachment_download(client_for, draft, cadre, reviewer, other_cadre):
    attachment = draft.attachments.get()
    url = attachment.get_absolute_url()
    response = client_for(cadre).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert client_for(other_cadre).get(url).status_code == 404
    assert client_for(reviewer).get(url).status_code == 404  # the draft is not theirs to see


def test_files_are_not_under_a_public_url(draft, settings):
    attachment = draft.attachments.get()
    path = attachment.file.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.STATIC_ROOT))
    # Stored under a random name, never the uploader's ("a.pdf" is kept for downloads only).
    assert re.fullmatch(r"attachments/[0-9a-f]{32}\.pdf", attachment.file.name)
    assert attachment.original_name == "a.pdf"


def test_attachment_delete(client_for, draft, cadre, other_cadre):
    attachment = draft.attachments.get()
    url = reverse("models_registry:attachment_delete", args=[attachment.pk])
    assert client_for(other_cadre).post(url).status_code == 404
    assert client_for(cadre).post(url).status_code == 302
    assert not draft.attachments.exists()


def test_discontinue(client_for, tree, cadre, reviewer, other_cadre):
    model = DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED)
    url = reverse("models_registry:model_discontinue", args=[model.pk])
    assert client_for(other_cadre).get(url).status_code == 404
    assert client_for(reviewer).get(url).status_code == 403
    response = client_for(cadre).post(url, {"reason": ""})
    assert response.status_code == 400
    response = client_for(cadre).post(url, {"reason": "Hết kinh phí, nhân dân không còn nhu cầu"})
    assert response.status_code == 302
    model.refresh_from_db()
    assert model.status == Status.DISCONTINUED
    page = client_for(cadre).get(model.get_absolute_url()).content.decode()
    assert "Hết kinh phí" in page


def test_result_report(client_for, tree, cadre, other_cadre, reviewer):
    model = DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED)
    url = reverse("models_registry:result_report_create", args=[model.pk])
    assert client_for(other_cadre).get(url).status_code == 404
    assert client_for(reviewer).get(url).status_code == 403
    assert client_for(cadre).get(url).status_code == 200
    response = client_for(cadre).post(
        url,
        {
            "period_start": "2025-01-01",
            "period_end": "2025-06-30",
            "narrative": "Vận động 120 hộ hiến 1.500 m² đất.",
            "indicator_households": "120",
            "indicator_land_donated": "1500",
            "attachments": [upload("anh.png", PNG)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = model.result_reports.get()
    assert {v.indicator.code: v.value for v in report.values.all()} == {
        "households": 120,
        "land_donated": 1500,
    }
    page = client_for(cadre).get(model.get_absolute_url()).content.decode()
    assert "Vận động 120 hộ" in page and "anh.png" in page


def test_result_report_period_must_be_ordered(client_for, tree, cadre):
    model = DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED)
    url = reverse("models_registry:result_report_create", args=[model.pk])
    response = client_for(cadre).post(
        url, {"period_start": "2025-06-30", "period_end": "2025-01-01", "narrative": "Tóm tắt"}
    )
    assert response.status_code == 400
    assert "Ngày kết thúc kỳ báo cáo phải sau ngày bắt đầu" in response.content.decode()
    assert not model.result_reports.exists()


def test_picker_offers_only_visible_models(client_for, tree, cadre, other_cadre):
    DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED, name="Nuôi Dê")
    url = reverse("models_registry:model_picker")
    assert "Nuôi Dê" in client_for(cadre).get(url, {"q": "nuoi de"}).content.decode()
    assert "Nuôi Dê" not in client_for(other_cadre).get(url, {"q": "nuoi de"}).content.decode()


def test_picker_offers_only_models_carried_out(client_for, tree, cadre):
    for status in Status:
        DanVanModelFactory(owning_unit=tree.ward, status=status, name=f"Nuôi Dê {status.label}")
    page = (
        client_for(cadre)
        .get(reverse("models_registry:model_picker"), {"q": "nuoi de"})
        .content.decode()
    )
    offered = {status for status in Status if f"Nuôi Dê {status.label}" in page}
    assert offered == {
        Status.ACCEPTED,
        Status.PROPOSED,
        Status.RECOGNISED,
        Status.NOT_RECOGNISED,
        Status.DISCONTINUED,
    }
