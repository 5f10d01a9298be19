"""Log-in, lockout, sessions and CSRF."""

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import models as danvan_models
from danvan.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("login")


def log_in(client, username, password, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password}, **extra)


def test_everything_but_login_and_health_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(LOGIN_URL)
    assert client.get(LOGIN_URL).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200


def test_login_page_is_vietnamese_and_logs_in(client):
    user = UserFactory(username="canbo")
    page = client.get(LOGIN_URL).content.decode()
    assert "Đăng nhập" in page and "Tên đăng nhập" in page and "Mật khẩu" in page
    response = log_in(client, "canbo", DEFAULT_PASSWORD)
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == user


def test_wrong_password_gives_a_vietnamese_message(client):
    UserFactory(username="canbo")
    response = log_in(client, "canbo", "sai-mat-khau")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_five_failures_lock_the_account_with_a_clear_message(client):
    UserFactory(username="canbo")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "canbo", "sai").status_code == 200
    response = log_in(client, "canbo", "sai")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Tài khoản tạm thời bị khóa" in page and "15 phút" in page
    # Even the right password is refused while locked, from the same address.
    assert log_in(client, "canbo", DEFAULT_PASSWORD).status_code == 429


def test_an_attacker_elsewhere_cannot_lock_a_colleague_out():
    UserFactory(username="canbo")
    attacker = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(attacker, "canbo", "sai")
    assert log_in(attacker, "canbo", DEFAULT_PASSWORD).status_code == 429
    # The account and the address lock together: the colleague at their own desk still logs in.
    colleague = Client(REMOTE_ADDR="10.9.9.9")
    assert log_in(colleague, "canbo", DEFAULT_PASSWORD).status_code == 302


def test_behind_the_proxy_the_lockout_keys_on_the_real_client(settings):
    settings.PROXY_COUNT = 1
    UserFactory(username="canbo")
    proxy = "10.0.0.1"
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(attacker, "canbo", "sai")
    assert log_in(attacker, "canbo", DEFAULT_PASSWORD).status_code == 429

    # Another person behind the same proxy is not locked out…
    colleague = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.77")
    assert log_in(colleague, "canbo", DEFAULT_PASSWORD).status_code == 302
    # …and the attacker cannot escape by forging an address to the left of the proxy's entry.
    forged = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5")
    assert log_in(forged, "canbo", DEFAULT_PASSWORD).status_code == 429


@pytest.mark.parametrize("forwarded", ["khong-phai-dia-chi", "203.0.113.5\x00", "999.1.1.1"])
def test_a_forwarded_entry_that_is_no_address_falls_back_to_the_peer(settings, forwarded):
    # A proxy that passes the client's own header on (or a wrong DJANGO_PROXY_COUNT) must not
    # turn every failed log-in into a 500.
    settings.PROXY_COUNT = 1
    UserFactory(username="canbo")
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    client.raise_request_exception = False
    assert log_in(client, "canbo", "sai").status_code == 200
    assert log_in(client, "canbo", DEFAULT_PASSWORD).status_code == 302


def test_session_cookie_is_httponly_and_expires_after_idle_time(client):
    UserFactory(username="canbo")
    response = log_in(client, "canbo", DEFAULT_PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert int(cookie["max-age"]) == 30 * 60
    # Renewed by the requests themselves, at most once a minute (below), not on every request.
    assert not settings.SESSION_SAVE_EVERY_REQUEST


def session_writes(captured) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if "django_session" in query["sql"]
        and query["sql"].startswith(("UPDATE", "INSERT", "DELETE"))
    ]


def backdate(client, **seconds_ago):
    """Move the session's noted moments (``seen``, ``started``) into the past."""
    session = client.session
    now = int(time.time())
    if "seen" in seconds_ago:
        session[SESSION_SEEN_KEY] = now - seconds_ago["seen"]
    if "started" in seconds_ago:
        session[SESSION_STARTED_KEY] = now - seconds_ago["started"]
    session.save()


def stored_expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_page_within_the_refresh_interval_writes_nothing_to_the_session(client):
    UserFactory(username="canbo")
    log_in(client, "canbo", DEFAULT_PASSWORD)
    assert client.get(reverse("home")).status_code == 200  # notes the log-in and the renewal
    expiry = stored_expiry(client)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert session_writes(captured) == []
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # the cookie is not re-sent
    assert stored_expiry(client) == expiry


def test_a_page_after_the_refresh_interval_extends_the_expiry(client):
    UserFactory(username="canbo")
    log_in(client, "canbo", DEFAULT_PASSWORD)
    client.get(reverse("home"))
    backdate(client, seen=settings.SESSION_REFRESH_INTERVAL + 5)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=5)
    )
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert len([sql for sql in session_writes(captured) if sql.startswith("UPDATE")]) == 1
    assert stored_expiry(client) > timezone.now() + timedelta(minutes=29)
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == 30 * 60
    assert client.session[SESSION_SEEN_KEY] >= int(time.time()) - 5


