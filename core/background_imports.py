"""Imports too large to write within a request: confirmed there, written by the background
worker as an ``ImportJob`` with a progress bar, still all or nothing.

Each app registers what writes its kind of file (``importer``); the request that confirms an
import stores the file in the private storage and queues the job (``import_request``); the
worker hands the job to its importer (``import_run``), which writes every row in one
transaction, or none and every refused row's message.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from core import jobs as lifecycle
from core.models import ImportJob, JobStatus
from core.uploads import safe_file_name

logger = logging.getLogger(__name__)

# kind → importer(job, data, progress) -> outcome fields; raises ImportRefused to write nothing.
IMPORTERS: dict[str, Callable[[ImportJob, bytes, lifecycle.Progress], dict]] = {}


class ImportRefused(Exception):
    """The file cannot be written: nothing was; ``errors`` says why, row by row."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def importer(kind: str):
    """Register the function that writes a background import of ``kind``."""

    def register(function):
        IMPORTERS[kind] = function
        return function

    return register


def in_background(rows: int) -> bool:
    """Whether a file of ``rows`` rows is written by the worker rather than in the request."""
    return rows > settings.IMPORT_BACKGROUND_ROWS


@transaction.atomic
def import_request(
    *,
    by,
    kind: str,
    title: str,
    data: bytes,
    file_name: str,
    rows: int,
    options: dict | None = None,
    next_url: str = "",
) -> ImportJob:
    """Queue the import of ``data`` (a file of ``rows`` rows) for ``by``; the worker writes it
    after this commits."""
    if kind not in IMPORTERS:
        raise ValueError(f"No importer for {kind!r}")
    job = ImportJob.objects.create(
        requested_by=by,
        kind=kind,
        title=title,
        file_name=file_name[:255],
        options=options or {},
        total_rows=rows,
        next_url=next_url,
    )
    # Through the storage API only: the worker may run on another machine.
    extension = os.path.splitext(safe_file_name(file_name))[1].lower()[:10]
    job.source.save(f"{job.pk}{extension}", ContentFile(data), save=False)
    ImportJob.objects.filter(pk=job.pk).update(source=job.source.name)
    from core.tasks import run_import

    lifecycle.enqueue_on_commit(run_import, job)
    return job


def import_run(job: ImportJob) -> None:
    """Write the job's file with its importer (the worker's side of ``import_request``)."""
    write = IMPORTERS[job.kind]

    def work(progress: lifecycle.Progress) -> dict:
        with job.source.open("rb") as handle:
            data = handle.read()
        # Over, written, refused or failed, the file is not kept; a worker that died (or lost
        # the job) leaves it for the next try.
        try:
            outcome = write(job, data, progress)
        except ImportRefused as refusal:
            if progress.lost:
                raise lifecycle.JobLost from None
            outcome = {"status": JobStatus.FAILED, "errors": refusal.errors, "done_rows": 0}
        except Exception:
            job.source.delete(save=False)
            raise
        job.source.delete(save=False)
        return {"source": "", **outcome}

    lifecycle.run(job, work)
