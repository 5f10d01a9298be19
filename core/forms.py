"""Shared forms: the log-in form, notification settings, Bootstrap styling of widgets, and the
fields every form types dates and numbers with (day first, Vietnamese grouping)."""

import re
from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from core.date_range import EARLIEST_DATE, latest_date, validate_date_range
from core.numbers import vn_number
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
    """A text input for amounts: a number input would refuse grouped digits (1.234.567) and
    follow the browser's language. ``static/js/forms.js`` groups the digits as they are typed
    (``data-grouped``); a stored value is shown grouped the Vietnamese way."""

    def __init__(self, attrs=None, *, decimals: bool = False):
        defaults = {"inputmode": "decimal" if decimals else "numeric", "autocomplete": "off"}
        defaults["data-grouped"] = "decimal" if decimals else "integer"
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return vn_number(value)
        return super().format_value(value)


NUMBER_MESSAGE = "Nhập số theo cách viết Việt Nam, ví dụ 1.234.567 hoặc 1.234,5."
DECIMAL_POINT_MESSAGE = (
    "Dấu chấm chỉ dùng để tách hàng nghìn (1.234.567); phần thập phân viết sau dấu phẩy, "
    "ví dụ 12,5."
)


def parse_vn_number(value) -> int | Decimal:
    """A number typed the Vietnamese way: plain (1234567), grouped by dots or spaces (1.234.567)
    with an optional decimal comma (1.234,5; 0,25). ValidationError for anything else, with a
    message saying why: "12.5" is refused rather than guessed (dots group thousands here, so it
    is neither 12,5 nor 125), as is "1,234,567"."""
    text = str(value).strip().replace("\u00a0", " ")
    match = _VN_NUMBER.match(text)
    if not match:
        code = "decimal_point" if _DECIMAL_POINT.match(text) else "invalid"
        message = DECIMAL_POINT_MESSAGE if code == "decimal_point" else NUMBER_MESSAGE
        raise forms.ValidationError(message, code=code)
    whole = re.sub(r"[. ]", "", match["whole"])
    if match["fraction"] is None:
        return int(whole)
    return Decimal(f"{whole}.{match['fraction']}")


