"""The score sheet in a reviewer's browser: the total and its classification follow the scores
as they are typed."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from models_registry import services as registry
from reviews import services
from reviews.classification import classify
from reviews.models import Appraisal, Rubric
from tests.e2e.helpers import log_in
from tests.factories import DEFAULT_PASSWORD, DanVanModelFactory
from tests.reviews.conftest import result_report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def proposed(seeded_rows, tree, cadre, reviewer):
    model = DanVanModelFactory(owning_unit=tree.ward, created_by=cadre, name="Hiến đất làm đường")
    registry.model_submit(model=model, by=cadre)
    services.registration_accept(model=model, by=reviewer)
    services.model_propose(model=model, by=cadre, result_reports=[result_report(model)])
    return model


def test_the_total_follows_the_scores_typed(page, live_server, proposed, reviewer):
    log_in(page, reviewer.username, DEFAULT_PASSWORD)
    page.goto(reverse("reviews:model_appraise", args=[proposed.pk]))
    rubric = Rubric.objects.active().get()
    criteria = list(rubric.criteria.all())
    maximum = sum(c.max_score for c in criteria)
    total = page.locator("[data-score-total]")
    expect(total).to_contain_text(f"Tổng điểm đang chấm: 0/{maximum}")
    expect(total).to_contain_text(f"còn {len(criteria)} tiêu chí chưa chấm")
    band = total.locator("[data-score-class]")
    expect(band).to_have_text(classify(0, rubric.bands.all()))

    first, second, *rest = criteria
    page.get_by_label(first.title).press_sequentially(str(first.max_score))
    expect(total).to_contain_text(f"Tổng điểm đang chấm: {first.max_score}/{maximum}")
    expect(total).to_contain_text(f"còn {len(criteria) - 1} tiêu chí chưa chấm")

    # Above its maximum a score counts for nothing: the server would refuse it.
    page.get_by_label(second.title).fill(str(second.max_score + 1))
    expect(total).to_contain_text(f"Tổng điểm đang chấm: {first.max_score}/{maximum}")
    page.get_by_label(second.title).fill("1")
    for criterion in rest:
        page.get_by_label(criterion.title).fill(str(criterion.max_score))
    expected = maximum - second.max_score + 1
    expect(total).to_contain_text(f"Tổng điểm đang chấm: {expected}/{maximum}")
    expect(total.locator("[data-score-unscored]")).to_have_text("")
    # The page's script classifies as the server does, from the bands the page carries.
    assert classify(expected, rubric.bands.all()) != classify(0, rubric.bands.all())
    expect(band).to_have_text(classify(expected, rubric.bands.all()))

    page.get_by_role("button", name="Lưu phiếu chấm điểm").click()
    expect(page.get_by_role("alert").filter(has_text="Đã lưu phiếu chấm điểm")).to_contain_text(
        f"tổng {expected}/{maximum} điểm, xếp loại “{classify(expected, rubric.bands.all())}”"
    )
    assert Appraisal.objects.get().total == expected  # the server added up the same
