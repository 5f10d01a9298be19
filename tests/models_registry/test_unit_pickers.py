"""The unit pickers of the registration form: the search behind them (scoped, without
diacritics) and the form, which still refuses any unit out of scope and keeps the chosen ones."""

import json
import re

import pytest
from django.urls import reverse

from models_registry.models import DanVanModel
from tests.factories import OrganisationFactory
from tests.models_registry.test_form import CREATE, minimal

pytestmark = pytest.mark.django_db

SEARCH = reverse("organisations:organisation_picker")
OUT_OF_SCOPE = "Có đơn vị đã chọn không hợp lệ hoặc ngoài phạm vi của bạn; hãy chọn lại."


def names(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return [result["text"] for result in json.loads(response.content)["results"]]


def test_anonymous_users_get_no_units(client, tree):
    response = client.get(SEARCH, {"q": "phuong"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_search_matches_without_diacritics_and_names_the_parent(client_for, tree, reviewer):
    response = client_for(reviewer).get(SEARCH, {"q": "chua hang"})
    assert json.loads(response.content)["results"] == [
        {"value": tree.ward.pk, "text": "Phường Chùa Hang", "context": "Tỉnh Thái Nguyên"}
    ]
    assert names(client_for(reviewer).get(SEARCH, {"q": "PHƯỜNG GIA SÀNG"})) == ["Phường Gia Sàng"]


def test_search_never_returns_out_of_scope_units(client_for, tree, cadre, reviewer):
    assert names(client_for(cadre).get(SEARCH, {"q": "phuong"})) == ["Phường Chùa Hang"]
    assert names(client_for(cadre).get(SEARCH, {"q": "gia sang"})) == []
    assert names(client_for(reviewer).get(SEARCH, {"q": "quan hoa"})) == []
    assert names(client_for(reviewer).get(SEARCH, {"q": "ha noi"})) == []


def test_search_answers_at_most_twenty_units_and_nothing_for_no_text(client_for, tree, cadre):
    for number in range(25):
        OrganisationFactory(name=f"Tổ dân phố số {number}", parent=tree.ward)
    assert len(names(client_for(cadre).get(SEARCH, {"q": "to dan pho"}))) == 20
    assert names(client_for(cadre).get(SEARCH, {"q": "  "})) == []
    assert names(client_for(cadre).get(SEARCH)) == []


@pytest.mark.parametrize("field", ["territory", "coordinating_units"])
def test_a_forged_unit_out_of_scope_is_refused(client_for, tree, cadre, field):
    data = minimal(tree, action="save", **{field: [tree.residential.pk, tree.other_ward.pk]})
    response = client_for(cadre).post(CREATE, data)
    assert response.status_code == 400
    assert OUT_OF_SCOPE in response.content.decode()
    assert not DanVanModel.objects.exists()


def test_a_forged_non_number_is_refused(client_for, tree, cadre):
    response = client_for(cadre).post(CREATE, minimal(tree, action="save", territory=["x"]))
    assert response.status_code == 400
    assert "“x” không phải là lựa chọn hợp lệ" in response.content.decode()


def test_units_chosen_in_the_search_come_back_with_a_refused_form(client_for, tree, cadre):
    # Two levels below the ward: not listed in the coordinating units' select by default.
    deep = OrganisationFactory(name="Chi hội Phụ nữ tổ 9", parent=tree.residential)
    page = client_for(cadre).get(CREATE).content.decode()
    assert (
        "Chi hội Phụ nữ tổ 9"
        not in page.split('name="coordinating_units"')[1].split("</select>")[0]
    )

    data = minimal(tree, action="save", start_date="32/13/2025", coordinating_units=[deep.pk])
    response = client_for(cadre).post(CREATE, data)
    assert response.status_code == 400
    select = response.content.decode().split('name="coordinating_units"')[1].split("</select>")[0]
    assert re.search(rf'<option value="{deep.pk}" selected>[^<]*Chi hội Phụ nữ tổ 9', select)
    assert 'data-choice-picker="multiple"' in response.content.decode()


def test_the_chosen_units_are_saved(client_for, tree, cadre):
    deep = OrganisationFactory(name="Chi hội Phụ nữ tổ 9", parent=tree.residential)
    data = minimal(tree, action="save", territory=[deep.pk], coordinating_units=[tree.ward.pk])
    response = client_for(cadre).post(CREATE, data)
    assert response.status_code == 302
    model = DanVanModel.objects.get()
    assert list(model.territory.all()) == [deep]
    assert list(model.coordinating_units.all()) == [tree.ward]


def test_the_list_filters_by_a_unit_chosen_in_the_picker(client_for, tree, cadre):
    deep = OrganisationFactory(name="Chi hội Phụ nữ tổ 9", parent=tree.residential)
    response = client_for(cadre).get(reverse("models_registry:model_list"), {"unit": deep.pk})
    page = response.content.decode()
    tag, select = re.search(r'<select([^>]*name="unit"[^>]*)>(.*?)</select>', page, re.S).groups()
    assert re.search(rf'<option value="{deep.pk}" selected>[^<]*Chi hội Phụ nữ tổ 9', select)
    assert 'data-choice-picker="one"' in tag
    assert "js/picker.js" in page
    # A unit out of scope is not a filter: it is ignored, never named.
    response = client_for(cadre).get(
        reverse("models_registry:model_list"), {"unit": tree.other_ward.pk}
    )
    assert "Phường Gia Sàng" not in response.content.decode()


def test_the_origin_picker_answers_models_in_scope_as_json(client_for, tree, cadre):
    from models_registry.choices import Status
    from tests.factories import DanVanModelFactory

    mine = DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED, name="Nuôi Dê")
    DanVanModelFactory(owning_unit=tree.other_ward, status=Status.ACCEPTED, name="Nuôi Dê khác")
    response = client_for(cadre).get(reverse("models_registry:model_picker"), {"q": "nuoi de"})
    results = response.json()["results"]
    assert [result["value"] for result in results] == [mine.pk]
    assert results[0]["text"] == "Nuôi Dê" and "Phường Chùa Hang" in results[0]["context"]

    # The form lists the chosen origin (and only it) in its select, and refuses another's.
    page = client_for(cadre).get(CREATE).content.decode()
    select = page.split('name="replicated_from"')[1].split("</select>")[0]
    assert "<option" in select and "Nuôi Dê" not in select
    outside = DanVanModel.objects.get(name="Nuôi Dê khác")
    response = client_for(cadre).post(CREATE, minimal(tree, replicated_from=outside.pk))
    assert response.status_code == 400
    assert "ngoài phạm vi của bạn" in response.content.decode()
    response = client_for(cadre).post(
        CREATE, minimal(tree, replicated_from=mine.pk, start_date="32/13/2025")
    )
    select = response.content.decode().split('name="replicated_from"')[1].split("</select>")[0]
    assert re.search(rf'<option value="{mine.pk}" selected>Nuôi Dê – Phường Chùa Hang', select)
