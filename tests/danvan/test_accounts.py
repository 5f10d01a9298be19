"""Log-in, lockout, sessions and CSRF."""

import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from danvan.middleware import SESSION_STARTED_KEY
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
    # Even the right password is refused while locked, from another address too.
    other_address = Client(REMOTE_ADDR="10.9.9.9")
    assert log_in(other_address, "canbo", DEFAULT_PASSWORD).status_code == 429


def test_failures_from_one_address_lock_that_address_for_every_account(client):
    UserFactory(username="canbo")
    for index in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, f"khong-ton-tai-{index}", "sai")
    assert log_in(client, "canbo", DEFAULT_PASSWORD).status_code == 429


def test_behind_the_proxy_the_lockout_keys_on_the_real_client(settings):
    settings.PROXY_COUNT = 1
    UserFactory(username="canbo")
    proxy = "10.0.0.1"
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    for index in range(settings.AXES_FAILURE_LIMIT):
        log_in(attacker, f"doan-mo-{index}", "sai")
    assert log_in(attacker, "canbo", DEFAULT_PASSWORD).status_code == 429

    # Another person behind the same proxy is not locked out…
    colleague = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.77")
    assert log_in(colleague, "canbo", DEFAULT_PASSWORD).status_code == 302
    # …and the attacker cannot escape by forging an address to the left of the proxy's entry.
    forged = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5")
    assert log_in(forged, "someone-else", DEFAULT_PASSWORD).status_code == 429


def test_session_cookie_is_httponly_and_expires_after_idle_time(client):
    UserFactory(username="canbo")
    response = log_in(client, "canbo", DEFAULT_PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert int(cookie["max-age"]) == 30 * 60
    # Each request renews the idle timeout.
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_session_ends_after_its_absolute_lifetime(client):
    UserFactory(username="canbo")
    log_in(client, "canbo", DEFAULT_PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - 12 * 3600 - 1
    session.save()
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
