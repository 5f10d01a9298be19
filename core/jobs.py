"""The life of a background job, written once for every kind (list exports, report files,
large imports): asked for, reused while one like it is unfinished, run here or by the worker once
the request commits, its progress recorded as it goes, and finished or failed.

The job rows are updated with queryset ``update`` calls, never ``save``: the page following a
job polls its row while the work runs, and nothing the work holds in memory may overwrite it.

One worker at a time: a job is claimed by an ``UPDATE … WHERE status = 'pending'``, which only
one transaction can win, and the claim is a lease the holder renews as it goes (each progress
call, and a heartbeat thread for long silent steps). A worker that dies (killed, its machine
lost) stops renewing; once its lease has run out, ``reap`` gives the job to another worker while
``JOB_MAX_ATTEMPTS`` allows, else fails it with a message for the user, who may ask again. Every
write of the holder names its claim, so a holder that was only slow, and lost its job meanwhile,
finds out at its next progress call and stops.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from core import chores
from core.models import WORKER_LOST, BackgroundJob, JobStatus

logger = logging.getLogger(__name__)


class JobLost(BaseException):
    """The job was taken from this worker (its lease ran out); its work must stop.

    Not an ``Exception``: the handlers inside the work that collect a row's error or turn a
    failure into a message must let it through, up to ``run``."""


def lease_end():
    return timezone.now() + timedelta(seconds=settings.JOB_LEASE_SECONDS)


def _worker_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Progress:
    """What the work tells its job: how much there is (``start``), how much is done (a call).

    Each call renews the lease. Inside ``deferred()`` (work holding a transaction of its own,
    such as an import) calls are only remembered: the heartbeat writes them from its own
    connection, so that the page following the job sees them before the work commits.
    """

    def __init__(self, job: BackgroundJob, holder: str = ""):
        self._model = type(job)
        self._pk = job.pk
        self.holder = holder
        self.total = job.total_rows
        self.done = 0
        self.lost = False
        self._deferred = False

    def _mine(self):
        return self._model.objects.filter(
            pk=self._pk, worker_id=self.holder, status=JobStatus.RUNNING
        )

    def _write(self, **fields) -> None:
        if self.lost:
            raise JobLost
        if self._deferred:
            return
        if not self._mine().update(lease_until=lease_end(), **fields):
            self.lost = True
            raise JobLost

    def start(self, total: int) -> None:
        """The work is under way and has ``total`` rows to write."""
        self.total = total
        self.done = 0
        self._write(total_rows=total, done_rows=0)
        if pause := settings.JOB_TEST_PAUSE_SECONDS:
            # Tests only: holds the job here so that a test can stop its worker mid-job.
            time.sleep(pause)

    def __call__(self, done: int) -> None:
        self.done = done
        self._write(done_rows=done)

    def finish(self, **fields) -> None:
        """Mark the job done with ``fields``, within the work's own transaction: what it wrote
        and the job's end are committed together, so a worker dying between the two can never
        leave written rows to a job that looks unfinished (and would be written again)."""
        if self.lost or not self._mine().update(
            status=JobStatus.DONE, finished_at=timezone.now(), lease_until=None, **fields
        ):
            self.lost = True
            raise JobLost

    @contextlib.contextmanager
    def deferred(self):
        """Progress inside the work's own transaction, published by the heartbeat."""
        self._deferred = True
        try:
            yield self
        finally:
            self._deferred = False
        if self.lost:
            raise JobLost

    def beat(self) -> None:
        """Renew the lease (and publish deferred progress) from the heartbeat's connection.

        The row is read with ``SKIP LOCKED``: while the work's own transaction holds it (a job
        run within a request), there is nothing to renew and no reason to wait."""
        with transaction.atomic():
            row = (
                self._model.objects.select_for_update(skip_locked=True)
                .filter(pk=self._pk)
                .values("worker_id", "status")
                .first()
            )
            if row is None:
                return
            if row["worker_id"] != self.holder:  # reaped: given to another try, or failed
                self.lost = True
                return
            if row["status"] != JobStatus.RUNNING:  # finished by the work (``finish``)
                return
            fields = {"lease_until": lease_end()}
            if self._deferred:
                fields.update(total_rows=self.total, done_rows=self.done)
            self._model.objects.filter(pk=self._pk).update(**fields)


class _Heartbeat(threading.Thread):
    """Renews a job's lease every ``JOB_HEARTBEAT_SECONDS`` while its work runs."""

    def __init__(self, progress: Progress):
        super().__init__(daemon=True, name=f"heartbeat-{progress._pk}")
        self.progress = progress
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    self.progress.beat()
                except Exception:
                    logger.exception("Heartbeat of job %s failed", self.progress._pk)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=settings.JOB_HEARTBEAT_SECONDS + 5)


