"""axe-core on every page the browser journeys visit.

Each page a journey opens is watched: once a document has loaded, axe-core (bundled with
axe-playwright-python, injected from disk: nothing is fetched) checks it against WCAG 2.0 and
2.1, levels A and AA, the next time the journey touches the page, and again before the page's
context closes. An htmx swap is the same page: only document loads count. A journey fails on
any serious or critical violation. The figures of the whole run, one row a page and role
(violations by impact, rules passed), are written to ``var/accessibility/`` as JSON and as a
Markdown table for the release notes.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError

WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_AA_TAGS},
    "resultTypes": ["violations"],
}
BLOCKING_IMPACTS = ("serious", "critical")
IMPACTS = ("critical", "serious", "moderate", "minor")

# Calls by which a journey reads or acts on the page: the loaded document is checked first.
WATCHED_METHODS = (
    "goto",
    "reload",
    "go_back",
    "get_by_role",
    "get_by_label",
    "get_by_text",
    "get_by_placeholder",
    "get_by_title",
    "get_by_alt_text",
    "get_by_test_id",
    "locator",
    "frame_locator",
    "click",
    "fill",
    "press",
    "check",
    "select_option",
    "set_input_files",
    "evaluate",
    "wait_for_function",
    "wait_for_url",
    "wait_for_load_state",
    "expect_download",
    "content",
    "close",
)

# The same for a locator's actions: a journey often acts through a locator it kept.
WATCHED_LOCATOR_METHODS = (
    "click",
    "dblclick",
    "fill",
    "clear",
    "press",
    "press_sequentially",
    "type",
    "check",
    "uncheck",
    "set_checked",
    "select_option",
    "set_input_files",
    "hover",
    "focus",
    "text_content",
    "inner_text",
    "input_value",
    "get_attribute",
    "is_visible",
    "is_checked",
    "count",
    "all",
    "wait_for",
)

NEW_DOCUMENT = """() => document.readyState === "complete" && !window.__danvanAxeChecked"""
MARK_CHECKED = """() => { window.__danvanAxeChecked = true; }"""
GONE = ("Execution context was destroyed", "navigation", "has been closed")

WHO_SCRIPT = """() => {
  const menu = document.querySelector("nav .dropdown-toggle");
  if (menu) return menu.textContent.trim();
  const admin = document.querySelector("#user-tools strong");
  return admin ? admin.textContent.trim() : "";
}"""

# The role a page was seen with, as its menu shows it: the portal's menu lists the queue to
# reviewers and the accounts to admins (nav_roles); the admin site is the admins' alone.
ROLE_SCRIPT = """() => {
  if (document.querySelector("#user-tools")) return "admin";
  const menu = document.querySelector("#menu-chinh");
  if (!menu) return "anonymous";
  const roles = [];
  if (menu.querySelector('a[href="/tai-khoan/"]')) roles.push("admin");
  if (menu.querySelector('a[href="/tham-dinh/"]')) roles.push("reviewer");
  return roles.length ? roles.join("+") : "cadre";
}"""

_axe = Axe()


@dataclass
class Audit:
    test: str
    user: str
    url: str
    violations: list[dict]
    role: str = "anonymous"
    passes: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def page(self) -> str:
        """The page as the summary names it: ids and tokens in the path as placeholders, the
        query's filled parameters alone, the log-in's ``next`` left out."""
        parts = urlsplit(self.url)
        segments = [
            "<id>" if segment.isdigit() else "<token>" if len(segment) > 20 else segment
            for segment in parts.path.split("/")
        ]
        query = [(key, value) for key, value in parse_qsl(parts.query) if value and key != "next"]
        return "/".join(segments) + (f"?{urlencode(query)}" if query else "")

    def rules(self) -> set[tuple[str, str]]:
        return {(violation["id"], violation["impact"] or "minor") for violation in self.violations}

    def blocking(self) -> list[str]:
        lines = []
        for violation in self.violations:
            if violation["impact"] not in BLOCKING_IMPACTS:
                continue
            for node in violation["nodes"]:
                target = " ".join(str(part) for part in node["target"])
                why = " ".join(node.get("failureSummary", "").split())
                lines.append(
                    f"{self.path} [{self.user or 'chưa đăng nhập'}]: {violation['id']}"
                    f" ({violation['impact']}) at {target} — {violation['help']}:"
                    f" {why} {node.get('html', '')[:200]}"
                )
        return lines


@dataclass
class Recorder:
    """What axe found, test by test, over the whole run."""

    current_test: str = ""
    audits: list[Audit] = field(default_factory=list)
    missed: list[tuple[str, str]] = field(default_factory=list)

    def for_test(self, test: str) -> list[Audit]:
        return [audit for audit in self.audits if audit.test == test]

    def pages(self) -> list[dict]:
        """One row a page and role: the rules it breaks by impact, however many
        times the journeys opened it and however many elements break each rule, and the number
        of rules it passes (passed on every check of it, broken by none)."""
        broken: dict[tuple[str, str], set[tuple[str, str]]] = {}
        passed: dict[tuple[str, str], set[str]] = {}
        users: dict[tuple[str, str], set[str]] = {}
        for audit in self.audits:
            key = (audit.page, audit.role)
            broken.setdefault(key, set()).update(audit.rules())
            passed[key] = passed.get(key, set(audit.passes)) & set(audit.passes)
            users.setdefault(key, set()).add(audit.user or "-")
        rows = []
        for path, role in sorted(broken):
            rules = broken[path, role]
            counts = Counter(impact for _, impact in rules)
            rows.append(
                {
                    "page": path,
                    "role": role,
                    **{impact: counts[impact] for impact in IMPACTS},
                    "passed": len(passed[path, role] - {rule for rule, _ in rules}),
                    "violations": sorted(f"{rule} ({impact})" for rule, impact in rules),
                    "users": sorted(users[path, role]),
                }
            )
        return rows

    def write_summary(self, directory: Path) -> Path | None:
        """``axe-summary.json`` and ``axe-summary.md`` (the same table, to quote)."""
        if not self.audits:
            return None
        directory.mkdir(parents=True, exist_ok=True)
        rows = self.pages()
        totals = Counter()
        for row in rows:
            totals.update({impact: row[impact] for impact in IMPACTS})
        data = {
            "tags": WCAG_AA_TAGS,
            "checks": len(self.audits),
            "pages": len(rows),
            "violations_by_impact": {impact: totals[impact] for impact in IMPACTS},
            "by_page": rows,
            "not_checked": [{"test": test, "url": url} for test, url in self.missed],
        }
        (directory / "axe-summary.json").write_text(json.dumps(data, indent=2, ensure_ascii=False))
        lines = [
            f"axe-core ({', '.join(WCAG_AA_TAGS)}): {len(self.audits)} checks of {len(rows)}"
            " pages (path and role). Violations are the rules a page breaks, by impact;"
            " passed, the rules it passes.",
            "",
            "| page | role | critical | serious | moderate | minor | passed | violations |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for row in rows:
            figures = " | ".join(str(row[impact]) for impact in IMPACTS)
            found = ", ".join(row["violations"]) or "—"
            page = row["page"].replace("|", "\\|")
            lines.append(f"| `{page}` | {row['role']} | {figures} | {row['passed']} | {found} |")
        lines.append(
            "| **total** | | "
            + " | ".join(f"**{totals[impact]}**" for impact in IMPACTS)
            + " | | |"
        )
        for test, url in self.missed:
            lines.append(f"\nNot checked (left before it was read): {url} in {test}")
        summary = directory / "axe-summary.md"
        summary.write_text("\n".join(lines) + "\n")
        return summary


class PageWatcher:
    """Checks each document a page loads, once, before the journey acts on it.

    A document is new while it lacks the mark the check leaves on its ``window``; it is read once
    fully loaded (stylesheets included, so that colours are final). The "load" events only serve
    to tell the documents that were left before they could be read.
    """

    def __init__(self, page, recorder: Recorder, origin: str):
        self.page = page
        self.origin = origin
        self.recorder = recorder
        self.loaded_urls: list[str] = []
        self.checked_urls: list[str] = []
        self.evaluate = page.evaluate
        page.on("load", self.loaded)
        for name in WATCHED_METHODS:
            original = getattr(page, name)
            setattr(page, name, self.watched(original))

    def loaded(self, page) -> None:
        # Called by Playwright's event loop: only noted, the check runs in the journey's turn.
        self.loaded_urls.append(page.url)

    def watched(self, method):
        def call(*args, **kwargs):
            self.check()
            return method(*args, **kwargs)

        return call

    def check(self) -> None:
        if self.page.is_closed():
            return
        url = self.page.url
        # Only the portal's own pages: not the single sign-on provider the tests play.
        if not url.startswith(self.origin):
            return
        try:
            if not self.evaluate(NEW_DOCUMENT):
                return
            results = _axe.run(_Evaluator(self.evaluate), options=AXE_OPTIONS)
            user = self.evaluate(WHO_SCRIPT)
            role = self.evaluate(ROLE_SCRIPT)
            self.evaluate(MARK_CHECKED)
        except PlaywrightError as error:
            if self.page.is_closed() or any(sign in str(error) for sign in GONE):
                return  # the document went away while it was read: the next one is checked
            raise
        self.checked_urls.append(url)
        self.recorder.audits.append(
            Audit(
                test=self.recorder.current_test,
                user=user,
                url=url,
                violations=results.response["violations"],
                role=role,
                passes=[rule["id"] for rule in results.response["passes"]],
            )
        )

    def settle(self) -> None:
        """Note the portal's documents that loaded and were left before they could be read."""
        checked = list(self.checked_urls)
        for url in self.loaded_urls:
            if url in checked:
                checked.remove(url)
            elif url.startswith(self.origin):
                self.recorder.missed.append((self.recorder.current_test, url))
        self.loaded_urls.clear()
        self.checked_urls.clear()


