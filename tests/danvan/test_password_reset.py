""" "Quên mật khẩu?": a single-use, expiring link by e-mail; no hint whether an account exists."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import PasswordChangeFailure, PasswordResetRequest
from core.tasks import send_password_reset_email
from tests.conftest import VIETNAM
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REQUEST_URL = reverse("password_reset")
SENT_URL = reverse("password_reset_done")
NEW_PASSWORD = "Hoa-sen-no-giua-dong-2027"
INVALID_LINK = "Liên kết đặt lại mật khẩu này không hợp lệ, đã được dùng hoặc đã hết hạn."


def queued_emails():
    return DBTaskResult.objects.filter(task_path__endswith="send_password_reset_email")


def run_queued_emails():
    """What the background worker does: run each queued reset e-mail task once."""
    for queued in queued_emails().order_by("enqueued_at"):
        send_password_reset_email.call(*queued.args_kwargs["args"])
        queued.delete()


def ask(client, email, **extra):
    return client.post(REQUEST_URL, {"email": email}, **extra)


def link_in(message) -> str:
    (link,) = re.findall(r"http://\S+/dat-lai-mat-khau/\S+/", message.body)
    return link.removeprefix("http://127.0.0.1:8000")


def set_new_password(client, link, password=NEW_PASSWORD):
    form_page = client.get(link)
    assert form_page.status_code == 302  # to the same page without the token in its address
    return client.post(
        form_page.url, {"new_password1": password, "new_password2": password}, follow=True
    )


@pytest.fixture
def canbo(db):
    return UserFactory(username="canbo", first_name="Nguyễn Thị Hoa", email="hoa@example.vn")


def test_login_page_links_to_the_forgotten_password_page(client):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{REQUEST_URL}">Quên mật khẩu?</a>' in page
    form = client.get(REQUEST_URL)
    assert form.status_code == 200
    assert "Quên mật khẩu" in form.content.decode()


def test_the_link_arrives_in_vietnamese_and_sets_a_new_password_once(client, canbo):
    response = ask(client, "Hoa@Example.vn ")
    assert response.status_code == 302 and response.url == SENT_URL
    assert "Kiểm tra hộp thư của bạn" in client.get(SENT_URL).content.decode()
    # Nothing is sent within the request: the worker sends it.
    assert mail.outbox == []
    run_queued_emails()
    (message,) = mail.outbox
    assert message.to == ["hoa@example.vn"]
    assert message.subject == "[Dân vận khéo] Đặt lại mật khẩu"
    assert "Xin chào Nguyễn Thị Hoa" in message.body
    assert "“canbo”" in message.body and "trong vòng 60 phút" in message.body
    link = link_in(message)

    done = set_new_password(client, link)
    assert done.redirect_chain[-1][0] == reverse("password_reset_complete")
    assert "Mật khẩu mới của bạn đã được lưu" in done.content.decode()
    canbo.refresh_from_db()
    assert canbo.check_password(NEW_PASSWORD)
    assert not client.session.get("_auth_user_id")  # not logged in by the link itself

    # The same link a second time: refused, the password stays the new one.
    again = client.get(link)
    assert again.status_code == 200 and INVALID_LINK in again.content.decode()
    assert (
        client.post(
            link,
            {"new_password1": "Mot-mat-khau-khac-2028", "new_password2": "Mot-mat-khau-khac-2028"},
        ).status_code
        == 200
    )
    canbo.refresh_from_db()
    assert canbo.check_password(NEW_PASSWORD)
    # And the new password logs in.
    login = client.post(reverse("login"), {"username": "canbo", "password": NEW_PASSWORD})
    assert login.status_code == 302


def test_a_log_in_after_the_email_spends_the_link(client, canbo):
    ask(client, "hoa@example.vn")
    run_queued_emails()
    link = link_in(mail.outbox[0])
    assert (
        client.post(
            reverse("login"), {"username": "canbo", "password": DEFAULT_PASSWORD}
        ).status_code
        == 302
    )
    client.logout()
    assert INVALID_LINK in client.get(link).content.decode()


def test_an_expired_link_is_refused(client, canbo, settings):
    ask(client, "hoa@example.vn")
    run_queued_emails()
    link = link_in(mail.outbox[0])
    # In the portal's zone: the token generator reads the local wall clock.
    later = datetime.now(VIETNAM) + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later):
        response = client.get(link)
    assert response.status_code == 200 and INVALID_LINK in response.content.decode()
    canbo.refresh_from_db()
    assert canbo.check_password(DEFAULT_PASSWORD)


def test_a_link_within_its_time_works(client, canbo, settings):
    ask(client, "hoa@example.vn")
    run_queued_emails()
    link = link_in(mail.outbox[0])
    later = datetime.now(VIETNAM) + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT - 120)
    with time_machine.travel(later):
        assert set_new_password(client, link).status_code == 200
    canbo.refresh_from_db()
    assert canbo.check_password(NEW_PASSWORD)


def test_a_tampered_link_is_refused(client, canbo):
    ask(client, "hoa@example.vn")
    run_queued_emails()
    link = link_in(mail.outbox[0])
    uid, token = link.strip("/").split("/")[-2:]
    forged = link.replace(token, token[:-1] + ("a" if token[-1] != "a" else "b"))
    assert INVALID_LINK in client.get(forged).content.decode()
    assert INVALID_LINK in client.get(f"/dat-lai-mat-khau/abc/{token}/").content.decode()


def test_unknown_and_inactive_addresses_get_the_same_answer_and_no_email(client, canbo):
    UserFactory(username="danghi", email="nghi@example.vn", is_active=False)
    known = ask(client, "hoa@example.vn")
    unknown = ask(client, "khong-co@example.vn")
    inactive = ask(client, "nghi@example.vn")
    for response in (unknown, inactive):
        assert response.status_code == known.status_code == 302
        assert response.url == known.url == SENT_URL
    # The request does the same work for each: one task queued per request.
    assert queued_emails().count() == 3
    run_queued_emails()
    assert [message.to for message in mail.outbox] == [["hoa@example.vn"]]


def test_a_deactivated_account_cannot_use_a_link_sent_before(client, canbo):
    ask(client, "hoa@example.vn")
    run_queued_emails()
    link = link_in(mail.outbox[0])
    canbo.is_active = False
    canbo.save()
    assert INVALID_LINK in client.get(link).content.decode()


def test_requests_are_limited_per_address(client, canbo, settings):
    for _ in range(settings.PASSWORD_RESET_RATE_LIMIT):
        assert ask(client, "hoa@example.vn").status_code == 302
    refused = ask(client, "HOA@example.vn", REMOTE_ADDR="10.0.0.9")  # another client too
    assert refused.status_code == 429
    assert "quá nhiều lần" in refused.content.decode()
    assert queued_emails().count() == settings.PASSWORD_RESET_RATE_LIMIT
    # Another address is not held up by it.
    assert ask(client, "khac@example.vn", REMOTE_ADDR="10.0.0.9").status_code == 302


def test_requests_are_limited_per_client_address(client, settings):
    for number in range(settings.PASSWORD_RESET_RATE_LIMIT):
        assert ask(client, f"thu{number}@example.vn", REMOTE_ADDR="10.0.0.7").status_code == 302
    assert ask(client, "thu-them@example.vn", REMOTE_ADDR="10.0.0.7").status_code == 429
    assert ask(client, "thu-them@example.vn", REMOTE_ADDR="10.0.0.8").status_code == 302


def test_the_limit_ends_with_its_window(client, canbo, settings):
    for _ in range(settings.PASSWORD_RESET_RATE_LIMIT):
        ask(client, "hoa@example.vn")
    assert ask(client, "hoa@example.vn").status_code == 429
    PasswordResetRequest.objects.update(
        requested_at=timezone.now() - settings.PASSWORD_RESET_RATE_WINDOW
    )
    assert ask(client, "hoa@example.vn").status_code == 302
    assert PasswordResetRequest.objects.count() == 1  # old ones are cleared


def test_an_invalid_address_is_told_in_vietnamese(client):
    response = ask(client, "khong-phai-email")
    assert response.status_code == 200
    assert "Địa chỉ e-mail không hợp lệ." in response.content.decode()
    assert not queued_emails().exists()


def test_the_new_password_must_meet_the_rules(client, canbo):
    ask(client, "hoa@example.vn")
    run_queued_emails()
    link = link_in(mail.outbox[0])
    page = set_new_password(client, link, password="12345")
    text = page.content.decode()
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in text
    assert "Mật khẩu không được chỉ gồm chữ số." in text
    canbo.refresh_from_db()
    assert canbo.check_password(DEFAULT_PASSWORD)
    # The form is still open (the link is not spent by a refused password).
    mismatch = client.post(
        page.request["PATH_INFO"],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"},
    )
    assert "Hai mật khẩu đã nhập không khớp nhau." in mismatch.content.decode()


def test_a_reset_lifts_the_password_change_lock(client, canbo):
    PasswordChangeFailure.objects.create(user=canbo)
    ask(client, "hoa@example.vn")
    run_queued_emails()
    set_new_password(client, link_in(mail.outbox[0]))
    assert not PasswordChangeFailure.objects.filter(user=canbo).exists()


def test_the_address_is_found_whatever_its_case(client, db):
    UserFactory(username="canbo2", email="Hoa.Tran@Example.vn")
    ask(client, "hoa.tran@example.VN")
    run_queued_emails()
    assert [message.body.count("canbo2") for message in mail.outbox] == [1]


def test_a_failing_mail_server_is_tried_again_later(client, canbo, settings):
    settings.EMAIL_BACKEND = "tests.core.test_email_delivery.RefusingBackend"
    ask(client, "hoa@example.vn")
    run_queued_emails()
    (retry,) = queued_emails()
    assert retry.args_kwargs["args"] == ["hoa@example.vn", 2]
    assert retry.run_after > timezone.now()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_queued_emails()
    assert [message.to for message in mail.outbox] == [["hoa@example.vn"]]


def test_a_reset_replaces_a_one_time_password_handed_out_by_an_admin(client, canbo):
    from accounts.models import AccountProfile

    AccountProfile.objects.create(user=canbo, must_change_password=True)
    ask(client, "hoa@example.vn")
    run_queued_emails()
    set_new_password(client, link_in(mail.outbox[0]))
    assert not AccountProfile.objects.get(user=canbo).must_change_password


def test_a_reset_email_failing_for_good_is_listed_for_the_administrator(
    client, canbo, settings, django_capture_on_commit_callbacks
):
    from core.models import EmailDelivery, EmailStatus

    settings.EMAIL_BACKEND = "tests.core.test_email_delivery.RefusingBackend"
    settings.EMAIL_DELIVERY_MAX_ATTEMPTS = 3
    ask(client, "hoa@example.vn")
    for _ in range(3):  # each failure queues the next try, with a longer wait
        run_queued_emails()
    assert not queued_emails().exists() and not mail.outbox
    (failed,) = EmailDelivery.objects.all()
    assert (failed.address, failed.status, failed.attempts) == ("hoa@example.vn", "failed", 3)

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = reverse("admin:danvan_emaildelivery_changelist")
    page = client.get(changelist, {"status__exact": EmailStatus.FAILED}).content.decode()
    assert "&lt;hoa@example.vn&gt; (đặt lại mật khẩu)" in page
    assert "SMTPServerDisconnected" in page

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(changelist, {"action": "send_again", "_selected_action": [failed.pk]})
    assert not EmailDelivery.objects.exists()
    run_queued_emails()
    assert [message.to for message in mail.outbox] == [["hoa@example.vn"]]
