"""Background work of the reports (Django's Tasks API; a worker runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def build_report(job_id: str) -> None:
    """Build a large report file, or freeze a large unit's report, for whoever asked."""
    from reports.jobs import run_job
    from reports.models import ReportJob

    run_job(ReportJob.objects.select_related("requested_by", "organisation").get(pk=job_id))
