"""Discontinuing a model on a given day: the form over HTTP, the stored moment, the event row,
the detail page, and the reports that stop counting the model from that day."""

import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from models_registry import services
from models_registry.choices import EventAction, Status
from reports.periods import half_period
from reports.selectors import report_figures
from tests.factories import DanVanModelFactory

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day, month, year, hour=9):
    return datetime.datetime(year, month, day, hour, tzinfo=VN)


@pytest.fixture
def running(tree):
    """A model of the ward started on 01/02/2021 and accepted on 01/03/2021."""
    return DanVanModelFactory(
        owning_unit=tree.ward,
        name="Camera an ninh",
        status=Status.ACCEPTED,
        start_date=datetime.date(2021, 2, 1),
        evaluation_date=datetime.date(2021, 12, 1),
        submitted_at=at(20, 2, 2021),
        accepted_at=at(1, 3, 2021),
    )


def url(model):
    return reverse("models_registry:model_discontinue", args=[model.pk])


def errors(response) -> dict:
    return {name: list(messages) for name, messages in response.context["form"].errors.items()}


def test_the_form_offers_today_in_vietnam_and_no_later_day(client_for, cadre, running):
    today = timezone.localdate()
    page = client_for(cadre).get(url(running)).content.decode()
    assert "Ngày dừng thực hiện" in page
    # Shown day first, whatever the browser's language; the calendar offers no later day.
    assert f'value="{today:%d/%m/%Y}"' in page
    assert f'data-max="{today:%Y-%m-%d}"' in page


def test_a_past_day_is_stored_as_its_midnight_with_the_event_and_shown(client_for, cadre, running):
    response = client_for(cadre).post(
        url(running), {"discontinued_on": "2022-03-15", "reason": "Hết kinh phí duy trì."}
    )
    assert response.status_code == 302
    running.refresh_from_db()
    assert running.status == Status.DISCONTINUED
    assert running.discontinued_at == datetime.datetime(2022, 3, 15, tzinfo=VN)
    assert running.status_reason == "Hết kinh phí duy trì."
    event = running.events.get(action=EventAction.DISCONTINUED)
    assert event.effective_date == datetime.date(2022, 3, 15)
    assert event.reason == "Hết kinh phí duy trì."
    assert (event.from_status, event.to_status, event.actor) == (
        Status.ACCEPTED,
        Status.DISCONTINUED,
        cadre,
    )
    page = client_for(cadre).get(running.get_absolute_url()).content.decode()
    assert 'Dừng thực hiện</dt><dd class="col-6">15/03/2022</dd>' in page
    assert "Từ ngày 15/03/2022" in page
    assert "Hết kinh phí duy trì." in page


def test_an_empty_day_or_today_is_now(client_for, cadre, running, tree):
    before = timezone.now()
    client_for(cadre).post(url(running), {"discontinued_on": "", "reason": "Sáp nhập địa bàn."})
    running.refresh_from_db()
    assert before <= running.discontinued_at <= timezone.now()
    assert running.events.get(action=EventAction.DISCONTINUED).effective_date is None

    other = DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED)
    today = timezone.localdate()
    client_for(cadre).post(url(other), {"discontinued_on": f"{today:%Y-%m-%d}", "reason": "Xong."})
    other.refresh_from_db()
    assert other.discontinued_at >= before  # the moment itself, not today's 00:00


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("tomorrow", "sau ngày hôm nay"),
        ("2021-01-31", "trước ngày bắt đầu 01/02/2021"),
        ("2021-02-20", "trước ngày duyệt đăng ký 01/03/2021"),
        ("1989-12-31", "Ngày phải nằm trong khoảng từ 01/01/1990"),
        ("31/02/2022", "Ngày 31/02/2022 không có trong lịch"),
    ],
)
def test_a_wrong_day_is_refused_and_the_form_keeps_what_was_typed(
    client_for, cadre, running, day, message
):
    if day == "tomorrow":
        day = f"{timezone.localdate() + timedelta(days=1):%Y-%m-%d}"
    response = client_for(cadre).post(
        url(running), {"discontinued_on": day, "reason": "Nhân dân không còn nhu cầu."}
    )
    assert response.status_code == 400
    found = errors(response)
    assert list(found) == ["discontinued_on"], found
    assert any(message in text for text in found["discontinued_on"]), found
    page = response.content.decode()
    assert "Nhân dân không còn nhu cầu." in page  # the reason typed is still there
    assert f'value="{day}"' in page or day in page
    running.refresh_from_db()
    assert running.status == Status.ACCEPTED and running.discontinued_at is None
    assert not running.events.filter(action=EventAction.DISCONTINUED).exists()


def test_the_reason_is_required_and_the_day_typed_is_kept(client_for, cadre, running):
    response = client_for(cadre).post(
        url(running), {"discontinued_on": "2022-03-15", "reason": " "}
    )
    assert response.status_code == 400
    assert errors(response) == {"reason": ["Hãy ghi lý do dừng thực hiện."]}
    assert 'value="2022-03-15"' in response.content.decode()
    running.refresh_from_db()
    assert running.status == Status.ACCEPTED


def test_the_service_refuses_a_day_before_recognition(tree, cadre):
    model = DanVanModelFactory(
        owning_unit=tree.ward,
        status=Status.RECOGNISED,
        start_date=datetime.date(2020, 1, 1),
        accepted_at=at(1, 2, 2020),
        recognised_at=at(1, 12, 2020),
    )
    with pytest.raises(Exception, match="trước ngày công nhận 01/12/2020"):
        services.model_discontinue(
            model=model, by=cadre, reason="Hết kinh phí", discontinued_on=datetime.date(2020, 6, 1)
        )


def test_a_model_stopped_in_march_2022_is_not_active_in_the_first_half_of_2023(
    tree, cadre, reviewer, running
):
    # A control: accepted in 2021 as well and never stopped.
    DanVanModelFactory(
        owning_unit=tree.ward,
        status=Status.ACCEPTED,
        start_date=datetime.date(2021, 2, 1),
        submitted_at=at(20, 2, 2021),
        accepted_at=at(1, 3, 2021),
    )
    period = half_period(2023, 1)
    assert report_figures(reviewer, tree.province, period)["total"]["active"] == 2

    services.model_discontinue(
        model=running, by=cadre, reason="Hết kinh phí", discontinued_on=datetime.date(2022, 3, 15)
    )
    figures = report_figures(reviewer, tree.province, period)
    assert figures["total"]["active"] == 1
    assert figures["total"]["maintained"] == 1
    # Still active in the first half of 2022, in which it stopped.
    assert report_figures(reviewer, tree.province, half_period(2022, 1))["total"]["active"] == 2
