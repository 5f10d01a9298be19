"""The registration form, result reports and discontinuation; every choice scoped to the user."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils import timezone

from core.forms import (
    DayMonthYearField,
    GroupedDecimalField,
    GroupedIntegerField,
    StyledFormMixin,
    style_widgets,
)
from core.partial_dates import DatePrecision
from core.pickers import PickerSelect, PickerSelectMultiple
from core.text import whole_number
from core.uploads import ALLOWED_EXTENSIONS_TEXT, KINDS, inspect_upload
from models_registry.choices import RELATION_FIELDS
from models_registry.models import DanVanModel, Indicator, Theme
from models_registry.rules import REGISTRANT_ROLES
from organisations.models import Organisation
from organisations.pickers import unit_options, unit_search_url
from organisations.selectors import nearby_units

ACCEPT = ",".join(KINDS)
# Chosen already in a blank registration form: choosing them again fills nothing in.
PRESET_FIELDS = ("kind", "actor", "owning_unit", "creation_token")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by its content (``inspect_upload``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            f"{ALLOWED_EXTENSIONS_TEXT}; mỗi tệp tối đa "
            f"{settings.ATTACHMENT_MAX_BYTES // 1024 // 1024} MB, "
            f"tối đa {settings.ATTACHMENTS_PER_MODEL} tệp cho một mô hình.",
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        errors = []
        for upload in uploads:
            try:
                inspect_upload(upload, max_bytes=settings.ATTACHMENT_MAX_BYTES)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return list(uploads)


def _unseen_note(count: int) -> str:
    return (
        f"Ngoài ra có {count} đơn vị ngoài phạm vi của bạn đã được chọn; "
        "các đơn vị này được giữ nguyên khi lưu."
    )


UNIT_SEARCH = reverse_lazy("organisations:organisation_picker")
MODEL_SEARCH = reverse_lazy("models_registry:model_picker")
OWNING_UNIT_OUT_OF_SCOPE = "Chỉ chọn được đơn vị chủ trì là đơn vị mà bạn là cán bộ cơ sở."
NO_ORIGIN = "Chưa chọn (mô hình gốc do đơn vị tự xây dựng)"
UNIT_CHOICE_ERRORS = {
    "invalid_choice": "Có đơn vị đã chọn không hợp lệ hoặc ngoài phạm vi của bạn; hãy chọn lại.",
}


def _posted_ids(form, name: str) -> list[int]:
    """The ids posted for a multiple choice (to show them again if the form comes back)."""
    if not form.is_bound:
        return []
    values = form.data.getlist(name) if hasattr(form.data, "getlist") else form.data.get(name)
    if not isinstance(values, list | tuple):
        values = [values]
    return [pk for value in values if (pk := whole_number(value)) is not None]


def _text(rows=3):
    return forms.Textarea(attrs={"rows": rows})


class DanVanModelForm(StyledFormMixin, forms.ModelForm):
    """Everything a registration holds. Nothing is required here: a draft may be incomplete;
    ``models_registry.rules.missing_items`` decides whether it can be submitted."""

    attachments = MultipleFileField(label="Tệp đính kèm (ảnh, kế hoạch, quyết định…)")

    class Meta:
        model = DanVanModel
        fields = [
            "name",
            "code",
            "kind",
            "actor",
            "person_name",
            "person_position",
            "field",
            "themes",
            "owning_unit",
            "territory",
            "territory_note",
            "coordinating_units",
            "situation",
            "goals",
            "content",
            "target_group",
            "forces",
            "funds",
            "workdays",
            "socialised_funds",
            "resources_note",
            "start_date",
            "schedule",
            "evaluation_date",
            "outputs",
            "sustainability",
            "contact_name",
            "contact_phone",
            "replicated_from",
        ]
        # What a good answer to each item holds, shown under it (linked by aria-describedby).
        help_texts = {
            "name": "Tên ngắn gọn nói rõ việc làm và nơi làm, ví dụ “Dân vận khéo trong "
            "giải phóng mặt bằng đường liên xã”.",
            "kind": "Mô hình là cách làm của tập thể được duy trì; điển hình là tập thể hoặc cá "
            "nhân tiêu biểu được biểu dương.",
            "actor": "Chọn “Cá nhân” khi đăng ký một người tiêu biểu; khi đó ghi họ tên và chức "
            "vụ của người đó.",
            "person_name": "Họ và tên đầy đủ, có dấu, như trên giấy tờ.",
            "person_position": "Chức vụ hiện tại và nơi công tác hoặc nơi cư trú.",
            "field": "Lĩnh vực chính mà mô hình tác động; chọn một lĩnh vực.",
            "themes": "Chọn các chủ đề phù hợp để mô hình được tìm thấy và tổng hợp đúng.",
            "owning_unit": "Đơn vị trực tiếp chỉ đạo, chịu trách nhiệm về mô hình.",
            "situation": "Vấn đề ở địa phương trước khi có mô hình, có số liệu cụ thể (ví dụ số "
            "hộ, tỷ lệ, số vụ việc) và lý do cần làm.",
            "goals": "Điều mô hình muốn đạt và đo được bằng gì: chỉ tiêu có con số, thời hạn.",
            "content": "Các bước làm cụ thể: ai làm gì, làm thế nào để dân hiểu, dân tin, dân "
            "làm theo; điểm mới so với cách làm trước.",
            "target_group": "Những ai được tác động (hộ dân, đoàn viên, đồng bào…), số lượng "
            "nếu biết.",
            "forces": "Các lực lượng tham gia và vai trò của từng lực lượng (cấp ủy, chính "
            "quyền, Mặt trận, đoàn thể, người có uy tín…).",
            "funds": "Tổng kinh phí từ ngân sách, tính bằng đồng; ghi 0 nếu không dùng.",
            "workdays": "Tổng số ngày công đã bỏ ra (của cán bộ và nhân dân).",
            "socialised_funds": "Số tiền do nhân dân, doanh nghiệp, nhà hảo tâm đóng góp, tính "
            "bằng đồng.",
            "start_date": "Ngày mô hình bắt đầu thực hiện, ghi ngày/tháng/năm.",
            "schedule": "Các giai đoạn và mốc thời gian chính, từ khi bắt đầu đến khi đánh giá.",
            "evaluation_date": "Ngày dự kiến (hoặc đã) sơ kết, đánh giá kết quả mô hình.",
            "outputs": "Kết quả đo được bằng con số so với trước khi làm (ví dụ số mét đường, "
            "số hộ thoát nghèo, số tiền đóng góp) và tài liệu chứng minh.",
            "sustainability": "Vì sao mô hình duy trì được khi không còn hỗ trợ, và nơi khác có "
            "thể làm theo ra sao.",
            "contact_name": "Người nắm rõ mô hình để đơn vị thẩm định liên hệ khi cần hỏi thêm.",
            "contact_phone": "Số điện thoại liên lạc được trong giờ hành chính, "
            "ví dụ 0912 345 678.",
        }
        # Amounts as the import reads them: 1.234.567 or 1234567.
        field_classes = {
            "funds": GroupedIntegerField,
            "socialised_funds": GroupedIntegerField,
            "workdays": GroupedIntegerField,
            "start_date": DayMonthYearField,
            "evaluation_date": DayMonthYearField,
        }
        widgets = {
            "owning_unit": PickerSelect(search_url=unit_search_url(roles=REGISTRANT_ROLES)),
            "kind": forms.RadioSelect,
            "actor": forms.RadioSelect,
            "themes": forms.CheckboxSelectMultiple,
            "territory": PickerSelectMultiple(search_url=UNIT_SEARCH, attrs={"size": 6}),
            "coordinating_units": PickerSelectMultiple(search_url=UNIT_SEARCH, attrs={"size": 6}),
            "situation": _text(4),
            "goals": _text(4),
            "content": _text(6),
            "target_group": _text(2),
            "forces": _text(3),
            "resources_note": _text(2),
            "schedule": _text(3),
            "outputs": _text(3),
            "sustainability": _text(3),
            "replicated_from": PickerSelect(
                search_url=MODEL_SEARCH,
                placeholder="Gõ tên hoặc mã mô hình gốc (có dấu hoặc không dấu)…",
            ),
            "contact_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        instance = self.instance if self.instance.pk else None
        fields = self.fields

        fields["field"].choices = [("", "— Chọn lĩnh vực —"), *fields["field"].choices[1:]]
        chosen_themes = instance.themes.all() if instance else Theme.objects.none()
        fields["themes"].queryset = (
            Theme.objects.filter(is_active=True) | Theme.objects.filter(pk__in=chosen_themes)
        ).distinct()

        # The owning unit: a unit where the user registers (cadre role), top of scope first.
        registrable = Organisation.objects.visible_to(user, REGISTRANT_ROLES)
        fields["owning_unit"].queryset = registrable
        fields["owning_unit"].empty_label = "— Chọn đơn vị chủ trì —"
        fields["owning_unit"].error_messages["invalid_choice"] = OWNING_UNIT_OUT_OF_SCOPE
        current_unit = instance.owning_unit if instance else None
        # A unit chosen in the search and posted comes back listed (and chosen) with the form.
        posted = whole_number(self.data.get(self.add_prefix("owning_unit")))
        owning_units = nearby_units(
            user, REGISTRANT_ROLES, levels=2, include=[current_unit, posted]
        )
        fields["owning_unit"].widget.choices = [
            ("", "— Chọn đơn vị chủ trì —"),
            *unit_options(owning_units),
        ]
        if not self.is_bound and not instance and len(owning_units) >= 1:
            fields["owning_unit"].initial = owning_units[0].pk

        # Territory and coordinating units: any unit the user can see; the picker lists the
        # nearby ones and whatever is already chosen. Chosen units out of the user's scope are
        # neither named nor sent: only counted, and kept as they are on save (the service).
        visible = Organisation.objects.visible_to(user)
        typed = "Gõ tên đơn vị (có dấu hoặc không dấu) rồi chọn"
        fields[
            "territory"
        ].help_text = (
            f"{typed}; chọn được nhiều địa bàn. Địa bàn chưa có trong danh sách thì ghi ở ô dưới."
        )
        fields["coordinating_units"].help_text = f"{typed}; chọn được nhiều đơn vị."
        self.unseen_units = {}
        for name, levels in (("territory", 3), ("coordinating_units", 1)):
            chosen = list(getattr(instance, name).all()) if instance else []
            seen = set(
                visible.filter(pk__in=[unit.pk for unit in chosen]).values_list("pk", flat=True)
            )
            fields[name].queryset = visible
            fields[name].error_messages.update(UNIT_CHOICE_ERRORS)
            # Units chosen in the search and posted come back listed (and chosen) with the form.
            shown = {*seen, *_posted_ids(self, name)}
            fields[name].widget.choices = unit_options(
                nearby_units(user, levels=levels, include=shown)
            )
            self.unseen_units[name] = len(chosen) - len(seen)
            if instance:
                self.initial[name] = [unit.pk for unit in chosen if unit.pk in seen]
            if self.unseen_units[name]:
                fields[name].help_text = " ".join(
                    filter(None, [fields[name].help_text, _unseen_note(self.unseen_units[name])])
                )

        replicable = DanVanModel.objects.visible_to(user).replicable()
        if instance:
            # A link made before keeps validating, whatever its origin's status now.
            replicable = (
                replicable
                | DanVanModel.objects.visible_to(user).filter(pk=instance.replicated_from_id)
            ).exclude(pk=instance.pk)
        fields["replicated_from"].queryset = replicable
        # An origin out of the user's scope: not even its id goes into the page.
        self.unseen_origin = bool(
            instance
            and instance.replicated_from_id
            and not replicable.filter(pk=instance.replicated_from_id).exists()
        )
        if self.unseen_origin:
            self.initial["replicated_from"] = None
        origin_field = fields["replicated_from"]
        origin_field.label = "Nhân rộng từ mô hình (nếu có)"
        origin_field.error_messages["invalid_choice"] = (
            "Mô hình gốc đã chọn không hợp lệ, chưa được thực hiện hoặc ngoài phạm vi của bạn."
        )
        origin_field.help_text = (
            "Để trống nếu là mô hình gốc do đơn vị tự xây dựng."
            if not self.unseen_origin
            else "Đã chọn một mô hình ngoài phạm vi của bạn: được giữ nguyên khi lưu; chọn mô "
            "hình khác nếu muốn thay."
        )
        # Read after the label and help text: the bound field keeps them as they are now.
        origin = self.initial_replicated_from()
        origin_field.widget.choices = [
            ("", NO_ORIGIN),
            *([(origin.pk, f"{origin} – {origin.owning_unit.name}")] if origin else []),
        ]
        if instance:
            origin_field.widget.search_url = f"{MODEL_SEARCH}?exclude={instance.pk}"
        fields["code"].help_text = "Không bắt buộc. Mã riêng của đơn vị, ví dụ DVK-2025-01."
        if not instance:
            # Made with the blank form and sent back by every post of it (autosave too): the
            # registration it creates is created once, however often the form is posted.
            fields["creation_token"] = forms.UUIDField(
                required=False, widget=forms.HiddenInput, initial=uuid.uuid4
            )

    def has_content(self) -> bool:
        """Whether anything was filled in beyond what the blank form comes with (its kind,
        actor and owning unit are chosen already)."""
        for name, value in self.cleaned_data.items():
            if name in PRESET_FIELDS or value is None or value in ("", [], ()):
                continue
            if hasattr(value, "exists"):  # the units and themes chosen
                if value.exists():
                    return True
                continue
            if isinstance(value, str) and not value.strip():
                continue
            return True
        return False

    def initial_replicated_from(self) -> DanVanModel | None:
        """The model chosen in the "replicated from" picker (posted or saved), to list it."""
        pk = whole_number(self["replicated_from"].value())
        if not pk:
            return None
        return (
            self.fields["replicated_from"]
            .queryset.select_related("owning_unit")
            .filter(pk=pk)
            .first()
        )

    def model_fields(self) -> dict:
        """The cleaned plain fields for the services (relations and files apart)."""
        apart = (*RELATION_FIELDS, "attachments", "creation_token")
        fields = {name: value for name, value in self.cleaned_data.items() if name not in apart}
        if "start_date" in self.changed_data:
            # A start typed here is a whole date, even if an import gave only its month or year.
            fields["start_precision"] = DatePrecision.DAY
        return fields

    def relations(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in RELATION_FIELDS if name in self.cleaned_data
        }

    def without_files(self) -> DanVanModelForm:
        """Drop the file field (autosave sends the text fields only)."""
        del self.fields["attachments"]
        return self


class ResultReportForm(StyledFormMixin, forms.Form):
    """A period's result: a narrative, a value for the indicators that apply, and evidence."""

    period_start = DayMonthYearField(label="Từ ngày")
    period_end = DayMonthYearField(label="Đến ngày")
    narrative = forms.CharField(
        label="Tóm tắt kết quả",
        widget=_text(5),
        help_text="Kết quả chính đạt được trong kỳ, cách làm mới, khó khăn.",
    )
    attachments = MultipleFileField(label="Tệp minh chứng")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(Indicator.objects.filter(is_active=True))
        for indicator in self.indicators:
            self.fields[self.indicator_field(indicator)] = GroupedDecimalField(
                label=f"{indicator.name} ({indicator.unit})",
                required=False,
                min_value=0,
                max_digits=18,
                decimal_places=2,
            )
        style_widgets(self)

    @staticmethod
    def indicator_field(indicator) -> str:
        return f"indicator_{indicator.code}"

    def indicator_fields(self):
        return [self[self.indicator_field(indicator)] for indicator in self.indicators]

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "Ngày kết thúc kỳ báo cáo phải sau ngày bắt đầu.")
        return data

    def values(self) -> dict:
        return {
            indicator: self.cleaned_data.get(self.indicator_field(indicator))
            for indicator in self.indicators
        }


class DiscontinueForm(StyledFormMixin, forms.Form):
    """The day a model stopped (today unless told) and why; the service checks the day against
    the model's own dates."""

    discontinued_on = DayMonthYearField(
        label="Ngày dừng thực hiện",
        required=False,
        help_text="Ngày mô hình thực sự dừng; để trống là hôm nay. Không sau hôm nay, không "
        "trước ngày bắt đầu và ngày duyệt đăng ký.",
    )
    reason = forms.CharField(
        label="Lý do dừng thực hiện",
        widget=_text(3),
        help_text="Lý do sẽ được lưu trong lịch sử của mô hình.",
        error_messages={"required": "Hãy ghi lý do dừng thực hiện."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["discontinued_on"].initial = today
        self.fields["discontinued_on"].widget.attrs["data-max"] = today.isoformat()
