"""Exporting the list on screen: directly when small, by the background worker when large."""

from __future__ import annotations

import tempfile
from datetime import datetime

from django.conf import settings
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from core import jobs as lifecycle
from core.storage import private_file_response
from models_registry import services
from models_registry.choices import ExportFormat, ExportStatus
from models_registry.exports import csv_lines, export_heading, write_xlsx
from models_registry.models import ExportJob
from models_registry.selectors import filtered_models

CONTENT_TYPES = {
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
}


def export_filename(fmt: str, when: datetime | None = None) -> str:
    when = timezone.localtime(when or timezone.now())
    return f"danh-sach-mo-hinh-{when:%Y%m%d-%H%M}.{fmt}"


class ExportView(View):
    """The list's filters and ``format`` in the query string: the file itself when the list is
    small. A large one is built by the background worker: GET asks to confirm (so a link that
    is followed or prefetched starts nothing), POST starts it and shows its progress."""

    def get(self, request):
        return self.export(request, start_job=False)

    def post(self, request):
        return self.export(request, start_job=True)

    def export(self, request, *, start_job: bool):
        params = request.GET.copy()
        fmt = params.pop("format", [ExportFormat.XLSX])[-1]
        if fmt not in ExportFormat.values:
            raise Http404
        params.pop("page", None)
        queryset = filtered_models(request.user, params)
        total = queryset.count()
        if total > settings.EXPORT_SYNC_MAX_ROWS:
            if not start_job:
                context = {
                    "total": total,
                    "limit": settings.EXPORT_SYNC_MAX_ROWS,
                    "format": ExportFormat(fmt),
                    "query": params.urlencode(),
                }
                return render(request, "models_registry/export_confirm.html", context)
            job = services.export_request(by=request.user, query=params.urlencode(), fmt=fmt)
            return redirect(job)
        if fmt == ExportFormat.CSV:
            response = StreamingHttpResponse(
                csv_lines(queryset, user=request.user), content_type=CONTENT_TYPES[fmt]
            )
            response["Content-Disposition"] = f'attachment; filename="{export_filename(fmt)}"'
            return response
        scratch = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        heading = export_heading(request.user, params)
        write_xlsx(queryset, scratch, user=request.user, heading=heading)
        scratch.seek(0)
        return FileResponse(
            scratch,
            as_attachment=True,
            filename=export_filename(fmt),
            content_type=CONTENT_TYPES[fmt],
        )


class ExportStatusView(View):
    """The progress of a background export (the whole page, or the bar alone for htmx)."""

    def get(self, request, pk):
        jobs = ExportJob.objects.visible_to(request.user)
        lifecycle.reap(jobs.filter(pk=pk))  # a job whose worker died says so
        job = get_object_or_404(jobs, pk=pk)
        template = (
            "models_registry/partials/_export_progress.html"
            if request.headers.get("HX-Request")
            else "models_registry/export_status.html"
        )
        return render(request, template, {"job": job, "finished": job.finished})


class ExportDownloadView(View):
    """The finished file, for the person who asked for it only."""

    def get(self, request, pk):
        job = get_object_or_404(
            ExportJob.objects.visible_to(request.user), pk=pk, status=ExportStatus.DONE
        )
        return private_file_response(
            job.file,
            filename=export_filename(job.format, job.created_at),
            content_type=CONTENT_TYPES[job.format],
        )
