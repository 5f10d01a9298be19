"""The score sheet's classification (xếp loại): one rule, the rubric's bands validated in the
admin, the running total's band on the sheet and the saved total's band on the model's page."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews import services
from reviews.classification import (
    DEFAULT_BANDS,
    Band,
    band_errors,
    bands_data,
    classify,
    default_bands,
)
from reviews.models import Rubric, RubricBand
from tests.reviews.conftest import full_scores

pytestmark = pytest.mark.django_db

DEFAULTS = [Band(label, score) for label, score in DEFAULT_BANDS]


def test_the_rule_takes_the_highest_band_reached():
    cases = {100: "Xuất sắc", 90: "Xuất sắc", 89: "Tốt", 75: "Tốt", 74: "Đạt", 50: "Đạt"}
    cases.update({49: "Không đạt", 0: "Không đạt"})
    for total, label in cases.items():
        assert classify(total, DEFAULTS) == label, total
    assert classify(89.5, DEFAULTS) == "Tốt"  # an average between two bands
    assert classify(10, reversed(DEFAULTS)) == "Không đạt"  # order given does not matter
    assert classify(None, DEFAULTS) == "" and classify(95, []) == ""
    assert [row["min"] for row in bands_data(reversed(DEFAULTS))] == [90, 75, 50, 0]


def test_bands_are_validated():
    assert band_errors(DEFAULT_BANDS, 100) == []
    assert band_errors(DEFAULT_BANDS, None) == []
    assert "vượt tổng điểm tối đa (80)" in " ".join(band_errors(DEFAULT_BANDS, 80))
    assert "cùng điểm từ" in " ".join(band_errors([("Tốt", 50), ("Khá", 50), ("Kém", 0)], 100))
    assert "bắt đầu từ 0" in " ".join(band_errors([("Tốt", 50), ("Đạt", 10)], 100))
    assert "tên riêng" in " ".join(band_errors([("Đạt", 50), ("đạt ", 0)], 100))
    assert "ít nhất một" in " ".join(band_errors([], 100))
    # Scaled defaults stay valid, a tiny maximum dropping the bands that would collide.
    assert default_bands(100) == DEFAULTS
    assert default_bands(40) == [("Xuất sắc", 36), ("Tốt", 30), ("Đạt", 20), ("Không đạt", 0)]
    assert default_bands(1) == [("Xuất sắc", 1), ("Không đạt", 0)]
    for total in (1, 2, 3, 7, 40, 115):
        assert band_errors(default_bands(total), total) == []


def test_the_seeded_rubric_has_the_default_bands_and_new_versions_copy_them(superuser):
    first = Rubric.objects.active().get()
    assert [(b.label, b.min_score) for b in first.bands.all()] == list(DEFAULT_BANDS)
    new = services.rubric_new_version(source=first, by=superuser)
    assert [(b.label, b.min_score) for b in new.bands.all()] == list(DEFAULT_BANDS)
    # A version whose bands no longer fit its criteria is not put in force.
    criterion = new.criteria.order_by("-max_score").first()
    criterion.max_score -= 15
    criterion.save()
    with pytest.raises(ValidationError, match="vượt tổng điểm tối đa"):
        services.rubric_activate(rubric=new, by=superuser)
    RubricBand.objects.filter(rubric=new, min_score=90).update(min_score=80)
    assert services.rubric_activate(rubric=new, by=superuser).is_active


def admin_post(rubric, bands, criteria=None):
    """The change form as the admin posts it: the rubric, its criteria and its bands."""
    criteria = list(rubric.criteria.all()) if criteria is None else criteria
    data = {"name": rubric.name}
    data.update(
        {
            "criteria-TOTAL_FORMS": len(criteria),
            "criteria-INITIAL_FORMS": len(criteria),
            "criteria-MIN_NUM_FORMS": 0,
            "criteria-MAX_NUM_FORMS": 1000,
        }
    )
    for index, (criterion, max_score) in enumerate(criteria):
        data.update(
            {
                f"criteria-{index}-id": criterion.pk,
                f"criteria-{index}-rubric": rubric.pk,
                f"criteria-{index}-position": criterion.position,
                f"criteria-{index}-title": criterion.title,
                f"criteria-{index}-guidance": criterion.guidance,
                f"criteria-{index}-max_score": max_score,
            }
        )
    existing = list(rubric.bands.all())
    data.update(
        {
            "bands-TOTAL_FORMS": len(bands),
            "bands-INITIAL_FORMS": len(existing),
            "bands-MIN_NUM_FORMS": 0,
            "bands-MAX_NUM_FORMS": 1000,
        }
    )
    for index, (label, min_score) in enumerate(bands):
        if index < len(existing):
            data[f"bands-{index}-id"] = existing[index].pk
        data[f"bands-{index}-rubric"] = rubric.pk
        data[f"bands-{index}-label"] = label
        data[f"bands-{index}-min_score"] = min_score
    return data


def test_the_admin_changes_bands_and_refuses_bad_ones(client_for, superuser):
    new = services.rubric_new_version(source=Rubric.objects.active().get(), by=superuser)
    url = reverse("admin:reviews_rubric_change", args=[new.pk])
    client = client_for(superuser)
    criteria = [(c, c.max_score) for c in new.criteria.all()]

    bad = [("Xuất sắc", 95), ("Tốt", 95), ("Đạt", 50), ("Không đạt", 0)]
    response = client.post(url, admin_post(new, bad, criteria))
    assert response.status_code == 200
    assert "không được có cùng điểm từ" in response.content.decode()
    # Within the maximum of the criteria posted beside them, not the stored ones.
    shrunk = [(c, c.max_score - 5 if i == 0 else c.max_score) for i, (c, _) in enumerate(criteria)]
    above = [("Xuất sắc", 98), ("Tốt", 75), ("Đạt", 50), ("Không đạt", 0)]
    response = client.post(url, admin_post(new, above, shrunk))
    assert "vượt tổng điểm tối đa (95)" in response.content.decode()
    assert [(b.label, b.min_score) for b in new.bands.all()] == list(DEFAULT_BANDS)

    good = [("Xuất sắc", 85), ("Tốt", 70), ("Đạt", 50), ("Chưa đạt", 0)]
    response = client.post(url, admin_post(new, good, shrunk))
    assert response.status_code == 302
    assert [(b.label, b.min_score) for b in new.bands.all()] == good


def test_a_version_added_in_the_admin_gets_the_default_bands(client_for, superuser):
    data = {"name": "Bộ tiêu chí thử"}
    data.update(
        {
            "criteria-TOTAL_FORMS": 1,
            "criteria-INITIAL_FORMS": 0,
            "criteria-0-position": 1,
            "criteria-0-title": "Hiệu quả",
            "criteria-0-max_score": 40,
            "bands-TOTAL_FORMS": 0,
            "bands-INITIAL_FORMS": 0,
        }
    )
    response = client_for(superuser).post(reverse("admin:reviews_rubric_add"), data)
    assert response.status_code == 302
    added = Rubric.objects.get(name="Bộ tiêu chí thử")
    assert [(b.label, b.min_score) for b in added.bands.all()] == default_bands(40)


def test_the_sheet_shows_the_running_totals_band_and_the_bands_as_data(
    client_for, proposed_model, reviewer
):
    url = reverse("reviews:model_appraise", args=[proposed_model.pk])
    html = client_for(reviewer).get(url).content.decode()
    assert '<output class="fw-semibold" data-score-class>Không đạt</output>' in html
    data = re.search(r'<script id="score-bands" type="application/json">(.*?)</script>', html)
    assert json.loads(data.group(1)) == bands_data(DEFAULTS)

    services.appraisal_save(model=proposed_model, by=reviewer, scores=full_scores(minus=2))
    html = client_for(reviewer).get(url).content.decode()  # 100 - 2 × 7 = 86
    assert "data-score-sum>86</output>" in html
    assert "data-score-class>Tốt</output>" in html


def test_the_saved_sheet_shows_its_band_on_its_own_version(
    client_for, proposed_model, reviewer, superuser
):
    response = client_for(reviewer).post(
        reverse("reviews:model_appraise", args=[proposed_model.pk]),
        {f"criterion_{pk}": score for pk, score in full_scores(minus=1).items()},
        follow=True,
    )
    html = response.content.decode()  # 100 - 7 = 93
    assert "tổng 93/100 điểm, xếp loại “Xuất sắc”" in html
    assert re.search(r"93/100 điểm – xếp loại <span class=\"sheet-classification\">Xuất sắc<", html)

    # A later version with other bands leaves the saved sheet on its own version's bands.
    new = services.rubric_new_version(source=Rubric.objects.active().get(), by=superuser)
    RubricBand.objects.filter(rubric=new, min_score=90).update(min_score=95)
    services.rubric_activate(rubric=new, by=superuser)
    html = client_for(reviewer).get(proposed_model.get_absolute_url()).content.decode()
    assert 'xếp loại <span class="sheet-classification">Xuất sắc</span>' in html
