"""Forms of the review moves: note, reason, proposal, score sheet, recognition decision.

They check only the shape of what was typed; the services say what is missing or not allowed
(a reason, a decision number, a score out of range), and the views put those messages on the
matching field.
"""

from __future__ import annotations

from django import forms

from core.forms import (
    DayMonthYearField,
    GroupedIntegerField,
    GroupedNumberInput,
    StyledFormMixin,
    style_widgets,
)
from core.pickers import PickerSelect
from core.text import whole_number
from organisations.models import Organisation
from organisations.pickers import unit_options, unit_search_url
from organisations.selectors import nearby_units
from reviews.rules import REVIEWER_ROLES


def _text(rows: int, **attrs):
    return forms.Textarea(attrs={"rows": rows, **attrs})


class NoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label="Ghi chú (không bắt buộc)", required=False, widget=_text(2))


def _reason(label: str) -> forms.CharField:
    # Required by the service, which words the message; the browser asks for it too.
    return forms.CharField(label=label, required=False, widget=_text(3, required=True))


class ReturnForm(StyledFormMixin, forms.Form):
    reason = _reason("Lý do trả lại: cần bổ sung, sửa những gì")


class RejectForm(StyledFormMixin, forms.Form):
    reason = _reason("Lý do không duyệt")


class NotRecogniseForm(StyledFormMixin, forms.Form):
    reason = _reason("Lý do không công nhận")


class EvidenceForm(StyledFormMixin, forms.Form):
    reason = _reason("Minh chứng cần bổ sung")


class OutstandingForm(forms.Form):
    outstanding = forms.BooleanField(required=False)


class ProposeForm(StyledFormMixin, forms.Form):
    result_reports = forms.ModelMultipleChoiceField(
        label="Báo cáo kết quả làm căn cứ đề nghị",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label="Thuyết minh đề nghị",
        required=False,
        widget=_text(4),
        help_text="Vì sao mô hình, điển hình xứng đáng được công nhận.",
    )

    def __init__(self, *args, model, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["result_reports"]
        field.queryset = model.result_reports.order_by("-period_end", "-pk")
        field.label_from_instance = lambda report: (
            f"Kỳ {report.period_start:%d/%m/%Y} – {report.period_end:%d/%m/%Y}: "
            f"{report.narrative[:120]}{'…' if len(report.narrative) > 120 else ''}"
        )


class AppraisalForm(StyledFormMixin, forms.Form):
    """One whole-number score per criterion of the sheet's rubric, and a comment."""

    comment = forms.CharField(label="Nhận xét chung", required=False, widget=_text(3))

    def __init__(self, *args, criteria, **kwargs):
        self.criteria = list(criteria)
        super().__init__(*args, **kwargs)
        for criterion in self.criteria:
            name = self.field_name(criterion)
            # The page's running total reads each criterion's maximum from its input.
            attrs = {"required": True, "data-score-max": criterion.max_score}
            if criterion.guidance:
                attrs["aria-describedby"] = f"id_{name}_huong_dan"
            # Typed like every number of the portal; the range is the service's to check.
            self.fields[name] = GroupedIntegerField(
                label=criterion.title,
                required=False,
                help_text=criterion.guidance,
                widget=GroupedNumberInput(attrs=attrs),
                error_messages={"invalid": f"Điểm phải từ 0 đến {criterion.max_score}."},
            )
        # The comment last, after the criteria.
        self.order_fields([self.field_name(c) for c in self.criteria])
        style_widgets(self)

    @staticmethod
    def field_name(criterion) -> str:
        # The service names its errors the same way, so they land on the right input.
        return f"criterion_{criterion.pk}"

    def criterion_fields(self):
        return [(criterion, self[self.field_name(criterion)]) for criterion in self.criteria]

    def scores(self) -> dict[int, int]:
        return {
            criterion.pk: self.cleaned_data[self.field_name(criterion)]
            for criterion in self.criteria
            if self.cleaned_data.get(self.field_name(criterion)) is not None
        }


class RecogniseForm(StyledFormMixin, forms.Form):
    """The decision recognising a model; the issuer is a unit the reviewer may see."""

    decision_number = forms.CharField(label="Số quyết định", required=False, max_length=100)
    decision_date = DayMonthYearField(label="Ngày quyết định", required=False)
    decision_signer = forms.CharField(label="Người ký", required=False, max_length=200)
    decision_issuer = forms.ModelChoiceField(
        label="Cơ quan ban hành",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="— Chọn đơn vị —",
        widget=PickerSelect(search_url=unit_search_url(roles=REVIEWER_ROLES)),
        error_messages={
            "invalid_choice": "Chỉ chọn được đơn vị mà bạn là cán bộ thẩm định hoặc quản trị."
        },
    )
    note = forms.CharField(label="Ghi chú (không bắt buộc)", required=False, widget=_text(2))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        issuer = self.fields["decision_issuer"]
        issuer.queryset = Organisation.objects.visible_to(user, REVIEWER_ROLES)
        chosen = whole_number(self.data.get(self.add_prefix("decision_issuer")))
        units = nearby_units(
            user, REVIEWER_ROLES, levels=1, include=[chosen] if chosen is not None else []
        )
        issuer.widget.choices = [("", issuer.empty_label), *unit_options(units)]
