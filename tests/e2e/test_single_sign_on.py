"""Single sign-on through a real OpenID provider: django-oauth-toolkit, started on loopback by
the ``provider`` fixture (tests/e2e/conftest.py, tests/oidc_provider), signed in through over
HTTP by ``requests`` exactly as a browser would — the portal's redirect, the provider's own
log-in form and consent page, the code exchanged by the portal, the portal's session at the end.
The same journeys in Chromium are in test_single_sign_on_journeys.py."""

import lxml.html
import requests
from django.contrib.auth.models import User
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.danvan.test_health_and_settings import run_manage
from tests.e2e.conftest import Provider
from tests.e2e.helpers import linked_account
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.oidc_provider.seed import PASSWORD

TIMEOUT = 30


def form_data(page: requests.Response) -> list[tuple[str, str]]:
    return lxml.html.fromstring(page.text).forms[0].form_values()


def sign_in_through_gateway(portal_url: str, provider: Provider, username: str, next_url=""):
    """From the portal's button to wherever the portal finally sends the browser."""
    browser = requests.Session()
    start = portal_url + reverse("oidc_authentication_init")
    page = browser.get(start, params={"next": next_url} if next_url else None, timeout=TIMEOUT)
    assert page.url.startswith(f"{provider.url}/dang-nhap/?next=/o/authorize/")
    data = [(name, value) for name, value in form_data(page) if name != "username"]
    data += [("username", username), ("password", PASSWORD)]
    page = browser.post(page.url, data=data, timeout=TIMEOUT)
    assert page.url.startswith(f"{provider.url}/o/authorize/"), page.text
    assert "cong-dan-van-kheo" in page.text or "Cổng Dân vận khéo" in page.text
    page = browser.post(page.url, data=[*form_data(page), ("allow", "Authorize")], timeout=TIMEOUT)
    return browser, page


def test_the_login_page_offers_the_gateway_only_when_it_is_switched_on(client, settings, db):
    settings.OIDC_ENABLED = False
    page = client.get(reverse("login")).content.decode()
    assert "tài khoản một cửa" not in page
    assert client.get(reverse("oidc_authentication_init")).status_code == 404

    settings.OIDC_ENABLED = True
    page = client.get(reverse("login")).content.decode()
    assert "Đăng nhập bằng tài khoản một cửa của tỉnh" in page
    assert 'name="password"' in page  # the local form stays beside it


def test_a_linked_account_signs_in_through_the_gateway(gateway, live_server):
    person = linked_account(gateway, "nguoi.lien.ket", first_name="Nguyễn Văn Liên Kết")

    browser, page = sign_in_through_gateway(live_server.url, gateway, "nguoi.lien.ket")

    assert page.status_code == 200
    assert page.url == live_server.url + reverse("home")
    assert "Nguyễn Văn Liên Kết" in page.text
    assert "Đăng xuất" in page.text
    person.refresh_from_db()
    assert person.last_login is not None
    # The session is the portal's own: a page that needs a log-in opens.
    assert browser.get(live_server.url + reverse("notification_list")).url.endswith(
        reverse("notification_list")
    )


def test_an_unknown_subject_is_refused_and_no_account_is_created(gateway, live_server):
    # A portal account of the same username, not linked: names and e-mails never match.
    UserFactory(username="nguoi.la")
    accounts_before = User.objects.count()

    browser, page = sign_in_through_gateway(live_server.url, gateway, "nguoi.la")

    assert page.status_code == 403
    assert page.url == live_server.url + reverse("single_sign_on_refused")
    assert "chưa được liên kết với tài khoản nào trên Cổng" in page.text
    assert "Cổng không tự tạo tài khoản" in page.text
    assert User.objects.count() == accounts_before
    assert browser.get(live_server.url + reverse("home")).url.startswith(
        live_server.url + reverse("login")
    )


def test_a_locked_account_is_refused(gateway, live_server):
    linked_account(gateway, "nguoi.bi.khoa", is_active=False)

    browser, page = sign_in_through_gateway(live_server.url, gateway, "nguoi.bi.khoa")

    assert page.status_code == 403
    assert "đã bị khóa" in page.text
    assert browser.get(live_server.url + reverse("home")).url.startswith(
        live_server.url + reverse("login")
    )


