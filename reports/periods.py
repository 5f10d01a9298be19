"""Reporting periods as the report form offers them: built-in years and halves, and stored ones.

A period is named by a short key in the URL: ``2026`` (the year), ``2026-6t1`` / ``2026-6t2``
(its halves), ``ky-<id>`` (a period stored by admins).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from reports.choices import PeriodKind

_YEAR = re.compile(r"^(\d{4})$")
_HALF = re.compile(r"^(\d{4})-6t([12])$")
_STORED = re.compile(r"^ky-(\d+)$")
FIRST_YEAR = 2000


@dataclass(frozen=True)
class ReportPeriod:
    key: str
    name: str
    kind: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """The first moment of the period and the first moment after it, in Vietnam time."""
        zone = timezone.get_current_timezone()
        start = timezone.make_aware(datetime.combine(self.start, time.min), zone)
        after = timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min), zone)
        return start, after

    def previous(self) -> ReportPeriod:
        """The period of the same length ending the day before this one starts.

        A period of whole months goes back by the same number of months (a phase 2021–2025:
        2016–2020; 01/04–30/09: 01/10 of the year before–31/03), whatever its kind; any other
        period by the same number of days. When the result is a built-in year or half, it is
        that period (with its key and name).
        """
        end = self.start - timedelta(days=1)
        months = self.whole_months
        if months:
            start = _months_before(self.start, months)
        else:
            start = end - timedelta(days=self.days - 1)
        for built_in in (year_period(start.year), *(half_period(start.year, h) for h in (1, 2))):
            if (built_in.start, built_in.end) == (start, end):
                return built_in
        return ReportPeriod(
            key="",
            name=f"{start:%d/%m/%Y} – {end:%d/%m/%Y}",
            kind=self.kind,
            start=start,
            end=end,
        )

    @property
    def whole_months(self) -> int:
        """How many calendar months the period spans exactly (0 when it is not whole months)."""
        if self.start.day != 1 or (self.end + timedelta(days=1)).day != 1:
            return 0
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "kind": self.kind,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


def _months_before(first_day: date, months: int) -> date:
    """The first day of the month ``months`` months before ``first_day``'s month."""
    index = first_day.year * 12 + first_day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def year_period(year: int) -> ReportPeriod:
    return ReportPeriod(
        str(year), f"Năm {year}", PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31)
    )


def half_period(year: int, half: int) -> ReportPeriod:
    if half == 1:
        return ReportPeriod(
            f"{year}-6t1",
            f"6 tháng đầu năm {year}",
            PeriodKind.HALF_YEAR,
            date(year, 1, 1),
            date(year, 6, 30),
        )
    return ReportPeriod(
        f"{year}-6t2",
        f"6 tháng cuối năm {year}",
        PeriodKind.HALF_YEAR,
        date(year, 7, 1),
        date(year, 12, 31),
    )


def stored_period(period) -> ReportPeriod:
    return ReportPeriod(f"ky-{period.pk}", period.name, period.kind, period.start, period.end)


def default_period(today: date | None = None) -> ReportPeriod:
    """The half of the current year we are in."""
    today = today or timezone.localdate()
    return half_period(today.year, 1 if today.month <= 6 else 2)


def available_periods(today: date | None = None) -> list[ReportPeriod]:
    """The choices of the report form: this year and last, their halves, then stored periods."""
    from reports.models import Period

    today = today or timezone.localdate()
    built_in = []
    for year in (today.year, today.year - 1):
        built_in += [year_period(year), half_period(year, 1), half_period(year, 2)]
    stored = [stored_period(period) for period in Period.objects.all()]
    return built_in + stored


def resolve_period(key: str | None, today: date | None = None) -> ReportPeriod | None:
    """The period a key names, or None when it names none."""
    from reports.models import Period

    key = (key or "").strip()
    today = today or timezone.localdate()
    if match := _YEAR.match(key):
        year = int(match[1])
        return year_period(year) if FIRST_YEAR <= year <= today.year + 1 else None
    if match := _HALF.match(key):
        year = int(match[1])
        return half_period(year, int(match[2])) if FIRST_YEAR <= year <= today.year + 1 else None
    if match := _STORED.match(key):
        period = Period.objects.filter(pk=int(match[1])).first()
        return stored_period(period) if period else None
    return None
