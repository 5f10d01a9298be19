"""The life of a background job, written once for every kind (list exports, report files):
asked for, reused while one like it is unfinished, run here or by the worker once the request
commits, its progress recorded as it goes, and finished or failed.

The job rows are updated with queryset ``update`` calls, never ``save``: the page following a
job polls its row while the work runs, and nothing the work holds in memory may overwrite it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from core.models import BackgroundJob, JobStatus

logger = logging.getLogger(__name__)


class Progress:
    """What the work tells its job: how much there is (``start``), how much is done (a call)."""

    def __init__(self, job: BackgroundJob):
        self._rows = type(job).objects.filter(pk=job.pk)
        self.total = job.total_rows

    def start(self, total: int) -> None:
        """The work is under way and has ``total`` rows to write."""
        self.total = total
        self._rows.update(status=JobStatus.RUNNING, total_rows=total, done_rows=0)

    def __call__(self, done: int) -> None:
        self._rows.update(done_rows=done)


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


def run(job: BackgroundJob, work: Callable[[Progress], dict]) -> None:
    """Do ``work`` for ``job``, recording its progress and outcome on the job.

    ``work(progress)`` calls ``progress.start(total)`` once it knows how much there is, then
    ``progress(done)`` as it goes, and returns the fields to store on the finished job (what it
    made; ``total_rows`` too when the final count differs from the first). A failure marks the
    job failed, with its message, and is raised again for the worker's own record.
    """
    progress = Progress(job)
    try:
        outcome = work(progress)
    except Exception as error:
        logger.exception("%s %s failed", type(job).__name__, job.pk)
        type(job).objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            error=(str(error) or error.__class__.__name__)[:2000],
            finished_at=timezone.now(),
        )
        raise
    fields = {"total_rows": progress.total, **outcome}
    fields.setdefault("done_rows", fields["total_rows"])
    type(job).objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, finished_at=timezone.now(), **fields
    )
