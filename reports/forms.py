"""The report form (unit and period) and the form of the report's buttons (files, freeze)."""

from __future__ import annotations

from django import forms

from core.forms import QuickSelect, StyledFormMixin
from organisations.models import Organisation
from organisations.selectors import nearby_units
from reports.choices import JobKind
from reports.periods import ReportPeriod, available_periods, resolve_period

UNKNOWN_PERIOD = "Không có kỳ báo cáo “%(key)s”. Hãy chọn một kỳ trong danh sách."


class PeriodKeyMixin:
    """Turns the ``ky`` key into a ReportPeriod (built-in, stored), or a Vietnamese error."""

    periods: list[ReportPeriod]

    def clean_ky(self) -> ReportPeriod:
        key = self.cleaned_data["ky"].strip()
        period = next((p for p in self.periods if p.key == key), None) or resolve_period(key)
        if period is None:
            raise forms.ValidationError(UNKNOWN_PERIOD, code="unknown", params={"key": key})
        return period


def _unit_label(unit: Organisation, top_depth: int) -> str:
    return "\u00a0\u00a0" * max(0, unit.depth - top_depth) + unit.name


class ReportForm(PeriodKeyMixin, StyledFormMixin, forms.Form):
    """Which unit and period to report on (a GET form; the unit is looked up by the view)."""

    don_vi = forms.IntegerField(label="Đơn vị", widget=QuickSelect)
    ky = forms.CharField(label="Kỳ báo cáo", max_length=32, widget=QuickSelect)

    def __init__(self, data, *, user, organisation: Organisation, **kwargs):
        super().__init__(data, **kwargs)
        units = nearby_units(user, include=[organisation])
        top = min((unit.depth for unit in units), default=1)
        self.fields["don_vi"].widget.choices = [(unit.pk, _unit_label(unit, top)) for unit in units]
        self.periods = available_periods()
        choices = [(period.key, period.name) for period in self.periods]
        key = (data or {}).get("ky", "")
        if key and key not in dict(choices) and (period := resolve_period(key)):
            choices.append((period.key, period.name))  # an older year typed in the address
        self.fields["ky"].widget.choices = choices


class ReportJobForm(PeriodKeyMixin, StyledFormMixin, forms.Form):
    """A button of the report page: a file of the report, or freezing it (with a note)."""

    don_vi = forms.IntegerField(widget=forms.HiddenInput)
    ky = forms.CharField(max_length=32, widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=JobKind.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label="Ghi chú của lần chốt",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Ví dụ: số liệu gửi Ban Dân vận Tỉnh ủy ngày 20/6.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = []  # built-in keys resolve without a query; stored ones with one
