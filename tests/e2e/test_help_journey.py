"""A cadre finds the user guides in the user menu and reads the one for cadres."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in

pytestmark = pytest.mark.e2e


def test_a_cadre_opens_the_guide_from_the_user_menu(page, demo_data):
    log_in(page, "canbo.linhson")
    navigation = page.get_by_role("navigation", name="Điều hướng chính")
    navigation.locator(".dropdown-toggle").click()
    navigation.get_by_role("link", name="Hướng dẫn sử dụng").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hướng dẫn sử dụng")
    page.locator(".list-group").get_by_role("link", name="Cán bộ cơ sở").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hướng dẫn sử dụng cho cán bộ cơ sở")
    expect(page.get_by_role("heading", level=2, name="2. Gửi duyệt")).to_be_visible()
    # Each step's picture, or the line saying it comes with the next browser run.
    expect(page.locator("figure")).to_have_count(3)
