"""The registration form's unit pickers: typed without diacritics, chosen with Enter, removed
with Backspace, and whole names on a phone."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from models_registry.models import DanVanModel
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.e2e

CADRE = "canbo.linhson"
WOMEN = "Hội Liên hiệp Phụ nữ phường Linh Sơn"
YOUTH = "Đoàn Thanh niên phường Linh Sơn"


def pick(page, box, typed: str, name: str):
    box.fill(typed)
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option").first).to_contain_text(name)
    box.press("Enter")
    expect(listbox).to_be_hidden()


def test_territories_are_typed_without_diacritics_and_chips_come_off_with_backspace(
    page, demo_data
):
    name = "Tổ phụ nữ tiết kiệm tổ dân phố 9"  # its own: the demo data is shared by the journeys
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, CADRE)
    page.goto(reverse("models_registry:model_create"))
    page.get_by_label("Tên mô hình, điển hình").fill(name)

    territory = page.get_by_role("combobox", name="Địa bàn thực hiện")
    # Chosen in the order opposite to the tree's: the chips keep the order chosen.
    pick(page, territory, "doan thanh nien", YOUTH)
    pick(page, territory, "hoi lien hiep phu nu", WOMEN)
    chips = page.locator("#o-territory .choice-chip")
    expect(chips).to_have_text([re.compile(YOUTH), re.compile(WOMEN)])

    # Backspace in the empty search box takes the last chip off; the × button another.
    territory.press("Backspace")
    expect(chips).to_have_count(1)
    expect(chips.locator("span")).to_have_text([YOUTH])
    pick(page, territory, "hoi lien hiep phu nu", WOMEN)
    chips.first.get_by_role("button", name=f"Bỏ chọn {YOUTH}").click()
    expect(chips).to_have_count(1)
    chip = chips.first
    expect(chip.locator("span")).to_have_text(WOMEN)
    expect(territory).to_be_focused()
    # On a phone the chip shows the whole name: wrapped, never cut off.
    assert chip.evaluate("node => node.scrollWidth <= node.clientWidth")
    assert chip.evaluate("node => node.getBoundingClientRect().right <= window.innerWidth")
    expect(chip.get_by_role("button", name=f"Bỏ chọn {WOMEN}")).to_be_visible()

    # The origin of a replicated model: the same picker over the models in scope.
    origin = "Phụ nữ tiết kiệm góp vốn xoay vòng phường Linh Sơn"
    pick(
        page, page.get_by_role("combobox", name="Nhân rộng từ mô hình"), "gop von xoay vong", origin
    )
    expect(page.locator("#o-replicated_from .choice-chip span")).to_have_text([origin])

    page.get_by_role("button", name="Lưu nháp").click()
    expect(page).to_have_url(re.compile(r"/(\d+)/sua/$"))
    expect(page.locator("#o-territory .choice-chip span")).to_have_text([WOMEN])
    model = DanVanModel.objects.get(name=name)
    assert list(model.territory.values_list("name", flat=True)) == [WOMEN]
    assert model.replicated_from.name == origin
