"""An accounts file above ``IMPORT_BACKGROUND_ROWS`` rows is checked and written by the
background worker, all or nothing, followed on a page only its requester sees; the passwords
file is handed out once."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from core.models import ImportJob, JobStatus
from core.tasks import run_import
from organisations.choices import Role
from tests.accounts.test_account_import import workbook_file
from tests.factories import UserFactory, user_with_role

User = get_user_model()
IMPORT = reverse("accounts:account_import")
UNIT = "T19-CH — Phường Chùa Hang"
ROWS = [
    ["Nguyễn Văn An", "", "an@example.vn", "", UNIT, "Cán bộ cơ sở"],
    ["Trần Thị Bình", "binh.tt", "", "", "t19-ch-9", "cán bộ thẩm định"],
    ["Lê Văn Cường", "", "cuong@example.vn", "", UNIT, "Cán bộ cơ sở"],
]


@pytest.fixture
def ward_admin(tree, settings):
    settings.IMPORT_BACKGROUND_ROWS = 2
    return user_with_role(tree.ward, Role.ADMIN, username="quantri.chuahang")


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_written_by_the_worker_and_its_passwords_handed_once(
    client_for, ward_admin, tree
):
    client = client_for(ward_admin)
    response = client.post(IMPORT, {"file": workbook_file(ROWS)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.kind == "accounts" and job.total_rows == 3 and job.status == JobStatus.PENDING
    assert not User.objects.filter(username="binh.tt").exists()
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'role="progressbar"' in page and "Đang chờ đến lượt xử lý" in page

    # The worker `make run` starts, on the committed job.
    call_command("worker", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done_rows == 3 and job.summary
    assert User.objects.get(username="binh.tt").memberships.get().organisation == tree.residential
    assert User.objects.filter(email__in=["an@example.vn", "cuong@example.vn"]).count() == 2

    page = client.get(job.get_absolute_url()).content.decode()
    passwords = reverse("accounts:account_import_job_passwords", args=[job.pk])
    assert "Đã tạo 3 tài khoản." in page and passwords in page
    assert client_for(UserFactory()).get(passwords).status_code == 404
    client = client_for(ward_admin)
    response = client.get(passwords)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.content)).active
    usernames = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "binh.tt" in usernames and len(usernames) == 3
    assert client.get(passwords).status_code == 404  # once
    assert "Tệp mật khẩu đã được tải về" in client.get(job.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_large_file_refused_by_the_worker_creates_nobody_and_names_every_row(
    client_for, ward_admin
):
    client = client_for(ward_admin)
    job = ImportJob.objects.get(
        pk=client.post(IMPORT, {"file": workbook_file(ROWS)})["Location"].split("/")[-2]
    )
    # Meanwhile two of the addresses are given to other accounts.
    UserFactory(email="an@example.vn")
    UserFactory(email="cuong@example.vn")
    people = User.objects.count()
    run_import.call(str(job.pk))

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.source and not job.result
    assert User.objects.count() == people
    page = client.get(job.get_absolute_url()).content.decode()
    assert "chưa có dữ liệu nào được ghi" in page
    assert page.count("đã được dùng") == 2 and "Dòng 2" in page and "Dòng 4" in page


@pytest.mark.django_db
def test_a_file_at_the_threshold_is_written_within_the_request(client_for, ward_admin):
    response = client_for(ward_admin).post(IMPORT, {"file": workbook_file(ROWS[:2])})
    assert response.status_code == 200 and "Đã tạo 2 tài khoản" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_another_admin_neither_follows_the_import_nor_takes_its_passwords(
    client_for, ward_admin, tree
):
    job = ImportJob.objects.get(
        pk=client_for(ward_admin)
        .post(IMPORT, {"file": workbook_file(ROWS)})["Location"]
        .split("/")[-2]
    )
    run_import.call(str(job.pk))
    other = client_for(user_with_role(tree.ward, Role.ADMIN, username="quantri.khac"))
    assert other.get(job.get_absolute_url()).status_code == 404
    passwords = reverse("accounts:account_import_job_passwords", args=[job.pk])
    assert other.get(passwords).status_code == 404
