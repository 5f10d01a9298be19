"""Typed text: NUL characters refused in Vietnamese, single-line fields kept on one line,
grouped Vietnamese numbers accepted in money fields."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from models_registry.models import DanVanModel


def registration(tree, **extra):
    return {
        "name": "Trồng bí xanh",
        "kind": "model",
        "actor": "collective",
        "owning_unit": tree.ward.pk,
        **extra,
    }


NUL_MESSAGE = "Không được nhập ký tự rỗng (NUL)"


def test_a_nul_character_in_a_text_field_is_refused_in_vietnamese(client_for, tree, cadre):
    data = registration(tree, situation="Đường lầy\x00lội", action="save")
    response = client_for(cadre).post(reverse("models_registry:model_create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert NUL_MESSAGE in page and "Null characters" not in page
    assert not DanVanModel.objects.exists()


def test_autosave_says_it_in_vietnamese_too(client_for, tree, cadre):
    response = client_for(cadre).post(
        reverse("models_registry:model_autosave_new"), registration(tree, goals="a\x00b")
    )
    assert response.status_code == 400
    errors = json.dumps(json.loads(response.content)["errors"], ensure_ascii=False)
    assert NUL_MESSAGE in errors and "Null characters" not in errors


def test_single_line_fields_lose_line_breaks_and_control_characters(client_for, tree, cadre):
    data = registration(
        tree,
        name="Trồng bí\r\nxanh\u2028Bcc: x@example.com\x07",
        person_position="Trưởng thôn\t\n",
        contact_name="Hoàng\x0bThị Lan",
        situation="Dòng một\r\nDòng hai",  # a text area keeps its lines
        action="save",
    )
    response = client_for(cadre).post(reverse("models_registry:model_create"), data)
    assert response.status_code == 302
    model = DanVanModel.objects.get()
    assert model.name == "Trồng bí xanh Bcc: x@example.com"
    assert model.person_position == "Trưởng thôn"
    assert model.contact_name == "Hoàng Thị Lan"
    assert model.situation == "Dòng một\r\nDòng hai"


def test_autosave_keeps_names_on_one_line(client_for, tree, cadre):
    response = client_for(cadre).post(
        reverse("models_registry:model_autosave_new"), registration(tree, name="Góc\nxanh")
    )
    assert response.status_code == 200
    assert DanVanModel.objects.get().name == "Góc xanh"


def test_admin_keeps_an_organisation_name_on_one_line(client, superuser, tree):
    client.force_login(superuser)
    ward = tree.ward
    url = reverse("admin:organisations_organisation_change", args=[ward.pk])
    data = {
        "parent": tree.province.pk,
        "name": "Phường Chùa\r\nHang",
        "short_name": "",
        "kind": ward.kind,
        "level": ward.level,
        "code": "T19-CH\n",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    ward.refresh_from_db()
    assert (ward.name, ward.code) == ("Phường Chùa Hang", "T19-CH")


def test_import_keeps_single_line_columns_on_one_line(client, tree, admin_user):
    from tests.models_registry.test_import_export import confirm, preview, values, xlsx_file

    client.force_login(admin_user)
    upload = xlsx_file([values(name="Hiến đất\nlàm đường", person_name="", content="A\nB")])
    response = confirm(client, preview(client, upload))
    assert response.status_code == 302
    model = DanVanModel.objects.get()
    assert model.name == "Hiến đất làm đường" and model.content == "A\nB"


@pytest.mark.parametrize(("typed", "stored"), [("1.234.567", 1234567), ("1234567", 1234567)])
def test_money_fields_accept_vietnamese_grouped_numbers(client_for, tree, cadre, typed, stored):
    data = registration(tree, funds=typed, socialised_funds=typed, workdays="1.200")
    data["action"] = "save"
    response = client_for(cadre).post(reverse("models_registry:model_create"), data)
    assert response.status_code == 302
    model = DanVanModel.objects.get()
    assert (model.funds, model.socialised_funds, model.workdays) == (stored, stored, 1200)


def test_a_money_field_refuses_what_the_import_refuses(client_for, tree, cadre):
    data = registration(tree, funds="1,5 triệu", action="save")
    response = client_for(cadre).post(reverse("models_registry:model_create"), data)
    assert response.status_code == 400
    assert "Nhập số nguyên không âm, ví dụ 1.500.000." in response.content.decode()
    assert not DanVanModel.objects.exists()


def test_result_report_accepts_grouped_indicator_values(client_for, tree, cadre):
    from models_registry.choices import Status
    from tests.factories import DanVanModelFactory

    model = DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED)
    response = client_for(cadre).post(
        reverse("models_registry:result_report_create", args=[model.pk]),
        {
            "period_start": "2025-01-01",
            "period_end": "2025-06-30",
            "narrative": "Vận động hiến đất.",
            "indicator_land_donated": "1.234.567",
            "indicator_households": "120",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    values = {v.indicator.code: v.value for v in model.result_reports.get().values.all()}
    assert values == {"land_donated": 1234567, "households": 120}


@pytest.mark.parametrize("typed", ["0.125", "0,125", "0.250.000"])
def test_a_fraction_is_never_read_as_a_grouped_number(client_for, tree, cadre, typed):
    """A grouped number never starts with 0: "0.125" is a fraction (refused here, with more
    than two decimals), not 125."""
    from models_registry.choices import Status
    from models_registry.models import ResultReport
    from tests.factories import DanVanModelFactory

    model = DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED)
    response = client_for(cadre).post(
        reverse("models_registry:result_report_create", args=[model.pk]),
        {
            "period_start": "2025-01-01",
            "period_end": "2025-06-30",
            "narrative": "Vận động hiến đất.",
            "indicator_land_donated": typed,
        },
    )
    assert response.status_code == 400
    assert not ResultReport.objects.exists()
    data = registration(tree, funds=typed, action="save")
    response = client_for(cadre).post(reverse("models_registry:model_create"), data)
    assert response.status_code == 400
    assert "Nhập số nguyên không âm, ví dụ 1.500.000." in response.content.decode()
