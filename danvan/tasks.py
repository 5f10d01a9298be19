"""Background work shared by every app (Django's Tasks API; a worker runs them)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from danvan.models import Notification


@task()
def send_notification_email(notification_id: int) -> None:
    """E-mail one notification to its recipient (queued after the change commits)."""
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or not notification.recipient.email:
        return
    link = f"{settings.PORTAL_BASE_URL}{notification.url}" if notification.url else ""
    lines = [notification.body, "", f"Xem chi tiết: {link}" if link else ""]
    send_mail(
        subject=f"[Dân vận khéo] {notification.title}",
        message="\n".join(line for line in lines if line is not None).strip() + "\n",
        from_email=None,
        recipient_list=[notification.recipient.email],
    )