class _Evaluator:
    """The page as axe-playwright-python sees it, evaluating without being watched."""

    def __init__(self, evaluate):
        self.evaluate = evaluate


def watch_locators(watchers: list[PageWatcher]) -> None:
    """Locators check their page's new document before acting on it."""
    from playwright.sync_api import Locator

    def watched(original):
        def call(locator, *args, **kwargs):
            for watcher in watchers:
                if watcher.page is locator.page:
                    watcher.check()
            return original(locator, *args, **kwargs)

        return call

    for name in WATCHED_LOCATOR_METHODS:
        setattr(Locator, name, watched(getattr(Locator, name)))


def watch_browser(browser, recorder: Recorder) -> list[PageWatcher]:
    """Every page of every context opened from ``browser`` is watched."""
    watchers: list[PageWatcher] = []
    watch_locators(watchers)
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        parts = urlsplit(kwargs.get("base_url", ""))
        origin = f"{parts.scheme}://{parts.netloc}/"
        new_page, close = context.new_page, context.close

        def watched_page(*page_args, **page_kwargs):
            page = new_page(*page_args, **page_kwargs)
            watchers.append(PageWatcher(page, recorder, origin))
            return page

        def closing(*close_args, **close_kwargs):
            for watcher in watchers:
                if watcher.page.context is context:
                    watcher.check()
                    watcher.settle()
            return close(*close_args, **close_kwargs)

        context.new_page, context.close = watched_page, closing
        return context

    browser.new_context = watched_context
    return watchers
