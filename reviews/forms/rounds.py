"""Forms of commendation rounds: the round itself, its lines, its decision and publication."""

from __future__ import annotations

from django import forms
from django.urls import reverse

from core.forms import DayMonthYearField, StyledFormMixin
from core.pickers import PickerSelect
from core.text import whole_number
from models_registry.models import DanVanModel
from organisations.choices import DocumentHeading, SigningCapacity
from organisations.models import Organisation
from organisations.pickers import unit_options, unit_search_url
from organisations.selectors import nearby_units
from reviews.choices import CommendationForm
from reviews.models import CommendationRound
from reviews.querysets import ROUND_MANAGER_ROLES

DATE_HELP = "Nhập theo dạng ngày/tháng/năm, ví dụ 18/11/2025."
DECISION_FILE_ACCEPT = ".pdf,.jpg,.jpeg,.png"


def _date_field(label: str) -> DayMonthYearField:
    return DayMonthYearField(label=label)


def _text(rows: int = 3):
    return forms.Textarea(attrs={"rows": rows})


class RoundForm(StyledFormMixin, forms.ModelForm):
    """A round's title, kind, period, organising unit and date; the unit is one the user manages."""

    period_start = _date_field("Kỳ xét từ ngày")
    period_end = _date_field("Kỳ xét đến ngày")
    held_on = _date_field("Ngày tổ chức")

    class Meta:
        model = CommendationRound
        fields = ["title", "kind", "period_start", "period_end", "organising_unit", "held_on"]
        widgets = {
            "organising_unit": PickerSelect(search_url=unit_search_url(roles=ROUND_MANAGER_ROLES))
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        for name in ("period_start", "period_end", "held_on"):
            fields[name].help_text = DATE_HELP
        fields["title"].widget.attrs["placeholder"] = (
            "Ví dụ: Sơ kết phong trào thi đua “Dân vận khéo” 6 tháng đầu năm 2026"
        )
        fields["kind"].choices = [("", "— Chọn loại đợt —"), *fields["kind"].choices[1:]]
        current = self.instance.organising_unit if self.instance.organising_unit_id else None
        fields["organising_unit"].queryset = Organisation.objects.visible_to(
            user, ROUND_MANAGER_ROLES
        )
        posted = whole_number(self.data.get(self.add_prefix("organising_unit")))
        units = nearby_units(user, ROUND_MANAGER_ROLES, levels=2, include=[current, posted])
        fields["organising_unit"].widget.choices = [
            ("", "— Chọn đơn vị tổ chức —"),
            *unit_options(units),
        ]
        fields["organising_unit"].error_messages["invalid_choice"] = (
            "Chỉ chọn được đơn vị mà bạn là cán bộ thẩm định hoặc quản trị."
        )
        if not self.is_bound and current is None and units:
            fields["organising_unit"].initial = units[0].pk

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "Ngày kết thúc kỳ phải sau ngày bắt đầu.")
        return data

    def _post_clean(self):
        # The service validates the whole round (constraints included) under its lock; the form
        # only checks what was typed, and never changes the instance the page shows.
        pass

    def round_fields(self) -> dict:
        """The cleaned fields for ``round_create`` / ``round_update``."""
        return dict(self.cleaned_data)


