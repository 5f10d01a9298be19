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
