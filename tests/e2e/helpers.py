"""Steps shared by the browser journeys."""

import re

from django.conf import settings
from playwright.sync_api import expect

from accounts.models import AccountProfile
from danvan.help_pages import screenshot_path
from demo.files import pdf_bytes
from demo.management.commands.load_demo import demo_password
from tests.factories import UserFactory

# A small real PDF: the upload checks read it through.
PDF = pdf_bytes("Kế hoạch", ["Ke hoach thuc hien"])


def log_in(page, username, password=None):
    """Open the portal as ``username`` (a demo user unless ``password`` is given) by logging in."""
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/dang-nhap/"))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password or demo_password())
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")


def linked_account(provider, provider_username: str, **fields):
    """A portal account carrying the subject the test provider gives ``provider_username``."""
    person = UserFactory(**fields)
    AccountProfile.objects.create(user=person, sso_subject=provider.subjects[provider_username])
    return person


def help_screenshot(target, name: str, **options) -> None:
    """Picture ``target`` (a page, or a part of one) as it is now for the user guides, under one
    of the names they list (``danvan.help_pages.SCREENSHOTS``), so that the guides show the
    pages as they are."""
    path = screenshot_path(name)
    settings.HELP_SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=path, **options)


def pick(page, box, typed: str, name: str):
    """Choose ``name`` in the picker ``box`` (its search box) from the keyboard: type, Enter."""
    # Until the script has run, the box is the plain select it enhances.
    page.wait_for_load_state()
    box.fill(typed)
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option").first).to_contain_text(name)
    box.press("Enter")
    expect(listbox).to_be_hidden()


def chips(box):
    """The names chosen in the picker whose search box is ``box``."""
    return box.locator("xpath=ancestor::div[contains(@class, 'choice-picker')][1]").locator(
        ".choice-chip span"
    )


def step_screenshot(page, name: str) -> None:
    """Picture a journey's step, whole page, beside the guides' pictures (``name`` without
    ".png"); only the pictures ``danvan.help_pages.SCREENSHOTS`` lists are ever served."""
    settings.HELP_SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=settings.HELP_SCREENSHOTS_DIR / f"{name}.png", full_page=True)
