"""Account administration in the browser: a province admin imports 200 accounts from the
template and hands out their one-time passwords; the new people change them (and a reviewer
sets up the second step of sign-in); a reset link works once; a locked person is shown out.

The import and the first log-ins are one journey: the people signing in are those of the file.
"""

import io
import re
from base64 import b32decode

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django_otp.oath import totp
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.models import AccountProfile
from organisations.choices import Role
from tests.danvan.test_password_reset import link_in, run_queued_emails
from tests.e2e.helpers import log_in
from tests.factories import DEFAULT_PASSWORD, UserFactory, user_with_role

pytestmark = pytest.mark.e2e

ACCOUNTS = 200
REVIEWERS = 5
NEW_PASSWORD = "Hoa-sen-no-giua-dong-2027"
HOME = re.compile(r"/$")
LOGIN = re.compile(r"/dang-nhap/(\?.*)?$")
PASSWORD_CHANGE = re.compile(r"/doi-mat-khau/")
SET_UP = re.compile(r"/xac-thuc-hai-buoc/thiet-lap/")
VERIFY = re.compile(r"/dang-nhap/xac-thuc/")


def open_page(browser, live_server):
    """A second browser (its own cookies), as another person at another computer."""
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    context.set_default_timeout(15_000)
    return context.new_page()


def submit_login(page, username, password):
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def change_password(page, old_password, new_password=NEW_PASSWORD):
    expect(page).to_have_url(PASSWORD_CHANGE)
    page.locator("#id_old_password").fill(old_password)
    page.locator("#id_new_password1").fill(new_password)
    page.locator("#id_new_password2").fill(new_password)
    page.get_by_role("button", name="Đổi mật khẩu").click()


def current_code(secret: str, steps_ahead: int = 0) -> str:
    """What the phone's app shows for the secret typed from the page."""
    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key, step=30, t0=0, digits=6, drift=steps_ahead):06d}"


