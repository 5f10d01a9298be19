"""Report files and freezes asked for from the report page: built at once when the unit is
small, by the background worker (with a progress bar) when it is large.

A job's progress counts one thing throughout: the models of the report's data sheet (those
active or registered in the period). ``total_rows`` is how many there are, ``done_rows`` how
many the workbook — a file's own, or a freeze's — has written so far.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from core import jobs as lifecycle
from organisations.models import Organisation
from reports import selectors, services
from reports.choices import JobKind
from reports.models import ReportJob
from reports.periods import ReportPeriod
from reports.tasks import build_report


def request_job(
    *, by, organisation: Organisation, period: ReportPeriod, kind: str, note: str = ""
) -> ReportJob:
    """Ask for a report file or a freeze: done before returning when the unit's report covers at
    most ``REPORT_SYNC_MAX_MODELS`` models (its subtree's, merged units included), else queued
    for the worker once this commits."""
    if kind not in JobKind.values:
        raise ValidationError("Không có loại yêu cầu này.")
    if not Organisation.objects.visible_to(by).filter(pk=organisation.pk).exists():
        raise PermissionDenied("Đơn vị nằm ngoài phạm vi của bạn.")
    if kind == JobKind.SNAPSHOT and not services.can_freeze(by, organisation):
        raise PermissionDenied(services.NOT_FREEZER)
    covered, total = selectors.report_sizes(organisation, period)
    job = ReportJob.objects.create(
        requested_by=by,
        organisation=organisation,
        kind=kind,
        period_key=period.key,
        period_name=period.name,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        note=note,
        total_rows=total,
    )
    if covered > settings.REPORT_SYNC_MAX_MODELS:
        lifecycle.enqueue_on_commit(build_report, job)
        return job
    return lifecycle.run_now(job, run_job)


def run_job(job: ReportJob) -> None:
    """Build the job's file or snapshot as its requester (with their scope of now), recording
    progress and the outcome on the job."""
    user, unit, period = job.requested_by, job.organisation, job.period

    def work(progress: lifecycle.Progress) -> dict:
        # Counted again: a queued job may have waited while models changed. Inside the work,
        # so that a failing count marks the job failed instead of queued for ever.
        progress.start(selectors.report_sizes(unit, period)[1])
        if job.kind == JobKind.SNAPSHOT:
            snapshot = services.snapshot_freeze(
                by=user, organisation=unit, period=period, note=job.note, progress=progress
            )
            return {"snapshot": snapshot}
        figures = selectors.report_figures(user, unit, period)
        services.store_report_file(
            job.file,
            f"{job.pk}.{services.FILE_EXTENSIONS[job.kind]}",
            lambda out: services.write_report_file(
                job.kind,
                out,
                by=user,
                organisation=unit,
                period=period,
                figures=figures,
                progress=progress,
            ),
        )
        return {"file": job.file.name}

    lifecycle.run(job, work)
