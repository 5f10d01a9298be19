"""The account pages' forms; every unit choice is limited to the admin's subtree."""

from django import forms

from accounts.selectors import manageable_units, unit_choices
from core.forms import StyledFormMixin, style_widgets
from core.pickers import PickerSelect
from core.text import whole_number
from organisations.choices import Role
from organisations.pickers import unit_search_url

OUT_OF_SCOPE = "Đơn vị này không thuộc phạm vi quản trị của bạn."
ACTIVE_CHOICES = [("", "Tất cả"), ("1", "Đang hoạt động"), ("0", "Đã khóa")]


class UnitChoiceMixin:
    """A ``unit`` field offering the admin's units, checked against the whole subtree."""

    def setup_unit(self, by, *, label="Đơn vị", required=True):
        self.by = by
        chosen = whole_number(self.data.get(self.add_prefix("unit"))) if self.is_bound else None
        choices = unit_choices(by, include=[chosen] if chosen else ())
        self.fields["unit"] = forms.TypedChoiceField(
            label=label,
            required=required,
            coerce=int,
            choices=([("", "Tất cả đơn vị")] if not required else []) + choices,
            widget=PickerSelect(
                search_url=unit_search_url(roles=[Role.ADMIN]),
                **({} if required else {"placeholder": "Tất cả đơn vị; gõ tên đơn vị để lọc…"}),
            ),
            error_messages={"invalid_choice": OUT_OF_SCOPE},
        )

    def clean_unit(self):
        unit_id = self.cleaned_data.get("unit")
        if unit_id in (None, ""):
            return None
        unit = manageable_units(self.by).filter(pk=unit_id).first()
        if unit is None:
            raise forms.ValidationError(OUT_OF_SCOPE)
        return unit


class AccountFilterForm(UnitChoiceMixin, StyledFormMixin, forms.Form):
    q = forms.CharField(
        label="Tìm kiếm",
        required=False,
        max_length=200,
        help_text="Họ tên, tên đăng nhập, e-mail hoặc số điện thoại; gõ có dấu hay không đều được.",
    )
    role = forms.ChoiceField(
        label="Vai trò", required=False, choices=[("", "Tất cả vai trò"), *Role.choices]
    )
    active = forms.ChoiceField(label="Trạng thái", required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_unit(by, required=False)
        self.order_fields(["q", "unit", "role", "active"])
        style_widgets(self)


class AccountDetailsForm(StyledFormMixin, forms.Form):
    full_name = forms.CharField(label="Họ và tên", max_length=150)
    email = forms.EmailField(label="E-mail", required=False, max_length=254)
    phone = forms.CharField(label="Số điện thoại", required=False, max_length=32)


class AccountCreateForm(UnitChoiceMixin, AccountDetailsForm):
    username = forms.RegexField(
        label="Tên đăng nhập",
        required=False,
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": "Chỉ dùng chữ không dấu, chữ số và các ký tự . @ + - _"},
        help_text="Để trống: tạo từ họ tên không dấu, ví dụ nguyen.van.an.",
    )
    role = forms.ChoiceField(label="Vai trò", choices=Role.choices, initial=Role.CADRE)

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_unit(by)
        self.order_fields(["full_name", "username", "email", "phone", "unit", "role"])
        style_widgets(self)


class RoleGrantForm(UnitChoiceMixin, StyledFormMixin, forms.Form):
    role = forms.ChoiceField(label="Vai trò", choices=Role.choices, initial=Role.CADRE)

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_unit(by)
        self.order_fields(["unit", "role"])
        style_widgets(self)


class AccountImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label="Tệp danh sách tài khoản (.xlsx hoặc .csv)")
