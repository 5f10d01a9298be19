"""A commune cadre's whole journey on a phone (390 × 844): the list as cards with each status
whole on the screen, the filters folded behind one button, a registration sent for review and
found in the list. Each step is photographed in var/screenshots/phone/."""

import re

import pytest
from playwright.sync_api import expect

from models_registry.models import DanVanModel
from tests.e2e.conftest import ROOT
from tests.e2e.helpers import PDF, log_in
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
        name = cards.nth(index).locator("td").first.get_by_role("link")
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
