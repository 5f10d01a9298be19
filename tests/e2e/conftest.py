"""Browser journeys: Playwright driving Debian's Chromium against the live test server."""

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.urls import reverse
from jwcrypto.jwk import JWK

from tests.e2e.accessibility import Recorder, watch_browser
from tests.oidc_provider.seed import CLIENT_ID, CLIENT_SECRET

ROOT = Path(__file__).resolve().parents[2]

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
def axe_recorder():
    """axe-core's findings over the run, summed up in var/accessibility/ at the end."""
    recorder = Recorder()
    yield recorder
    recorder.write_summary(ROOT / "var" / "accessibility")


@pytest.fixture(autouse=True)
def accessible_pages(request, axe_recorder):
    """Every page a journey visits, for every role it logs in as: no serious or critical
    violation of WCAG 2.1 AA, as axe-core finds them."""
    axe_recorder.current_test = request.node.nodeid
    yield
    if "browser" not in request.fixturenames:
        return
    browser = request.getfixturevalue("browser")
    for watcher in browser.axe_watchers:
        if not watcher.page.is_closed():
            watcher.check()
        watcher.settle()
    browser.axe_watchers[:] = [w for w in browser.axe_watchers if not w.page.is_closed()]
    found = [
        line for audit in axe_recorder.for_test(request.node.nodeid) for line in audit.blocking()
    ]
    if found:
        pytest.fail("axe-core: serious or critical violations\n" + "\n".join(found), pytrace=False)


@pytest.fixture(scope="session")
def browser(axe_recorder):
    if not CHROMIUM.exists():
        reason = "Chromium is not installed: apt-get install -y chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot be skipped in CI. {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Never a downloaded browser: the machine's Chromium, with its network chatter off.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        browser.axe_watchers = watch_browser(browser, axe_recorder)
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
def demo_site(demo_load):
    """A live server over the demo data (``demo_load`` in tests/conftest.py), for every journey
    that walks it."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer(os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost")
    try:
        yield DemoSite(url=server.url, media=demo_load.media)
    finally:
        server.stop()


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


# The province's single sign-on gateway, played by a real OpenID provider (tests/oidc_provider).
PROVIDER_START_TIMEOUT = 30


@dataclass(frozen=True)
class Provider:
    url: str
    subjects: dict[str, str]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def provider(live_server, tmp_path_factory):
    """The provider as its own Django project and process, with a fresh RSA key, a SQLite file,
    three people and the portal registered as a confidential client whose redirect URI is the
    live server's callback."""
    directory = tmp_path_factory.mktemp("oidc-provider")
    key = directory / "signing-key.pem"
    key.write_bytes(JWK.generate(kty="RSA", size=2048).export_to_pem(True, None))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "OIDC_PROVIDER_DATABASE": str(directory / "provider.sqlite3"),
        "OIDC_PROVIDER_KEY": str(key),
    }
    callback = live_server.url + reverse("oidc_authentication_callback")
    seeded = subprocess.run(
        [sys.executable, "-m", "tests.oidc_provider.seed", callback],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    subjects = json.loads(seeded.stdout.strip().splitlines()[-1])
    url = f"http://127.0.0.1:{free_port()}"
    log = (directory / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", "--noreload", url.removeprefix("http://")],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + PROVIDER_START_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail(
                    f"the OpenID provider stopped: {(directory / 'server.log').read_text()}"
                )
            try:
                if requests.get(f"{url}/o/.well-known/jwks.json", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the OpenID provider did not start")
            time.sleep(0.2)
        yield Provider(url=url, subjects=subjects)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture
def gateway(settings, provider, seeded_rows):
    """The portal configured as the production settings would be from DJANGO_OIDC_*."""
    settings.OTP_REQUIRED_ROLES = []
    settings.OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "danvan.single_sign_on.GatewayBackend",
    ]
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider.url}/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider.url}/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider.url}/o/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider.url}/o/.well-known/jwks.json"
    return provider
