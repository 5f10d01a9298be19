"""What the portal keeps about an account beyond Django's user, and the account's audit trail."""

import pghistory
from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.urls import reverse

from core.audit import audited
from core.models import TimeStampedModel

# The account fields an admin changes in the portal; log-in times and password hashes stay out
# of the trail (they change on every log-in and must never be copied).
TRACKED_ACCOUNT_FIELDS = [
    "username",
    "first_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
]

PASSWORD_RESET_EVENT = "password_reset"
SESSIONS_END_EVENT = "sessions_end"


@audited("AccountProfileHistory")
class AccountProfile(TimeStampedModel):
    """A person's phone number and whether they must change their password at the next log-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account_profile",
        verbose_name="người dùng",
    )
    phone = models.CharField("số điện thoại", max_length=32, blank=True)
    must_change_password = models.BooleanField(
        "phải đổi mật khẩu ở lần đăng nhập tới",
        default=False,
        help_text="Đặt khi tài khoản được cấp hoặc cấp lại mật khẩu dùng một lần.",
    )

    class Meta:
        verbose_name = "hồ sơ tài khoản"
        verbose_name_plural = "hồ sơ tài khoản"
        ordering = ["user__username"]

    def __str__(self):
        return str(self.user)

    def get_absolute_url(self):
        return reverse("accounts:account_detail", args=[self.user_id])


# Django's user table joins the trail through a proxy, so its triggers live in this app's
# migrations (the same way as the organisation tree's merger links).
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    # What an admin does that changes no field: kept in the same trail (``create_event``).
    pghistory.ManualEvent(PASSWORD_RESET_EVENT),
    pghistory.ManualEvent(SESSIONS_END_EVENT),
    fields=TRACKED_ACCOUNT_FIELDS,
    model_name="AccountHistory",
    obj_field=pghistory.ObjForeignKey(related_name="account_history", db_index=True),
)
class Account(User):
    """A portal account: Django's user, seen by the account pages."""

    class Meta:
        proxy = True
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name() or self.username

    def get_absolute_url(self):
        return reverse("accounts:account_detail", args=[self.pk])
