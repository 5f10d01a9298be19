"""The report form (unit and period) and the form of the report's buttons (files, freeze)."""

from __future__ import annotations

from django import forms

from core.forms import QuickSelect, StyledFormMixin
from core.pickers import PickerSelect
from models_registry.choices import Actor, Field
from models_registry.models import Indicator
from organisations.models import Organisation
from organisations.pickers import unit_search_url
from organisations.selectors import nearby_units
from reports.choices import JobKind
from reports.links import UNCLASSIFIED_FIELD
from reports.periods import ReportPeriod, available_periods, resolve_period
from reports.selectors import COMPARED_MEASURES, COUNTED, KIND_ACTORS
from reviews.choices import CommendationForm

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

    don_vi = forms.IntegerField(
        label="Đơn vị",
        widget=PickerSelect(search_url=unit_search_url(), placeholder="Gõ tên đơn vị để đổi…"),
    )
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


MAX_ID = 2**31 - 1  # the largest id a unit can have: larger ones name nothing
NO_COMPARISON = "Chỉ tiêu “%(measure)s” không so với kỳ trước."
ONLY_FOR = "Điều kiện “%(name)s” không dùng cho chỉ tiêu “%(measure)s”."
INDICATOR_NEEDED = "Hãy chọn chỉ số kết quả."


def _optional(choices) -> list[tuple[str, str]]:
    return [("", "Tất cả"), *choices]


class RecordsForm(PeriodKeyMixin, forms.Form):
    """Which number of a report to list the records of (``reports.links`` names the fields).

    The unit (``don_vi``) is looked up by the view through ``visible_to``; every other field is
    checked here, so a mistyped or forged address gets a message, never an error page.
    """

    ky = forms.CharField(label="Kỳ báo cáo", max_length=32)
    chi_tieu = forms.ChoiceField(label="Chỉ tiêu", choices=list(COUNTED.items()))
    linh_vuc = forms.ChoiceField(
        label="Lĩnh vực",
        required=False,
        choices=_optional([*Field.choices, (UNCLASSIFIED_FIELD, "Chưa chọn lĩnh vực")]),
    )
    loai = forms.ChoiceField(
        label="Loại và chủ thể",
        required=False,
        choices=_optional([(f"{k}-{a}", label) for k, a, label in KIND_ACTORS]),
    )
    dong = forms.IntegerField(
        label="Đơn vị của dòng", required=False, min_value=1, max_value=MAX_ID
    )
    ky_truoc = forms.ChoiceField(
        label="Kỳ trước", required=False, choices=[("", "Kỳ này"), ("1", "Kỳ trước")]
    )
    hinh_thuc = forms.ChoiceField(
        label="Hình thức", required=False, choices=_optional(CommendationForm.choices)
    )
    chu_the = forms.ChoiceField(label="Chủ thể", required=False, choices=_optional(Actor.choices))
    chi_so = forms.SlugField(label="Chỉ số", required=False, max_length=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = []  # built-in keys resolve without a query; stored ones with one

    def clean(self):
        data = super().clean()
        measure = data.get("chi_tieu")
        if not measure:
            return data
        label = COUNTED[measure]
        by_model = ("linh_vuc", "loai", "dong")
        allowed = {
            "commendations": ("hinh_thuc", "chu_the"),
            "indicator": ("chi_so",),
        }.get(measure, by_model)
        for name in (*by_model, "hinh_thuc", "chu_the", "chi_so"):
            if data.get(name) not in (None, "") and name not in allowed:
                self.add_error(
                    name,
                    forms.ValidationError(
                        ONLY_FOR,
                        code="not_for_measure",
                        params={"name": self.fields[name].label, "measure": label},
                    ),
                )
        if data.get("ky_truoc") and measure not in COMPARED_MEASURES:
            self.add_error(
                "ky_truoc", forms.ValidationError(NO_COMPARISON, params={"measure": label})
            )
        if measure == "indicator":
            code = data.get("chi_so")
            if not code:
                self.add_error("chi_so", INDICATOR_NEEDED)
            else:
                data["indicator"] = Indicator.objects.filter(code=code).first()
                if data["indicator"] is None:
                    self.add_error("chi_so", f"Không có chỉ số “{code}”.")
        return data
