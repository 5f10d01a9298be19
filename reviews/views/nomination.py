"""Adding a unit's recognised (or outstanding) models of a period to a draft round at once.

GET with the criteria shows the review list: every candidate, ticked, those already on the list
shown but not offered again. POST adds the ticked ones through the nomination service, in one
transaction.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from core.text import whole_number
from organisations.selectors import nearby_units
from reviews import services
from reviews.forms.rounds import BulkCriteriaForm, BulkNominateForm
from reviews.querysets import ROUND_MANAGER_ROLES
from reviews.selectors import rounds as selectors
from reviews.views.rounds import ScopedRoundMixin, show_errors


class RoundBulkNominateView(ScopedRoundMixin, View):
    template_name = "reviews/round_bulk_nominate.html"

    def dispatch(self, request, *args, **kwargs):
        self.round = self.get_managed_round(kwargs["pk"])
        if self.round.is_published:
            messages.warning(request, "Đợt đã công bố nên danh sách đã khóa.")
            return redirect(self.round)
        self.units = selectors.bulk_units(self.round, request.user)
        return super().dispatch(request, *args, **kwargs)

    def criteria_form(self, data):
        picker = [
            unit
            for unit in nearby_units(
                self.request.user,
                ROUND_MANAGER_ROLES,
                levels=2,
                include=[self.round.organising_unit],
            )
            if unit.path.startswith(self.round.organising_unit.path)
        ]
        initial = {
            "don_vi": self.round.organising_unit_id,
            "tu_ngay": self.round.period_start,
            "den_ngay": self.round.period_end,
        }
        unit_pk = (data or {}).get("don_vi")
        if unit_pk:
            # A unit typed into the address beyond the round or the user's scope is not found.
            unit = get_object_or_404(self.units, pk=whole_number(unit_pk) or 0)
            if unit not in picker:
                picker.append(unit)
        return BulkCriteriaForm(
            data, initial=initial, units=picker, under=self.round.organising_unit
        )

    def candidates(self, criteria):
        data = criteria.cleaned_data
        unit = get_object_or_404(self.units, pk=data["don_vi"])
        return unit, list(
            selectors.bulk_candidates(
                self.round,
                self.request.user,
                unit=unit,
                start=data["tu_ngay"],
                end=data["den_ngay"],
                outstanding=criteria.outstanding,
            )[: selectors.BULK_CANDIDATES_SHOWN + 1]
        )

    def render_page(self, criteria, *, status=200, **context):
        form = context.get("form")
        if form is not None:
            values = form["mo_hinh"].value() or []
            context["selected"] = {whole_number(v) for v in values} - {None}
        context.update(
            round=self.round, criteria=criteria, shown_at_most=selectors.BULK_CANDIDATES_SHOWN
        )
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        searched = "don_vi" in request.GET
        criteria = self.criteria_form(request.GET if searched else None)
        if not searched or not criteria.is_valid():
            return self.render_page(criteria, status=400 if searched else 200)
        unit, candidates = self.candidates(criteria)
        form = BulkNominateForm(
            initial={"mo_hinh": [m.pk for m in candidates if not m.listed]},
            candidates=candidates,
        )
        return self.render_page(
            criteria,
            unit=unit,
            candidates=candidates[: selectors.BULK_CANDIDATES_SHOWN],
            too_many=len(candidates) > selectors.BULK_CANDIDATES_SHOWN,
            form=form,
        )

    def post(self, request, pk):
        criteria = self.criteria_form(request.POST)
        if not criteria.is_valid():
            messages.error(request, "Chưa thêm được: hãy sửa điều kiện lọc bên dưới.")
            return self.render_page(criteria, status=400)
        unit, candidates = self.candidates(criteria)
        form = BulkNominateForm(request.POST, candidates=candidates)
        if form.is_valid():
            chosen = set(form.cleaned_data["mo_hinh"])
            try:
                added = services.commendation_nominate_many(
                    commendation_round=self.round,
                    by=request.user,
                    models=[model for model in candidates if model.pk in chosen],
                    form=form.cleaned_data["form"],
                )
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Đã đưa {len(added)} mô hình, điển hình của {unit.name} vào danh sách.",
                )
                return redirect(self.round)
        messages.error(request, "Chưa thêm được: hãy xem thông báo lỗi bên dưới.")
        return self.render_page(
            criteria,
            status=400,
            unit=unit,
            candidates=candidates[: selectors.BULK_CANDIDATES_SHOWN],
            too_many=len(candidates) > selectors.BULK_CANDIDATES_SHOWN,
            form=form,
        )
