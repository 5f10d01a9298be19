"""Telling people what happened: a notification in the portal, and an e-mail sent by the worker.

Services call ``notify_on_commit`` so that nobody is told of a change that was rolled back, and
the e-mail never holds up the request: it is a background task.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from core.models import EmailDelivery, Notification, NotificationPreference


def notify(
    *, recipients: Iterable, kind: str, title: str, body: str = "", url: str = "", exclude=None
) -> list[Notification]:
    """One notification per distinct active recipient (not ``exclude``), and their e-mails."""
    from core.tasks import send_notification_email

    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        if exclude is not None and user.pk == exclude.pk:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, kind=kind, title=title, body=body, url=url))
    created = Notification.objects.bulk_create(rows)
    muted = set(
        NotificationPreference.objects.filter(user_id__in=seen, email_enabled=False).values_list(
            "user_id", flat=True
        )
    )
    emailed = [
        notification
        for notification in created
        if notification.recipient.email and notification.recipient_id not in muted
    ]
    # Each e-mail has its delivery row from the start: one that never goes out is still seen.
    EmailDelivery.objects.bulk_create(
        EmailDelivery(notification=notification) for notification in emailed
    )
    for notification in emailed:
        send_notification_email.enqueue(notification.pk)
    return created


def notify_on_commit(**kwargs) -> None:
    """``notify`` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: notify(**kwargs))


def unread_count(user) -> int:
    """The number on the bell."""
    if not user.is_authenticated:
        return 0
    counted = getattr(user, "unread_notifications", None)  # read with the user (danvan.auth)
    if counted is not None:
        return counted
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def email_enabled(user) -> bool:
    """Whether ``user`` receives e-mails (they do unless they switched them off)."""
    return not NotificationPreference.objects.filter(user=user, email_enabled=False).exists()


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s own unread notifications read (those of ``ids``, or all); how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def preference_set(*, user, email_enabled: bool) -> NotificationPreference:
    """Switch ``user``'s e-mail notifications on or off (the row is made on first save)."""
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email_enabled": email_enabled}
    )
    return preference
