"""The one field of the second step: a code from the app, or a recovery code."""

from django import forms

from core.forms import StyledFormMixin


class SecondStepCodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label="Mã xác thực",
        max_length=64,
        help_text="Mã 6 chữ số đang hiện trong ứng dụng xác thực, hoặc một mã dự phòng.",
        error_messages={"required": "Vui lòng nhập mã xác thực."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class FirstCodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label="Mã 6 chữ số trong ứng dụng",
        max_length=16,
        error_messages={"required": "Vui lòng nhập mã đang hiện trong ứng dụng."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
