"""Numbers written the Vietnamese way (1.234.567 and 1.234,5), wherever the portal writes one
into a message, a file or a page outside a template (templates use the ``grouped`` filter)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def as_number(value) -> int | Decimal:
    """A figure as a real number: whole numbers as ``int``, others as ``Decimal``."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return 0
    return int(number) if number == number.to_integral_value() else number


def vn_number(value) -> str:
    """``value`` written the Vietnamese way: 1.234.567 and 1.234,5."""
    number = as_number(value)
    if isinstance(number, int):
        return f"{number:,}".replace(",", ".")
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return text.translate(str.maketrans({",": ".", ".": ","}))
