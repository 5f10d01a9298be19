"""The admin site speaks Vietnamese: no word of Django's English admin is left on its pages.

Every text of the page (and every label given to assistive technology) is compared with the
English messages of Django's admin catalogue; data entered in Vietnamese never equals one.
"""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import django.contrib.admin
import pytest
from django.urls import reverse

from tests.factories import DanVanModelFactory

pytestmark = pytest.mark.django_db

ADMIN_CATALOGUE = (
    Path(django.contrib.admin.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
)
LABEL_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


def english_messages() -> set[str]:
    """The admin's English messages, those without placeholders (they are shown verbatim)."""
    text = ADMIN_CATALOGUE.read_text()
    messages = set()
    for block in re.finditer(r'^msgid((?:\s*".*"\n)+)', text, flags=re.MULTILINE):
        message = "".join(re.findall(r'"(.*)"', block.group(1))).replace('\\"', '"')
        if message and "%" not in message and "{" not in message and "<" not in message:
            messages.add(message)
    return messages


class Texts(HTMLParser):
    """The text nodes and labels a person (or a screen reader) meets on the page."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1
        for name, value in attrs:
            if name in LABEL_ATTRIBUTES and value:
                self.texts.append(value.strip())
            if tag == "input" and name == "value" and ("type", "submit") in attrs and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.texts.append(" ".join(data.split()))


def english_on(html: str) -> set[str]:
    parser = Texts()
    parser.feed(html)
    messages = english_messages()
    return {text for text in parser.texts if text in messages or text.rstrip(":") in messages}


def test_the_check_finds_english():
    assert english_on('<a href="?_facets=1">Show counts</a> <th title="Filter">Lọc</th>') == {
        "Show counts",
        "Filter",
    }


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:index"),
        reverse("admin:models_registry_danvanmodel_changelist"),
        reverse("admin:models_registry_danvanmodel_changelist") + "?_facets=True",
        reverse("admin:organisations_organisation_changelist"),
        reverse("admin:organisations_membership_changelist") + "?_facets=True",
        reverse("admin:auth_user_changelist"),
        reverse("admin:organisations_organisation_add"),
    ],
)
def test_admin_pages_show_no_english(client_for, superuser, tree, url):
    DanVanModelFactory(owning_unit=tree.ward)
    response = client_for(superuser).get(url)
    assert response.status_code == 200
    assert english_on(response.content.decode()) == set()


def test_change_forms_show_no_english(client_for, superuser, tree):
    model = DanVanModelFactory(owning_unit=tree.ward)
    client = client_for(superuser)
    for url in (
        reverse("admin:models_registry_danvanmodel_change", args=[model.pk]),
        reverse("admin:organisations_organisation_change", args=[tree.ward.pk]),
        reverse("admin:organisations_organisation_history", args=[tree.ward.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert english_on(response.content.decode()) == set(), url


def test_the_admins_scripts_speak_vietnamese(client_for, superuser):
    """The calendar beside a date and the two-box selection are written by the admin's scripts,
    from the catalogue the admin serves them."""
    response = client_for(superuser).get(reverse("admin:jsi18n"))
    assert response.status_code == 200
    catalogue = json.loads(re.search(r"const newcatalog = (\{.*?\});", response.text, re.S)[1])
    for english in ("Sunday", "Today", "Choose all %s", "Remove all %s", "Filter"):
        assert catalogue.get(english, english) != english, english
    assert catalogue["abbrev. day Sunday\x04Sun"] == "CN"
