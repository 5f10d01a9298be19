"""Notification e-mails: recorded, retried with back-off after a failure, never lost silently."""

import logging
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import BadHeaderError
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import EmailDelivery, EmailStatus, NotificationKind
from core.notifications import notify
from core.tasks import send_notification_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REFUSING_BACKEND = f"{__name__}.RefusingBackend"


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down: every message raises what smtplib raises."""

    error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    def send_messages(self, email_messages):
        raise self.error


def queued_tries():
    return DBTaskResult.objects.filter(task_path__endswith="send_notification_email")


@pytest.fixture
def notification(db):
    user = UserFactory(email="canbo@example.vn")
    (created,) = notify(
        recipients=[user], kind=NotificationKind.RETURNED, title="Đăng ký “Nuôi Dê” bị trả lại"
    )
    return created


def delivery_of(notification) -> EmailDelivery:
    return EmailDelivery.objects.get(notification=notification)


def test_a_queued_email_is_recorded_then_marked_sent(notification):
    assert delivery_of(notification).status == EmailStatus.PENDING
    send_notification_email.call(notification.pk)
    delivery = delivery_of(notification)
    assert delivery.status == EmailStatus.SENT
    assert delivery.attempts == 1 and delivery.sent_at is not None and delivery.last_error == ""
    assert [message.to for message in mail.outbox] == [["canbo@example.vn"]]
    # Run again (a duplicate task): nothing is sent twice.
    send_notification_email.call(notification.pk)
    assert len(mail.outbox) == 1


def test_a_failing_server_is_logged_and_retried_later(notification, settings, caplog):
    settings.EMAIL_BACKEND = REFUSING_BACKEND
    queued_tries().delete()
    before = timezone.now()
    with caplog.at_level(logging.WARNING, logger="core.emails"):
        send_notification_email.call(notification.pk)
    delivery = delivery_of(notification)
    assert delivery.status == EmailStatus.RETRYING
    assert delivery.attempts == 1
    assert "SMTPServerDisconnected" in delivery.last_error
    assert delivery.next_attempt_at >= before + settings.EMAIL_RETRY_FIRST_DELAY
    assert "SMTPServerDisconnected" in caplog.text
    (retry,) = queued_tries()
    assert retry.args_kwargs["args"] == [notification.pk]
    assert retry.run_after == delivery.next_attempt_at


def test_the_waits_grow_and_the_tries_are_bounded(notification, settings, caplog):
    settings.EMAIL_BACKEND = REFUSING_BACKEND
    waits = []
    for _ in range(settings.EMAIL_DELIVERY_MAX_ATTEMPTS - 1):
        send_notification_email.call(notification.pk)
        delivery = delivery_of(notification)
        waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
    assert waits == sorted(waits) and waits[0] < waits[-1]
    queued_tries().delete()
    with caplog.at_level(logging.ERROR, logger="core.emails"):
        send_notification_email.call(notification.pk)
    delivery = delivery_of(notification)
    assert delivery.status == EmailStatus.FAILED
    assert delivery.attempts == settings.EMAIL_DELIVERY_MAX_ATTEMPTS
    assert delivery.next_attempt_at is None
    assert not queued_tries().exists()
    assert any(record.levelno == logging.ERROR for record in caplog.records)


def test_a_retry_goes_out_once_the_server_is_back(notification, settings):
    settings.EMAIL_BACKEND = REFUSING_BACKEND
    send_notification_email.call(notification.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_notification_email.call(notification.pk)
    delivery = delivery_of(notification)
    assert delivery.status == EmailStatus.SENT and delivery.attempts == 2
    assert len(mail.outbox) == 1


def test_a_malformed_message_fails_at_once_without_retrying(notification, settings, monkeypatch):
    settings.EMAIL_BACKEND = REFUSING_BACKEND
    monkeypatch.setattr(RefusingBackend, "error", BadHeaderError("Header values can't contain"))
    queued_tries().delete()
    send_notification_email.call(notification.pk)
    delivery = delivery_of(notification)
    assert delivery.status == EmailStatus.FAILED and delivery.attempts == 1
    assert "BadHeaderError" in delivery.last_error
    assert not queued_tries().exists()


def test_line_breaks_in_a_title_never_reach_the_subject(db):
    user = UserFactory(email="canbo@example.vn")
    (notification,) = notify(
        recipients=[user],
        kind=NotificationKind.SUBMITTED,
        title="Nuôi Dê\r\nBcc: ke-gian@example.com\nX",
    )
    send_notification_email.call(notification.pk)
    assert delivery_of(notification).status == EmailStatus.SENT
    (message,) = mail.outbox
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.subject == "[Dân vận khéo] Nuôi Dê Bcc: ke-gian@example.com X"
    assert message.bcc == []


def test_a_title_reaches_the_subject_as_a_single_line_field_is_kept(db):
    """The subject is cleaned like every single-line field: a bell or an escape pasted into a
    name saved before single-line cleaning existed never reaches the header."""
    user = UserFactory(email="canbo@example.vn")
    (notification,) = notify(
        recipients=[user], kind=NotificationKind.SUBMITTED, title="Nuôi\x07 Dê\x1b[31m\u2028tổ 9"
    )
    send_notification_email.call(notification.pk)
    (message,) = mail.outbox
    assert message.subject == "[Dân vận khéo] Nuôi Dê[31m tổ 9"


def test_failed_emails_are_listed_for_the_administrator_and_can_be_sent_again(
    notification, settings, client, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = REFUSING_BACKEND
    settings.EMAIL_DELIVERY_MAX_ATTEMPTS = 1
    send_notification_email.call(notification.pk)
    sent = notify(recipients=[UserFactory(email="b@example.vn")], kind="accepted", title="Khác")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_notification_email.call(sent[0].pk)

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = reverse("admin:danvan_emaildelivery_changelist")
    page = client.get(changelist).content.decode()
    assert "Thất bại" in page  # the filter's choice
    failed = client.get(changelist, {"status__exact": EmailStatus.FAILED})
    rows = list(failed.context["cl"].result_list)
    assert rows == [delivery_of(notification)]
    assert "SMTPServerDisconnected" in failed.content.decode()

    queued_tries().delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist,
            {"action": "send_again", "_selected_action": [rows[0].pk]},
            follow=True,
        )
    assert "Đã xếp 1 e-mail thất bại vào hàng đợi gửi lại." in response.content.decode()
    assert delivery_of(notification).status == EmailStatus.PENDING
    (retry,) = queued_tries()
    assert retry.args_kwargs["args"] == [notification.pk]
    send_notification_email.call(notification.pk)
    assert delivery_of(notification).status == EmailStatus.SENT


def test_an_address_removed_before_sending_is_a_visible_failure(notification):
    notification.recipient.email = ""
    notification.recipient.save()
    send_notification_email.call(notification.pk)
    delivery = delivery_of(notification)
    assert delivery.status == EmailStatus.FAILED and "địa chỉ e-mail" in delivery.last_error
    assert mail.outbox == []


def test_retry_delays_grow_by_the_factor(settings):
    from core.emails import retry_delay

    assert retry_delay(1) == settings.EMAIL_RETRY_FIRST_DELAY
    assert retry_delay(3) == settings.EMAIL_RETRY_FIRST_DELAY * settings.EMAIL_RETRY_FACTOR**2
    assert retry_delay(2) > timedelta(0)
