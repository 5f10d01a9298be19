"""Saved filters in a reviewer's browser: save the queue's filters, apply, rename, delete."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from core.models import SavedFilter
from models_registry import services as registry
from tests.e2e.helpers import log_in
from tests.factories import DEFAULT_PASSWORD, DanVanModelFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def submitted(seeded_rows, tree, cadre):
    for name, field in (("Nuôi Dê", "economy"), ("Hòm thư góp ý", "culture_society")):
        model = DanVanModelFactory(owning_unit=tree.ward, created_by=cadre, name=name, field=field)
        registry.model_submit(model=model, by=cadre)


def test_a_reviewer_saves_applies_renames_and_deletes_a_filter(
    page, live_server, submitted, reviewer
):
    log_in(page, reviewer.username, DEFAULT_PASSWORD)
    page.goto(f"{reverse('reviews:queue')}?field=economy")
    bar = page.get_by_role("region", name="Bộ lọc đã lưu")
    bar.get_by_label("Lưu các điều kiện đang lọc với tên").fill("Kinh tế <b>mới</b>")
    bar.get_by_role("button", name="Lưu bộ lọc").click()
    expect(page.get_by_role("alert").filter(has_text="Đã lưu bộ lọc")).to_be_visible()

    # From the unfiltered queue, the saved link applies the filter.
    page.goto(reverse("reviews:queue"))
    expect(page.get_by_role("cell", name="Hòm thư góp ý", exact=True)).to_be_visible()
    bar.get_by_role("link", name="Kinh tế <b>mới</b>").click()
    expect(page.get_by_role("cell", name="Hòm thư góp ý", exact=True)).to_have_count(0)
    expect(page.get_by_role("cell", name="Nuôi Dê", exact=True)).to_be_visible()
    expect(bar.get_by_role("link", name="Kinh tế <b>mới</b>")).to_have_attribute(
        "aria-current", "true"
    )

    manage = bar.locator("details")
    expect(manage.get_by_role("button", name="Đổi tên")).to_be_hidden()  # folded at first
    manage.locator("summary").click()
    manage.get_by_label("Tên mới của bộ lọc “Kinh tế <b>mới</b>”").fill("Kinh tế")
    manage.get_by_role("button", name="Đổi tên").click()
    expect(page.get_by_role("alert").filter(has_text="thành “Kinh tế”")).to_be_visible()
    assert SavedFilter.objects.get().name == "Kinh tế"

    bar.locator("details summary").click()
    bar.get_by_role("button", name="Xóa bộ lọc “Kinh tế”").click()
    expect(page.get_by_role("alert").filter(has_text="Đã xóa bộ lọc “Kinh tế”")).to_be_visible()
    expect(bar.get_by_role("link")).to_have_count(0)
    assert not SavedFilter.objects.exists()