def filled_template(template: bytes) -> bytes:
    """The downloaded template with 200 people of the province's units, picked from its lists."""
    workbook = load_workbook(io.BytesIO(template))
    catalogue = workbook["Danh mục"]
    units = [row[0] for row in catalogue.iter_rows(min_row=2, values_only=True) if row[0]]
    roles = [row[1] for row in catalogue.iter_rows(min_row=2, values_only=True) if row[1]]
    assert {Role.CADRE.label, Role.REVIEWER.label} <= set(roles)
    assert any("Phường Chùa Hang" in unit for unit in units)
    assert not any("Hà Nội" in unit or "Quan Hoa" in unit for unit in units)
    sheet = workbook["Tài khoản"]
    assert [cell.value for cell in sheet[1]][:6] == [
        "Họ và tên",
        "Tên đăng nhập",
        "E-mail",
        "Số điện thoại",
        "Đơn vị",
        "Vai trò",
    ]
    for number in range(1, ACCOUNTS + 1):
        reviewer = number <= REVIEWERS
        sheet.append(
            [
                f"{'Lê Thẩm Định' if reviewer else 'Nguyễn Văn Cán'} {number:03d}",
                f"{'thamdinh' if reviewer else 'canbo'}.nhap{number:03d}",
                f"nhap{number:03d}@example.vn",
                f"0912{number:06d}",
                units[number % len(units)],
                Role.REVIEWER.label if reviewer else Role.CADRE.label,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_accounts(page, tmp_path) -> dict[str, str]:
    """Journey 1: the admin's import, through the page. The one-time passwords by username."""
    page.goto("/tai-khoan/")
    page.get_by_role("link", name="Nhập từ tệp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập tài khoản từ tệp")
    with page.expect_download() as template_download:
        page.get_by_role("link", name=re.compile("tệp mẫu")).click()
    assert template_download.value.suggested_filename == "mau-nhap-tai-khoan.xlsx"
    filled = tmp_path / "tai-khoan.xlsx"
    filled.write_bytes(filled_template(template_download.value.path().read_bytes()))

    page.locator("input[type=file]").set_input_files(filled)
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    expect(page.get_by_role("status").filter(has_text="Đã tạo")).to_contain_text(
        f"Đã tạo {ACCOUNTS} tài khoản"
    )
    with page.expect_download() as passwords_download:
        page.get_by_role("link", name="Tải tệp mật khẩu").click()
    assert passwords_download.value.suggested_filename == "mat-khau-dung-mot-lan.xlsx"
    sheet = load_workbook(io.BytesIO(passwords_download.value.path().read_bytes())).active
    header, *rows = sheet.iter_rows(values_only=True)
    assert header == ("Họ và tên", "Tên đăng nhập", "Mật khẩu dùng một lần", "Đơn vị", "Vai trò")
    assert len(rows) == ACCOUNTS
    passwords = {username: password for _, username, password, _, _ in rows}
    assert len(set(passwords.values())) == ACCOUNTS and all(passwords.values())

    # Once: the same link a second time is refused.
    refused = page.request.get("/tai-khoan/nhap/mat-khau/")
    assert refused.status == 404 and "Mật khẩu dùng một lần" not in refused.text()
    page.get_by_role("link", name="Tải tệp mật khẩu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang")

    # The list holds the 200 (and the admin), the reviewers among them by the role filter.
    page.goto("/tai-khoan/")
    expect(page.get_by_text(f"{ACCOUNTS + 1} tài khoản", exact=True)).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(50)
    page.get_by_label("Vai trò").select_option(label=Role.REVIEWER.label)
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_text(f"{REVIEWERS} tài khoản", exact=True)).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(REVIEWERS)
    expect(page.locator("tbody")).to_contain_text("thamdinh.nhap001")
    return passwords


def cadre_changes_the_one_time_password(page, username, password):
    """Journey 2a: every page sends a new cadre to the password change until it is done."""
    submit_login(page, username, password)
    expect(page).to_have_url(PASSWORD_CHANGE)
    expect(page.get_by_role("alert").filter(has_text="mật khẩu tạm thời")).to_be_visible()
    for address in ("/", "/mo-hinh/", "/tai-khoan/"):
        page.goto(address)
        expect(page).to_have_url(PASSWORD_CHANGE)
    change_password(page, password)
    page.goto("/")
    expect(page).to_have_url(HOME)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    page.goto("/mo-hinh/")
    expect(page).to_have_url(re.compile(r"/mo-hinh/$"))
    assert not AccountProfile.objects.filter(
        user__username=username, must_change_password=True
    ).exists()


def reviewer_sets_up_the_second_step(page, username, password):
    """Journey 2b: a reviewer, whose role requires the second step, sets up an authenticator
    app and changes the one-time password; the next log-in asks for the app's code.

    The second step comes first (``accounts.middleware``): the password change then happens in
    a session that has passed it.
    """
    submit_login(page, username, password)
    expect(page).to_have_url(SET_UP)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thiết lập đăng nhập hai bước")
    page.goto("/doi-mat-khau/")
    expect(page).to_have_url(SET_UP)
    secret = page.locator("#khoa-bi-mat").inner_text()
    page.get_by_label("Mã 6 chữ số trong ứng dụng").fill(current_code(secret))
    page.get_by_role("button", name="Xác nhận và bật").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mã dự phòng")
    expect(page.locator("#ma-du-phong li")).to_have_count(10)
    page.get_by_role("button", name="Tôi đã lưu các mã, tiếp tục").click()

    change_password(page, password)
    page.goto("/")
    expect(page).to_have_url(HOME)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    assert not AccountProfile.objects.filter(
        user__username=username, must_change_password=True
    ).exists()

    page.context.clear_cookies()
    submit_login(page, username, NEW_PASSWORD)
    expect(page).to_have_url(VERIFY)
    page.goto("/mo-hinh/")
    expect(page).to_have_url(VERIFY)
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập hai bước")
    # The code the app shows 30 s later: the one used at set-up cannot be used twice.
    page.get_by_label("Mã xác thực").fill(current_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page).to_have_url(re.compile(r"/mo-hinh/$"))


def test_admin_imports_200_accounts_and_new_people_sign_in_for_the_first_time(
    page, browser, live_server, seeded_rows, admin_user, settings, tmp_path
):
    settings.OTP_REQUIRED_ROLES = [Role.REVIEWER]
    log_in(page, admin_user.username, DEFAULT_PASSWORD)
    passwords = import_accounts(page, tmp_path)
    assert AccountProfile.objects.filter(must_change_password=True).count() == ACCOUNTS

    cadre = open_page(browser, live_server)
    cadre_changes_the_one_time_password(cadre, "canbo.nhap042", passwords["canbo.nhap042"])
    cadre.context.close()
    reviewer = open_page(browser, live_server)
    reviewer_sets_up_the_second_step(reviewer, "thamdinh.nhap001", passwords["thamdinh.nhap001"])
    reviewer.context.close()


def test_a_reset_link_sets_a_new_password_once(page, seeded_rows):
    person = UserFactory(username="canbo.quen", email="quen@example.vn")
    page.goto("/dang-nhap/")
    page.get_by_role("link", name="Quên mật khẩu?").click()
    page.get_by_label("E-mail").fill("quen@example.vn")
    page.get_by_role("button", name="Gửi liên kết đặt lại mật khẩu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kiểm tra hộp thư")
    run_queued_emails()
    (message,) = mail.outbox
    link = link_in(message)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Đặt mật khẩu mới")
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đặt mật khẩu mới").click()
    expect(page.get_by_text("Mật khẩu mới của bạn đã được lưu")).to_be_visible()
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Liên kết không còn hiệu lực")
    log_in(page, "canbo.quen", NEW_PASSWORD)


def test_a_locked_cadre_is_shown_out_at_the_next_request(
    page, browser, live_server, seeded_rows, tree, admin_user
):
    cadre = user_with_role(
        tree.ward, Role.CADRE, username="canbo.khoa", first_name="Hoàng Văn Khóa"
    )
    log_in(page, cadre.username, DEFAULT_PASSWORD)

    admin = open_page(browser, live_server)
    log_in(admin, admin_user.username, DEFAULT_PASSWORD)
    admin.goto("/tai-khoan/")
    admin.get_by_role("link", name="Hoàng Văn Khóa").click()
    admin.get_by_role("button", name="Khóa tài khoản").click()
    expect(admin.get_by_role("alert").filter(has_text="Đã khóa tài khoản")).to_be_visible()
    admin.context.close()
    assert not get_user_model().objects.get(pk=cadre.pk).is_active

    page.goto("/mo-hinh/")
    expect(page).to_have_url(LOGIN)
    submit_login(page, cadre.username, DEFAULT_PASSWORD)
    expect(page).to_have_url(LOGIN)
