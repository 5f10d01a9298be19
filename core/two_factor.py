"""The second step of sign-in: an authenticator app (TOTP) and single-use recovery codes.

Devices are django-otp's; this module is the only place that creates, checks or removes them,
so every change has its event row and its place in the audit trail. Who must set one up is the
site's policy (``danvan.two_factor_policy``); whether ``by`` may reset someone's second factor is
decided by the page that calls ``second_factor_reset`` (the admin site: superusers; account
pages: the admin's scope).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import acting
from core.models import NotificationKind, SecondFactorEvent, SecondFactorEventKind
from core.notifications import notify_on_commit

logger = logging.getLogger(__name__)

AUTHENTICATOR_NAME = "Ứng dụng xác thực"
RECOVERY_CODES_NAME = "Mã dự phòng"


class TooManyAttempts(Exception):
    """Wrong codes were typed too often: the next try must wait until ``until``."""

    def __init__(self, until: datetime | None):
        super().__init__(until)
        self.until = until

    @property
    def message(self) -> str:
        if self.until is None:
            return "Bạn đã nhập sai mã quá nhiều lần. Vui lòng thử lại sau ít phút."
        seconds = max(1, int((self.until - timezone.now()).total_seconds() + 0.999))
        return (
            "Bạn đã nhập sai mã quá nhiều lần. Để bảo vệ tài khoản, vui lòng đợi "
            f"{seconds} giây rồi thử lại."
        )


def has_second_factor(user) -> bool:
    """Whether ``user`` has a confirmed authenticator app (recovery codes come with it)."""
    if not user.is_authenticated:
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def authenticator_pending(user) -> TOTPDevice | None:
    """The app being set up (shown as a QR code, not yet confirmed by a first code), if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()


def _lock_user(user) -> None:
    """One change or check of ``user``'s devices at a time: parallel guesses count one by one
    and a recovery code is spent once."""
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values("pk"))


def authenticator_start(*, user) -> TOTPDevice:
    """The unconfirmed app to show as a QR code: the one already started, else a new secret.

    Refused when an app is already confirmed: replacing it goes through an admin's reset, so
    someone holding only the password cannot move the second factor to their own phone.
    """
    with transaction.atomic():
        _lock_user(user)
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise ValidationError(
                "Tài khoản đã có ứng dụng xác thực. Muốn đổi sang điện thoại khác, hãy nhờ quản "
                "trị viên đặt lại xác thực hai bước.",
                code="already_set_up",
            )
        device = authenticator_pending(user)
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
        return device


def authenticator_confirm(*, user, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the app being set up with its first code; returns it and fresh recovery codes.

    Raises ``TooManyAttempts`` while wrong codes are throttled, ``ValidationError`` for a wrong
    code or when nothing is being set up.
    """
    with transaction.atomic(), acting(user):
        _lock_user(user)
        device = authenticator_pending(user)
        if device is None:
            raise ValidationError(
                "Chưa có ứng dụng nào đang được thiết lập. Vui lòng mở lại trang thiết lập.",
                code="nothing_pending",
            )
        _check_allowed(device)
        # The failure django-otp counts must stay counted: no exception inside the transaction.
        verified = device.verify_token(normalise(token))
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _replace_recovery_codes(user)
            SecondFactorEvent.objects.create(user=user, kind=SecondFactorEventKind.SET_UP, by=user)
    if not verified:
        raise ValidationError(_wrong_code_message(), code="wrong_code")
    logger.info("Second factor set up by user %s", user.pk)
    return device, codes


def recovery_codes_regenerate(*, user) -> list[str]:
    """New recovery codes for ``user`` (the old ones stop working); shown once by the caller."""
    with transaction.atomic(), acting(user):
        _lock_user(user)
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise ValidationError(
                "Hãy thiết lập ứng dụng xác thực trước khi tạo mã dự phòng.", code="not_set_up"
            )
        codes = _replace_recovery_codes(user)
        SecondFactorEvent.objects.create(
            user=user, kind=SecondFactorEventKind.RECOVERY_CODES, by=user
        )
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _replace_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_factor_check(*, user, token: str):
    """The confirmed device that accepts ``token`` (a code of the app, or a recovery code,
    which is spent), else None. Raises ``TooManyAttempts`` while wrong codes are throttled.

    Each wrong code counts against every device, so guessing recovery codes instead of app
    codes gains nothing.
    """
    token = normalise(token)
    with transaction.atomic():
        _lock_user(user)
        devices = [
            *TOTPDevice.objects.filter(user=user, confirmed=True),
            *StaticDevice.objects.filter(user=user, confirmed=True),
        ]
        for device in devices:
            _check_allowed(device)
        for device in devices:
            # A wrong code is counted by each device it was tried on (django-otp's throttling).
            if device.verify_token(token):
                for other in devices:
                    if other is not device:
                        other.throttle_reset()
                return device
    logger.warning("Wrong second-step code for user %s", user.pk)
    return None


def second_factor_reset(*, user, by) -> int:
    """Remove every device of ``user`` (app and recovery codes); returns how many.

    For the person who lost their phone: at their next sign-in they set up an app again when
    their roles require it, and sign in with the password alone otherwise. ``user`` is told by a
    notification. The caller has checked that ``by`` may manage ``user``'s account.
    """
    if by is None or not by.is_active:
        raise ValidationError("Không xác định được người thực hiện.", code="no_actor")
    with transaction.atomic(), acting(by):
        _lock_user(user)
        removed = 0
        for device_model in (TOTPDevice, StaticDevice):
            devices = device_model.objects.filter(user=user)
            removed += devices.count()
            devices.delete()
        SecondFactorEvent.objects.create(
            user=user, kind=SecondFactorEventKind.RESET, by=by, devices_removed=removed
        )
        notify_on_commit(
            recipients=[user],
            kind=NotificationKind.SECOND_FACTOR_RESET,
            title="Xác thực hai bước của bạn đã được đặt lại",
            body=(
                f"Quản trị viên {by.get_full_name() or by.get_username()} đã xóa ứng dụng xác "
                "thực và mã dự phòng của tài khoản. Nếu bạn không yêu cầu việc này, hãy báo ngay "
                "cho quản trị viên."
            ),
            exclude=by,
        )
    logger.info("Second factor of user %s reset by user %s", user.pk, by.pk)
    return removed


def normalise(token: str) -> str:
    """A code as typed (``123 456``, ``ABCD-EFGH``) in the form the devices compare."""
    return "".join(token.split()).replace("-", "").lower()[:32]


def _check_allowed(device) -> None:
    allowed, details = device.verify_is_allowed()
    if not allowed:
        raise TooManyAttempts((details or {}).get("locked_until"))


def _wrong_code_message() -> str:
    return "Mã xác thực không đúng hoặc đã hết hạn. Hãy nhập mã đang hiện trong ứng dụng."


@dataclass(frozen=True)
class ConfirmedDevices:
    """What a user's security page shows."""

    authenticator: bool
    recovery_codes_left: int


def confirmed_devices(user) -> ConfirmedDevices:
    return ConfirmedDevices(
        authenticator=has_second_factor(user), recovery_codes_left=recovery_codes_left(user)
    )
