"""Pages of the list after (or before) a row, not after so many rows.

A deep page asked by its number makes PostgreSQL walk and drop every row before it (``OFFSET``:
page 39,000 of the national list took 731 ms). The list's "Sau"/"Trước" links carry instead the
sort key and the primary key of the last (or first) row shown, signed, and the next page is the
rows after that one in the sort order, the primary key breaking ties: an index scan that starts
where the previous page ended, as fast on page 39,000 as on page 2.

The sort columns may be empty (a draft without a start date): PostgreSQL puts empty values last
in an ascending order and first in a descending one, and the conditions below follow it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core import signing
from django.db.models import Q, QuerySet

from models_registry.filters import SORT_ORDERING
from models_registry.models import DanVanModel

CURSOR_PARAMETER = "cursor"
_SALT = "models_registry.list.cursor"
# The page numbers that may still be asked by number (OFFSET stays cheap that far).
MAX_NUMBERED_PAGE = 40
BAD_CURSOR = (
    "Liên kết chuyển trang không hợp lệ hoặc không còn dùng được (có thể do đã đổi cách sắp "
    "xếp). Danh sách được hiển thị lại từ trang đầu."
)
PAGE_TOO_FAR = (
    f"Chỉ mở trực tiếp được {MAX_NUMBERED_PAGE} trang đầu theo số trang. Hãy dùng nút "
    "“Sau »”/“« Trước” hoặc lọc thêm để thu hẹp danh sách. Danh sách được hiển thị từ trang đầu."
)


class BadCursor(ValueError):
    """A cursor that was not made by the list (altered, or for another sort)."""


@dataclass(frozen=True)
class Cursor:
    sort: str
    forward: bool  # the rows after the key (else the rows before it)
    value: object  # the sort column's value of the row (None when empty)
    pk: int
    number: int  # the number of the page this cursor opens, for "Trang n / m"


def _column(sort: str) -> str:
    return SORT_ORDERING[sort][0].lstrip("-")


def _encode_value(value) -> object:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _decode_value(sort: str, value):
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadCursor("value")
    field = DanVanModel._meta.get_field(_column(sort))
    try:
        if field.get_internal_type() == "DateTimeField":
            return datetime.datetime.fromisoformat(value)
        if field.get_internal_type() == "DateField":
            return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise BadCursor("value") from error
    return value


def make_cursor(sort: str, row: DanVanModel, *, forward: bool, number: int) -> str:
    value = _encode_value(getattr(row, _column(sort)))
    return signing.dumps([sort, forward, value, row.pk, number], salt=_SALT, compress=True)


def read_cursor(text: str, sort: str) -> Cursor:
    """The cursor ``text`` holds, for the list sorted by ``sort``; ``BadCursor`` otherwise."""
    try:
        cursor_sort, forward, value, pk, number = signing.loads(text, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadCursor("signature") from error
    if cursor_sort != sort or cursor_sort not in SORT_ORDERING:
        raise BadCursor("sort")
    if not isinstance(pk, int) or not isinstance(number, int) or number < 1:
        raise BadCursor("key")
    return Cursor(sort, bool(forward), _decode_value(sort, value), pk, number)


def _after(column: str, ascending: bool, value, pk: int) -> Q:
    """The rows after (``value``, ``pk``) in the order ``column`` (ascending or not), ``pk``
    in the same direction; empty values last when ascending, first when descending."""
    beyond = "gt" if ascending else "lt"
    if value is None:
        condition = Q(**{f"{column}__isnull": True, f"pk__{beyond}": pk})
        return condition if ascending else condition | Q(**{f"{column}__isnull": False})
    # "column ≥ value" (or ≤) first, so that an index on the column starts the scan there.
    condition = Q(**{f"{column}__{beyond}e": value}) & (
        Q(**{f"{column}__{beyond}": value}) | Q(**{f"pk__{beyond}": pk})
    )
    return (condition | Q(**{f"{column}__isnull": True})) if ascending else condition


def _reversed(ordering: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name[1:] if name.startswith("-") else f"-{name}" for name in ordering)


@dataclass
class KeysetPage:
    """What the pagination partial reads from a page (``has_previous``, ``number``, …), with
    the links to the pages around it."""

    object_list: list
    number: int
    num_pages: int
    previous: bool
    following: bool
    previous_link: str = ""
    next_link: str = ""

    @property
    def paginator(self):
        return self

    def has_previous(self) -> bool:
        return self.previous

    def has_next(self) -> bool:
        return self.following

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next()


def page_ids(queryset: QuerySet, cursor: Cursor, per_page: int) -> tuple[list[int], bool]:
    """The ids of the page ``cursor`` opens, in the list's order, and whether there are rows
    beyond them in the cursor's direction; read from the index, one row more than a page."""
    ordering = SORT_ORDERING[cursor.sort]
    column = _column(cursor.sort)
    ascending = not ordering[0].startswith("-")
    if not cursor.forward:
        ordering, ascending = _reversed(ordering), not ascending
    condition = _after(column, ascending, cursor.value, cursor.pk)
    ids = list(
        queryset.filter(condition).order_by(*ordering).values_list("pk", flat=True)[: per_page + 1]
    )
    more = len(ids) > per_page
    ids = ids[:per_page]
    if not cursor.forward:
        ids.reverse()
    return ids, more
