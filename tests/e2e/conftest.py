"""Browser journeys: Playwright driving Debian's Chromium against the live test server."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's synchronous API runs an event loop in the test's thread; Django's ORM (used by
# fixtures in the same thread) must be told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = "Chromium is not installed: apt-get install -y chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot be skipped in CI. {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Never a downloaded browser: the machine's Chromium, with its network chatter off.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo_data(seeded_rows, transactional_db):
    """The demo data on top of what the migrations seed (themes, indicators, the rubric).

    A browser test runs outside a transaction: the live server must see its rows. Its tables
    are flushed afterwards, so the seeded rows are restored before each test and the demo data,
    which refers to them, is loaded again.
    """
    call_command("load_demo", verbosity=0)
