"""What a page weighs on the wire: `make bench-page-weight` (see bench/README.md).

Serves the portal with gunicorn on loopback, with production settings (no debug, the hashed and
compressed static files of ``collectstatic``), over the demo data (loaded into the database named
by ``DATABASE_URL`` when it is not there yet). Headless Chromium (Playwright) opens every main
page of each role twice, in one browser context whose cache starts empty:

- the first visit (cold cache): every byte that crossed the network, compressed as it was sent,
  headers included, summed over the page's requests;
- a later visit (warm cache): which requests still reached the network.

Targets: a first visit under 100 KB (100,000 bytes), and a later visit that fetches the HTML
alone (and what htmx itself asks for: its requests are the page's content, not assets). A page
that misses either is named with what it fetched, and the run exits with status 1. Results go to
``bench/results/page_weight.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")

from load import loopback_production, start_servers, stop_servers  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
FIRST_VISIT_BUDGET = 100_000  # bytes on the wire, compressed
UNCOMPRESSED_LIMIT = 1500  # a page, script or stylesheet larger than this goes compressed
PORT = 8711
# Requests a later visit may make: the page itself, and what htmx asks the server for.
ALLOWED_LATER = {"Document", "XHR", "Fetch"}
DEMO_MARKER = "canbo.thainguyen"

# The province's cadre, reviewer and administrator (staff: the admin site's pages too).
CADRE, REVIEWER, ADMIN = "canbo.thainguyen", "thamdinh.thainguyen", "quantri.thainguyen"
ROLES = {CADRE: "cadre", REVIEWER: "reviewer", ADMIN: "admin"}


@dataclass
class Fetch:
    url: str
    kind: str
    status: int
    bytes: int
    encoding: str
    error: str = ""


@dataclass
class Visit:
    requests: list[Fetch] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return sum(fetch.bytes for fetch in self.requests)


def environment(database_url: str) -> dict:
    """The load test's production settings on loopback, without the access log."""
    return {
        **loopback_production(database_url, secrets.token_urlsafe(40)),
        "DJANGO_ACCESS_LOG": "false",
    }


def ensure_demo(env: dict) -> None:
    """The demo data, loaded once into the database (migrated first)."""
    run = {"cwd": ROOT, "env": {**os.environ, **env}, "check": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], **run)
    from django.contrib.auth import get_user_model

    if not get_user_model().objects.filter(username=DEMO_MARKER).exists():
        print("Loading the demo data (once)…", flush=True)
        subprocess.run([sys.executable, "manage.py", "load_demo", "-v", "0"], **run)


