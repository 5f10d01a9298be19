"""Delivering notification e-mails: each try recorded, failures retried, then shown as failed.

A mail server that is down or refuses a message must never lose it silently: the delivery row
says what happened, the log says it too, and an administrator finds failed ones in the admin
site ("E-mail thông báo", filter "Thất bại") and can send them again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import BadHeaderError, send_mail
from django.db import transaction
from django.utils import timezone

from core.models import EmailDelivery, EmailStatus, Notification
from core.text import single_line

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "[Dân vận khéo] "

# Errors no later try can mend: the message itself is malformed.
PERMANENT_ERRORS = (BadHeaderError, ValueError, UnicodeError)


def email_subject(title: str) -> str:
    """The subject line: the title on one line (a line break would end the header)."""
    return SUBJECT_PREFIX + single_line(title)


def email_message(notification: Notification) -> str:
    """The e-mail's text: the notification's body and a link to the portal page."""
    link = f"{settings.PORTAL_BASE_URL}{notification.url}" if notification.url else ""
    lines = [notification.body, "", f"Xem chi tiết: {link}" if link else ""]
    return "\n".join(lines).strip() + "\n"


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 1, 4, 16, 64 minutes…"""
    return settings.EMAIL_RETRY_FIRST_DELAY * settings.EMAIL_RETRY_FACTOR ** (attempts - 1)


def email_delivery_attempt(*, notification_id: int) -> EmailDelivery | None:
    """Try once to e-mail a notification and record the outcome; None if it no longer exists.

    Sent already: nothing is sent again. A failure sets the delivery to retry later (its
    ``next_attempt_at``) or, after the last allowed try or a malformed message, to failed.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_related("recipient").filter(pk=notification_id).first()
        )
        if notification is None:
            return None
        EmailDelivery.objects.get_or_create(notification=notification)
        # One try at a time: a scheduled retry and an administrator's "send again" never
        # send the same message twice.
        delivery = EmailDelivery.objects.select_for_update().get(notification=notification)
        if delivery.status == EmailStatus.SENT:
            return delivery
        now = timezone.now()
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = None
        address = notification.recipient.email
        try:
            if not address:
                raise ValueError("Người nhận không còn địa chỉ e-mail.")
            send_mail(
                subject=email_subject(notification.title),
                message=email_message(notification),
                from_email=None,
                recipient_list=[address],
            )
        except Exception as error:  # noqa: BLE001 - any failure of the mail server is recorded
            delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
            if isinstance(error, PERMANENT_ERRORS) or (
                delivery.attempts >= settings.EMAIL_DELIVERY_MAX_ATTEMPTS
            ):
                delivery.status = EmailStatus.FAILED
                logger.error(
                    "Notification e-mail %s failed for good after %s tries: %s",
                    notification.pk,
                    delivery.attempts,
                    delivery.last_error,
                )
            else:
                delivery.status = EmailStatus.RETRYING
                delivery.next_attempt_at = now + retry_delay(delivery.attempts)
                logger.warning(
                    "Notification e-mail %s failed (try %s), retried at %s: %s",
                    notification.pk,
                    delivery.attempts,
                    delivery.next_attempt_at.isoformat(),
                    delivery.last_error,
                )
        else:
            delivery.status = EmailStatus.SENT
            delivery.sent_at = now
            delivery.last_error = ""
        delivery.save()
    return delivery


def password_reset_email_failed(*, email: str, attempts: int, error: Exception) -> EmailDelivery:
    """Record a password reset e-mail that failed for good, for an administrator to see among
    the failed e-mails (and send again)."""
    now = timezone.now()
    return EmailDelivery.objects.create(
        address=email,
        status=EmailStatus.FAILED,
        attempts=attempts,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        last_attempt_at=now,
    )


def email_delivery_restart(*, deliveries) -> list[EmailDelivery]:
    """Send failed e-mails again from their first try (an administrator's action)."""
    from core.tasks import send_notification_email, send_password_reset_email

    with transaction.atomic():
        restarted = list(
            EmailDelivery.objects.select_for_update()
            .filter(pk__in=[delivery.pk for delivery in deliveries], status=EmailStatus.FAILED)
            .order_by("pk")
        )
        for delivery in restarted:
            delivery.status = EmailStatus.PENDING
            delivery.attempts = 0
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
            notification_id = delivery.notification_id
            if notification_id is None:
                # A password reset: its task records a new failure if it fails for good again.
                address = delivery.address
                delivery.delete()
                transaction.on_commit(
                    lambda address=address: send_password_reset_email.enqueue(address)
                )
                continue
            transaction.on_commit(
                lambda notification_id=notification_id: send_notification_email.enqueue(
                    notification_id
                )
            )
    return restarted
