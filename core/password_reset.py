""" "Quên mật khẩu?": a single-use, expiring link by e-mail, with no hint whether an account exists.

The page does the same work for every address typed (count the recent requests, record this one,
queue a task) and answers the same; only the background worker looks the address up, so neither
the answer nor its timing tells a stranger which addresses have accounts. Inactive accounts and
accounts without a usable password get nothing. The link is Django's token: it holds the
password's hash and the last log-in, so it stops working once used (or once the person logs in),
and after ``PASSWORD_RESET_TIMEOUT``.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.emails import email_subject
from core.models import PasswordResetRequest
from core.tasks import send_password_reset_email

logger = logging.getLogger(__name__)


def normalised_email(email: str) -> str:
    return email.strip().lower()


def password_reset_request(*, email: str, client_ip: str | None) -> bool:
    """Record a request and queue its e-mail; False (nothing queued) past the rate limit.

    The limit counts requests for the same address and from the same client address within
    ``PASSWORD_RESET_RATE_WINDOW``; refused requests are not counted, so the window ends on time.
    """
    email = normalised_email(email)
    since = timezone.now() - settings.PASSWORD_RESET_RATE_WINDOW
    limit = settings.PASSWORD_RESET_RATE_LIMIT
    with transaction.atomic():
        # Parallel requests for one address or from one client wait for each other, so they
        # cannot all pass the count together (always e-mail first, then client: no deadlock).
        _lock(f"password-reset-email:{email}")
        if client_ip:
            _lock(f"password-reset-client:{client_ip}")
        PasswordResetRequest.objects.filter(requested_at__lte=since).delete()
        recent = PasswordResetRequest.objects.filter(requested_at__gt=since)
        if recent.filter(email=email).count() >= limit or (
            client_ip and recent.filter(client_ip=client_ip).count() >= limit
        ):
            logger.warning("Password reset requests over the limit from %s", client_ip)
            return False
        PasswordResetRequest.objects.create(email=email, client_ip=client_ip)
        # Queued with the request row: the worker sends it once the transaction commits.
        send_password_reset_email.enqueue(email)
    return True


def _lock(key: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def reset_recipients(email: str):
    """The accounts a reset e-mail goes to: active ones with this address and a password."""
    users = get_user_model()._default_manager.filter(
        email__iexact=normalised_email(email), is_active=True
    )
    return [user for user in users if user.has_usable_password()]


def reset_link(user) -> str:
    """The link to set a new password, on the portal's configured address (never the Host
    header of the request, which a stranger could set to their own site)."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.PORTAL_BASE_URL}{path}"


def reset_message(user) -> str:
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    name = user.get_full_name() or user.get_username()
    return (
        f"Xin chào {name},\n\n"
        "Có người (có thể là bạn) vừa yêu cầu đặt lại mật khẩu cho tài khoản "
        f"“{user.get_username()}” trên Cổng Dân vận khéo.\n\n"
        f"Để đặt mật khẩu mới, hãy mở liên kết sau trong vòng {minutes} phút "
        "(liên kết chỉ dùng được một lần):\n"
        f"{reset_link(user)}\n\n"
        "Nếu bạn không yêu cầu, hãy bỏ qua e-mail này: mật khẩu của bạn vẫn giữ nguyên.\n"
    )


def password_reset_email_send(*, email: str) -> int:
    """E-mail a reset link to every account the address belongs to; the number sent.

    A failure of the mail server propagates, for the task to try again later.
    """
    sent = 0
    for user in reset_recipients(email):
        send_mail(
            subject=email_subject("Đặt lại mật khẩu"),
            message=reset_message(user),
            from_email=None,
            recipient_list=[user.email],
        )
        sent += 1
    return sent
