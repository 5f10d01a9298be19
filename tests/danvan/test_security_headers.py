"""Content-Security-Policy on every page, and templates that keep to it."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("url_name", ["login", "logged_out"])
def test_public_pages_carry_a_strict_policy(client, url_name):
    directives = policy(client.get(reverse(url_name)))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert not any("unsafe" in value for values in directives.values() for value in values)


def test_signed_in_pages_and_the_admin_site_carry_it(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for url in (reverse("home"), reverse("notification_list"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 200
        assert "script-src 'self'" in response["Content-Security-Policy"]


def test_non_html_answers_carry_no_page_policy(client):
    assert "Content-Security-Policy" not in client.get(reverse("healthz"))


def template_files():
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    folders += [
        Path(app) / "templates"
        for app in ("danvan", "organisations", "models_registry", "reviews", "reports")
    ]
    return sorted(path for folder in folders for path in folder.rglob("*.html"))


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|<[^>]*\sstyle\s*=", re.IGNORECASE)


def test_the_templates_are_found():
    names = {path.name for path in template_files()}
    assert {"base.html", "round_print.html", "_round_line.html"} <= names


@pytest.mark.parametrize("path", template_files(), ids=lambda path: path.name)
def test_no_template_holds_inline_code_or_styles(path):
    text = path.read_text()
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to static/js/"
    assert not EVENT_HANDLER.search(text), "on…= handler: bind it in static/js/"
    assert not INLINE_STYLE.search(text), "inline style: move it to static/css/"
    assert "javascript:" not in text.lower()


def test_the_refusal_of_a_hostile_query_string_carries_it(client):
    """The guard answers before any view, with a full page of the portal (menu, messages):
    it is framed and scripted by the same rules as every other page."""
    client.force_login(UserFactory())
    response = client.get(reverse("home"), {"q": "a\x00b"})
    assert response.status_code == 400
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