def test_session_ends_after_the_idle_timeout(client):
    UserFactory(username="canbo")
    log_in(client, "canbo", DEFAULT_PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    backdate(client, seen=settings.SESSION_IDLE_TIMEOUT - 30)
    assert client.get(reverse("home")).status_code == 200  # still within: renewed
    backdate(client, seen=settings.SESSION_IDLE_TIMEOUT + 1)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(LOGIN_URL)
    assert client.get(reverse("home")).status_code == 302  # logged out for good


def test_an_expired_session_row_is_not_accepted(client):
    UserFactory(username="canbo")
    log_in(client, "canbo", DEFAULT_PASSWORD)
    client.get(reverse("home"))
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(LOGIN_URL)


def test_session_ends_after_its_absolute_lifetime(client):
    UserFactory(username="canbo")
    log_in(client, "canbo", DEFAULT_PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    backdate(client, started=12 * 3600 + 1, seen=5)  # active all along, but too old
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(LOGIN_URL)
    assert client.get(reverse("home")).status_code == 302  # logged out for good


def test_forms_require_csrf_tokens():
    UserFactory(username="canbo")
    strict = Client(enforce_csrf_checks=True)
    assert log_in(strict, "canbo", DEFAULT_PASSWORD).status_code == 403


def test_password_change(production_password_hashers, client):
    user = UserFactory(username="canbo")
    assert user.password.startswith("pbkdf2_sha256$")  # what the portal stores
    client.force_login(user)
    page = client.get(reverse("password_change")).content.decode()
    assert "Đổi mật khẩu" in page
    response = client.post(
        reverse("password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "Mat-khau-moi-2027!",
            "new_password2": "Mat-khau-moi-2027!",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Mat-khau-moi-2027!")
    assert user.password.startswith("pbkdf2_sha256$")


def change_password(
    client, old_password, new_password="Mat-khau-moi-2027!", url_name="password_change"
):
    return client.post(
        reverse(url_name),
        {
            "old_password": old_password,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )


PASSWORD_CHANGE_LOCKED = "Bạn đã nhập sai mật khẩu hiện tại quá nhiều lần"


def test_password_change_stops_guessing_the_current_password(client):
    user = UserFactory(username="canbo")
    client.force_login(user)
    for _ in range(settings.PASSWORD_CHANGE_FAILURE_LIMIT):
        response = change_password(client, "doan-thu")
        assert response.status_code == 200
        assert PASSWORD_CHANGE_LOCKED not in response.content.decode()
    # Locked now: even the right current password is refused, with a Vietnamese message…
    response = change_password(client, DEFAULT_PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert PASSWORD_CHANGE_LOCKED in page and "15 phút" in page
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    # …and the limit belongs to the account, not to the session or the browser.
    other_session = Client(REMOTE_ADDR="10.9.9.9")
    other_session.force_login(user)
    assert change_password(other_session, DEFAULT_PASSWORD).status_code == 429


def test_the_admin_sites_password_change_counts_the_same_guesses(client):
    """Staff have a second password-change page, the admin site's: the same limit holds there,
    counted together with the portal's page."""
    user = UserFactory(username="quantri", is_staff=True)
    client.force_login(user)
    assert change_password(client, "doan-thu").status_code == 200
    for _ in range(settings.PASSWORD_CHANGE_FAILURE_LIMIT - 1):
        response = change_password(client, "doan-thu", url_name="admin:password_change")
        assert response.status_code == 200
    response = change_password(client, DEFAULT_PASSWORD, url_name="admin:password_change")
    assert response.status_code == 429
    assert PASSWORD_CHANGE_LOCKED in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_password_change_opens_again_after_the_cooloff(client):
    user = UserFactory(username="canbo")
    client.force_login(user)
    for _ in range(settings.PASSWORD_CHANGE_FAILURE_LIMIT):
        change_password(client, "doan-thu")
    danvan_models.PasswordChangeFailure.objects.filter(user=user).update(
        failed_at=timezone.now() - settings.PASSWORD_CHANGE_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert change_password(client, DEFAULT_PASSWORD).status_code == 302
    user.refresh_from_db()
    assert user.check_password("Mat-khau-moi-2027!")
    assert not danvan_models.PasswordChangeFailure.objects.filter(user=user).exists()


def test_another_users_failures_do_not_lock_a_password_change(client):
    other = UserFactory()
    guesser = Client()
    guesser.force_login(other)
    for _ in range(settings.PASSWORD_CHANGE_FAILURE_LIMIT):
        change_password(guesser, "doan-thu")
    client.force_login(UserFactory())
    assert change_password(client, DEFAULT_PASSWORD).status_code == 302


def test_logout_is_a_post(client):
    client.force_login(UserFactory())
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_tests_hash_passwords_fast_but_the_portal_does_not():
    """Factories' users are cheap to make; the portal itself keeps Django's PBKDF2."""
    from danvan import settings as portal_settings

    assert UserFactory().password.startswith("md5$")
    assert portal_settings.PASSWORD_HASHERS[0].endswith("PBKDF2PasswordHasher")


def test_logout_clears_what_the_portal_kept_in_the_browser(client):
    client.force_login(UserFactory())
    response = client.post(reverse("logout"))
    # Browsers that honour it drop local storage (form copies) at once…
    assert response["Clear-Site-Data"] == '"storage"'
    # …and the page after log-out runs the script that removes the portal's keys in any case.
    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Bạn đã đăng xuất" in html
    assert "js/logged_out.js" in html
    script = finders.find("js/logged_out.js")
    assert script is not None
    assert "localStorage" in Path(script).read_text()


def test_a_username_longer_than_any_account_is_a_wrong_login_not_a_500(client):
    client.raise_request_exception = False
    UserFactory(username="canbo")
    response = log_in(client, "x" * 100_000, "sai-mat-khau")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    # The right account still logs in from the same address.
    assert log_in(client, "canbo", DEFAULT_PASSWORD).status_code == 302
