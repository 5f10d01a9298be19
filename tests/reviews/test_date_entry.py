"""Dates on the review pages are typed like everywhere else: day first, any of the separators
or ISO; a two-digit year and a month-first date are answered in Vietnamese."""

import datetime

import pytest
from django.urls import reverse

from reviews.models import CommendationRound
from tests.reviews.test_round_views import round_post


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ({"held_on": "2026-07-15"}, datetime.date(2026, 7, 15)),
        ({"held_on": "15.07.2026"}, datetime.date(2026, 7, 15)),
        ({"held_on": "15-7-2026"}, datetime.date(2026, 7, 15)),
        ({"held_on": "5/7/2026"}, datetime.date(2026, 7, 5)),
    ],
)
def test_a_round_takes_its_dates_typed_any_accepted_way(client_for, tree, reviewer, typed, stored):
    response = client_for(reviewer).post(
        reverse("reviews:round_create"), round_post(tree.province, **typed)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = CommendationRound.objects.get()
    assert created.held_on == stored
    edit = client_for(reviewer).get(reverse("reviews:round_update", args=[created.pk]))
    assert f'value="{stored:%d/%m/%Y}"' in edit.content.decode()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("15/07/26", "Năm phải có 4 chữ số, ví dụ 20/11/2026."),
        ("07/15/2026", "Tháng phải từ 1 đến 12"),
        ("31/06/2026", "Ngày 31/06/2026 không có trong lịch"),
    ],
)
def test_a_round_date_that_cannot_be_read_is_answered(client_for, tree, reviewer, typed, message):
    response = client_for(reviewer).post(
        reverse("reviews:round_create"), round_post(tree.province, held_on=typed)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert f'value="{typed}"' in body  # kept as typed, to be corrected
    assert not CommendationRound.objects.exists()
