"""Template filters shared by every app."""

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes in a duration, rounded up (a lockout of 14 min 30 s says 15)."""
    if not value:
        return 0
    return -(-int(value.total_seconds()) // 60)


@register.filter
def grouped(value):
    """Numbers with Vietnamese thousands separators (1.234.567); anything else as it is.

    ``intcomma`` would also group the digits inside text such as a phone number.
    """
    from decimal import Decimal

    from django.utils import formats

    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return formats.number_format(value, force_grouping=True)


@register.filter
def partial_date(value, precision="day"):
    """A date with the precision it was given: ``{{ model.start_date|partial_date:model.
    start_precision }}`` writes 15/03/2019, 03/2019 or 2019 (``core.partial_dates``)."""
    from core.partial_dates import partial_date_text

    return partial_date_text(value, precision or "day")
