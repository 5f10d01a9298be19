"""Text normalisation shared by search boxes and the database's search columns."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def search_text(value: str) -> str:
    """Lower-case ``value`` without diacritics: "Chùa Hang" → "chua hang", "Đức" → "duc".

    Agrees with the database function ``danvan_search_text`` (unaccent + lower), which fills the
    search columns, so a query typed with or without diacritics matches either way.
    """
    decomposed = unicodedata.normalize("NFD", value or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped).strip().lower()