def test_the_portals_second_step_still_applies_unless_the_gateways_counts(
    gateway, live_server, settings
):
    person = linked_account(gateway, "nguoi.lien.ket")
    TOTPDevice.objects.create(user=person, name="Ứng dụng xác thực", confirmed=True)

    _, page = sign_in_through_gateway(live_server.url, gateway, "nguoi.lien.ket")
    assert page.url.startswith(live_server.url + reverse("two_factor_verify"))

    settings.OIDC_SATISFIES_SECOND_STEP = True
    _, page = sign_in_through_gateway(live_server.url, gateway, "nguoi.lien.ket")
    assert page.url == live_server.url + reverse("home")


def test_a_password_log_in_still_works_beside_the_gateway(gateway, live_server):
    person = UserFactory(first_name="Trần Thị Mật Khẩu")
    browser = requests.Session()
    page = browser.get(live_server.url + reverse("login"), timeout=TIMEOUT)
    assert "Đăng nhập bằng tài khoản một cửa của tỉnh" in page.text
    data = [
        (name, value) for name, value in form_data(page) if name not in ("username", "password")
    ]
    data += [("username", person.username), ("password", DEFAULT_PASSWORD)]
    page = browser.post(page.url, data=data, headers={"Referer": page.url}, timeout=TIMEOUT)
    assert page.url == live_server.url + reverse("home")
    assert "Trần Thị Mật Khẩu" in page.text


def test_a_person_who_declines_at_the_gateway_is_told_so(gateway, live_server):
    linked_account(gateway, "nguoi.lien.ket")
    browser = requests.Session()
    page = browser.get(live_server.url + reverse("oidc_authentication_init"), timeout=TIMEOUT)
    data = [(name, value) for name, value in form_data(page) if name != "username"]
    page = browser.post(
        page.url, data=[*data, ("username", "nguoi.lien.ket"), ("password", PASSWORD)]
    )
    # "Cancel" on the consent page: the gateway sends the browser back with an error.
    page = browser.post(page.url, data=form_data(page), timeout=TIMEOUT)

    assert page.status_code == 403
    assert page.url == live_server.url + reverse("single_sign_on_refused")
    assert "hoặc đăng nhập bằng tên đăng nhập và mật khẩu của Cổng" in page.text
    assert "chưa được liên kết" not in page.text
    assert browser.get(live_server.url + reverse("home")).url.startswith(
        live_server.url + reverse("login")
    )


def test_switching_the_gateway_on_without_its_endpoints_stops_start_up():
    result = run_manage("check", DJANGO_DEBUG="true", DJANGO_OIDC_ENABLED="true")
    assert result.returncode != 0
    assert "DJANGO_OIDC_ENABLED needs DJANGO_OIDC_CLIENT_ID" in result.stderr
    assert "DJANGO_OIDC_JWKS_URL" in result.stderr

    result = run_manage(
        "check",
        DJANGO_DEBUG="true",
        DJANGO_OIDC_ENABLED="true",
        DJANGO_OIDC_CLIENT_ID="cong",
        DJANGO_OIDC_CLIENT_SECRET="bi-mat",
        DJANGO_OIDC_AUTHORIZATION_URL="https://sso.example.gov.vn/authorize",
        DJANGO_OIDC_TOKEN_URL="https://sso.example.gov.vn/token",
        DJANGO_OIDC_USERINFO_URL="https://sso.example.gov.vn/userinfo",
        DJANGO_OIDC_JWKS_URL="https://sso.example.gov.vn/jwks",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_refusals_at_the_gateway_do_not_lock_the_office_out(gateway, live_server, settings):
    """The log-in lockout counts wrong passwords; people refused for want of a linked account,
    all behind one office address, must not lock everyone else's gateway log-in there."""
    linked_account(gateway, "nguoi.lien.ket", first_name="Nguyễn Văn Liên Kết")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        _, page = sign_in_through_gateway(live_server.url, gateway, "nguoi.la")
        assert page.status_code == 403

    _, page = sign_in_through_gateway(live_server.url, gateway, "nguoi.lien.ket")
    assert page.url == live_server.url + reverse("home")
    assert "Nguyễn Văn Liên Kết" in page.text


def test_the_gateway_log_in_returns_to_the_page_asked_for(gateway, live_server):
    linked_account(gateway, "nguoi.lien.ket")
    wanted = reverse("notification_list")

    _, page = sign_in_through_gateway(live_server.url, gateway, "nguoi.lien.ket", wanted)
    assert page.url == live_server.url + wanted

    # Another site's address is not followed.
    _, page = sign_in_through_gateway(
        live_server.url, gateway, "nguoi.lien.ket", "https://example.com/"
    )
    assert page.url == live_server.url + reverse("home")
