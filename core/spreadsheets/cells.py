"""Cells read the same way by every importer: dates, text, choices and counts."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache

from core.date_range import date_out_of_range, range_message
from core.partial_dates import DatePrecision
from core.spreadsheets.exporting import FORMULA_STARTS
from core.text import single_line

_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{4})$")
_YEAR = re.compile(r"^\d{4}$")


class DateOutOfRange(ValueError):
    """A real date outside the accepted range; the message (after the column's name) is for
    the user."""


def parse_date(value) -> date | None:
    """A dd/mm/yyyy text, an Excel date or empty, within the accepted range
    (``core.date_range``); DateOutOfRange for a date outside it, ValueError for anything
    else."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        day = _parse_date_text(str(value).strip())
    if date_out_of_range(day):
        # Not strftime: it writes year 1 as "1", not "0001".
        typed = f"{day.day:02}/{day.month:02}/{day.year:04}"
        raise DateOutOfRange(f"{typed} không hợp lệ: {range_message().lower()}")
    return day


def parse_partial_date(value) -> tuple[date | None, str]:
    """A date that may be known to the month or the year only: "2019", "03/2019" (or "3/2019")
    or anything ``parse_date`` reads, as (its first day, its ``DatePrecision``). A year typed
    into a number cell (2019) is a year. DateOutOfRange or ValueError as ``parse_date``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip() if isinstance(value, str | int) else None
    if text is None or not (_YEAR.match(text) or _MONTH_YEAR.match(text)):
        return parse_date(value), DatePrecision.DAY
    if _YEAR.match(text):
        day, precision = date(int(text), 1, 1), DatePrecision.YEAR
    else:
        month, year = map(int, _MONTH_YEAR.match(text).groups())
        day, precision = date(year, month, 1), DatePrecision.MONTH  # ValueError for 13/2019
    if date_out_of_range(day):
        raise DateOutOfRange(f"{text} không hợp lệ: {range_message().lower()}")
    return day, precision


def _parse_date_text(text: str) -> date:
    day_month_year = _DAY_MONTH_YEAR.match(text)
    if day_month_year:  # the usual case, without strptime's cost on every row
        day, month, year = map(int, day_month_year.groups())
        return date(year, month, day)  # ValueError for 31/02
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


# Zero-width characters: pasted from web pages and chat, invisible in the cell.
# A pattern, not str.translate: translate looks every character up in a dict (some 13 µs for a
# paragraph, on every cell of an import), the pattern scans in C.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def cell_text(value) -> str:
    """A cell as trimmed text; whole numbers typed as numbers lose their ``.0``. Vietnamese
    letters typed with combining tone marks (VNI, the Windows code page) are composed (NFC), so
    that "Hòa" has one spelling whatever the keyboard; invisible characters go."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if not text.isascii():
        text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    text = text.strip()
    # Undo neutralise_formula, so that an exported file imports back unchanged.
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


def line_text(value) -> str:
    """A single-line cell (a name, a position, a decision number): ``cell_text`` on one line,
    each run of spaces (no-break spaces included) one space."""
    return _SPACES.sub(" ", single_line(cell_text(value)))


def code_text(value) -> str:
    """A code cell as it is meant: full-width letters and digits folded ("T１９" → "T19", as
    Vietnamese input methods type them), invisible characters dropped, one line, trimmed (a
    no-break space included). Case is kept; ``same_codes`` matches codes whatever their case."""
    return single_line(unicodedata.normalize("NFKC", cell_text(value)))


_DASHES = re.compile(r"\s*[-\u2010-\u2015]\s*")

_SEPARATORS = re.compile(r"\s*,\s*")

_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)  # an import repeats the same few labels on every row
def lookup_key(text: str) -> str:
    """``text`` reduced for matching a typed label against a list: case, diacritics, dashes and
    spacing ignored ("Văn hoá - Xã hội" and "văn hóa – xã hội" give the same key)."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = _SPACES.sub(" ", text.casefold()).strip()
    return _SEPARATORS.sub(",", _DASHES.sub("-", text))


@lru_cache(maxsize=64)
def _choice_keys(choices) -> dict[str, str]:
    keys = {lookup_key(label): code for code, label in choices.choices}
    keys.update((lookup_key(code), code) for code in choices.values)
    return keys


def parse_choice(value, choices) -> str | None:
    """A choice given by its code or its Vietnamese label; None when it is neither."""
    return _choice_keys(choices).get(lookup_key(cell_text(value)))


# Never led by 0: "0.125" or "0,125" is a fraction, not 125.
_GROUPED_NUMBER = re.compile(r"^[1-9]\d{0,2}([., ]\d{3})+$")


def parse_count(value, maximum: int) -> int | None:
    """A whole number from 0 to ``maximum`` (thousands may be grouped: 1.500.000); None when the
    cell is empty; ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        value = int(value)
    if not isinstance(value, int):
        text = cell_text(value).replace("\u00a0", " ")
        if _GROUPED_NUMBER.match(text):
            text = re.sub(r"[., ]", "", text)
        if not text.isdigit():
            raise ValueError(text)
        value = int(text)
    if not 0 <= value <= maximum:
        raise ValueError(value)
    return value
