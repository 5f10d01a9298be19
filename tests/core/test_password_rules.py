"""Password rules: each one refuses with its Vietnamese message, wherever a password is set."""

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOO_SHORT = "Mật khẩu quá ngắn: cần ít nhất 10 ký tự."
TOO_COMMON = "Mật khẩu này quá phổ biến, dễ bị đoán ra."
NUMERIC = "Mật khẩu không được chỉ gồm chữ số."


@pytest.fixture
def hoa(db):
    return UserFactory(
        username="nguyenthihoa",
        first_name="Hoa",
        last_name="Nguyễn Thị",
        email="hoa.nguyen@example.vn",
    )


def refusals(password, user=None) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return list(error.messages)
    return []


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Ngan-9x", TOO_SHORT),
        ("password1234", TOO_COMMON),
        ("qwertyuiop", TOO_COMMON),
        ("20262027202820", NUMERIC),
        ("nguyenthihoa1", "Mật khẩu quá giống với tên đăng nhập của bạn."),
        ("hoa.nguyen@example", "Mật khẩu quá giống với địa chỉ e-mail của bạn."),
        ("nguyễn thị xx", "Mật khẩu quá giống với họ của bạn."),
    ],
)
def test_each_rule_refuses_in_vietnamese(hoa, password, expected):
    assert expected in refusals(password, hoa)


def test_a_good_password_passes_every_rule(hoa):
    assert refusals("Hoa-sen-no-giua-dong-2027", hoa) == []


def test_the_shortest_length_is_configurable(settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "core.password_rules.MinimumLengthValidator",
            "OPTIONS": {"min_length": 14},
        }
    ]
    password_validation.get_default_password_validators.cache_clear()
    try:
        assert refusals("Mua-xuan-2027") == ["Mật khẩu quá ngắn: cần ít nhất 14 ký tự."]
        assert password_validation.password_validators_help_text_html().count("<li>") == 1
    finally:
        password_validation.get_default_password_validators.cache_clear()


def test_the_help_texts_are_vietnamese():
    assert password_validation.password_validators_help_texts() == [
        "Mật khẩu không được quá giống tên đăng nhập, họ tên hoặc địa chỉ e-mail.",
        "Mật khẩu phải có ít nhất 10 ký tự.",
        "Mật khẩu không được là mật khẩu thông dụng.",
        "Mật khẩu không được chỉ gồm chữ số.",
    ]


def change_password(client, new_password):
    return client.post(
        reverse("password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Ngan-9x", TOO_SHORT),
        ("iloveyou123", TOO_COMMON),
        ("09120912091", NUMERIC),
        ("nguyenthihoa", "Mật khẩu quá giống với tên đăng nhập của bạn."),
    ],
)
def test_the_password_change_page_refuses_with_the_rules(client, hoa, password, expected):
    client.force_login(hoa)
    response = change_password(client, password)
    assert response.status_code == 200
    assert expected in response.content.decode()
    hoa.refresh_from_db()
    assert hoa.check_password(DEFAULT_PASSWORD)


def test_the_password_change_page_shows_the_rules(client, hoa):
    client.force_login(hoa)
    page = client.get(reverse("password_change")).content.decode()
    assert "Mật khẩu phải có ít nhất 10 ký tự." in page
    assert "Mật khẩu không được là mật khẩu thông dụng." in page


def test_the_admin_sites_set_password_page_uses_the_rules(client, hoa, superuser):
    client.force_login(superuser)
    url = reverse("admin:auth_user_password_change", args=[hoa.pk])
    response = client.post(url, {"password1": "12345678901", "password2": "12345678901"})
    assert response.status_code == 200
    assert NUMERIC in response.content.decode()
    hoa.refresh_from_db()
    assert hoa.check_password(DEFAULT_PASSWORD)
