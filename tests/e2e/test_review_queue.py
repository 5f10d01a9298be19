"""The reviewer's queue in a browser: one box ticks every registration on the page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from models_registry import services as registry
from models_registry.choices import Status
from models_registry.models import DanVanModel
from tests.e2e.helpers import log_in
from tests.factories import DEFAULT_PASSWORD, DanVanModelFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAMES = ["Hiến đất làm đường", "Thắp sáng đường quê"]


@pytest.fixture
def submitted(seeded_rows, tree, cadre):
    for name in NAMES:
        model = DanVanModelFactory(owning_unit=tree.ward, created_by=cadre, name=name)
        registry.model_submit(model=model, by=cadre)


def test_select_all_ticks_every_registration(page, live_server, submitted, reviewer):
    log_in(page, reviewer.username, DEFAULT_PASSWORD)
    page.goto(reverse("reviews:queue"))
    everything = page.get_by_label("Chọn tất cả đăng ký chờ duyệt trên trang này")
    boxes = [page.get_by_label(f"Chọn “{name}” để duyệt") for name in NAMES]

    everything.check()
    for box in boxes:
        expect(box).to_be_checked()
    boxes[0].uncheck()
    expect(everything).not_to_be_checked()
    assert everything.evaluate("box => box.indeterminate")
    boxes[0].check()
    expect(everything).to_be_checked()

    page.get_by_role("button", name="Duyệt các đăng ký đã chọn").click()
    expect(page.get_by_role("alert").filter(has_text="Đã duyệt 2 đăng ký.")).to_be_visible()
    assert set(DanVanModel.objects.values_list("status", flat=True)) == {Status.ACCEPTED}
