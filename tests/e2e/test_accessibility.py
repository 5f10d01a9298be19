"""What axe-core cannot judge alone: the contrasts of the elements people complained about, a
focus ring one can see against what surrounds it, and the keyboard alone reaching the content.

Colours are read from the browser (computed styles), ratios computed as WCAG 2.1 defines them.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from models_registry.choices import Status
from models_registry.models import DanVanModel
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.e2e

TEXT = 4.5  # WCAG 2.1 AA, normal text (1.4.3)
NON_TEXT = 3.0  # a focus indicator against what is next to it (1.4.11)

# The colour of an element's text, and the first opaque background behind it.
COLOURS = """(element) => {
  const background = (node) => {
    for (; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(colour) && colour !== "transparent") return colour;
    }
    return "rgb(255, 255, 255)";
  };
  const style = getComputedStyle(element);
  return {
    text: style.color,
    background: background(element),
    outer: background(element.parentElement),
    outline: style.outlineColor,
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
  };
}"""


def channels(colour: str) -> tuple[float, ...]:
    return tuple(float(part) for part in re.findall(r"[\d.]+", colour)[:3])


def luminance(colour: str) -> float:
    linear = []
    for channel in channels(colour):
        c = channel / 255
        linear.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = linear
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def ratio(first: str, second: str) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_ratio_is_wcags():
    assert round(ratio("rgb(255, 255, 255)", "rgb(0, 0, 0)"), 1) == 21.0
    assert round(ratio("rgb(255, 193, 7)", "rgb(255, 255, 255)"), 1) == 1.6


def colours_of(locator) -> dict:
    return locator.evaluate(COLOURS)


def assert_focus_ring_visible(locator):
    expect(locator).to_be_focused()
    seen = colours_of(locator)
    assert seen["outlineStyle"] != "none" and seen["outlineWidth"] >= 2, seen
    # The ring is drawn outside the element, over the background around it.
    assert ratio(seen["outline"], seen["outer"]) >= NON_TEXT, seen


def test_the_colours_people_could_not_read(page, demo_data, settings):
    settings.OTP_REQUIRED_ROLES = []
    log_in(page, "canbo.thainguyen")
    navbar_link = page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Đơn vị", exact=True
    )
    link = colours_of(navbar_link)
    assert ratio(link["text"], link["background"]) >= TEXT, link

    page.goto("/mo-hinh/?status=returned")
    returned = page.locator(".status-returned", has_text="Trả lại để bổ sung").first
    badge = colours_of(returned)
    assert ratio(badge["text"], badge["background"]) >= TEXT, badge

    muted = colours_of(page.locator("main .text-secondary").first)
    assert ratio(muted["text"], muted["background"]) >= TEXT, muted


def test_the_outstanding_button_reads_clearly(page, demo_data, settings):
    settings.OTP_REQUIRED_ROLES = []
    reviewer = get_user_model().objects.get(username="thamdinh.thainguyen")
    model = (
        DanVanModel.objects.visible_to(reviewer)
        .filter(status=Status.RECOGNISED, is_outstanding=False)
        .order_by("pk")
        .first()
    )
    assert model is not None, "the demo has a recognised model the reviewer may mark"
    log_in(page, reviewer.username)
    page.goto(model.get_absolute_url())
    button = page.get_by_role("button", name="Chọn là tiêu biểu")
    seen = colours_of(button)
    assert ratio(seen["text"], seen["background"]) >= TEXT, seen
    button.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert_focus_ring_visible(button)


def test_the_keyboard_alone_skips_to_the_content_and_sees_where_it_is(page, demo_data):
    log_in(page, "canbo.thainguyen")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    assert_focus_ring_visible(skip)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#noi-dung$"))
    page.keyboard.press("Tab")
    inside = page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    assert inside, "the next Tab after the skip link lands in the main content"
    assert_focus_ring_visible(page.locator(":focus"))

    # On the red navbar, the ring is white.
    page.goto("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    brand = page.get_by_role("link", name="Dân vận khéo", exact=True)
    assert_focus_ring_visible(brand)


def test_a_text_box_reached_by_keyboard_shows_its_focus(page, demo_data):
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert_focus_ring_visible(page.get_by_label("Tên đăng nhập"))
