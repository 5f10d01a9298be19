"""Numbers in the registry's forms, typed the Vietnamese way and shown back grouped."""

from decimal import Decimal

import pytest
from django.urls import reverse

from models_registry.choices import Status
from models_registry.models import DanVanModel, ResultReport
from tests.factories import DanVanModelFactory


def report(model, **values):
    return {
        "period_start": "01/01/2025",
        "period_end": "30/06/2025",
        "narrative": "Vận động hiến đất.",
        **{f"indicator_{code}": typed for code, typed in values.items()},
    }


def test_a_decimal_comma_is_stored_as_its_value(client_for, tree, cadre):
    model = DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED)
    url = reverse("models_registry:result_report_create", args=[model.pk])
    response = client_for(cadre).post(url, report(model, land_donated="1.234,5"))
    assert response.status_code == 302, response.content.decode()[:2000]
    value = ResultReport.objects.get().values.get(indicator__code="land_donated").value
    assert value == Decimal("1234.5")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12.5", "phần thập phân viết sau dấu phẩy, ví dụ 12,5"),
        ("1,234,567", "Nhập số theo cách viết Việt Nam, ví dụ 1.234.567 hoặc 1.234,5."),
    ],
)
def test_an_ambiguous_value_is_refused_and_kept_as_typed(client_for, tree, cadre, typed, message):
    model = DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED)
    url = reverse("models_registry:result_report_create", args=[model.pk])
    response = client_for(cadre).post(url, report(model, land_donated=typed))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and f'value="{typed}"' in body
    assert not ResultReport.objects.exists()


def test_the_registration_form_shows_stored_amounts_grouped(client_for, tree, cadre):
    model = DanVanModelFactory(
        owning_unit=tree.ward, created_by=cadre, funds=150_000_000, workdays=1200
    )
    page = client_for(cadre).get(reverse("models_registry:model_update", args=[model.pk]))
    body = page.content.decode()
    assert 'name="funds" value="150.000.000"' in body
    assert 'name="workdays" value="1.200"' in body
    # Sent back as shown, the amounts are unchanged.
    data = {
        "name": model.name,
        "kind": model.kind,
        "actor": model.actor,
        "owning_unit": tree.ward.pk,
        "funds": "150.000.000",
        "workdays": "1.200",
        "start_date": "01/03/2025",
        "action": "save",
    }
    response = client_for(cadre).post(
        reverse("models_registry:model_update", args=[model.pk]), data
    )
    assert response.status_code == 302
    stored = DanVanModel.objects.get(pk=model.pk)
    assert (stored.funds, stored.workdays) == (150_000_000, 1200)
