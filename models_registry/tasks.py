"""Background work of the registry (Django's Tasks API; a worker runs them)."""

from __future__ import annotations

from django.core.files.base import File
from django.http import QueryDict
from django_tasks import task

from core import jobs
from models_registry.choices import ExportFormat
from models_registry.models import ExportJob


@task()
def export_models(job_id: str) -> None:
    """Build a large list export for its requester, reporting progress as it goes."""
    import tempfile
    from functools import partial

    from models_registry.exports import export_heading, write_csv, write_xlsx
    from models_registry.selectors import filtered_models

    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)

    def work(progress: jobs.Progress) -> dict:
        # The scope is the requester's at the time the file is built, exactly as on the list
        # page. Read inside the work, so that a failure here marks the job failed instead of
        # queued for ever.
        params = QueryDict(job.query)
        queryset = filtered_models(job.requested_by, params)
        progress.start(queryset.count())
        if job.format == ExportFormat.XLSX:  # a csv file has no room for a heading
            writer = partial(write_xlsx, heading=export_heading(job.requested_by, params))
        else:
            writer = write_csv
        with tempfile.TemporaryFile() as scratch:
            rows = writer(queryset, scratch, user=job.requested_by, progress=progress)
            scratch.seek(0)
            job.file.save(f"exports/{job.pk}.{job.format}", File(scratch), save=False)
        return {"file": job.file.name, "total_rows": rows}

    jobs.run(job, work)
