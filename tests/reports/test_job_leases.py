"""A report file or freeze whose worker died midway is given to another worker, or failed with a
message on its page once its tries are spent; the requester can then ask again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core import jobs as lifecycle
from core.models import WORKER_LOST
from reports.choices import JobKind, JobStatus
from reports.models import ReportJob
from reports.periods import year_period
from reports.tasks import build_report
from tests.reports.test_jobs import ask, models  # noqa: F401 - the models fixture
from tests.reports.test_snapshots import fake_files  # noqa: F401 - small real files

pytestmark = pytest.mark.django_db


def stale_freeze(tree, reviewer, attempts: int) -> ReportJob:
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
    )
    ReportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        attempts=attempts,
        worker_id="gone:1:dead",
        lease_until=timezone.now() - timedelta(seconds=1),
        total_rows=3,
        done_rows=2,
    )
    return job


def test_a_freeze_whose_worker_died_is_frozen_by_the_next_try(
    tree,
    models,  # noqa: F811
    reviewer,
    settings,
    client_for,
    fake_files,  # noqa: F811
):
    settings.JOB_MAX_ATTEMPTS = 2
    job = stale_freeze(tree, reviewer, attempts=1)
    assert lifecycle.reap_all() == 1
    page = client_for(reviewer).get(job.get_absolute_url()).content.decode()
    assert "Đang chờ đến lượt xử lý" in page and "đang được thực hiện lại" in page

    build_report.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2 and job.snapshot.version == 1


def test_a_freeze_lost_on_its_last_try_says_so_and_can_be_asked_again(
    tree,
    models,  # noqa: F811
    reviewer,
    settings,
    client_for,
    fake_files,  # noqa: F811
):
    settings.JOB_MAX_ATTEMPTS = 1
    job = stale_freeze(tree, reviewer, attempts=1)
    client = client_for(reviewer)
    fragment = client.get(job.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert "Máy chủ xử lý bị dừng giữa chừng" in fragment and "every 1s" not in fragment
    assert 'action="/bao-cao/yeu-cau/"' in fragment and 'name="kind" value="snapshot"' in fragment
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == WORKER_LOST

    response = ask(client, tree.province, "snapshot")
    again = ReportJob.objects.exclude(pk=job.pk).get()
    assert again.status == JobStatus.DONE and again.snapshot.version == 1
    assert response.status_code == 302
