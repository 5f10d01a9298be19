"""Printing a model's page: the model's content only, on few pages."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from models_registry.choices import Status
from organisations.choices import Role
from tests.e2e.helpers import log_in
from tests.factories import DEFAULT_PASSWORD, DanVanModelFactory, user_with_role

pytestmark = pytest.mark.e2e


def test_a_printed_model_page_has_no_navigation_buttons_or_history(page, seeded_rows, tree):
    cadre = user_with_role(tree.ward, Role.CADRE, username="canbo.in")
    model = DanVanModelFactory(
        owning_unit=tree.ward, status=Status.DRAFT, name="Hiến đất làm đường tổ dân phố 9"
    )
    log_in(page, cadre.username, DEFAULT_PASSWORD)
    page.goto(model.get_absolute_url())
    navigation = page.get_by_role("navigation", name="Điều hướng chính")
    history = page.get_by_role("heading", name="Lịch sử thay đổi")
    print_link = page.get_by_role("link", name="In phiếu đăng ký (PDF)")
    edit = page.get_by_role("link", name="Sửa đăng ký")
    for part in (navigation, history, print_link, edit):
        expect(part).to_be_visible()

    page.emulate_media(media="print")
    for part in (navigation, history, print_link, edit, page.locator("body > footer")):
        expect(part).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text(model.name)
    expect(page.get_by_text(model.situation)).to_be_visible()
    expect(page.get_by_text(model.sustainability)).to_be_visible()

    printed = PdfReader(io.BytesIO(page.pdf(format="A4")))
    text = " ".join(sheet.extract_text() for sheet in printed.pages)
    assert model.sustainability in " ".join(text.split())
    assert "Lịch sử thay đổi" not in text
    assert len(printed.pages) <= 2
