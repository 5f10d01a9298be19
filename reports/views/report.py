"""The report page for (unit, period) and its drill-down to the child units."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views import View

from organisations.models import Organisation
from organisations.querysets import user_memberships_paths
from organisations.selectors import tree_roots
from reports import charts, selectors, services
from reports.formatting import measure_definitions
from reports.forms import ReportForm, ReportJobForm
from reports.links import records_path
from reports.models import ReportSnapshot
from reports.periods import default_period
from reports.snapshots import Comparison, compare
from reports.tables import outstanding_groups, report_heading, report_tables

CHANGES_SHOWN = 100  # a long list of changed cells is cut here; the count says how many
LARGEST_SHOWN = 10  # the summary above the full list names the largest changes only


def default_unit(user) -> Organisation | None:
    """The top of the user's scope: their highest membership (a superuser: the first root)."""
    if user.is_superuser:
        return tree_roots(user).first()
    paths = sorted({path for _, path in user_memberships_paths(user)}, key=lambda p: (len(p), p))
    return Organisation.objects.filter(path=paths[0]).first() if paths else None


def scoped_unit(user, raw) -> Organisation:
    """The unit named by ``raw`` among those ``user`` sees (404 outside), or the default one."""
    if raw in (None, ""):
        unit = default_unit(user)
        if unit is None:
            raise Http404("Tài khoản chưa thuộc đơn vị nào.")
        return unit
    try:
        pk = int(raw)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    return get_object_or_404(Organisation.objects.visible_to(user), pk=pk)


def report_form(request, source, unit: Organisation) -> ReportForm:
    """The unit-and-period form as ``source`` (GET or POST data) fills it."""
    data = {"don_vi": unit.pk, "ky": source.get("ky") or default_period().key}
    return ReportForm(data, user=request.user, organisation=unit)


def comparison_context(comparison: Comparison | None) -> dict:
    """What the comparison's partials render: the changes in page order (cut), the largest
    ones, and how many cells changed of how many."""
    changes = comparison.changes if comparison else []
    return {
        "changes": changes[:CHANGES_SHOWN],
        "changes_count": len(changes),
        "cells_count": comparison.cells if comparison else 0,
        "largest_changes": comparison.largest[:LARGEST_SHOWN] if comparison else [],
    }


def report_context(figures: dict) -> dict:
    """What the report's partials render, for live figures and frozen ones alike."""
    return {
        "heading": report_heading(figures),
        "tables": report_tables(figures),
        "outstanding": outstanding_groups(figures),
        "charts": charts.report_charts(figures),
        "definitions": measure_definitions(),
        "records_url": records_path(),
    }


class ReportView(View):
    """The report of a unit's whole subtree for a period: tables, charts, files and freezing."""

    template_name = "reports/report.html"

    def get(self, request):
        user = request.user
        unit = scoped_unit(user, request.GET.get("don_vi"))
        form = report_form(request, request.GET, unit)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "unit": unit}, status=400)
        period = form.cleaned_data["ky"]
        figures = selectors.report_figures(user, unit, period)
        latest = (
            ReportSnapshot.objects.visible_to(user)
            .of(unit, period.start, period.end)
            .select_related("created_by")
            .first()
        )
        context = {
            **report_context(figures),
            "form": form,
            "unit": unit,
            "period": period,
            "figures": figures,
            "drill_key": period.key,
            "can_freeze": services.can_freeze(user, unit),
            "freeze_form": ReportJobForm(),
            "latest_snapshot": latest,
            **comparison_context(compare(figures, latest.figures) if latest else None),
        }
        return render(request, self.template_name, context)
