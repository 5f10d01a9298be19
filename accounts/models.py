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
    """A person's phone number, whether they must change their password at the next log-in and
    their identifier on the single sign-on gateway."""

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
    # The gateway's stable identifier of this person (the claim named by DJANGO_OIDC_CLAIM):
    # single sign-on matches accounts by it alone, never by e-mail.
    sso_subject = models.CharField(
        "mã định danh một cửa",
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text="Mã định danh của người này trên cổng đăng nhập một cửa của tỉnh.",
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
