"""Changing one's password, with a limit on guesses of the current one.

A session left open on a shared office computer must not let the next person try current
passwords until one fits and take the account over: not on the portal's page, nor on the admin
site's (``core.admin_site``), which counts the same guesses.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.models import PasswordChangeFailure

logger = logging.getLogger(__name__)


def password_change_locked(user) -> bool:
    """Whether ``user`` typed a wrong current password too often within the cool-off time."""
    since = timezone.now() - settings.PASSWORD_CHANGE_COOLOFF_TIME
    recent = PasswordChangeFailure.objects.filter(user=user, failed_at__gt=since)
    return recent.count() >= settings.PASSWORD_CHANGE_FAILURE_LIMIT


def locked_message() -> str:
    minutes = int(settings.PASSWORD_CHANGE_COOLOFF_TIME.total_seconds() // 60)
    return (
        "Bạn đã nhập sai mật khẩu hiện tại quá nhiều lần. Để bảo vệ tài khoản, việc đổi mật "
        f"khẩu tạm thời bị khóa trong {minutes} phút. Vui lòng thử lại sau."
    )


class PortalPasswordChangeForm(PasswordChangeForm):
    """Django's form; wrong current passwords are counted per account and lock it for a while."""

    locked = False

    def clean_old_password(self):
        old_password = self.cleaned_data.get("old_password")
        with transaction.atomic():
            # One attempt at a time per account, so parallel guesses cannot pass the limit.
            list(get_user_model().objects.select_for_update().filter(pk=self.user.pk).values("pk"))
            if password_change_locked(self.user):
                self.locked = True
                raise ValidationError(locked_message(), code="locked")
            correct = self.user.check_password(old_password)
            if not correct:
                since = timezone.now() - settings.PASSWORD_CHANGE_COOLOFF_TIME
                PasswordChangeFailure.objects.filter(user=self.user, failed_at__lte=since).delete()
                PasswordChangeFailure.objects.create(user=self.user)
        if not correct:
            logger.warning("Wrong current password on the password change of user %s", self.user.pk)
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            PasswordChangeFailure.objects.filter(user=user).delete()
        return user


class AdminPasswordChangeForm(PortalPasswordChangeForm):
    """The same form, marked up as the admin site's own (required fields in bold)."""

    required_css_class = "required"


class PortalPasswordChangeView(auth_views.PasswordChangeView):
    """Django's page, with wrong current passwords limited per account (429 once locked)."""

    form_class = PortalPasswordChangeForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked:
            response.status_code = 429
        return response
