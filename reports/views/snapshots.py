"""Frozen reports (bản chốt số liệu): the versions of a unit and period, one version, its files."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views import View

from reports.models import ReportSnapshot
from reports.snapshots import compare
from reports.views.files import CONTENT_TYPES, extension_of, report_filename
from reports.views.report import comparison_context, report_context, report_form, scoped_unit


class SnapshotListView(View):
    """Every version frozen for a unit and period, newest first."""

    template_name = "reports/snapshot_list.html"

    def get(self, request):
        unit = scoped_unit(request.user, request.GET.get("don_vi"))
        form = report_form(request, request.GET, unit)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "unit": unit}, status=400)
        period = form.cleaned_data["ky"]
        snapshots = (
            ReportSnapshot.objects.visible_to(request.user)
            .of(unit, period.start, period.end)
            .select_related("created_by")
            .defer("figures")
        )
        context = {"form": form, "unit": unit, "period": period, "snapshots": snapshots}
        return render(request, self.template_name, context)


class SnapshotDetailView(View):
    """A frozen report, shown with the live page's partials and marked as the version it is,
    with what changed since the version frozen before it."""

    def get(self, request, pk):
        visible = ReportSnapshot.objects.visible_to(request.user)
        snapshot = get_object_or_404(visible.select_related("organisation", "created_by"), pk=pk)
        previous = (
            visible.of(snapshot.organisation, snapshot.period_start, snapshot.period_end)
            .filter(version__lt=snapshot.version)
            .first()
        )
        context = {
            **report_context(snapshot.figures),
            "snapshot": snapshot,
            "drill_key": "",
            "previous_snapshot": previous,
            "frozen_label": f"Lần {previous.version}" if previous else "",
            "live_label": f"Lần {snapshot.version}",
            **comparison_context(compare(snapshot.figures, previous.figures) if previous else None),
        }
        return render(request, "reports/snapshot_detail.html", context)


class SnapshotFileView(View):
    """The workbook or the narrative kept with a snapshot, for whoever sees its unit."""

    part = "workbook"

    def get(self, request, pk):
        snapshot = get_object_or_404(
            ReportSnapshot.objects.visible_to(request.user)
            .select_related("organisation")
            .defer("figures"),
            pk=pk,
        )
        field_file = getattr(snapshot, self.part)
        if not field_file.name:
            raise Http404("Bản chốt này không có tệp đó.")
        try:
            handle = field_file.open("rb")
        except FileNotFoundError as error:
            raise Http404("Tệp không còn trên máy chủ.") from error
        extension = extension_of(field_file.name)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=report_filename(
                snapshot.organisation.name,
                snapshot.period_start,
                snapshot.period_end,
                extension,
                version=snapshot.version,
            ),
            content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
        )
