"""A shared office computer: what one user typed is gone from the browser once they log out."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.e2e

PORTAL_KEYS = """() => Object.keys(localStorage).filter((key) => key.startsWith("danvan-"))"""


def test_logging_out_clears_the_form_copy_and_no_page_breaks_the_policy(
    page, transactional_db, cadre
):
    refused = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refused.append(message.text),
    )
    log_in(page, cadre.username, DEFAULT_PASSWORD)
    page.goto("/mo-hinh/them/")
    page.get_by_label("Tên mô hình, điển hình").first.press_sequentially("Nuôi Dê", delay=20)
    # The copy kept while typing belongs to this user.
    page.wait_for_function("() => Object.keys(localStorage).some((k) => k.startsWith('danvan-'))")
    assert page.evaluate(PORTAL_KEYS) == [f"danvan-draft-{cadre.pk}-moi"]

    page.get_by_role("button", name=cadre.get_full_name() or cadre.username).click()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", name="Bạn đã đăng xuất")).to_be_visible()
    assert page.evaluate(PORTAL_KEYS) == []
    assert refused == []


def test_the_logged_out_page_clears_the_portals_keys_by_itself(page, transactional_db):
    # Without the Clear-Site-Data header (a GET of the page): the page's script does it.
    page.goto("/dang-nhap/")
    page.evaluate(
        """() => { localStorage.setItem("danvan-draft-7-12", "{}");
                   localStorage.setItem("khac", "giu-lai"); }"""
    )
    page.goto("/da-dang-xuat/")
    expect(page.get_by_role("heading", name="Bạn đã đăng xuất")).to_be_visible()
    assert page.evaluate(PORTAL_KEYS) == []
    assert page.evaluate("""() => localStorage.getItem("khac")""") == "giu-lai"
