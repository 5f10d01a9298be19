"""The report's files and freezes: built within the request for small units, by the background
worker for large ones, followed and downloaded by their requester only."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from models_registry.choices import Status
from reports import jobs
from reports.choices import JobKind, JobStatus
from reports.models import ReportJob, ReportSnapshot
from reports.periods import year_period
from tests.factories import DanVanModelFactory
from tests.reports.test_figures import at
from tests.reports.test_snapshots import fake_files  # noqa: F401 - small real files

CREATE = "/bao-cao/yeu-cau/"


@pytest.fixture
def models(tree):
    return [
        DanVanModelFactory(
            owning_unit=unit, status=Status.ACCEPTED, name=name, accepted_at=at(1, 3, 2025)
        )
        for unit, name in (
            (tree.ward, "Đường làng sạch"),
            (tree.residential, "Tổ tự quản"),
            (tree.other_ward, "Góc xanh"),
        )
    ]


def ask(client, unit, kind, key="2025", **extra):
    return client.post(CREATE, {"don_vi": unit.pk, "ky": key, "kind": kind, **extra})


def read_xlsx(response) -> list[list]:
    content = b"".join(response.streaming_content)
    return [
        list(r)
        for r in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
    ]


def test_a_small_unit_gets_its_workbook_at_once(
    client_for,
    tree,
    models,
    reviewer,
    other_reviewer,
    fake_files,  # noqa: F811
):
    client = client_for(reviewer)
    response = ask(client, tree.province, "workbook")
    job = ReportJob.objects.get()
    download = reverse("reports:job_download", args=[job.pk])
    assert response.status_code == 302 and response["Location"] == download
    assert job.status == JobStatus.DONE and job.requested_by == reviewer
    assert job.total_rows == 3 and job.period_name == "Năm 2025"
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="bao-cao-tinh-thai-nguyen-20250101-20251231.xlsx"'
    )
    assert read_xlsx(response)[0] == ["Đơn vị", "Tỉnh Thái Nguyên"]
    # Only the requester sees the job and its file.
    other = client_for(other_reviewer)
    assert other.get(download).status_code == 404
    assert other.get(job.get_absolute_url()).status_code == 404


def test_a_small_unit_gets_its_narrative_at_once(client_for, tree, models, cadre, fake_files):  # noqa: F811
    client = client_for(cadre)
    response = ask(client, tree.ward, "narrative")
    job = ReportJob.objects.get()
    assert response["Location"] == reverse("reports:job_download", args=[job.pk])
    response = client.get(response["Location"])
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert response["Content-Disposition"].endswith('-20250101-20251231.docx"')


def test_a_small_freeze_is_done_at_once(client_for, tree, models, reviewer, fake_files):  # noqa: F811
    response = ask(client_for(reviewer), tree.province, "snapshot", note="Gửi Tỉnh ủy")
    snapshot = ReportSnapshot.objects.get()
    assert response["Location"] == snapshot.get_absolute_url()
    assert snapshot.note == "Gửi Tỉnh ủy" and snapshot.created_by == reviewer
    assert ReportJob.objects.get().snapshot == snapshot


def test_scoping_of_requests(client_for, tree, models, cadre, other_reviewer, fake_files):  # noqa: F811
    assert ask(client_for(other_reviewer), tree.province, "workbook").status_code == 404
    assert ask(client_for(cadre), tree.province, "workbook").status_code == 404
    assert ask(client_for(cadre), tree.ward, "snapshot").status_code == 403
    assert not ReportJob.objects.exists()
    client = client_for(cadre)
    assert client.get(CREATE).status_code == 405
    assert client.post(CREATE, {"ky": "2025", "kind": "workbook"}).status_code == 404


def test_bad_requests_are_400(client_for, tree, reviewer, fake_files):  # noqa: F811
    client = client_for(reviewer)
    response = ask(client, tree.province, "workbook", key="2025-6t7")
    assert response.status_code == 400
    assert "Không có kỳ báo cáo" in response.content.decode()
    assert ask(client, tree.province, "pdf").status_code == 400
    assert not ReportJob.objects.exists()


def test_a_failed_file_says_so(client_for, tree, models, reviewer, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("reports.workbook.write_workbook", broken)
    monkeypatch.setattr("reports.selectors.report_model_rows", lambda *args: [])
    client = client_for(reviewer)
    response = ask(client, tree.province, "workbook")
    job = ReportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.status == JobStatus.FAILED and job.error == "disk full" and job.finished_at
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Không tạo được tệp Excel" in page and "Không thực hiện được" in page
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404


def test_a_large_unit_is_queued_once_committed(
    tree,
    models,
    reviewer,
    settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
    fake_files,  # noqa: F811
):
    settings.REPORT_SYNC_MAX_MODELS = 2
    queued = []

    class Queue:
        @staticmethod
        def enqueue(job_id):
            queued.append(job_id)

    monkeypatch.setattr(jobs, "build_report", Queue)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.request_job(
            by=reviewer, organisation=tree.province, period=year_period(2025), kind="workbook"
        )
        assert queued == []  # not before the request's transaction commits
    assert queued == [str(job.pk)]
    assert job.status == JobStatus.PENDING and job.total_rows == 3
    # At the threshold or under it, the file is built at once.
    small = jobs.request_job(
        by=reviewer, organisation=tree.ward, period=year_period(2025), kind="workbook"
    )
    assert small.status == JobStatus.DONE and queued == [str(job.pk)]


def test_the_worker_reports_progress(tree, models, reviewer, fake_files):  # noqa: F811
    from reports.tasks import build_report

    job = ReportJob.objects.create(
        requested_by=reviewer,
        organisation=tree.province,
        kind=JobKind.WORKBOOK,
        period_key="2025",
        period_name="Năm 2025",
        period_kind="year",
        period_start=year_period(2025).start,
        period_end=year_period(2025).end,
        total_rows=3,
    )
    with CaptureQueriesContext(connection) as captured:
        build_report.call(str(job.pk))
    assert any('"done_rows" = 2' in query["sql"] for query in captured.captured_queries)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.percent == 100
    assert job.file.name == f"reports/jobs/{job.pk}.xlsx"


@pytest.mark.django_db(transaction=True)
def test_large_jobs_run_in_the_background(
    client_for,
    tree,
    models,
    reviewer,
    admin_user,
    settings,
    fake_files,  # noqa: F811
):
    # A real commit: the task is queued when the request's transaction commits, and the worker
    # (the same command `make run` starts) picks it up from the database.
    settings.REPORT_SYNC_MAX_MODELS = 0
    client = client_for(reviewer)
    response = ask(client, tree.province, "workbook")
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == JobStatus.PENDING

    page = client.get(job.get_absolute_url()).content.decode()
    assert 'role="progressbar"' in page and "Đang chờ đến lượt xử lý" in page
    assert 'hx-trigger="every 1s"' in page
    download = reverse("reports:job_download", args=[job.pk])
    assert client.get(download).status_code == 404  # not ready yet

    response = ask(client, tree.province, "snapshot", note="Chốt sơ kết")
    freeze = ReportJob.objects.get(kind=JobKind.SNAPSHOT)
    assert response["Location"] == freeze.get_absolute_url()
    assert not ReportSnapshot.objects.exists()

    call_command("db_worker", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done_rows == job.total_rows == 3
    fragment = client.get(job.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert "100%" in fragment and download in fragment and "every 1s" not in fragment
    response = client.get(download)
    assert response.status_code == 200
    assert read_xlsx(response)[1] == ["Đang thực hiện", 3]

    freeze.refresh_from_db()
    snapshot = ReportSnapshot.objects.get()
    assert freeze.status == JobStatus.DONE and freeze.snapshot == snapshot
    assert snapshot.note == "Chốt sơ kết" and snapshot.version == 1
    fragment = client.get(freeze.get_absolute_url(), headers={"HX-Request": "true"}).content
    assert snapshot.get_absolute_url() in fragment.decode()

    # Only the requester follows a job, even within the same unit.
    other = client_for(admin_user)
    assert other.get(job.get_absolute_url()).status_code == 404
    assert other.get(download).status_code == 404
    assert other.get(freeze.get_absolute_url()).status_code == 404


@pytest.fixture
def unlisted(tree):
    """Models of the province that its 2025 data sheet does not list: a draft never sent, and
    one that stopped before the year."""
    return [
        DanVanModelFactory(owning_unit=tree.ward, name="Bản nháp", status=Status.DRAFT),
        DanVanModelFactory(
            owning_unit=tree.other_ward,
            name="Đã dừng",
            status=Status.DISCONTINUED,
            submitted_at=at(1, 2, 2022),
            accepted_at=at(1, 3, 2022),
            discontinued_at=at(1, 6, 2023),
        ),
    ]


def spy_on_progress(monkeypatch, told: list, *, also=None):
    """Report every data-sheet row written (the real workbook), noting each progress step."""
    from reports import workbook

    real = workbook.write_workbook

    def writing(figures, out, *, model_rows=(), progress=None):
        def step(done):
            told.append(done)
            progress(done)
            if also:
                also(done)

        real(figures, out, model_rows=model_rows, progress=step if progress else None)

    monkeypatch.setattr(workbook, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(workbook, "write_workbook", writing)


def test_progress_counts_the_rows_the_workbook_writes(
    tree, models, unlisted, reviewer, monkeypatch
):
    told = []
    spy_on_progress(monkeypatch, told)
    job = jobs.request_job(
        by=reviewer, organisation=tree.province, period=year_period(2025), kind="workbook"
    )
    assert job.status == JobStatus.DONE
    # Five models in the province, three of them on the 2025 data sheet: the job has 3 steps.
    assert job.total_rows == 3 and told == [1, 2, 3]
    assert job.done_rows == job.total_rows


@pytest.mark.django_db(transaction=True)
def test_a_freeze_in_the_background_shows_its_progress(
    client_for, tree, models, unlisted, reviewer, monkeypatch
):
    client = client_for(reviewer)
    told, shown = [], []

    def look(done):
        # Written outside any transaction, so the requester's page sees it at once.
        assert not connection.in_atomic_block
        fragment = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
        shown.append(fragment.content.decode())

    spy_on_progress(monkeypatch, told, also=look)
    period = year_period(2025)
    job = ReportJob.objects.create(
        requested_by=reviewer,
        organisation=tree.province,
        kind=JobKind.SNAPSHOT,
        period_key=period.key,
        period_name=period.name,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        total_rows=99,  # counted again when the worker starts
    )
    from reports.tasks import build_report

    build_report.call(str(job.pk))
    assert told == [1, 2, 3]
    assert "Đang chốt số liệu: đã ghi 2 / 3 mô hình" in shown[1]
    assert 'aria-valuenow="66"' in shown[1]
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done_rows == job.total_rows == 3
    assert job.snapshot.version == 1


def test_a_failing_count_marks_the_job_failed(client_for, tree, models, reviewer, monkeypatch):
    # The worker counts again before it starts; a failure there must not leave the job waiting.
    counts = iter([(1, 1)])

    def sizes(*args):
        try:
            return next(counts)
        except StopIteration:
            raise RuntimeError("canceling statement due to statement timeout") from None

    monkeypatch.setattr("reports.selectors.report_sizes", sizes)
    client = client_for(reviewer)
    ask(client, tree.province, "workbook")
    job = ReportJob.objects.get()
    assert job.status == JobStatus.FAILED and job.finished_at
    assert "statement timeout" in job.error


def test_a_job_is_named_by_its_vietnam_date_and_time(vietnam_clock, tree, reviewer):
    period = year_period(2025)
    job = ReportJob.objects.create(
        requested_by=reviewer,
        organisation=tree.province,
        kind=JobKind.WORKBOOK,
        period_key=period.key,
        period_name=period.name,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
    )
    assert str(job).endswith(f"({vietnam_clock:%d/%m/%Y %H:%M})")
