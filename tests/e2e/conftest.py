"""Browser journeys: Playwright driving Debian's Chromium against the live test server."""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

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


@pytest.fixture(scope="session", autouse=True)
def server_connections_closed(django_db_setup, django_db_blocker):
    """Once the live servers have stopped, end the connections their request threads kept open
    (CONN_MAX_AGE), so that the test database can be dropped at the end of the session."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


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
def page(request, browser):
    """A browser page on the demo site (journeys asking for ``demo_data``) or on the live server.

    The live server is asked for here, not declared, so that a journey on the demo data is not
    made transactional by it: the flush after a transactional test would empty the demo data.
    Journeys with data of their own ask for ``seeded_rows`` (or ``transactional_db``).
    """
    if "demo_data" in request.fixturenames:
        base_url = request.getfixturevalue("demo_site").url
    elif "transactional_db" in request.fixturenames:
        base_url = request.getfixturevalue("live_server").url
    else:
        pytest.fail("a journey asks for demo_data or for data of its own (seeded_rows)")
    context = browser.new_context(base_url=base_url, locale="vi-VN")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def demo_site(django_db_setup, django_db_blocker, tmp_path_factory):
    """A live server over the demo data, loaded once for every journey that walks it.

    Loading the demo (hundreds of models through the services, with their files) costs far more
    than any journey on it, so it is loaded once and committed. The journeys on it run after
    every other test (see ``pytest_collection_modifyitems`` in tests/conftest.py), so no other
    test sees these rows; they are removed when the session ends.
    """
    from pytest_django.live_server_helper import LiveServer

    from tests.conftest import SEEDING_MIGRATIONS, reseed

    media = tmp_path_factory.mktemp("demo-private")
    with override_settings(PRIVATE_MEDIA_ROOT=media), django_db_blocker.unblock():
        call_command("load_demo", verbosity=0)
    server = LiveServer(os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost")
    try:
        yield DemoSite(url=server.url, media=media)
    finally:
        server.stop()
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)
            reseed(SEEDING_MIGRATIONS)


@dataclass(frozen=True)
class DemoSite:
    url: str
    media: Path


@pytest.fixture
def demo_data(request, demo_site, settings):
    """The demo data, for a journey that only adds to it (each names what it creates, so that
    the journeys stay independent of their order).

    The journey runs inside a transaction like any database test, which sees what the demo site
    commits; a transactional fixture would flush the demo data after the test.
    """
    if "transactional_db" in request.fixturenames:
        pytest.fail("a journey on the demo data cannot be transactional: it would empty it")
    settings.PRIVATE_MEDIA_ROOT = demo_site.media
