"""The records behind one number of a report: the models, commendations or indicator values it
counts, as many as the number says."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views import View

from models_registry.choices import Actor, Field
from organisations.models import Organisation
from reports.formatting import vn_number
from reports.forms import RecordsForm
from reports.links import UNCLASSIFIED_FIELD
from reports.selectors import (
    COUNTED,
    KIND_ACTORS,
    MEASURE_DEFINITIONS,
    CountedCell,
    NotInReport,
    counted_records,
    report_unit_name,
)
from reports.views.report import scoped_unit
from reviews.choices import CommendationForm

RECORDS_PER_PAGE = 50
KIND_ACTOR_LABELS = {f"{kind}-{actor}": label for kind, actor, label in KIND_ACTORS}


def _cell(data: dict, row: Organisation | None) -> CountedCell:
    field = data["linh_vuc"]
    return CountedCell(
        measure=data["chi_tieu"],
        field=None if not field else ("" if field == UNCLASSIFIED_FIELD else field),
        kind_actor=data["loai"] or None,
        row=row,
        previous=bool(data["ky_truoc"]),
        form=data["hinh_thuc"] or None,
        actor=data["chu_the"] or None,
        indicator=data["chi_so"] or None,
    )


def _cell_name(cell: CountedCell, data: dict, unit: Organisation, period) -> str:
    """The number as the report names it: "Đang thực hiện – Kinh tế – Phường X – Năm 2025"."""
    if cell.measure == "indicator":
        indicator = data["indicator"]
        parts = [f"{indicator.name} ({indicator.unit})" if indicator.unit else indicator.name]
    else:
        parts = [COUNTED[cell.measure]]
    if cell.form:
        parts.append(CommendationForm(cell.form).label)
    if cell.actor:
        parts.append(Actor(cell.actor).label)
    if cell.field is not None:
        parts.append(Field(cell.field).label if cell.field else "Chưa chọn lĩnh vực")
    if cell.kind_actor:
        parts.append(KIND_ACTOR_LABELS[cell.kind_actor])
    if cell.row is not None:
        direct = cell.row.pk == unit.pk
        name = report_unit_name(cell.row)
        parts.append(f"{name} (trực tiếp)" if direct else name)
    parts.append(f"Kỳ trước ({period.previous().name})" if cell.previous else period.name)
    return " – ".join(parts)


class RecordsView(View):
    """The list behind one number of the report of a unit the user sees (404 outside)."""

    template_name = "reports/records.html"

    def get(self, request):
        user = request.user
        unit = scoped_unit(user, request.GET.get("don_vi"))
        form = RecordsForm(request.GET)
        if not form.is_valid():
            context = {"form": form, "unit": unit}
            return render(request, self.template_name, context, status=400)
        data = form.cleaned_data
        period = data["ky"]
        row = None
        if data["dong"] is not None:
            row = get_object_or_404(Organisation.objects.visible_to(user), pk=data["dong"])
        cell = _cell(data, row)
        try:
            records = counted_records(user, unit, period, cell)
        except NotInReport as error:
            raise Http404("Báo cáo không có dòng này.") from error
        page = Paginator(records, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "unit": unit,
            "period": period,
            "cell": cell,
            "cell_name": _cell_name(cell, data, unit, period),
            "definition": MEASURE_DEFINITIONS[cell.measure],
            "listing": {"indicator": "values", "commendations": "commendations"}.get(
                cell.measure, "models"
            ),
            "total_text": vn_number(page.paginator.count),
            "page_obj": page,
            "object_list": page.object_list,
            "query_prefix": query.urlencode(),
        }
        if cell.measure == "indicator":
            context["indicator"] = data["indicator"]
            context["sum_text"] = vn_number(records.aggregate(total=Sum("value"))["total"] or 0)
        return render(request, self.template_name, context)
