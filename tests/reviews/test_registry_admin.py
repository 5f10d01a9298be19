"""What the review services write on a model stays out of the admin's change form."""

import datetime

import pytest
from django.urls import reverse

from models_registry.choices import Status
from models_registry.models import DanVanModel
from tests.factories import DanVanModelFactory

pytestmark = pytest.mark.django_db

WRITTEN_BY_REVIEWS = (
    "decision_number",
    "decision_date",
    "decision_signer",
    "decision_issuer",
    "is_outstanding",
    "outstanding_at",
    "status",
    "status_reason",
    "recognised_at",
)


def change_url(model):
    return reverse("admin:models_registry_danvanmodel_change", args=[model.pk])


def post_with(client, model, **changes):
    """Post the change form as it came, with ``changes`` typed over it."""
    form = client.get(change_url(model)).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None and not isinstance(value, list)
    }
    data.update(
        owning_unit=model.owning_unit_id,
        start_date="01/03/2025",
        evaluation_date="01/12/2025",
        **changes,
    )
    response = client.post(change_url(model), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


@pytest.fixture
def recognised(tree):
    return DanVanModelFactory(
        owning_unit=tree.ward,
        status=Status.RECOGNISED,
        decision_number="125/QĐ-BDVTU",
        decision_date=datetime.date(2025, 11, 10),
        decision_signer="Trần Thị Lan",
        decision_issuer=tree.province,
        is_outstanding=True,
        outstanding_at=datetime.datetime(2025, 11, 20, tzinfo=datetime.UTC),
    )


def test_the_recognition_decision_is_read_only_in_the_admin(client_for, admin_user, recognised):
    client = client_for(admin_user)
    response = client.get(change_url(recognised))
    assert response.status_code == 200
    form = response.context["adminform"].form
    for name in WRITTEN_BY_REVIEWS:
        assert name not in form.fields, name
    assert "125/QĐ-BDVTU" in response.content.decode()  # still shown, as text

    post_with(
        client,
        recognised,
        name="Đổi tên trong trang quản trị",
        decision_number="999/QĐ-SUA",
        decision_date="01/01/2024",
        decision_signer="Người khác",
        is_outstanding="",
    )
    model = DanVanModel.objects.get(pk=recognised.pk)
    assert model.name == "Đổi tên trong trang quản trị"  # the registration itself may change
    assert (model.decision_number, model.decision_date, model.decision_signer) == (
        "125/QĐ-BDVTU",
        datetime.date(2025, 11, 10),
        "Trần Thị Lan",
    )
    assert model.is_outstanding


def test_no_decision_number_on_a_model_never_recognised(client_for, admin_user, tree):
    accepted = DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED)
    post_with(
        client_for(admin_user), accepted, decision_number="15/QĐ-GIA", decision_date="01/12/2025"
    )
    model = DanVanModel.objects.get(pk=accepted.pk)
    assert model.decision_number == "" and model.decision_date is None
    assert model.status == Status.ACCEPTED
