"""The rules a new password must meet, told in Vietnamese.

Django's validators, with their messages written here: Django's Vietnamese catalogue misses the
"too short" message of Django 5.2 (its wording changed) and names the user's fields by their
English verbose names. Every form that sets a password (change, reset, the admin site's pages,
``createsuperuser``) runs ``AUTH_PASSWORD_VALIDATORS``, so these messages are the ones seen.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

# How the similarity rule names the user's fields in its message.
ATTRIBUTE_NAMES = {
    "username": "tên đăng nhập",
    "first_name": "tên",
    "last_name": "họ",
    "email": "địa chỉ e-mail",
}


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """At least ``min_length`` characters (``DJANGO_PASSWORD_MIN_LENGTH``)."""

    def __init__(self, min_length: int = 10):
        super().__init__(min_length=min_length)

    def get_error_message(self) -> str:
        return f"Mật khẩu quá ngắn: cần ít nhất {self.min_length} ký tự."

    def get_help_text(self) -> str:
        return f"Mật khẩu phải có ít nhất {self.min_length} ký tự."


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Not too close to the username, the name or the e-mail address."""

    def validate(self, password, user=None):
        # One field at a time, to name in Vietnamese the one the password resembles.
        for attribute in self.user_attributes:
            one_field = password_validation.UserAttributeSimilarityValidator(
                user_attributes=(attribute,), max_similarity=self.max_similarity
            )
            try:
                one_field.validate(password, user)
            except ValidationError:
                raise ValidationError(
                    self.get_error_message(),
                    code="password_too_similar",
                    params={"verbose_name": ATTRIBUTE_NAMES.get(attribute, attribute)},
                ) from None

    def get_error_message(self) -> str:
        return "Mật khẩu quá giống với %(verbose_name)s của bạn."

    def get_help_text(self) -> str:
        return "Mật khẩu không được quá giống tên đăng nhập, họ tên hoặc địa chỉ e-mail."


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    """Not one of the 20,000 most used passwords (Django's list)."""

    def get_error_message(self) -> str:
        return "Mật khẩu này quá phổ biến, dễ bị đoán ra."

    def get_help_text(self) -> str:
        return "Mật khẩu không được là mật khẩu thông dụng."


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    """Not only digits."""

    def get_error_message(self) -> str:
        return "Mật khẩu không được chỉ gồm chữ số."

    def get_help_text(self) -> str:
        return "Mật khẩu không được chỉ gồm chữ số."
