"""Background work of the registry (Django's Tasks API; a worker runs them)."""

from __future__ import annotations

import logging

from django.core.files.base import File
from django.http import QueryDict
from django.utils import timezone
from django_tasks import task

from models_registry.choices import ExportFormat, ExportStatus
from models_registry.models import ExportJob

logger = logging.getLogger(__name__)


@task()
def export_models(job_id: str) -> None:
    """Build a large list export for its requester, reporting progress as it goes."""
    import tempfile

    from models_registry.exports import write_csv, write_xlsx
    from models_registry.selectors import filtered_models

    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    # The scope is the requester's at the time the file is built, exactly as on the list page.
    queryset = filtered_models(job.requested_by, QueryDict(job.query))
    total = queryset.count()
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, total_rows=total)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done_rows=done)

    writer = write_xlsx if job.format == ExportFormat.XLSX else write_csv
    try:
        with tempfile.TemporaryFile() as scratch:
            rows = writer(queryset, scratch, user=job.requested_by, progress=progress)
            scratch.seek(0)
            job.file.save(f"exports/{job.pk}.{job.format}", File(scratch), save=False)
    except Exception as error:
        logger.exception("Export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE,
        file=job.file.name,
        done_rows=rows,
        total_rows=rows,
        finished_at=timezone.now(),
    )