def enqueue_on_commit(task, job: BackgroundJob) -> None:
    """Hand ``job`` to the worker once the transaction that made it commits (never before: the
    worker must find the row)."""
    transaction.on_commit(lambda: task.enqueue(str(job.pk)))


def run_now(job: BackgroundJob, work: Callable[[BackgroundJob], None]) -> BackgroundJob:
    """Run ``job`` within the request; a failure is recorded on the job (and logged), so the
    page that follows it tells the requester."""
    with contextlib.suppress(Exception):
        work(job)
    job.refresh_from_db()
    return job


def claim(job: BackgroundJob) -> str | None:
    """Take a waiting job for this worker, with a fresh lease: the claim's name, or ``None``
    when the job is not waiting (another worker holds it, or it is over)."""
    holder = _worker_name()
    claimed = (
        type(job)
        .objects.filter(pk=job.pk, status=JobStatus.PENDING)
        .update(
            status=JobStatus.RUNNING,
            worker_id=holder,
            lease_until=lease_end(),
            attempts=F("attempts") + 1,
            done_rows=0,
        )
    )
    return holder if claimed else None


def run(job: BackgroundJob, work: Callable[[Progress], dict]) -> None:
    """Do ``work`` for ``job``, recording its progress and outcome on the job.

    ``work(progress)`` calls ``progress.start(total)`` once it knows how much there is, then
    ``progress(done)`` as it goes, and returns the fields to store on the finished job (what it
    made; ``total_rows`` too when the final count differs from the first; ``status`` when it ends
    failed without raising). A failure marks the job failed, with its message, and is raised
    again for the worker's own record. A job that is not waiting (another worker took it first,
    or it is over) is left alone.
    """
    holder = claim(job)
    if holder is None:
        logger.info("%s %s is not waiting; left to its holder", type(job).__name__, job.pk)
        return
    progress = Progress(job, holder)
    heartbeat = _Heartbeat(progress)
    heartbeat.start()
    mine = type(job).objects.filter(pk=job.pk, worker_id=holder)
    try:
        outcome = work(progress)
    except JobLost:
        logger.warning("%s %s was taken from this worker; stopped", type(job).__name__, job.pk)
        return
    except Exception as error:
        logger.exception("%s %s failed", type(job).__name__, job.pk)
        # Unless the work already ended it with what it wrote (``finish``).
        mine.filter(status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED,
            error=(str(error) or error.__class__.__name__)[:2000],
            finished_at=timezone.now(),
            lease_until=None,
        )
        raise
    finally:
        heartbeat.stop()
    # The work may end it failed itself (an import's refused rows): an outcome, not a crash.
    fields = {"status": JobStatus.DONE, "total_rows": progress.total, **outcome}
    fields.setdefault("done_rows", fields["total_rows"])
    mine.update(finished_at=timezone.now(), lease_until=None, **fields)


def job_models() -> list[type[BackgroundJob]]:
    """Every kind of background job."""
    return [model for model in apps.get_models() if issubclass(model, BackgroundJob)]


def reap(queryset) -> int:
    """Jobs of ``queryset`` whose worker stopped answering (their lease ran out): queued again
    for another worker while tries remain, else failed with a message for the requester.
    Returns how many were found."""
    now = timezone.now()
    model = queryset.model
    stale = queryset.filter(status=JobStatus.RUNNING).filter(
        Q(lease_until__lt=now) | Q(lease_until__isnull=True)
    )
    if not stale.exists():  # the usual answer, in one query (a job page polls every second)
        return 0
    found = 0
    with transaction.atomic():
        for job in stale.select_for_update(skip_locked=True):
            found += 1
            rows = model.objects.filter(pk=job.pk)
            if job.attempts < settings.JOB_MAX_ATTEMPTS:
                logger.warning("%s %s lost its worker; queued again", model.__name__, job.pk)
                rows.update(status=JobStatus.PENDING, worker_id="", lease_until=None, done_rows=0)
                enqueue_on_commit(import_string(model.task_path), job)
            else:
                logger.error("%s %s lost its worker; failed for good", model.__name__, job.pk)
                rows.update(
                    status=JobStatus.FAILED,
                    error=WORKER_LOST,
                    finished_at=now,
                    worker_id="",
                    lease_until=None,
                )
    return found


def reap_all() -> int:
    """``reap`` over every kind of job (the worker's periodic sweep)."""
    return sum(reap(model.objects.all()) for model in job_models())


class Sweeper(threading.Thread):
    """The worker's periodic look, every ``JOB_HEARTBEAT_SECONDS``, for jobs whose worker died,
    and for the chores that are due (``core.chores``)."""

    def __init__(self):
        super().__init__(daemon=True, name="job-sweeper")
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(settings.JOB_HEARTBEAT_SECONDS):
            try:
                close_old_connections()
                reap_all()
            except Exception:
                logger.exception("The sweep for lost jobs failed")
            try:
                chores.run_due()
            except Exception:
                logger.exception("The look for due chores failed")
        connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=30)
