"""Text normalisation shared by search boxes, the database's search columns and single-line
inputs."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Line and paragraph breaks of every kind (CR, LF, vertical tab, form feed, NEL, U+2028/9) and
# tabs, with the spaces around them; then any other control character.
_BREAKS = re.compile(r"[ ]*[\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029]+[ ]*")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def single_line(value: str) -> str:
    """``value`` on one line: each run of line breaks or tabs becomes one space, other control
    characters go. For names, codes, positions, decision numbers: text that ends up in an e-mail
    subject, a spreadsheet cell or a header, where a line break breaks things."""
    if not value:
        return value
    return _CONTROLS.sub("", _BREAKS.sub(" ", value)).strip()


def search_text(value: str) -> str:
    """Lower-case ``value`` without diacritics: "Chùa Hang" → "chua hang", "Đức" → "duc".

    Agrees with the database function ``danvan_search_text`` (unaccent + lower), which fills the
    search columns, so a query typed with or without diacritics matches either way.
    """
    decomposed = unicodedata.normalize("NFD", value or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped).strip().lower()


def whole_number(value) -> int | None:
    """The whole number ``value`` spells in ASCII digits (an id or a page number from an address
    or a form), else None. ``str.isdigit`` is not the test: "²" and "①" pass it, int() refuses
    them."""
    text = str(value if value is not None else "")
    return int(text) if text.isascii() and text.isdigit() else None