# Whole part plain or grouped by three (never led by 0 when grouped: "0.125" is no thousand),
# then an optional decimal comma.
_VN_NUMBER = re.compile(
    r"^(?P<whole>\d+|[1-9]\d{0,2}(?:\.\d{3})+|[1-9]\d{0,2}(?: \d{3})+)"
    r"(?:,(?P<fraction>\d+))?$"
)
_DECIMAL_POINT = re.compile(r"^\d+\.\d+$")


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
    """A quantity typed plain, grouped or with a decimal comma, the Vietnamese way
    (``parse_vn_number``: 1.234.567, 1.234,5, 0,25); the digits and bounds stay with the
    field's validators."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", GroupedNumberInput(decimals=True))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int | Decimal):
            return Decimal(value)
        return Decimal(parse_vn_number(value))

    def widget_attrs(self, widget):
        return {}


# --- Dates -----------------------------------------------------------------------------------
DATE_PLACEHOLDER = "dd/mm/yyyy"
DATE_EXAMPLE = "20/11/2026"
DATE_MESSAGES = {
    "invalid": f"Nhập ngày theo dạng ngày/tháng/năm (dd/mm/yyyy), ví dụ {DATE_EXAMPLE}.",
    "short_year": f"Năm phải có 4 chữ số, ví dụ {DATE_EXAMPLE}.",
    "month": (
        "Tháng phải từ 1 đến 12: nhập theo thứ tự ngày/tháng/năm (dd/mm/yyyy), "
        f"ví dụ {DATE_EXAMPLE}."
    ),
    "no_such_day": (
        "Ngày {typed} không có trong lịch. Nhập ngày theo dạng ngày/tháng/năm (dd/mm/yyyy), "
        f"ví dụ {DATE_EXAMPLE}."
    ),
}
# Day, month, year in that order, separated by "/", "-" or "." (spaces around forgiven); or
# ISO (a pasted or machine-written yyyy-mm-dd). The year's digits are counted afterwards, to
# answer a two-digit year with its own message.
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{1,5})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_typed_date(value: str) -> date:
    """A date typed into a form, day first: 20/11/2026, 1/3/2026, 20-11-2026, 20.11.2026, or ISO
    2026-11-20. ValidationError (code and Vietnamese message from ``DATE_MESSAGES``) otherwise.

    A two-digit year (20/11/26) is refused with its own message rather than guessed: the
    registry holds dates from 1990 to years ahead, so "90" or "35" has no safe century.
    """
    text = str(value).strip()
    iso = _ISO_DATE.match(text)
    if iso:
        year, month, day = map(int, iso.groups())
    else:
        typed = _DAY_MONTH_YEAR.match(text)
        if not typed:
            raise forms.ValidationError(DATE_MESSAGES["invalid"], code="invalid")
        day, month, year = int(typed[1]), int(typed[3]), typed[4]
        if len(year) != 4:
            raise forms.ValidationError(DATE_MESSAGES["short_year"], code="short_year")
        year = int(year)
    if not 1 <= month <= 12:
        raise forms.ValidationError(DATE_MESSAGES["month"], code="month")
    try:
        return date(year, month, day)
    except ValueError:
        typed = f"{day:02}/{month:02}/{year:04}"
        message = DATE_MESSAGES["no_such_day"].format(typed=typed)
        raise forms.ValidationError(message, code="no_such_day") from None


def format_day(value: date) -> str:
    """``value`` as dd/mm/yyyy (not strftime: it writes year 1 as "1")."""
    return f"{value.day:02}/{value.month:02}/{value.year:04}"


class DayMonthYearInput(forms.DateInput):
    """Every date of the portal's forms and filters: a text box showing dd/mm/yyyy whatever the
    browser's language (a browser's date box orders the parts by its own language), and a
    button opening the portal's calendar (``static/js/forms.js``).

    Written out here rather than through a template, like ``QuickSelect``.
    """

    input_type = "text"

    def __init__(self, attrs=None):
        defaults = {
            "inputmode": "numeric",
            "autocomplete": "off",
            "placeholder": DATE_PLACEHOLDER,
            "maxlength": "10",
            # A hint of the characters only: the server answers anything else in Vietnamese.
            "pattern": r"[0-9\/.\- ]*",
            "title": f"Ngày/tháng/năm, ví dụ {DATE_EXAMPLE}",
            "data-date": "",
        }
        super().__init__({**defaults, **(attrs or {})}, format="%d/%m/%Y")

    def format_value(self, value):
        if isinstance(value, date):
            return format_day(value)
        return None if value in (None, "") else str(value)

    def render(self, name, value, attrs=None, renderer=None):
        attributes = self.build_attrs(self.attrs, {**(attrs or {}), "type": "text", "name": name})
        # The calendar offers the accepted range only (a form may narrow it: data-max).
        attributes.setdefault("data-min", EARLIEST_DATE.isoformat())
        attributes.setdefault("data-max", latest_date().isoformat())
        shown = self.format_value(value)
        if shown is not None:
            attributes["value"] = shown
        return format_html(
            '<div class="input-group date-field"><input{}>'
            '<button type="button" class="btn btn-outline-secondary" data-calendar-button '
            'aria-haspopup="dialog" aria-expanded="false" title="Chọn trên lịch">'
            '<span aria-hidden="true">&#128197;</span>'
            '<span class="visually-hidden">Mở lịch chọn ngày</span></button></div>',
            flatatt(attributes),
        )


class DayMonthYearField(forms.DateField):
    """A date typed day first (``parse_typed_date``: dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy,
    dd.mm.yyyy or ISO) within the portal's accepted range (``core.date_range``)."""

    widget = DayMonthYearInput
    default_validators = [validate_date_range]
    default_error_messages = DATE_MESSAGES

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return parse_typed_date(value)
        except forms.ValidationError as error:
            # A form may word the "not a date" message its own way (error_messages).
            message = self.error_messages.get(error.code, error.message)
            if error.code == "no_such_day":
                message = error.message
            raise forms.ValidationError(message, code=error.code) from None


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