class NominateForm(StyledFormMixin, forms.Form):
    """Put a model on a draft round's list, with the form and the citation.

    The model is chosen in a picker searching what the round may still commend; the form
    accepts any model the user can see, and the service says why one cannot be listed.
    """

    model = forms.ModelChoiceField(
        label="Mô hình, điển hình",
        queryset=DanVanModel.objects.none(),
        widget=PickerSelect(
            search_url="",
            placeholder="Gõ tên mô hình, điển hình hoặc họ tên cá nhân (có dấu hoặc không dấu)…",
        ),
        error_messages={
            "required": "Hãy chọn mô hình, điển hình cần đưa vào danh sách.",
            "invalid_choice": "Mô hình, điển hình này không có trong phạm vi của bạn.",
        },
    )
    form = forms.ChoiceField(label="Hình thức", choices=CommendationForm.choices)
    citation = forms.CharField(
        label="Nội dung, thành tích",
        required=False,
        widget=_text(2),
        help_text="Thành tích ghi trên bằng khen, giấy khen và trong danh sách kèm quyết định.",
    )

    def __init__(self, *args, user, commendation_round: CommendationRound, found=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["model"]
        field.queryset = DanVanModel.objects.visible_to(user)
        field.help_text = (
            "Chỉ tìm trong các mô hình, điển hình đã được công nhận thuộc "
            f"{commendation_round.organising_unit.name} và chưa có trong danh sách."
        )
        field.widget.search_url = reverse("reviews:round_nominees", args=[commendation_round.pk])
        # Without the script the select lists what the page's search found, and the model
        # posted (as typed, to try again).
        options = {model.pk: model for model in found}
        posted = whole_number(self.data.get(self.add_prefix("model"))) if self.is_bound else None
        if posted is not None and posted not in options:
            chosen = field.queryset.select_related("owning_unit").filter(pk=posted).first()
            if chosen is not None:
                options[chosen.pk] = chosen
        field.widget.choices = [
            ("", "— Chọn mô hình, điển hình —"),
            *((pk, nominee_label(model)) for pk, model in options.items()),
        ]


def nominee_label(model: DanVanModel) -> str:
    """A nominee as the picker names it: the model and its owning unit."""
    return f"{model} – {model.owning_unit.name}"


class LineForm(StyledFormMixin, forms.Form):
    """Change the form or citation of a line while the round is a draft."""

    form = forms.ChoiceField(label="Hình thức", choices=CommendationForm.choices)
    citation = forms.CharField(label="Nội dung, thành tích", required=False, widget=_text(2))


class CorrectionForm(LineForm):
    """Correct a published line: a new form or citation, and why."""

    reason = forms.CharField(
        label="Lý do đính chính",
        widget=_text(2),
        error_messages={"required": "Hãy ghi lý do đính chính."},
    )


class RevokeForm(StyledFormMixin, forms.Form):
    """Revoke a published line, saying why."""

    reason = forms.CharField(
        label="Lý do thu hồi",
        widget=_text(2),
        error_messages={"required": "Hãy ghi lý do thu hồi."},
    )


class DecisionForm(StyledFormMixin, forms.Form):
    """The round's decision: number, date, signer, authority and the signed file."""

    number = forms.CharField(label="Số quyết định", max_length=100)
    decided_on = _date_field("Ngày quyết định")
    signer = forms.CharField(label="Người ký", max_length=200)
    authority = forms.CharField(label="Cơ quan ban hành", max_length=300)
    heading = forms.ChoiceField(
        label="Thể thức văn bản",
        required=False,
        choices=[("", "Theo tên cơ quan ban hành hoặc đơn vị tổ chức"), *DocumentHeading.choices],
        help_text="Tiêu đề của giấy khen và danh sách kèm theo quyết định. Để mặc định thì cơ "
        "quan của Đảng (Ban Thường vụ, Đảng ủy, Ban Dân vận…) dùng thể thức của Đảng.",
    )
    signer_title = forms.CharField(
        label="Chức vụ",
        required=False,
        max_length=200,
        help_text="Chức vụ của người ký, in dưới chữ ký. Ví dụ: Phó Trưởng ban; Chủ tịch.",
    )
    signing_capacity = forms.ChoiceField(
        label="Hình thức ký", required=False, choices=SigningCapacity.choices
    )
    signing_for = forms.CharField(
        label="Thay mặt, ký thay cho",
        required=False,
        max_length=200,
        help_text="Ví dụ: Ban Thường vụ (thay mặt); Trưởng ban (ký thay). Để trống thì dùng tên "
        "cơ quan ban hành.",
    )
    upload = forms.FileField(
        label="Tệp quyết định đã ký",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": DECISION_FILE_ACCEPT}),
        help_text="Bản scan PDF hoặc ảnh JPG, PNG; cần có trước khi công bố đợt. Bỏ trống nếu "
        "giữ tệp đã tải lên trước đó.",
    )

    # The form's names differ from the round's; the service's errors are keyed by the round's.
    SERVICE_FIELDS = {
        "decision_number": "number",
        "decision_date": "decided_on",
        "decision_signer": "signer",
        "decision_authority": "authority",
        "decision_heading": "heading",
        "decision_signer_title": "signer_title",
        "decision_signing_capacity": "signing_capacity",
        "decision_signing_for": "signing_for",
        "decision_file": "upload",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].widget.attrs["placeholder"] = "Ví dụ: 15/QĐ-BDVTU"
        self.fields["decided_on"].help_text = DATE_HELP

    @classmethod
    def initial_from(cls, commendation_round: CommendationRound) -> dict:
        """What the round already records, to start the form with."""
        return {
            "number": commendation_round.decision_number,
            "decided_on": commendation_round.decision_date,
            "signer": commendation_round.decision_signer,
            "authority": commendation_round.decision_authority,
            "heading": commendation_round.decision_heading,
            "signer_title": commendation_round.decision_signer_title,
            "signing_capacity": commendation_round.decision_signing_capacity,
            "signing_for": commendation_round.decision_signing_for,
        }


class PublishForm(StyledFormMixin, forms.Form):
    """Publishing locks the list for good: the manager confirms it."""

    confirm = forms.BooleanField(
        label="Tôi đã kiểm tra danh sách và quyết định; công bố đợt này.",
        error_messages={"required": "Hãy đánh dấu xác nhận trước khi công bố."},
    )


class BulkCriteriaForm(StyledFormMixin, forms.Form):
    """Which models to add at once: a unit's recognised (or outstanding) models of a period.

    The unit itself is looked up by the view among those in scope (404 beyond).
    """

    WHICH = [
        ("recognised", "Được công nhận trong kỳ"),
        ("outstanding", "Được chọn tiêu biểu trong kỳ"),
    ]

    don_vi = forms.IntegerField(label="Đơn vị", widget=PickerSelect(search_url=""))
    tu_ngay = _date_field("Từ ngày")
    den_ngay = _date_field("Đến ngày")
    loai = forms.ChoiceField(label="Mô hình, điển hình", choices=WHICH, initial="recognised")

    def __init__(self, *args, units, under: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        widget = self.fields["don_vi"].widget
        widget.choices = [("", "— Chọn đơn vị —"), *unit_options(units)]
        # The picker searches the round's organising unit's subtree; the view checks the unit.
        widget.search_url = unit_search_url(under=under)
        self.fields["don_vi"].error_messages["required"] = "Hãy chọn đơn vị."
        for name in ("tu_ngay", "den_ngay"):
            self.fields[name].help_text = DATE_HELP

    def clean(self):
        data = super().clean()
        start, end = data.get("tu_ngay"), data.get("den_ngay")
        if start and end and end < start:
            self.add_error("den_ngay", "Ngày kết thúc phải sau ngày bắt đầu.")
        return data

    @property
    def outstanding(self) -> bool:
        return self.cleaned_data.get("loai") == "outstanding"


class BulkNominateForm(StyledFormMixin, forms.Form):
    """The models ticked in the review list and the form of commendation they all get."""

    form = forms.ChoiceField(label="Hình thức khen", choices=CommendationForm.choices)
    mo_hinh = forms.TypedMultipleChoiceField(
        label="Mô hình, điển hình",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Hãy đánh dấu ít nhất một mô hình, điển hình."},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the candidates the criteria find can be ticked; one listed meanwhile (another
        # tab, a colleague) is skipped by the service, never listed twice.
        self.fields["mo_hinh"].choices = [(model.pk, model.name) for model in candidates]
        self.fields["mo_hinh"].error_messages["invalid_choice"] = (
            "Mô hình, điển hình đã chọn không còn trong danh sách đề xuất; hãy tải lại trang."
        )
