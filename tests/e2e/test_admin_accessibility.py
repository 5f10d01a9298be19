"""The admin site, as a province's administrators use it (in Vietnamese): each kind of page it
shows them passes axe-core's WCAG 2.1 AA check, like every page of the portal (the check runs on
each page this journey opens, see tests/e2e/accessibility.py)."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from models_registry.models import DanVanModel
from organisations.models import Membership
from tests.e2e.helpers import chips, log_in

pytestmark = pytest.mark.e2e


def test_the_admin_pages_pass_axe(page, demo_data, settings):
    settings.OTP_REQUIRED_ROLES = []
    # A province's administrator: staff, the admin's lists limited to the province.
    admin = get_user_model().objects.get(username="quantri.thainguyen")
    model = DanVanModel.objects.visible_to(admin).order_by("pk").first()
    membership = Membership.objects.visible_to(admin).exclude(user=admin).order_by("pk").first()
    log_in(page, admin.username)

    page.goto("/quan-tri/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quản trị hệ thống")

    # A list narrowed by two of its filters, as the side panel sets them.
    page.goto("/quan-tri/models_registry/danvanmodel/")
    filters = page.get_by_role("navigation", name=re.compile("Bộ lọc|Lọc", re.I))
    filters.get_by_role("link", name="Đã duyệt đăng ký", exact=True).click()
    expect(page).to_have_url(re.compile(r"status__exact=accepted"))
    filters.get_by_role("link", name="Kinh tế", exact=True).click()
    expect(page).to_have_url(re.compile(r"field__exact=economy"))
    expect(page.locator("#result_list")).to_be_visible()

    page.goto(f"/quan-tri/models_registry/danvanmodel/{model.pk}/change/")
    expect(page.get_by_role("button", name="Lưu lại", exact=True)).to_be_visible()
    # The relations are the portal's search pickers, named by their field's label: a unit is
    # found without diacritics and chosen from the keyboard, and the form saves it.
    expect(page.get_by_role("combobox", name=re.compile("^Nhân rộng từ mô hình"))).to_be_visible()
    partners = page.get_by_role("combobox", name=re.compile("^Đơn vị phối hợp"))
    chosen_before = chips(partners).all_inner_texts()
    partners.focus()
    partners.press_sequentially("doan thanh nien")
    suggestions = page.get_by_role("listbox", name=re.compile("^Đơn vị phối hợp"))
    expect(suggestions.get_by_role("option").first).to_contain_text(
        "Đoàn Thanh niên phường Linh Sơn"
    )
    partners.press("ArrowDown")
    partners.press("Enter")
    expect(suggestions).to_be_hidden()
    expect(chips(partners)).to_have_text([*chosen_before, "Đoàn Thanh niên phường Linh Sơn"])
    expect(partners).to_be_focused()
    page.get_by_role("button", name="Lưu lại", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert model.coordinating_units.filter(name="Đoàn Thanh niên phường Linh Sơn").exists()
    page.goto(f"/quan-tri/models_registry/danvanmodel/{model.pk}/change/")
    partners = page.get_by_role("combobox", name=re.compile("^Đơn vị phối hợp"))
    expect(chips(partners)).to_contain_text(["Đoàn Thanh niên phường Linh Sơn"])

    page.goto(f"/quan-tri/organisations/membership/{membership.pk}/delete/")
    expect(page.get_by_role("button", name=re.compile("Có, tôi chắc chắn"))).to_be_visible()
