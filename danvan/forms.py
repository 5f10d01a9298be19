"""Shared forms: the log-in form with Vietnamese messages."""

from django.contrib.auth.forms import AuthenticationForm


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