def pages() -> list[tuple[str, str, str]]:
    """(user, page, path) of every main page of each role, on the demo data."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.urls import reverse

    from danvan.help_pages import GUIDES
    from models_registry.choices import Status
    from models_registry.models import DanVanModel
    from organisations.models import Membership
    from reviews.selectors import rounds as round_selectors

    users = {user.username: user for user in get_user_model().objects.all()}

    def heaviest_model(user, **filters):
        # The model with the most attachments: its page shows the most.
        model = (
            DanVanModel.objects.visible_to(user)
            .filter(**filters)
            .annotate(files=Count("attachments"))
            .order_by("-files", "pk")
            .first()
        )
        if model is None:
            sys.exit(f"The demo has no model for {user.username} with {filters}.")
        return model

    cadre, reviewer, admin = users[CADRE], users[REVIEWER], users[ADMIN]
    shown = heaviest_model(cadre)
    waiting = heaviest_model(reviewer, status=Status.SUBMITTED)
    proposed = heaviest_model(reviewer, status=Status.PROPOSED)
    draft = heaviest_model(cadre, status=Status.DRAFT)
    commendation = round_selectors.round_list(reviewer).first()
    if commendation is None:
        sys.exit(f"The demo has no commendation round for {reviewer.username}.")
    membership = Membership.objects.visible_to(admin).exclude(user=admin).order_by("pk").first()
    guide = next(iter(GUIDES))
    listed = [
        ("", "log-in", reverse("login")),
        (CADRE, "home", reverse("home")),
        (CADRE, "model list", reverse("models_registry:model_list")),
        (CADRE, "model page", shown.get_absolute_url()),
        (CADRE, "registration form", reverse("models_registry:model_create")),
        (CADRE, "draft form", reverse("models_registry:model_update", args=[draft.pk])),
        (CADRE, "organisation tree", reverse("organisations:organisation_tree")),
        (CADRE, "notifications", reverse("notification_list")),
        (CADRE, "report", reverse("reports:report")),
        (CADRE, "help", reverse("help_index")),
        (CADRE, "help guide", reverse("help_guide", args=[guide])),
        (REVIEWER, "home", reverse("home")),
        (REVIEWER, "queue", reverse("reviews:queue")),
        (REVIEWER, "review page", waiting.get_absolute_url()),
        (REVIEWER, "appraisal", reverse("reviews:model_appraise", args=[proposed.pk])),
        (REVIEWER, "rounds", reverse("reviews:round_list")),
        (REVIEWER, "round page", reverse("reviews:round_detail", args=[commendation.pk])),
        (REVIEWER, "report", reverse("reports:report")),
        (ADMIN, "home", reverse("home")),
        (ADMIN, "model list", reverse("models_registry:model_list")),
        (ADMIN, "accounts", reverse("accounts:account_list")),
        (ADMIN, "report", reverse("reports:report")),
        (ADMIN, "admin index", reverse("admin:index")),
        (
            ADMIN,
            "admin model list",
            reverse("admin:models_registry_danvanmodel_changelist") + "?status__exact=accepted",
        ),
        (
            ADMIN,
            "admin model form",
            reverse("admin:models_registry_danvanmodel_change", args=[shown.pk]),
        ),
        (
            ADMIN,
            "admin delete page",
            reverse("admin:organisations_membership_delete", args=[membership.pk]),
        ),
    ]
    return listed


class Recorder:
    """The requests of one page over the Chrome DevTools protocol: what reached the network,
    with the bytes received for each (``encodedDataLength``: compressed body and headers)."""

    def __init__(self, page):
        self.session = page.context.new_cdp_session(page)
        self.seen: dict[str, dict] = {}
        self.session.send("Network.enable")
        self.session.on("Network.requestWillBeSent", self.sent)
        self.session.on("Network.responseReceived", self.received)
        self.session.on("Network.requestServedFromCache", self.cached)
        self.session.on("Network.loadingFinished", self.finished)
        self.session.on("Network.loadingFailed", self.failed)

    def start(self) -> None:
        self.seen = {}

    def sent(self, event) -> None:
        url = event["request"]["url"]
        if not url.startswith("http"):
            return  # data: images drawn by the stylesheets
        entry = self.seen.setdefault(event["requestId"], {"bytes": 0, "cached": False})
        entry.update(url=url, kind=event.get("type", "Other"))
        # A redirect reuses the request id: the answer that redirected was received too.
        if "redirectResponse" in event:
            entry["bytes"] += event["redirectResponse"].get("encodedDataLength", 0)

    def received(self, event) -> None:
        entry = self.seen.get(event["requestId"])
        if entry is None:
            return
        response = event["response"]
        headers = {key.lower(): value for key, value in response.get("headers", {}).items()}
        entry.update(
            status=response["status"],
            encoding=headers.get("content-encoding", ""),
            cached=entry["cached"]
            or response.get("fromDiskCache", False)
            or response.get("fromPrefetchCache", False)
            or response.get("fromServiceWorker", False),
        )

    def cached(self, event) -> None:
        if event["requestId"] in self.seen:
            self.seen[event["requestId"]]["cached"] = True

    def finished(self, event) -> None:
        entry = self.seen.get(event["requestId"])
        if entry is not None:
            entry["bytes"] += int(event.get("encodedDataLength", 0))

    def failed(self, event) -> None:
        entry = self.seen.get(event["requestId"])
        if entry is not None:
            entry["failed"] = event.get("errorText", "failed")

    def visit(self) -> Visit:
        visit = Visit()
        for entry in self.seen.values():
            if entry["cached"] or "url" not in entry:
                continue
            visit.requests.append(
                Fetch(
                    url=path_of(entry["url"]),
                    kind=entry["kind"],
                    status=entry.get("status", 0),
                    bytes=entry["bytes"],
                    encoding=entry.get("encoding", ""),
                    error=entry.get("failed", ""),
                )
            )
        return visit


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def log_in(browser, base_url: str, username: str, password: str) -> dict:
    """The signed-in cookies of ``username`` (from a context thrown away after)."""
    context = browser.new_context(base_url=base_url, locale="vi-VN")
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state("load")
    if "/dang-nhap/" in page.url:
        sys.exit(f"Could not log in as {username}.")
    state = context.storage_state()
    context.close()
    return state


def measure(browser, base_url: str, state: dict | None, path: str) -> tuple[Visit, Visit]:
    """The first and a later visit of ``path`` in a context of its own (empty cache)."""
    context = browser.new_context(base_url=base_url, locale="vi-VN", storage_state=state)
    page = context.new_page()
    recorder = Recorder(page)
    visits = []
    for _ in range(2):
        recorder.start()
        page.goto(path, wait_until="load")
        page.wait_for_load_state("networkidle")
        visits.append(recorder.visit())
        # Away to a blank page and back, as a person coming back to the page does.
        page.goto("about:blank")
    context.close()
    return visits[0], visits[1]


def problems(first: Visit, later: Visit) -> list[str]:
    found = []
    if first.bytes >= FIRST_VISIT_BUDGET:
        heaviest = sorted(first.requests, key=lambda fetch: -fetch.bytes)[:3]
        found.append(
            f"first visit {first.bytes / 1000:.1f} KB ≥ {FIRST_VISIT_BUDGET / 1000:g} KB"
            f" (heaviest: {', '.join(f'{f.url} {f.bytes / 1000:.1f} KB' for f in heaviest)})"
        )
    extra = [fetch for fetch in later.requests if fetch.kind not in ALLOWED_LATER]
    if extra:
        found.append(
            "later visit fetched "
            + ", ".join(f"{fetch.url} ({fetch.kind}, {fetch.status})" for fetch in extra)
        )
    uncompressed = [
        fetch
        for fetch in first.requests
        if fetch.kind in {"Stylesheet", "Script", "Document"}
        and fetch.bytes > UNCOMPRESSED_LIMIT
        and not fetch.encoding
    ]
    broken = [fetch for fetch in first.requests + later.requests if fetch.error]
    if broken:
        found.append("failed: " + ", ".join(f"{fetch.url} ({fetch.error})" for fetch in broken))
    if uncompressed:
        found.append("sent uncompressed: " + ", ".join(fetch.url for fetch in uncompressed))
    return found


def print_table(rows: list[dict]) -> None:
    print(
        f"\n{'role':<13} {'page':<18} {'first: KB':>9} {'req':>4} "
        f"{'later: KB':>9} {'req':>4}  later visit fetched / problems"
    )
    for row in rows:
        later = ", ".join(f"{fetch['url']} ({fetch['kind']})" for fetch in row["later"]["requests"])
        note = "; ".join(row["problems"]) or later
        print(
            f"{row['role']:<13} {row['page']:<18} {row['first']['bytes'] / 1000:>9.1f}"
            f" {len(row['first']['requests']):>4} {row['later']['bytes'] / 1000:>9.1f}"
            f" {len(row['later']['requests']):>4}  {note}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        sys.exit("Set DATABASE_URL to the database to serve (the demo is loaded into it once).")
    env = environment(database_url)
    os.environ.update(env)

    import django

    django.setup()
    from playwright.sync_api import sync_playwright

    from demo.management.commands.load_demo import demo_password

    ensure_demo(env)
    listed = pages()
    # Every run collects anew: files left by another checkout or an older commit would be served.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--clear", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
    )
    servers = start_servers(ROOT, env, 1, args.workers, ports=(args.port,))
    base_url = f"http://127.0.0.1:{args.port}"
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            states = {
                username: log_in(browser, base_url, username, demo_password())
                for username in dict.fromkeys(user for user, _, _ in listed if user)
            }
            for username, name, path in listed:
                first, later = measure(browser, base_url, states.get(username), path)
                rows.append(
                    {
                        "role": ROLES.get(username, "anonymous"),
                        "user": username,
                        "page": name,
                        "path": path,
                        "first": {
                            "bytes": first.bytes,
                            "requests": [asdict(f) for f in first.requests],
                        },
                        "later": {
                            "bytes": later.bytes,
                            "requests": [asdict(f) for f in later.requests],
                        },
                        "problems": problems(first, later),
                    }
                )
            browser.close()
    finally:
        stop_servers(servers)
    print_table(rows)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "page_weight.json").write_text(
        json.dumps(
            {"first_visit_budget_bytes": FIRST_VISIT_BUDGET, "pages": rows},
            indent=2,
            ensure_ascii=False,
        )
    )
    missed = [row for row in rows if row["problems"]]
    if missed:
        print("\nKHÔNG ĐẠT:")
        for row in missed:
            print(f"  {row['role']} · {row['page']} ({row['path']}): {'; '.join(row['problems'])}")
        sys.exit(1)
    print("\nđạt: every first visit under 100 KB, every later visit the HTML alone.")


if __name__ == "__main__":
    main()
