"""A commune cadre's whole journey on a phone (390 × 844): the list as cards with each status
whole on the screen, the filters folded behind one button, a registration sent for review and
found in the list. Each step is photographed in var/screenshots/phone/.

Then the registration's whole way on two phones: the cadre registers through the pickers, the
reviewer returns it, the cadre fixes it, the reviewer accepts it; those steps are pictured
beside the guides' pictures (``phone-cadre-01-login.png``, …)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from models_registry.models import DanVanModel
from tests.e2e.conftest import ROOT
from tests.e2e.helpers import PDF, chips, log_in, pick, step_screenshot
from tests.e2e.test_model_registration import CADRE, fill_everything_but_the_goals

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 390, 844
SHOTS = ROOT / "var" / "screenshots" / "phone"
# Its own name: the demo data is shared by the journeys.
NAME = "Vườn rau an toàn hộ nghèo bản Phiêng Luông"


def shoot(page, step: str):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{step}.png"), full_page=True)


def assert_cards_fit(page):
    """Every card's status badge is shown whole inside the screen's width, and the page does
    not scroll sideways."""
    cards = page.locator("table.card-rows tbody tr")
    assert cards.count() > 0
    for index in range(cards.count()):
        badge = cards.nth(index).locator(".status-badge")
        expect(badge).to_be_visible()
        box = badge.bounding_box()
        assert box is not None and box["width"] > 0
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (index, box)
        assert badge.evaluate("node => node.scrollWidth <= node.clientWidth")
        name = cards.nth(index).get_by_role("link").first  # the model's name
        name_box = name.bounding_box()
        assert name_box["x"] >= 0 and name_box["x"] + name_box["width"] <= WIDTH
    assert page.evaluate("document.scrollingElement.scrollWidth") <= WIDTH


def open_list(page):
    page.get_by_role("button", name="Mở menu").click()
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Mô hình, điển hình"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mô hình, điển hình")


def filter_by_status(page, label: str):
    """Opens the folded filters from the keyboard and lists the models in ``label``."""
    toggle = page.get_by_role("button", name=re.compile(r"^Bộ lọc"))
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("search", name="Lọc danh sách")).to_be_hidden()
    toggle.focus()
    toggle.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    filters = page.get_by_role("search", name="Lọc danh sách")
    expect(filters).to_be_visible()
    filters.get_by_label("Trạng thái", exact=True).select_option(label=label)
    return filters


def test_cadre_journey_on_a_phone(page, demo_data, tmp_path):
    plan = tmp_path / "ke-hoach-vuon-rau.pdf"
    plan.write_bytes(PDF)
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    log_in(page, CADRE)
    shoot(page, "1-trang-chu")

    # The list: the filters folded behind one button, the rows as cards.
    open_list(page)
    toggle = page.get_by_role("button", name=re.compile(r"^Bộ lọc"))
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text("Bộ lọc")  # no condition in force, no count
    toggle_box = toggle.bounding_box()
    assert toggle_box["y"] + toggle_box["height"] < HEIGHT / 2  # the list starts on screen one
    # The column headings stay for screen readers only; each cell names its column.
    assert page.locator("table.card-rows thead").bounding_box()["height"] <= 1
    assert_cards_fit(page)
    shoot(page, "2-danh-sach")

    # The filters, opened and used.
    filters = filter_by_status(page, "Chờ duyệt đăng ký")
    shoot(page, "3-bo-loc")
    filters.get_by_role("button", name="Lọc", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]status=submitted"))
    toggle = page.get_by_role("button", name=re.compile(r"^Bộ lọc"))
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle.locator(".badge")).to_have_text("1 điều kiện đang áp dụng")
    for badge in page.locator("table.card-rows .status-badge").all():
        expect(badge).to_have_text("Chờ duyệt đăng ký")
    assert_cards_fit(page)
    shoot(page, "4-da-loc")

    # A registration, sent for review.
    page.get_by_role("link", name="+ Đăng ký mô hình mới").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký mô hình, điển hình")
    fill_everything_but_the_goals(page)
    page.get_by_label("Tên mô hình, điển hình").fill(NAME)
    page.get_by_label("Mục tiêu, tiêu chí đánh giá").fill(
        "Mỗi hộ tham gia có vườn rau 200 m² cho thu hoạch quanh năm."
    )
    page.get_by_label("Tệp đính kèm (ảnh, kế hoạch").set_input_files(plan)
    shoot(page, "5-dang-ky")
    page.get_by_role("button", name="Lưu và gửi duyệt").click()
    expect(page.get_by_role("alert").filter(has_text="Đã gửi duyệt")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= WIDTH
    shoot(page, "6-da-gui-duyet")
    assert DanVanModel.objects.get(name=NAME).status == "submitted"

    # Found in the list of those waiting for review, as a card with its status.
    open_list(page)
    filters = filter_by_status(page, "Chờ duyệt đăng ký")
    filters.get_by_role("button", name="Lọc", exact=True).click()
    card = page.locator("table.card-rows tbody tr").filter(
        has=page.get_by_role("link", name=NAME, exact=True)
    )
    expect(card).to_have_count(1)
    expect(card.locator(".status-badge")).to_have_text("Chờ duyệt đăng ký")
    # Each cell is read (and shown) after its column's name.
    expect(page.get_by_role("row", name=re.compile(NAME))).to_contain_text("Phường Linh Sơn")
    unit = card.get_by_role("cell", name="Đơn vị chủ trì: Phường Linh Sơn")
    expect(unit).to_be_visible()
    assert_cards_fit(page)
    shoot(page, "7-thay-trong-danh-sach")


RETURN_NAME = "Bếp ăn tình thương cho người bệnh nghèo phường Linh Sơn"  # its own
RETURN_REASON = "Bổ sung số suất ăn mỗi tuần và danh sách nhà hảo tâm góp gạo."
REVIEWER = "thamdinh.thainguyen"


def fits(page):
    """The page does not scroll sideways on the phone."""
    assert page.evaluate("document.scrollingElement.scrollWidth") <= WIDTH


def open_from_queue(review, status: str):
    """The reviewer lists the ward's registrations waiting (the unit chosen in the picker),
    finds the model as a card with its status and opens it."""
    review.get_by_role("button", name="Mở menu").click()
    review.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Thẩm định"
    ).click()
    expect(review.get_by_role("heading", level=1)).to_have_text("Hồ sơ chờ thẩm định")
    # The queue's filters fold behind one button too.
    filters = review.get_by_role("search", name="Lọc danh sách chờ thẩm định")
    expect(filters).to_be_hidden()
    review.get_by_role("button", name=re.compile(r"^Bộ lọc")).click()
    expect(filters).to_be_visible()
    pick(
        review,
        filters.get_by_role("combobox", name="Đơn vị (gồm cả đơn vị trực thuộc)"),
        "phuong linh son",
        "Phường Linh Sơn",
    )
    filters.get_by_role("button", name="Lọc", exact=True).click()
    expect(
        review.get_by_role("button", name=re.compile(r"^Bộ lọc")).locator(".badge")
    ).to_have_text("1 điều kiện đang áp dụng")
    card = review.locator("table.card-rows tbody tr").filter(
        has=review.get_by_role("link", name=RETURN_NAME, exact=True)
    )
    expect(card.locator(".status-badge")).to_have_text(status)
    assert_cards_fit(review)
    return card


def test_the_cadre_and_the_reviewer_on_phones_from_registration_to_acceptance(
    page, browser, demo_site, demo_data, tmp_path
):
    """Registered through the pickers and day-first dates with a file, returned for more
    information, fixed and sent again, accepted: both people on a 390 × 844 screen, every page
    without sideways scrolling, each step pictured beside the guides' pictures."""
    plan = tmp_path / "ke-hoach-bep-an.pdf"
    plan.write_bytes(PDF)
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    page.goto(reverse("login"))
    fits(page)
    step_screenshot(page, "phone-cadre-01-login")
    log_in(page, CADRE)
    fits(page)

    # The registration: the pickers, the day-first dates, a file.
    page.goto(reverse("models_registry:model_create"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký mô hình, điển hình")
    fill_everything_but_the_goals(page)
    page.get_by_label("Tên mô hình, điển hình").fill(RETURN_NAME)
    page.get_by_label("Mục tiêu, tiêu chí đánh giá").fill(
        "Mỗi tuần 300 suất ăn miễn phí cho người bệnh nghèo và người nhà."
    )
    expect(chips(page.get_by_role("combobox", name="Đơn vị chủ trì"))).to_have_text(
        ["Phường Linh Sơn"]
    )
    pick(
        page,
        page.get_by_role("combobox", name="Địa bàn thực hiện"),
        "hoi lien hiep phu nu",
        "Hội Liên hiệp Phụ nữ phường Linh Sơn",
    )
    pick(
        page,
        page.get_by_role("combobox", name="Đơn vị phối hợp"),
        "doan thanh nien",
        "Đoàn Thanh niên phường Linh Sơn",
    )
    page.get_by_label("Ngày bắt đầu").fill("01/03/2025")
    page.get_by_label("Ngày đánh giá").fill("28/02/2026")
    page.get_by_label("Tệp đính kèm (ảnh, kế hoạch").set_input_files(plan)
    fits(page)
    step_screenshot(page, "phone-cadre-02-registration")
    page.get_by_role("button", name="Lưu và gửi duyệt").click()
    expect(page.get_by_role("alert").filter(has_text="Đã gửi duyệt")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(RETURN_NAME)
    expect(page.locator(".status-badge")).to_have_text("Chờ duyệt đăng ký")
    expect(page.locator("main")).to_contain_text("01/03/2025")
    fits(page)
    step_screenshot(page, "phone-cadre-03-submitted")
    model = DanVanModel.objects.get(name=RETURN_NAME)
    assert model.status == "submitted" and model.attachments.count() == 1
    assert model.start_date.isoformat() == "2025-03-01"

    # The reviewer, on a phone too, finds it in the queue and returns it.
    context = browser.new_context(base_url=demo_site.url, locale="vi-VN")
    context.set_default_timeout(15_000)
    review = context.new_page()
    review.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    try:
        log_in(review, REVIEWER)
        open_from_queue(review, "Chờ duyệt đăng ký")
        fits(review)
        step_screenshot(review, "phone-reviewer-04-queue")
        review.get_by_role("link", name=RETURN_NAME, exact=True).click()
        panel = review.locator("#tham-dinh")
        panel.get_by_label("Lý do trả lại: cần bổ sung, sửa những gì").fill(RETURN_REASON)
        fits(review)
        step_screenshot(review, "phone-reviewer-05-return")
        panel.get_by_role("button", name="Trả lại để bổ sung").click()
        expect(review.locator(".status-badge")).to_have_text("Trả lại để bổ sung")
        fits(review)

        # The cadre sees the status on the model's card, fixes the registration, sends it again.
        open_list(page)
        filter_by_status(page, "Trả lại để bổ sung").get_by_role(
            "button", name="Lọc", exact=True
        ).click()
        card = page.locator("table.card-rows tbody tr").filter(
            has=page.get_by_role("link", name=RETURN_NAME, exact=True)
        )
        expect(card.locator(".status-badge")).to_have_text("Trả lại để bổ sung")
        expect(card.locator(".status-badge")).to_be_visible()
        assert_cards_fit(page)
        step_screenshot(page, "phone-cadre-06-returned")
        card.get_by_role("link", name=RETURN_NAME, exact=True).click()
        expect(page.locator(".status-reason")).to_have_text(f"Lý do: {RETURN_REASON}")
        fits(page)
        page.get_by_role("link", name="Sửa đăng ký").click()
        page.get_by_label("Đối tượng tác động").fill(
            "40 người bệnh nghèo và người nhà; 12 nhà hảo tâm góp gạo hằng tháng."
        )
        fits(page)
        page.get_by_role("button", name="Lưu và gửi duyệt").click()
        expect(page.get_by_role("alert").filter(has_text="Đã gửi duyệt")).to_be_visible()
        expect(page.locator(".status-badge")).to_have_text("Chờ duyệt đăng ký")
        fits(page)
        step_screenshot(page, "phone-cadre-07-resubmitted")

        # The reviewer accepts it.
        open_from_queue(review, "Chờ duyệt đăng ký")
        review.get_by_role("link", name=RETURN_NAME, exact=True).click()
        review.locator("#tham-dinh").get_by_role("button", name="Duyệt đăng ký").click()
        expect(
            review.get_by_role("alert").filter(has_text=f"Đã duyệt đăng ký “{RETURN_NAME}”.")
        ).to_be_visible()
        expect(review.locator(".status-badge")).to_have_text("Đã duyệt đăng ký")
        fits(review)
        step_screenshot(review, "phone-reviewer-08-accepted")
    finally:
        context.close()
    model.refresh_from_db()
    assert model.status == "accepted"
