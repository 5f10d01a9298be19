"""The period a report compares itself with: the same length, ending the day before it starts."""

from datetime import date, timedelta

import pytest

from reports.choices import PeriodKind
from reports.models import Period
from reports.periods import ReportPeriod, half_period, stored_period, year_period


def stored(name, kind, start, end) -> ReportPeriod:
    return stored_period(Period(pk=7, name=name, kind=kind, start=start, end=end))


def test_a_built_in_year():
    assert year_period(2025).previous() == year_period(2024)


def test_both_built_in_halves():
    assert half_period(2025, 1).previous() == half_period(2024, 2)
    assert half_period(2025, 2).previous() == half_period(2025, 1)


def test_a_stored_phase_goes_back_five_whole_years():
    phase = stored("Giai đoạn 2021–2025", PeriodKind.PHASE, date(2021, 1, 1), date(2025, 12, 31))
    before = phase.previous()
    assert (before.start, before.end) == (date(2016, 1, 1), date(2020, 12, 31))
    assert before.kind == PeriodKind.PHASE
    assert before.name == "01/01/2016 – 31/12/2020"


def test_a_stored_half_year_not_on_the_calendar_halves():
    half = stored("6 tháng (tài khóa)", PeriodKind.HALF_YEAR, date(2025, 4, 1), date(2025, 9, 30))
    before = half.previous()
    assert (before.start, before.end) == (date(2024, 10, 1), date(2025, 3, 31))
    assert before.key == "" and before.kind == PeriodKind.HALF_YEAR


def test_a_stored_period_on_the_calendar_is_compared_with_the_built_in_one():
    half = stored(
        "Sơ kết 6 tháng đầu năm", PeriodKind.HALF_YEAR, date(2025, 1, 1), date(2025, 6, 30)
    )
    assert half.previous() == half_period(2024, 2)
    year = stored("Tổng kết năm", PeriodKind.CUSTOM, date(2025, 1, 1), date(2025, 12, 31))
    assert year.previous() == year_period(2024)


def test_a_custom_range_goes_back_by_days():
    span = stored("Đợt thi đua", PeriodKind.CUSTOM, date(2025, 3, 10), date(2025, 3, 19))
    before = span.previous()
    assert (before.start, before.end) == (date(2025, 2, 28), date(2025, 3, 9))
    assert before.days == span.days == 10
    assert before.name == "28/02/2025 – 09/03/2025"


def test_a_custom_whole_month_goes_back_a_month():
    february = stored("Tháng 2", PeriodKind.CUSTOM, date(2024, 2, 1), date(2024, 2, 29))
    before = february.previous()
    assert (before.start, before.end) == (date(2024, 1, 1), date(2024, 1, 31))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2025, 1, 1), date(2025, 12, 31)),
        (date(2025, 7, 1), date(2025, 12, 31)),
        (date(2021, 1, 1), date(2025, 12, 31)),
        (date(2025, 4, 1), date(2025, 9, 30)),
        (date(2025, 3, 10), date(2025, 3, 19)),
        (date(2024, 3, 1), date(2025, 2, 28)),
    ],
)
def test_the_previous_period_ends_the_day_before(start, end):
    period = stored("Kỳ", PeriodKind.CUSTOM, start, end)
    before = period.previous()
    assert before.end == start - timedelta(days=1)
    assert before.start <= before.end
