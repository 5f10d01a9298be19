"""A real worker killed (SIGKILL) in the middle of an export: the job is noticed once its lease
runs out, and given to a fresh worker, or failed for the user to ask again after its last try.

The workers are the project's own command, run as processes against the test database; a
test-only setting holds each job just after it starts, so that it can be killed mid-job.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.models import WORKER_LOST, JobStatus
from danvan.management.commands.serve import stop_process_groups
from models_registry.models import ExportJob
from tests.danvan.test_shared_database import database_url_of_this_run
from tests.factories import DanVanModelFactory

EXPORT = reverse("models_registry:model_export")
# Long enough for the page to be read while the dead worker still holds its lease, even on a
# busy machine; short enough for the tests to wait it out.
LEASE = {"DJANGO_JOB_LEASE_SECONDS": "6", "DJANGO_JOB_HEARTBEAT_SECONDS": "0.3"}


def start_worker(log: Path, *, pause: float, attempts: int) -> subprocess.Popen:
    env = {
        **os.environ,
        **LEASE,
        "DATABASE_URL": database_url_of_this_run(),
        "DJANGO_PRIVATE_MEDIA_ROOT": str(django_settings.PRIVATE_MEDIA_ROOT),
        "DJANGO_JOB_TEST_PAUSE_SECONDS": str(pause),
        "DJANGO_JOB_MAX_ATTEMPTS": str(attempts),
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--no-reload", "--no-startup-delay"]
            + ["--interval", "0.2"],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_for(condition, process: subprocess.Popen | None, log: Path, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the worker stopped:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)


def state(job: ExportJob) -> ExportJob:
    return ExportJob.objects.get(pk=job.pk)


def counted(job: ExportJob) -> bool:
    """Taken by a worker, which has counted its rows (a moment after claiming it)."""
    now = state(job)
    return now.status == JobStatus.RUNNING and now.total_rows > 0


@pytest.fixture
def requested(client_for, tree, cadre, settings):
    """A cadre's background export of two models, asked for over HTTP."""
    settings.EXPORT_SYNC_MAX_ROWS = 1
    for number in range(2):
        DanVanModelFactory(owning_unit=tree.ward, name=f"Mô hình {number}")
    client = client_for(cadre)
    client.post(f"{EXPORT}?format=csv")
    return client, ExportJob.objects.get()


@pytest.mark.django_db(transaction=True)
def test_an_export_whose_worker_is_killed_is_finished_by_a_fresh_worker(requested, tmp_path):
    client, job = requested
    log = tmp_path / "workers.log"
    workers = [start_worker(log, pause=600, attempts=3)]
    try:
        wait_for(lambda: counted(job), workers[0], log)
        taken = state(job)
        assert taken.attempts == 1 and taken.worker_id and taken.total_rows == 2
        # Silent inside a long step, the worker still renews its lease (its heartbeat).
        wait_for(lambda: state(job).lease_until > taken.lease_until, workers[0], log)

        kill(workers[0])
        last_lease = state(job).lease_until  # a dead worker renews it no more
        page = client.get(job.get_absolute_url()).content.decode()
        if timezone.now() < last_lease:  # it cannot be told from a slow one yet
            assert "Đang xuất: 0 / 2 dòng" in page

        workers.append(start_worker(log, pause=0, attempts=3))
        wait_for(lambda: state(job).status == JobStatus.DONE, workers[1], log)
    finally:
        stop_process_groups(workers)

    done = state(job)
    assert done.attempts == 2 and done.worker_id != taken.worker_id
    assert done.done_rows == done.total_rows == 2
    fragment = client.get(job.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    download = reverse("models_registry:export_download", args=[job.pk])
    assert "100%" in fragment and download in fragment
    lines = b"".join(client.get(download).streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 3


@pytest.mark.django_db(transaction=True)
def test_an_export_killed_on_its_last_try_fails_and_can_be_asked_again(
    requested, tmp_path, settings
):
    settings.JOB_MAX_ATTEMPTS = 1
    client, job = requested
    log = tmp_path / "worker.log"
    worker = start_worker(log, pause=600, attempts=1)
    try:
        wait_for(lambda: state(job).status == JobStatus.RUNNING, worker, log)
        kill(worker)
        # The page the user keeps open notices, once the dead worker's lease has run out.
        wait_for(
            lambda: "Máy chủ xử lý bị dừng giữa chừng" in client.get(job.get_absolute_url()).text,
            None,
            log,
        )
    finally:
        stop_process_groups([worker])
    failed = state(job)
    assert failed.status == JobStatus.FAILED and failed.error == WORKER_LOST
    page = client.get(job.get_absolute_url()).content.decode()
    assert f'action="{EXPORT}?format=csv"' in page and "Xuất lại" in page

    again = client.post(f"{EXPORT}?format=csv")
    fresh = ExportJob.objects.exclude(pk=job.pk).get()
    assert again["Location"] == fresh.get_absolute_url() and fresh.status == JobStatus.PENDING
    settings.JOB_TEST_PAUSE_SECONDS = 0
    call_command("worker", batch=True, verbosity=0)
    assert state(fresh).status == JobStatus.DONE and state(fresh).done_rows == 2
