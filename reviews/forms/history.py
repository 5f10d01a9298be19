"""The form of a historical round's import: the round, its decision (typed once) and its annex."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from core.forms import StyledFormMixin
from core.pickers import PickerSelect
from core.text import whole_number
from organisations.models import Organisation
from organisations.pickers import unit_options, unit_search_url
from organisations.selectors import nearby_units
from reviews.choices import RoundKind
from reviews.forms.rounds import DATE_HELP, _date_field
from reviews.services.history import IMPORTER_ROLES

ANNEX_ACCEPT = ".xlsx,.csv"


class HistoricalRoundForm(StyledFormMixin, forms.Form):
    """A past round from its annex: title, kind, period, unit; the decision; the annex file."""

    title = forms.CharField(label="Tên đợt", max_length=300)
    kind = forms.ChoiceField(
        label="Loại đợt", choices=[("", "— Chọn loại đợt —"), *RoundKind.choices]
    )
    period_start = _date_field("Kỳ xét từ ngày")
    period_end = _date_field("Kỳ xét đến ngày")
    organising_unit = forms.ModelChoiceField(
        label="Đơn vị tổ chức",
        queryset=Organisation.objects.none(),
        widget=PickerSelect(search_url=unit_search_url(roles=IMPORTER_ROLES)),
        error_messages={
            "invalid_choice": "Chỉ chọn được đơn vị mà bạn là quản trị.",
            "required": "Hãy chọn đơn vị tổ chức.",
        },
    )
    held_on = _date_field("Ngày tổ chức")
    number = forms.CharField(label="Số quyết định", max_length=100)
    decided_on = _date_field("Ngày quyết định")
    signer = forms.CharField(label="Người ký", max_length=200)
    authority = forms.CharField(label="Cơ quan ban hành", max_length=300)
    annex = forms.FileField(
        label="Tệp danh sách kèm theo (.xlsx)",
        required=False,  # the confirmation uses the file the preview kept
        widget=forms.ClearableFileInput(attrs={"accept": ANNEX_ACCEPT}),
        help_text="Theo tệp mẫu: mỗi dòng một tập thể hoặc cá nhân được khen.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["title"].widget.attrs["placeholder"] = (
            "Ví dụ: Sơ kết phong trào thi đua “Dân vận khéo” năm 2017"
        )
        fields["number"].widget.attrs["placeholder"] = "Ví dụ: 125-QĐ/QU"
        fields["held_on"].required = False
        fields["held_on"].help_text = "Để trống nếu trùng ngày quyết định. " + DATE_HELP
        for name in ("period_start", "period_end", "decided_on"):
            fields[name].help_text = DATE_HELP
        fields["organising_unit"].queryset = Organisation.objects.visible_to(user, IMPORTER_ROLES)
        posted = whole_number(self.data.get(self.add_prefix("organising_unit")))
        units = nearby_units(user, IMPORTER_ROLES, levels=2, include=[posted])
        fields["organising_unit"].widget.choices = [
            ("", "— Chọn đơn vị tổ chức —"),
            *unit_options(units),
        ]
        if not self.is_bound and units:
            fields["organising_unit"].initial = units[0].pk

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        decided = data.get("decided_on")
        if start and end and end < start:
            self.add_error("period_end", "Ngày kết thúc kỳ phải sau ngày bắt đầu.")
        if decided:
            if decided > timezone.localdate():
                self.add_error("decided_on", "Ngày quyết định không được sau hôm nay.")
            elif start and decided < start:
                self.add_error(
                    "decided_on", "Ngày quyết định không được trước ngày bắt đầu kỳ xét."
                )
            if not data.get("held_on") and "held_on" not in self.errors:
                data["held_on"] = decided
        return data

    def round_fields(self) -> dict:
        data = self.cleaned_data
        names = ("title", "kind", "period_start", "period_end", "organising_unit", "held_on")
        return {name: data[name] for name in names}

    def decision(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("number", "decided_on", "signer", "authority")}
