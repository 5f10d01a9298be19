"""The registration form's unit pickers: typed without diacritics, chosen with Enter, removed
with Backspace, and whole names on a phone."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from models_registry.models import DanVanModel
from tests.e2e.helpers import chips, log_in, pick

pytestmark = pytest.mark.e2e

CADRE = "canbo.linhson"
WOMEN = "Hội Liên hiệp Phụ nữ phường Linh Sơn"
YOUTH = "Đoàn Thanh niên phường Linh Sơn"


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


def test_a_nominee_is_chosen_by_keyboard_only(page, demo_data):
    """The round's nominee picker from the keyboard alone: typed without diacritics, the arrow
    keys move through the suggestions, Enter chooses, Backspace and Delete take the chip off."""
    title = "Biểu dương cựu chiến binh tiêu biểu (chọn bằng bàn phím)"  # its own round
    log_in(page, "thamdinh.thainguyen")
    page.goto(reverse("reviews:round_create"))
    page.get_by_label("Tên đợt").fill(title)
    page.get_by_label("Loại đợt").select_option(label="Sơ kết")
    page.get_by_label("Kỳ xét từ ngày").fill("01/01/2026")
    page.get_by_label("Kỳ xét đến ngày").fill("30/06/2026")
    page.get_by_label("Ngày tổ chức").fill("15/07/2026")
    expect(chips(page.get_by_role("combobox", name="Đơn vị tổ chức"))).to_have_text(
        ["Tỉnh Thái Nguyên"]
    )
    page.get_by_role("button", name="Tạo đợt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    nominate = page.locator("form.round-nominate")
    box = nominate.get_by_role("combobox", name="Mô hình, điển hình")
    chosen = chips(box)
    page.wait_for_load_state()  # the script has made the select a search box
    box.focus()
    page.keyboard.type("cuu chien binh giup")
    listbox = page.get_by_role("listbox")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(options.first).to_have_attribute("aria-selected", "true")
    # The arrow moves the highlight (read out through aria-activedescendant); Enter chooses it.
    page.keyboard.press("ArrowDown")
    second = options.nth(1)
    expect(second).to_have_attribute("aria-selected", "true")
    expect(options.first).to_have_attribute("aria-selected", "false")
    expect(box).to_have_attribute("aria-activedescendant", second.get_attribute("id"))
    name = second.locator("span").inner_text()
    page.keyboard.press("Enter")
    expect(listbox).to_be_hidden()
    expect(chosen).to_have_text([name])
    expect(page.locator("#id_model")).to_have_value(re.compile(r"^\d+$"))

    # Backspace in the empty search box takes the chip off.
    page.keyboard.press("Backspace")
    expect(chosen).to_have_count(0)
    expect(page.locator("#id_model")).to_have_value("")

    # Chosen again (the first suggestion), then its × reached with Shift+Tab and Delete.
    page.keyboard.type("cuu chien binh giup nhau")
    expect(options.first).to_contain_text("Cựu chiến binh giúp nhau phát triển kinh tế")
    page.keyboard.press("Enter")
    expect(chosen).to_have_text(["Cựu chiến binh giúp nhau phát triển kinh tế"])
    page.keyboard.press("Shift+Tab")
    remove = nominate.get_by_role("button", name="Bỏ chọn Cựu chiến binh giúp nhau")
    expect(remove).to_be_focused()
    page.keyboard.press("Delete")
    expect(chosen).to_have_count(0)
    expect(box).to_be_focused()

    # Chosen for good; the form filled and sent from the keyboard.
    page.keyboard.type("cuu chien binh giup nhau")
    expect(options.first).to_contain_text("Cựu chiến binh giúp nhau phát triển kinh tế")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(nominate.get_by_label("Hình thức")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.type("Giúp 12 hội viên thoát nghèo.")
    page.keyboard.press("Tab")
    expect(nominate.get_by_role("button", name="Đưa vào danh sách")).to_be_focused()
    page.keyboard.press("Enter")
    message = "Đã đưa “Cựu chiến binh giúp nhau phát triển kinh tế” vào danh sách."
    expect(page.get_by_role("alert").filter(has_text=message)).to_be_visible()
    line = (
        page.locator("table.round-lines")
        .get_by_role("row")
        .filter(has_text="Cựu chiến binh giúp nhau phát triển kinh tế")
    )
    expect(line).to_contain_text("Giúp 12 hội viên thoát nghèo.")
