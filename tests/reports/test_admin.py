"""Periods and snapshots in the admin site: periods managed by admins (the built-in ones refused),
snapshots read-only and limited to the admin's subtree."""

import datetime

import pytest
from django.urls import reverse

from reports.models import Period, ReportSnapshot

PERIODS = reverse("admin:reports_period_changelist")
ADD_PERIOD = reverse("admin:reports_period_add")
SNAPSHOTS = reverse("admin:reports_reportsnapshot_changelist")


def snapshot(unit, version=1):
    return ReportSnapshot.objects.create(
        organisation=unit,
        period_name="Năm 2025",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        version=version,
        figures={"total": {"active": 1}},
    )


@pytest.fixture
def snapshots(tree):
    return {
        "province": snapshot(tree.province),
        "ward": snapshot(tree.ward),
        "other": snapshot(tree.other_province),
    }


def test_an_admin_adds_a_phase_and_finds_it(client_for, admin_user):
    client = client_for(admin_user)
    response = client.post(
        ADD_PERIOD,
        {
            "name": "Giai đoạn 2021–2025",
            "kind": "phase",
            "start": "01/01/2021",
            "end": "31/12/2025",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert Period.objects.get().name == "Giai đoạn 2021–2025"
    found = client.get(PERIODS, {"q": "2021"})
    assert [period.name for period in found.context["cl"].result_list] == ["Giai đoạn 2021–2025"]


def test_a_built_in_period_needs_no_row(client_for, admin_user):
    response = client_for(admin_user).post(
        ADD_PERIOD,
        {"name": "Nửa đầu 2025", "kind": "half_year", "start": "01/01/2025", "end": "30/06/2025"},
    )
    assert response.status_code == 200
    assert "Kỳ “6 tháng đầu năm 2025” đã có sẵn" in response.content.decode()
    assert not Period.objects.exists()


def test_snapshots_are_listed_within_the_admins_subtree(client_for, admin_user, snapshots):
    response = client_for(admin_user).get(SNAPSHOTS)
    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {snapshots["province"], snapshots["ward"]}
    other = reverse("admin:reports_reportsnapshot_change", args=[snapshots["other"].pk])
    assert client_for(admin_user).get(other).status_code == 302  # "not found": back to the list


def test_snapshots_are_read_only(client_for, admin_user, snapshots):
    client = client_for(admin_user)
    mine = snapshots["ward"]
    change = reverse("admin:reports_reportsnapshot_change", args=[mine.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert b'name="note"' not in page.content  # shown, not editable
    assert client.post(change, {"note": "sửa"}).status_code == 403
    add = reverse("admin:reports_reportsnapshot_add")
    assert client.get(add).status_code == 403
    delete = reverse("admin:reports_reportsnapshot_delete", args=[mine.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ReportSnapshot.objects.filter(pk=mine.pk, note="").exists()


def test_a_cadre_has_no_admin_pages(client_for, cadre):
    response = client_for(cadre).get(PERIODS)
    assert response.status_code == 302 and "/quan-tri/login/" in response.url
