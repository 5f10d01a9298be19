"""The report's buttons: a file of the report or a freeze, at once or followed on a page."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from core import jobs as lifecycle
from reports import jobs
from reports.choices import JobKind, JobStatus
from reports.forms import ReportJobForm
from reports.models import ReportJob
from reports.views.files import CONTENT_TYPES, extension_of, report_filename
from reports.views.report import report_form, scoped_unit

FAILED = {
    JobKind.WORKBOOK: "Không tạo được tệp Excel.",
    JobKind.NARRATIVE: "Không tạo được dự thảo báo cáo.",
    JobKind.SNAPSHOT: "Không chốt được số liệu.",
}


class JobCreateView(View):
    """POST from the report page: "Tải Excel", "Tải dự thảo báo cáo", "Chốt số liệu"."""

    def post(self, request):
        raw_unit = request.POST.get("don_vi")
        if not raw_unit:
            raise Http404
        unit = scoped_unit(request.user, raw_unit)
        form = ReportJobForm(request.POST)
        if not form.is_valid():
            context = {
                "form": report_form(request, request.POST, unit),
                "unit": unit,
                "job_errors": [error for errors in form.errors.values() for error in errors],
            }
            return render(request, "reports/report.html", context, status=400)
        job = jobs.request_job(
            by=request.user,
            organisation=unit,
            period=form.cleaned_data["ky"],
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data["note"],
        )
        if job.status == JobStatus.DONE:
            if job.kind == JobKind.SNAPSHOT:
                messages.success(request, f"Đã chốt số liệu lần {job.snapshot.version}.")
                return redirect(job.snapshot)
            return redirect("reports:job_download", pk=job.pk)
        if job.status == JobStatus.FAILED:
            messages.error(request, f"{FAILED[job.kind]} Vui lòng thử lại hoặc báo quản trị viên.")
        return redirect(job)


def _requested_jobs(user):
    return (
        ReportJob.objects.visible_to(user)
        .select_related("organisation", "snapshot")
        .defer("snapshot__figures")
    )


class JobStatusView(View):
    """How far a report job has got (the whole page, or the bar alone for htmx)."""

    def get(self, request, pk):
        lifecycle.reap(ReportJob.objects.visible_to(request.user).filter(pk=pk))
        job = get_object_or_404(_requested_jobs(request.user), pk=pk)
        template = (
            "reports/partials/_job_progress.html"
            if request.headers.get("HX-Request")
            else "reports/job_status.html"
        )
        return render(request, template, {"job": job})


class JobDownloadView(View):
    """A finished report file, for the person who asked for it only."""

    def get(self, request, pk):
        job = get_object_or_404(
            _requested_jobs(request.user),
            pk=pk,
            status=JobStatus.DONE,
            kind__in=(JobKind.WORKBOOK, JobKind.NARRATIVE),
        )
        if not job.file.name:
            raise Http404
        try:
            handle = job.file.open("rb")
        except FileNotFoundError as error:
            raise Http404("Tệp không còn trên máy chủ.") from error
        extension = extension_of(job.file.name)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=report_filename(
                job.organisation.name, job.period_start, job.period_end, extension
            ),
            content_type=CONTENT_TYPES[extension],
        )
