"""Background work shared by every app (Django's Tasks API; a worker runs them)."""

from __future__ import annotations

from django_tasks import task

from core.emails import email_delivery_attempt
from core.models import EmailStatus


@task()
def send_notification_email(notification_id: int) -> None:
    """E-mail one notification to its recipient; after a failure, queue the next try."""
    delivery = email_delivery_attempt(notification_id=notification_id)
    if delivery is not None and delivery.status == EmailStatus.RETRYING:
        send_notification_email.using(run_after=delivery.next_attempt_at).enqueue(notification_id)
