"""Background work shared by every app (Django's Tasks API; a worker runs them)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from core.emails import email_delivery_attempt, password_reset_email_failed
from core.models import EmailStatus

logger = logging.getLogger(__name__)


@task()
def send_notification_email(notification_id: int) -> None:
    """E-mail one notification to its recipient; after a failure, queue the next try."""
    delivery = email_delivery_attempt(notification_id=notification_id)
    if delivery is not None and delivery.status == EmailStatus.RETRYING:
        send_notification_email.using(run_after=delivery.next_attempt_at).enqueue(notification_id)


@task()
def send_password_reset_email(email: str, attempt: int = 1) -> None:
    """E-mail the reset link(s) for an address; after a failure of the mail server, try again
    later (1, 4, 16… minutes) up to ``EMAIL_DELIVERY_MAX_ATTEMPTS`` tries.

    The link is made here, when sending, so each try carries a link valid for the full time.
    """
    from core.emails import retry_delay
    from core.password_reset import password_reset_email_send

    try:
        password_reset_email_send(email=email)
    except Exception as error:  # noqa: BLE001 - any failure of the mail server is retried
        if attempt >= settings.EMAIL_DELIVERY_MAX_ATTEMPTS:
            logger.error("Password reset e-mail failed for good after %s tries: %r", attempt, error)
            password_reset_email_failed(email=email, attempts=attempt, error=error)
            return
        run_after = timezone.now() + retry_delay(attempt)
        logger.warning("Password reset e-mail failed (try %s), retried: %r", attempt, error)
        send_password_reset_email.using(run_after=run_after).enqueue(email, attempt + 1)


@task()
def run_import(job_id: str) -> None:
    """Write a large import its requester confirmed, all or nothing."""
    from core.background_imports import import_run
    from core.models import ImportJob

    import_run(ImportJob.objects.select_related("requested_by").get(pk=job_id))
