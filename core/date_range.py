"""The range of dates the portal accepts, defined once for forms, imports, the admin and the
database.

Every date a person types or imports (a model's start, evaluation and decision dates, a result
report's period, a commendation round's dates, a report period, an organisation's validity)
lies between ``EARLIEST_DATE`` (1 January 1990) and the end of the year ``PLAN_YEARS`` years
from now. The movement dates from 1999 and the 2000s; older records are possible, nothing from
before 1990 is. Plans may look a few years ahead, no further.

The database holds a fixed outer bound, ``EARLIEST_DATE`` to ``LATEST_STORABLE_DATE``, in named
check constraints (``<model>_date_ranges``): a check constraint cannot depend on today's date,
and the typed range always lies within it. A date outside would turn into a timestamp before
year 1 in UTC (0001-01-01 in Vietnam time) and break every page that reads it.
"""

from __future__ import annotations

import time as clock
from datetime import date, datetime, time
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

EARLIEST_DATE = date(1990, 1, 1)
PLAN_YEARS = 10
LATEST_STORABLE_DATE = date(2100, 12, 31)
# The database's own message, for a constraint checked by ``full_clean``.
DATE_RANGE_MESSAGE = (
    f"Ngày phải nằm trong khoảng từ {EARLIEST_DATE:%d/%m/%Y} đến {LATEST_STORABLE_DATE:%d/%m/%Y}."
)


def latest_date(today: date | None = None) -> date:
    """The last date accepted today: the end of the year ``PLAN_YEARS`` years ahead."""
    today = today or timezone.localdate()
    return min(date(today.year + PLAN_YEARS, 12, 31), LATEST_STORABLE_DATE)


def year_in_range(year: int) -> bool:
    """Whether ``year`` is a year of the accepted range (for year filters)."""
    return EARLIEST_DATE.year <= year <= latest_date().year


def validate_year(value: int) -> None:
    """Form-field validator for a year filter."""
    if not year_in_range(value):
        raise ValidationError(
            f"Năm phải từ {EARLIEST_DATE.year} đến {latest_date().year}.", code="year_out_of_range"
        )


def range_message() -> str:
    return f"Ngày phải nằm trong khoảng từ {EARLIEST_DATE:%d/%m/%Y} đến {latest_date():%d/%m/%Y}."


@lru_cache(maxsize=2)
def _latest_date_in(minute: int) -> date:
    return latest_date()


def date_out_of_range(value: date | None) -> bool:
    """Whether ``value`` is a date outside the accepted range (None is not)."""
    if value is None:
        return False
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    # The last accepted date, worked out once a minute: an import checks tens of thousands of
    # dates, and today's date in Vietnam costs more than the comparison.
    return not EARLIEST_DATE <= value <= _latest_date_in(int(clock.time() // 60))


def validate_date_range(value) -> None:
    """Model-field validator: forms, the admin and ``full_clean`` refuse a date outside."""
    if date_out_of_range(value):
        raise ValidationError(range_message(), code="date_out_of_range")


def day_start(day: date) -> datetime:
    """00:00 Vietnam time on ``day``: the timestamp of a status reached on a past date (an
    imported record, a discontinuation dated back), whatever the hour it was recorded."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def dates_in_range(*names: str, timestamps: tuple[str, ...] = ()) -> Q:
    """The condition of a ``<model>_date_ranges`` check constraint over nullable date fields
    ``names`` and timestamp fields ``timestamps`` (compared in Vietnam time)."""
    tz = timezone.get_fixed_timezone(7 * 60)
    low = datetime.combine(EARLIEST_DATE, time.min, tzinfo=tz)
    high = datetime.combine(LATEST_STORABLE_DATE, time.max, tzinfo=tz)
    condition = Q()
    for name in names:
        condition &= Q(**{f"{name}__isnull": True}) | Q(
            **{f"{name}__range": (EARLIEST_DATE, LATEST_STORABLE_DATE)}
        )
    for name in timestamps:
        condition &= Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__range": (low, high)})
    return condition
