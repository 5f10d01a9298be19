"""Posted forms with hostile values: refused with a message, never a 500, never applied out of
scope."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from models_registry.models import DanVanModel
from tests.factories import DanVanModelFactory

# Characters str.isdigit() takes for digits and int() refuses: superscript two, circled one.
FALSE_DIGITS = ["\u00b2", "1\u2460"]


@pytest.fixture
def no_raise(client):
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("value", FALSE_DIGITS)
def test_false_digits_in_id_fields_are_refused_not_500(
    value, no_raise, tree, cadre, reviewer, proposed_model
):
    client = no_raise
    client.force_login(cadre)
    data = {"name": "Mô hình mới", "owning_unit": tree.ward.pk, "replicated_from": value}
    response = client.post(reverse("models_registry:model_create"), data)
    assert response.status_code == 400
    assert not DanVanModel.objects.filter(name="Mô hình mới").exists()

    client.force_login(reviewer)
    response = client.post(reverse("reviews:bulk_accept"), {"models": [value]})
    assert response.status_code == 302
    recognise = reverse("reviews:model_recognise", args=[proposed_model.pk])
    response = client.post(
        recognise,
        {
            "decision_number": "12/QĐ-BDVTU",
            "decision_date": "10/11/2025",
            "decision_signer": "Trần Thị Lan",
            "decision_issuer": value,
        },
    )
    assert response.status_code == 400
    assert "Chỉ chọn được đơn vị mà bạn là cán bộ thẩm định hoặc quản trị." in (
        response.content.decode()
    )
    proposed_model.refresh_from_db()
    assert proposed_model.status == "proposed"


@pytest.mark.parametrize("value", FALSE_DIGITS)
def test_false_digits_in_the_picker_and_the_searched_list(value, no_raise, tree, cadre):
    DanVanModelFactory(owning_unit=tree.ward, created_by=cadre, name="Hiến đất làm đường")
    no_raise.force_login(cadre)
    picker = reverse("models_registry:model_picker")
    response = no_raise.get(picker, {"q": "hiến đất", "exclude": value})
    assert response.status_code == 200
    listing = reverse("models_registry:model_list")
    response = no_raise.get(f"{listing}?{urlencode({'q': 'hiến đất', 'page': value})}")
    assert response.status_code in (200, 404)


def test_tampered_choices_are_refused_in_vietnamese(client_for, tree, cadre, accepted_model):
    client = client_for(cadre)
    data = {
        "name": "Mô hình mới",
        "owning_unit": tree.ward.pk,
        "territory": ["abc", tree.ward.pk],
    }
    response = client.post(reverse("models_registry:model_create"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "“abc” không phải là lựa chọn hợp lệ" in body
    assert "is not a valid value" not in body
    assert not DanVanModel.objects.filter(name="Mô hình mới").exists()

    propose = reverse("reviews:model_propose", args=[accepted_model.pk])
    response = client.post(propose, {"result_reports": ["abc"], "note": "Đề nghị."})
    assert response.status_code == 400
    assert "“abc” không phải là lựa chọn hợp lệ" in response.content.decode()
