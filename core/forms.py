"""Shared forms: the log-in form, notification settings, Bootstrap styling of widgets."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from core.spreadsheets import parse_count
from core.text import single_line


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": (
            "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: sau nhiều lần sai liên tiếp, "
            "tài khoản sẽ bị tạm khóa."
        ),
        "inactive": "Tài khoản này đã bị vô hiệu hóa.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Tên đăng nhập"
        self.fields["password"].label = "Mật khẩu"
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def clean_username(self):
        username = self.cleaned_data["username"]
        # Django gives the field a max_length but not its validator: a longer name would reach
        # authenticate() and the lockout's table of failures (255 characters), and fail there.
        if len(username) > self.fields["username"].max_length:
            raise self.get_invalid_login_error()
        return username


class QuickSelect(forms.Select):
    """A drop-down list of plain choices whose options are written here.

    Django renders every option through a template of its own: a unit picker listing a
    province's hundred communes took 18 ms of its page. The markup is the same as ``Select``'s
    (attributes, ``selected``), without option groups.
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(item) for item in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, " selected" if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        attributes = flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name}))
        return format_html("<select{}>{}</select>", attributes, options)


def style_widgets(form) -> None:
    """Give every widget of ``form`` its Bootstrap class, and mark fields with errors.

    Never validates the form itself: errors are marked only once validation has run.
    """
    errors = form._errors or {}
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(
            widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput
        ):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "")
        if css not in classes.split():
            widget.attrs["class"] = f"{classes} {css}".strip()
        if name in errors:
            widget.attrs["class"] += " is-invalid"
            widget.attrs["aria-invalid"] = "true"


def is_single_line(field: forms.Field) -> bool:
    """A text field typed on one line: any CharField but a text area or a password."""
    return isinstance(field, forms.CharField) and not isinstance(
        field.widget, forms.Textarea | forms.PasswordInput
    )


class SingleLineTextMixin:
    """Single-line text fields lose line breaks and control characters before validation
    (``core.text.single_line``); the form shows back the cleaned text."""

    def full_clean(self):
        if self.is_bound:
            names = [
                self.add_prefix(name)
                for name, field in self.fields.items()
                if is_single_line(field) and not field.disabled
            ]
            data = self.data.copy()
            for key in names:
                if hasattr(data, "getlist"):
                    if key in data:
                        values = data.getlist(key)
                        data.setlist(
                            key, [single_line(v) if isinstance(v, str) else v for v in values]
                        )
                elif isinstance(data.get(key), str):
                    data[key] = single_line(data[key])
            self.data = data
        super().full_clean()


class GroupedNumberInput(forms.TextInput):
    """A text input for amounts: a number input would refuse grouped digits (1.234.567)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})


class GroupedIntegerField(forms.IntegerField):
    """A whole number typed plain (1234567) or grouped the Vietnamese way (1.234.567), read by
    the imports' own parser (``parse_count``); the bounds stay with the field's validators."""

    widget = GroupedNumberInput
    default_error_messages = {"invalid": "Nhập số nguyên không âm, ví dụ 1.500.000."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_count(value, maximum=2**63 - 1)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def widget_attrs(self, widget):
        return {}  # no min/max/step: those belong to a number input


class GroupedDecimalField(forms.DecimalField):
    """A quantity typed plain, grouped (1.234.567, read like ``GroupedIntegerField``: 1.500 is
    one thousand five hundred, as Vietnamese writes it) or with a decimal point (12.5)."""

    widget = GroupedNumberInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return super().to_python(parse_count(value, maximum=10**18))
        except ValueError:
            return super().to_python(value)

    def widget_attrs(self, widget):
        return {}


class SingleLineModelForm(SingleLineTextMixin, forms.ModelForm):
    """The admin's model form with single-line fields cleaned (``SingleLineTextMixin``)."""


class StyledFormMixin(SingleLineTextMixin):
    """Forms whose widgets carry Bootstrap's classes (errors marked once validated) and whose
    single-line fields are kept on one line."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def full_clean(self):
        super().full_clean()
        style_widgets(self)


class NotificationPreferenceForm(StyledFormMixin, forms.Form):
    """Whether the user also wants their notifications by e-mail."""

    email_enabled = forms.BooleanField(
        label="Nhận thông báo qua e-mail",
        required=False,
        help_text="Thông báo trên cổng luôn được gửi; e-mail chỉ là bản sao để bạn không bỏ lỡ.",
    )
