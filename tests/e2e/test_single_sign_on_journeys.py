"""Single sign-on in the browser: a cadre clicks the gateway's button on the portal's log-in
page, signs in on the province's gateway (a real OpenID provider on loopback, see the
``provider`` fixture), agrees to share their identity and is back in the portal as themselves.
Someone the portal does not know is told so in Vietnamese; the password log-in stays beside it."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.helpers import linked_account
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.oidc_provider.seed import PASSWORD

pytestmark = pytest.mark.e2e

GATEWAY_BUTTON = "Đăng nhập bằng tài khoản một cửa của tỉnh"


def through_the_gateway(page, provider, username: str) -> None:
    """From the portal's log-in page to the gateway's consent, as the person would click."""
    page.goto(reverse("home"))
    expect(page).to_have_url(re.compile(r"/dang-nhap/"))
    page.get_by_role("link", name=GATEWAY_BUTTON).click()

    # The gateway's own log-in form, on the gateway's own address.
    expect(page).to_have_url(re.compile("^" + re.escape(f"{provider.url}/dang-nhap/")))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    # The consent page names the portal; the person agrees.
    expect(page).to_have_url(re.compile("^" + re.escape(f"{provider.url}/o/authorize/")))
    expect(page.locator("#authorizationForm")).to_contain_text("Cổng Dân vận khéo")
    page.get_by_role("button", name="Authorize").click()


def test_a_linked_cadre_signs_in_through_the_gateway(page, gateway, live_server):
    person = linked_account(gateway, "nguoi.lien.ket", first_name="Nguyễn Văn Liên Kết")
    # Another account, linked to nobody, whose name must not appear.
    UserFactory(first_name="Lê Thị Khác")

    through_the_gateway(page, gateway, "nguoi.lien.ket")

    expect(page).to_have_url(live_server.url + reverse("home"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Nguyễn Văn Liên Kết")
    expect(page.get_by_role("button", name="Nguyễn Văn Liên Kết")).to_be_visible()  # user menu
    person.refresh_from_db()
    assert person.last_login is not None
    # The portal's own session: a page that needs a log-in opens.
    page.goto(reverse("notification_list"))
    expect(page).to_have_url(live_server.url + reverse("notification_list"))


def test_an_unlinked_subject_is_refused_in_vietnamese(page, gateway, live_server):
    UserFactory(username="nguoi.la")  # same name at the portal, never matched by name

    through_the_gateway(page, gateway, "nguoi.la")

    expect(page).to_have_url(live_server.url + reverse("single_sign_on_refused"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Không đăng nhập được bằng tài khoản một cửa"
    )
    expect(page.locator("main")).to_contain_text("chưa được liên kết với tài khoản nào trên Cổng")
    expect(page.locator("main")).to_contain_text("Cổng không tự tạo tài khoản")
    # Not signed in: the home page asks for a log-in.
    page.goto(reverse("home"))
    expect(page).to_have_url(re.compile(r"/dang-nhap/"))


def test_the_password_log_in_works_beside_the_gateway(page, gateway, live_server):
    person = UserFactory(first_name="Trần Thị Mật Khẩu")

    page.goto(reverse("login"))
    expect(page.get_by_role("link", name=GATEWAY_BUTTON)).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(person.username)
    page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()

    expect(page).to_have_url(live_server.url + reverse("home"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Trần Thị Mật Khẩu")
