"""Dates outside the accepted range are refused everywhere they come in, and the database
refuses them too, so that no page reading a model ever meets a date before year 1 in UTC."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from models_registry.choices import Status
from models_registry.models import DanVanModel, ResultReport
from organisations.models import Organisation
from reports.models import Period
from reviews.models import CommendationRound
from tests.factories import DanVanModelFactory

OUT_OF_RANGE = ["0001-01-01", "9999-12-31", "1989-12-31"]
RANGE_MESSAGE = "Ngày phải nằm trong khoảng từ 01/01/1990"


def registration(tree, **extra):
    return {
        "name": "Trồng bí xanh",
        "kind": "model",
        "actor": "collective",
        "owning_unit": tree.ward.pk,
        **extra,
    }


@pytest.mark.parametrize("typed", OUT_OF_RANGE)
def test_registration_form_refuses_a_date_outside_the_range(client_for, tree, cadre, typed):
    data = registration(tree, start_date=typed, action="save")
    response = client_for(cadre).post(reverse("models_registry:model_create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert RANGE_MESSAGE in page and "Trồng bí xanh" in page  # what was typed is kept
    assert not DanVanModel.objects.exists()


def test_autosave_refuses_a_date_outside_the_range(client_for, tree, cadre):
    response = client_for(cadre).post(
        reverse("models_registry:model_autosave_new"),
        registration(tree, evaluation_date="9999-12-31"),
    )
    assert response.status_code == 400
    body = json.loads(response.content)
    assert RANGE_MESSAGE in json.dumps(body["errors"], ensure_ascii=False)
    assert not DanVanModel.objects.exists()


def test_a_date_at_the_edges_of_the_range_is_accepted(client_for, tree, cadre):
    data = registration(tree, start_date="1990-01-01", action="save")
    response = client_for(cadre).post(reverse("models_registry:model_create"), data)
    assert response.status_code == 302
    assert DanVanModel.objects.get().start_date == datetime.date(1990, 1, 1)


def test_result_report_refuses_a_period_outside_the_range(client_for, tree, cadre):
    model = DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED)
    response = client_for(cadre).post(
        reverse("models_registry:result_report_create", args=[model.pk]),
        {"period_start": "0001-01-01", "period_end": "2025-06-30", "narrative": "Tóm tắt"},
    )
    assert response.status_code == 400
    assert RANGE_MESSAGE in response.content.decode()
    assert not ResultReport.objects.exists()


def test_admin_refuses_an_organisation_validity_outside_the_range(client, superuser, tree):
    client.force_login(superuser)
    url = reverse("admin:organisations_organisation_change", args=[tree.ward.pk])
    ward = tree.ward
    data = {
        "parent": tree.province.pk,
        "name": ward.name,
        "short_name": ward.short_name,
        "kind": ward.kind,
        "level": ward.level,
        "code": ward.code,
        "valid_from": "01/01/0001",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert RANGE_MESSAGE in response.content.decode()
    tree.ward.refresh_from_db()
    assert tree.ward.valid_from is None


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (DanVanModel, "start_date"),
        (DanVanModel, "decision_date"),
        (DanVanModel, "accepted_at"),
        (ResultReport, "period_start"),
        (Organisation, "valid_to"),
        (CommendationRound, "held_on"),
        (Period, "start"),
    ],
)
def test_the_database_refuses_a_date_outside_the_range(tree, model, field):
    model_obj = DanVanModelFactory(owning_unit=tree.ward)
    ResultReport.objects.create(
        model=model_obj,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 6, 30),
        narrative="Tóm tắt",
    )
    CommendationRound.objects.create(
        title="Sơ kết 2025",
        kind="interim",
        organising_unit=tree.province,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        held_on=datetime.date(2025, 12, 20),
    )
    Period.objects.create(
        name="Giai đoạn 2021–2025",
        kind="phase",
        start=datetime.date(2021, 1, 1),
        end=datetime.date(2025, 12, 31),
    )
    is_timestamp = field.endswith("_at")
    ancient = datetime.datetime(1, 1, 1, 12, tzinfo=datetime.UTC) if is_timestamp else None
    value = ancient or datetime.date(1, 1, 1)
    with pytest.raises(IntegrityError, match="date_ranges"), transaction.atomic():
        model.objects.all().update(**{field: value})
