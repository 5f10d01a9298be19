"""Dates known only to the month or the year, as old records give them ("03/2019", "2019").

Such a date is stored as its first day (01/03/2019, 01/01/2019) beside a precision, and shown
with the precision it was given: ``partial_date_text`` is the one place that writes it, for the
pages (the ``partial_date`` template filter), the exports and the reports.
"""

from __future__ import annotations

from datetime import date

from django.db import models


class DatePrecision(models.TextChoices):
    DAY = "day", "Ngày"
    MONTH = "month", "Tháng"
    YEAR = "year", "Năm"


def partial_date_text(day: date | None, precision: str = DatePrecision.DAY) -> str:
    """``day`` as ``15/03/2019``, ``03/2019`` or ``2019`` by its precision; "" for None."""
    if day is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{day.year:04}"
    if precision == DatePrecision.MONTH:
        return f"{day.month:02}/{day.year:04}"
    return f"{day.day:02}/{day.month:02}/{day.year:04}"
