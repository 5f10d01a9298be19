"""A cadre logs in, opens the organisation tree and finds a ward typed without diacritics."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in

pytestmark = pytest.mark.e2e


def test_cadre_finds_the_ward_by_typing_without_diacritics(page, demo_data):
    log_in(page, "canbo.thainguyen")
    page.get_by_role("link", name="Đơn vị", exact=True).click()
    expect(page.get_by_role("heading", name="Cây đơn vị")).to_be_visible()

    page.get_by_label("Tìm đơn vị theo tên").press_sequentially("linh son", delay=30)
    results = page.locator("#ket-qua-tim-kiem")
    # htmx fills the results as the cadre types, without a page load.
    expect(results.get_by_role("link", name="Phường Linh Sơn", exact=True)).to_be_visible()
    expect(results).not_to_contain_text("Phường Quan Hoa (cũ)")

    results.get_by_role("link", name="Phường Linh Sơn", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Phường Linh Sơn")
    expect(page.get_by_role("link", name="Tổ dân phố 9")).to_be_visible()


def test_tree_nodes_expand_and_collapse(page, demo_data):
    log_in(page, "canbo.thainguyen")
    page.goto("/don-vi/")
    toggle = page.get_by_role("button", name="Mở hoặc đóng Tỉnh Thái Nguyên")
    toggle.click()
    ward = page.get_by_role("link", name="Phường Linh Sơn", exact=True)
    expect(ward).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.click()
    expect(ward).to_be_hidden()
    # The province absorbed Bắc Kạn in 2025: its former units are reachable from here too.
    expect(page.get_by_role("link", name="Tỉnh Bắc Kạn (cũ)")).to_be_visible()
