"""A background job is held by one worker at a time, under a lease its work renews; a job whose
worker died is queued again, or failed with a message once its tries are spent."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import jobs
from core.models import WORKER_LOST, JobStatus
from models_registry.models import ExportJob
from tests.factories import DanVanModelFactory


def _in_thread(target):
    """Run ``target`` in a thread of its own (its own database connection), closed after."""
    outcome = {}

    def body():
        try:
            outcome["value"] = target()
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=body)
    thread.start()
    return thread, outcome


def _wait_until(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.02)


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_the_same_job_at_once_get_it_once(tree, cadre):
    job = ExportJob.objects.create(requested_by=cadre, query="", format="csv")
    claimed, release = threading.Event(), threading.Event()

    def first():
        # Holds its claim uncommitted until the second worker is seen waiting behind it.
        with transaction.atomic():
            holder = jobs.claim(job)
            claimed.set()
            release.wait(30)
        return holder

    first_thread, first_outcome = _in_thread(first)
    assert claimed.wait(30)
    second_thread, second_outcome = _in_thread(lambda: jobs.claim(job))
    _wait_until(lambda: _waiting_on_a_lock() >= 1)
    release.set()
    first_thread.join(30)
    second_thread.join(30)

    assert "error" not in first_outcome and "error" not in second_outcome
    assert first_outcome["value"] and second_outcome["value"] is None
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.attempts == 1
    assert job.worker_id == first_outcome["value"] and job.lease_until > timezone.now()


def test_a_job_already_taken_is_not_run_again(tree, cadre):
    from models_registry.tasks import export_models

    job = ExportJob.objects.create(requested_by=cadre, query="", format="csv")
    holder = jobs.claim(job)
    export_models.call(str(job.pk))  # a second delivery of the same task
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.worker_id == holder and not job.file


def test_a_worker_that_lost_its_job_stops_at_its_next_progress(tree, cadre, settings):
    settings.JOB_MAX_ATTEMPTS = 3
    DanVanModelFactory(owning_unit=tree.ward)
    job = ExportJob.objects.create(requested_by=cadre, query="", format="csv")
    seen = {}

    def work(progress):
        progress.start(1)
        # Meanwhile its lease ran out and the sweep gave the job to another worker.
        ExportJob.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(1))
        seen["reaped"] = jobs.reap(ExportJob.objects.all())
        progress(1)
        seen["went on"] = True
        return {}

    jobs.run(job, work)
    job.refresh_from_db()
    assert seen == {"reaped": 1}
    assert job.status == JobStatus.PENDING and job.attempts == 1 and not job.worker_id


def _stale(job, attempts):
    ExportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        attempts=attempts,
        worker_id="gone:1:dead",
        lease_until=timezone.now() - timedelta(seconds=1),
        done_rows=7,
        total_rows=10,
    )


def test_a_job_whose_lease_ran_out_is_queued_again_while_tries_remain(
    tree, cadre, settings, django_capture_on_commit_callbacks
):
    settings.JOB_MAX_ATTEMPTS = 2
    job = ExportJob.objects.create(requested_by=cadre, query="", format="csv")
    alive = ExportJob.objects.create(requested_by=cadre, query="x=1", format="csv")
    _stale(job, attempts=1)
    ExportJob.objects.filter(pk=alive.pk).update(
        status=JobStatus.RUNNING, attempts=1, worker_id="alive:2:x", lease_until=jobs.lease_end()
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.reap_all() == 1
    job.refresh_from_db()
    alive.refresh_from_db()
    assert job.status == JobStatus.PENDING and job.done_rows == 0 and not job.worker_id
    assert job.retried
    assert alive.status == JobStatus.RUNNING and alive.worker_id == "alive:2:x"
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "models_registry.tasks.export_models"
    assert queued.args_kwargs["args"] == [str(job.pk)]


def test_a_running_job_from_before_leases_is_noticed(tree, cadre, settings):
    settings.JOB_MAX_ATTEMPTS = 1
    job = ExportJob.objects.create(requested_by=cadre, query="", format="csv")
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1)
    jobs.reap_all()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == WORKER_LOST


def test_the_last_try_lost_fails_with_a_message_and_asking_again_starts_anew(
    client_for, tree, cadre, settings
):
    settings.JOB_MAX_ATTEMPTS = 2
    settings.EXPORT_SYNC_MAX_ROWS = 0
    DanVanModelFactory(owning_unit=tree.ward)
    client = client_for(cadre)
    export = reverse("models_registry:model_export")
    job = ExportJob.objects.get(pk=client.post(f"{export}?format=csv")["Location"].split("/")[-2])
    _stale(job, attempts=2)

    # Asked again while it looks running: the dead job is failed, and a new one is started.
    again = client.post(f"{export}?format=csv")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == WORKER_LOST and job.finished_at
    assert again["Location"] != job.get_absolute_url()
    fresh = ExportJob.objects.exclude(pk=job.pk).get()
    assert again["Location"] == fresh.get_absolute_url() and fresh.status == JobStatus.PENDING

    page = client.get(job.get_absolute_url()).content.decode()
    assert "Máy chủ xử lý bị dừng giữa chừng" in page and "every 1s" not in page


def test_the_job_page_notices_a_dead_worker(client_for, tree, cadre, settings):
    settings.JOB_MAX_ATTEMPTS = 1
    job = ExportJob.objects.create(requested_by=cadre, query="", format="csv")
    _stale(job, attempts=1)
    fragment = client_for(cadre).get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert "Máy chủ xử lý bị dừng giữa chừng" in fragment.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_another_users_job_page_neither_shows_nor_touches_it(client_for, tree, cadre, reviewer):
    job = ExportJob.objects.create(requested_by=cadre, query="", format="csv")
    _stale(job, attempts=1)
    assert client_for(reviewer).get(job.get_absolute_url()).status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


@pytest.mark.django_db(transaction=True)
def test_progress_inside_the_works_own_transaction_is_published_by_the_heartbeat(
    tree, cadre, settings
):
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    job = ExportJob.objects.create(requested_by=cadre, query="", format="csv")
    seen = {}

    def published(done):
        # What the page following the job reads, from a connection of its own.
        thread, outcome = _in_thread(lambda: ExportJob.objects.get(pk=job.pk))
        thread.join(30)
        return outcome["value"].done_rows == done and outcome["value"].lease_until

    def work(progress):
        progress.start(10)
        with progress.deferred(), transaction.atomic():
            DanVanModelFactory(owning_unit=tree.ward)  # a write the transaction holds
            progress(6)
            _wait_until(lambda: published(6))
            seen["lease"] = ExportJob.objects.get(pk=job.pk).lease_until
        return {}

    jobs.run(job, work)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done_rows == 10 and seen["lease"]
