"""A models' import above ``IMPORT_BACKGROUND_ROWS`` rows is confirmed in the request and written
by the background worker, all or nothing, followed on a page only its requester sees."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from core.models import ImportJob, JobStatus
from core.tasks import run_import
from models_registry.models import DanVanModel
from tests.factories import DanVanModelFactory
from tests.models_registry.test_import_confirm import confirmation
from tests.models_registry.test_import_export import (
    PROCESS_URL,
    confirm,
    preview,
    snapshot,
    values,
    xlsx_file,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:models_registry_danvanmodel_changelist")
ROWS = [values(code=f"CH-0{number}", name=f"Mô hình số {number}") for number in range(1, 4)]


@pytest.fixture
def admin_client(client, registry_admin, settings):
    settings.IMPORT_BACKGROUND_ROWS = 2
    client.force_login(registry_admin)
    return client


def test_a_large_file_is_written_by_the_worker_with_a_progress_page(
    admin_client, tree, registry_admin
):
    response = confirm(admin_client, preview(admin_client, xlsx_file(ROWS)))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.requested_by == registry_admin and job.total_rows == 3
    assert job.status == JobStatus.PENDING and job.file_name == "mo-hinh.xlsx"
    assert not DanVanModel.objects.exists()  # nothing written within the request
    assert job.source.storage.exists(job.source.name)

    page = admin_client.get(job.get_absolute_url()).content.decode()
    assert 'role="progressbar"' in page and 'hx-trigger="every 1s"' in page
    assert "Đang chờ đến lượt xử lý" in page and "mo-hinh.xlsx" in page

    run_import.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done_rows == job.total_rows == 3
    assert job.attempts == 1 and not job.source
    assert sorted(DanVanModel.objects.values_list("code", flat=True)) == [
        "CH-01",
        "CH-02",
        "CH-03",
    ]
    assert all(model.events.count() == 1 for model in DanVanModel.objects.all())
    assert LogEntry.objects.filter(user=registry_admin).count() == 3
    fragment = admin_client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert "100%" in text and "Đã nhập xong: 3 thêm mới" in text and "every 1s" not in text
    assert CHANGELIST in admin_client.get(job.get_absolute_url()).content.decode()


def test_a_file_refused_by_the_worker_writes_nothing_and_lists_every_error(admin_client, tree):
    data = confirmation(preview(admin_client, xlsx_file(ROWS)))
    # Meanwhile two of the codes are given to models outside the admin's scope.
    for code in ("CH-01", "CH-03"):
        DanVanModelFactory(owning_unit=tree.other_province_ward, code=code, status="accepted")
    before, logs = snapshot(), LogEntry.objects.count()
    job = ImportJob.objects.get(pk=admin_client.post(PROCESS_URL, data)["Location"].split("/")[-2])
    run_import.call(str(job.pk))

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.source
    assert snapshot() == before and LogEntry.objects.count() == logs
    page = admin_client.get(job.get_absolute_url()).content.decode()
    assert "chưa có dữ liệu nào được ghi" in page
    assert "Dòng 2: mã mô hình “CH-01” đã được dùng cho mô hình khác." in page
    assert "Dòng 4: mã mô hình “CH-03” đã được dùng cho mô hình khác." in page
    assert "every 1s" not in page


def test_a_file_at_the_threshold_is_written_within_the_request(admin_client, tree):
    response = confirm(admin_client, preview(admin_client, xlsx_file(ROWS[:2])))
    assert response.status_code == 302 and response["Location"] == CHANGELIST
    assert DanVanModel.objects.count() == 2 and not ImportJob.objects.exists()


def test_only_its_requester_follows_an_import(admin_client, tree, client_for, superuser, reviewer):
    confirm(admin_client, preview(admin_client, xlsx_file(ROWS)))
    job = ImportJob.objects.get()
    admin_client.logout()
    anonymous = admin_client.get(job.get_absolute_url())
    assert anonymous.status_code == 302 and "dang-nhap" in anonymous["Location"]
    for other in (superuser, reviewer):
        assert client_for(other).get(job.get_absolute_url()).status_code == 404


def test_a_large_organisations_file_goes_the_same_way(client, tree, superuser, settings):
    from organisations.models import Organisation
    from tests.organisations.test_import_export import confirm as confirm_units
    from tests.organisations.test_import_export import preview as preview_units
    from tests.organisations.test_import_export import row as unit_row
    from tests.organisations.test_import_export import xlsx_file as units_file

    settings.IMPORT_BACKGROUND_ROWS = 2
    client.force_login(superuser)
    rows = [unit_row(f"T19-X{number}", "T19", f"Phường X{number}") for number in range(3)]
    response = confirm_units(client, preview_units(client, units_file(rows)))
    job = ImportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert not Organisation.objects.filter(code__startswith="T19-X").exists()
    run_import.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and "Đã nhập xong: 3 thêm mới" in job.summary
    assert Organisation.objects.filter(code__startswith="T19-X").count() == 3
