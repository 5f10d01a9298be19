"""Typing into forms in an English browser: dates stay day first with the portal's calendar,
numbers are grouped the Vietnamese way, and Enter in a text box sends nothing."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from models_registry.models import DanVanModel
from organisations.choices import Role
from tests.e2e.helpers import log_in
from tests.factories import DEFAULT_PASSWORD, user_with_role

pytestmark = pytest.mark.e2e

NAME = "Thắp sáng đường quê tổ dân phố 9"


@pytest.fixture
def english_page(browser, live_server, seeded_rows, tree):
    """A cadre's page in a browser whose language is American English (month first)."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    cadre = user_with_role(tree.ward, Role.CADRE, username="canbo.tiengAnh")
    log_in(page, cadre.username, DEFAULT_PASSWORD)
    yield page
    context.close()


def calendar_to(page, title):
    """Turn the open calendar's months with the keyboard until it shows ``title``."""
    shown = page.locator(".calendar-popup [data-title]")
    for _ in range(400):
        current = shown.inner_text()
        if current == title:
            return
        month, year = (int(part) for part in current.removeprefix("Tháng ").split(" năm "))
        wanted_month, wanted_year = (
            int(part) for part in title.removeprefix("Tháng ").split(" năm ")
        )
        key = "PageUp" if (year, month) > (wanted_year, wanted_month) else "PageDown"
        page.keyboard.press(key)
    raise AssertionError(f"the calendar never showed {title}")


def test_an_english_browser_picks_and_shows_dates_day_first(english_page):
    page = english_page
    assert page.evaluate("navigator.language") == "en-US"
    page.goto(reverse("models_registry:model_create"))
    page.evaluate(
        """() => { window.sent = 0; window.hold = true;
            document.getElementById("form-mo-hinh").addEventListener("submit", (event) => {
              window.sent += 1; if (window.hold) event.preventDefault(); }); }"""
    )

    # Enter in a text box sends nothing, not even the blank form.
    page.get_by_label("Tên mô hình, điển hình").press("Enter")
    assert page.evaluate("window.sent") == 0
    page.get_by_label("Tên mô hình, điển hình").fill(NAME)
    page.get_by_label("Tên mô hình, điển hình").press("Enter")
    page.get_by_label("Người liên hệ").fill("Lò Văn Sáng")
    page.get_by_label("Người liên hệ").press("Enter")
    assert page.evaluate("window.sent") == 0

    # The start date, picked on the portal's calendar: 1 March 2026.
    start = page.get_by_label("Ngày bắt đầu")
    expect(start).to_have_attribute("type", "text")
    expect(start).to_have_attribute("placeholder", "dd/mm/yyyy")
    page.locator("#o-start_date [data-calendar-button]").click()
    calendar = page.get_by_role("dialog", name="Chọn ngày")
    expect(calendar).to_be_visible()
    expect(calendar.get_by_role("columnheader").first).to_have_text("T2")  # Monday first
    calendar_to(page, "Tháng 3 năm 2026")
    calendar.get_by_role("button", name="1 tháng 3 năm 2026", exact=True).click()
    expect(calendar).to_be_hidden()
    expect(start).to_have_value("01/03/2026")
    expect(start).to_be_focused()

    # The evaluation date typed ISO is shown day first; then moved by the keyboard.
    evaluation = page.get_by_label("Ngày đánh giá")
    evaluation.fill("2026-11-20")
    evaluation.press("Tab")
    expect(evaluation).to_have_value("20/11/2026")
    evaluation.focus()
    page.keyboard.press("Alt+ArrowDown")
    expect(calendar).to_be_visible()
    expect(calendar.locator("[data-title]")).to_have_text("Tháng 11 năm 2026")
    expect(calendar.get_by_role("button", name="20 tháng 11 năm 2026")).to_be_focused()
    page.keyboard.press("Escape")  # closes, changes nothing
    expect(calendar).to_be_hidden()
    expect(evaluation).to_have_value("20/11/2026")
    expect(evaluation).to_be_focused()
    page.keyboard.press("Alt+ArrowDown")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(evaluation).to_have_value("28/11/2026")

    # Amounts grouped as they are typed.
    funds = page.locator("#id_funds")
    funds.press_sequentially("123456789")
    expect(funds).to_have_value("123.456.789")
    funds.press("Home")
    funds.press("ArrowRight")
    # Typed after the first digit: the groups move, the caret stays after what was typed.
    funds.press_sequentially("0")
    expect(funds).to_have_value("1.023.456.789")
    funds.press_sequentially("5")
    expect(funds).to_have_value("10.523.456.789")

    page.evaluate("() => { window.hold = false; }")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.get_by_role("alert").filter(has_text="Đã lưu bản nháp")).to_be_visible()
    model = DanVanModel.objects.get(name=NAME)
    assert model.start_date == datetime.date(2026, 3, 1)
    assert model.evaluation_date == datetime.date(2026, 11, 28)
    assert model.funds == 10_523_456_789
    expect(page.get_by_label("Ngày bắt đầu")).to_have_value("01/03/2026")
    expect(page.get_by_label("Ngày đánh giá")).to_have_value("28/11/2026")
    expect(page.locator("#id_funds")).to_have_value("10.523.456.789")


def test_a_two_digit_year_is_answered_in_vietnamese(english_page):
    page = english_page
    page.goto(reverse("models_registry:model_create"))
    page.get_by_label("Tên mô hình, điển hình").fill("Đèn đường tổ 9")
    page.get_by_label("Ngày bắt đầu").fill("01/03/26")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.get_by_text("Năm phải có 4 chữ số, ví dụ 20/11/2026.")).to_be_visible()
    expect(page.get_by_label("Ngày bắt đầu")).to_have_value("01/03/26")
    assert not DanVanModel.objects.filter(name="Đèn đường tổ 9").exists()


def test_the_list_filter_takes_dates_day_first(english_page, tree):
    page = english_page
    page.goto(reverse("models_registry:model_list"))
    start = page.get_by_label("Bắt đầu từ ngày")
    expect(start).to_have_attribute("type", "text")
    start.fill("1/3/2026")
    start.press("Tab")
    expect(start).to_have_value("01/03/2026")
    start.press("Enter")  # a filter (GET) still runs on Enter
    expect(page).to_have_url(re.compile(r"start_from=01%2F03%2F2026"))
    expect(page.get_by_label("Bắt đầu từ ngày")).to_have_value("01/03/2026")


def test_a_form_only_looked_at_leaves_no_draft(english_page):
    page = english_page
    page.clock.install()  # runs as the real clock; jumped past the autosave's pause below
    page.goto(reverse("models_registry:model_create"))
    # Choosing the kind starts the autosave, with nothing typed: the server makes no draft.
    with page.expect_response("**/tu-dong-luu/", timeout=30_000) as autosaved:
        page.get_by_label("Điển hình", exact=True).check()
        page.clock.fast_forward(2_500)  # the pause static/js/model_form.js waits for
    assert autosaved.value.json() == {"ok": True, "empty": True}
    expect(page.locator("[data-autosave-status]")).to_have_text("")
    assert page.url.endswith(reverse("models_registry:model_create"))
    # A stray click on "Lưu nháp" neither.
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.get_by_text("Biểu mẫu còn trống nên chưa lưu bản nháp nào.")).to_be_visible()
    assert not DanVanModel.objects.exists()
