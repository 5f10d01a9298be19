"""Saved filters (bộ lọc đã lưu): a user names the filters of a list page and applies them again
with one click. A saved filter is only the page's query string: applying it opens the page with
that query, so it passes the page's own filter form and scope like any address typed by hand.

The pages that offer it register here when their app is loaded (``register_page``), so this
module names no app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse

from core.audit import acting
from core.models import SAVED_FILTER_NAME_MAX, SAVED_FILTER_QUERY_MAX, SavedFilter

SAVED_PER_PAGE = 20
# Parameters that place the reader in the list rather than filter it, and the form's token.
NOT_FILTERS = frozenset({"page", "cursor", "csrfmiddlewaretoken"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class SavedFilterPage:
    label: str
    url_name: str


_pages: dict[str, SavedFilterPage] = {}


def register_page(key: str, *, label: str, url_name: str) -> None:
    """Offer saved filters on the list named ``url_name`` under ``key`` (stored with each)."""
    _pages[key] = SavedFilterPage(label, url_name)


def known_page(key: str) -> SavedFilterPage | None:
    return _pages.get(key)


def page_url(key: str, query: str = "") -> str:
    """The page's address with ``query`` applied ("" for a page no longer offered)."""
    page = _pages.get(key)
    if page is None:
        return ""
    path = reverse(page.url_name)
    return f"{path}?{query}" if query else path


def clean_name(raw: str) -> str:
    """The name as kept: one line, no control characters, trimmed; refused when empty or long.
    HTML in a name is kept as typed and escaped wherever it is shown."""
    name = " ".join(_CONTROL.sub(" ", raw or "").split())
    if not name:
        raise ValidationError("Hãy đặt tên cho bộ lọc.", code="required")
    if len(name) > SAVED_FILTER_NAME_MAX:
        raise ValidationError(
            f"Tên bộ lọc tối đa {SAVED_FILTER_NAME_MAX} ký tự (đang có {len(name)}).",
            code="max_length",
        )
    return name


def clean_query(raw: str) -> str:
    """The filters of ``raw`` (a query string) without the list position and empty values,
    re-encoded; refused when nothing is left or it is too long to keep."""
    params = QueryDict(_CONTROL.sub("", raw or ""), mutable=True)
    for name in list(params):
        values = [value for value in params.getlist(name) if value.strip()]
        if name in NOT_FILTERS or not values:
            del params[name]
        else:
            params.setlist(name, values)
    query = params.urlencode()
    if not query:
        raise ValidationError(
            "Chưa có điều kiện lọc nào để lưu: hãy chọn bộ lọc rồi bấm “Lọc” trước.",
            code="empty",
        )
    if len(query) > SAVED_FILTER_QUERY_MAX:
        raise ValidationError("Bộ lọc quá dài để lưu; hãy bớt điều kiện lọc.", code="too_long")
    return query


def _name_taken(user, page: str, name: str, *, other_than: int | None = None) -> bool:
    same = SavedFilter.objects.filter(user=user, page=page, name__iexact=name)
    if other_than is not None:
        same = same.exclude(pk=other_than)
    return same.exists()


def _taken_message(name: str) -> str:
    return f"Bạn đã có bộ lọc tên “{name}” trên trang này; hãy chọn tên khác."


@transaction.atomic
def saved_filter_create(*, user, page: str, name: str, query: str) -> SavedFilter:
    """Keep ``query`` as ``user``'s filter ``name`` on ``page``, at most ``SAVED_PER_PAGE``."""
    if known_page(page) is None:
        raise ValidationError("Trang này không lưu được bộ lọc.", code="page")
    name, query = clean_name(name), clean_query(query)
    # The user's row serialises their saves, so two at once cannot pass the limit together.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if SavedFilter.objects.filter(user=user, page=page).count() >= SAVED_PER_PAGE:
        raise ValidationError(
            f"Mỗi trang lưu được tối đa {SAVED_PER_PAGE} bộ lọc; hãy xóa bớt bộ lọc cũ "
            "trước khi lưu thêm.",
            code="limit",
        )
    if _name_taken(user, page, name):
        raise ValidationError(_taken_message(name), code="unique")
    saved = SavedFilter(user=user, page=page, name=name, query=query)
    saved.full_clean()
    with acting(user):
        saved.save()
    return saved


@transaction.atomic
def saved_filter_rename(*, saved: SavedFilter, by, name: str) -> SavedFilter:
    """Give ``by``'s saved filter another name (unique on its page)."""
    saved = SavedFilter.objects.visible_to(by).select_for_update().get(pk=saved.pk)
    name = clean_name(name)
    if _name_taken(by, saved.page, name, other_than=saved.pk):
        raise ValidationError(_taken_message(name), code="unique")
    saved.name = name
    saved.full_clean()
    with acting(by):
        saved.save(update_fields=["name", "updated_at"])
    return saved


@transaction.atomic
def saved_filter_delete(*, saved: SavedFilter, by) -> None:
    """Forget ``by``'s saved filter."""
    saved = SavedFilter.objects.visible_to(by).select_for_update().get(pk=saved.pk)
    with acting(by):
        saved.delete()


def saved_filters_context(user, page: str, query: str) -> dict:
    """What the saved-filters bar of a list shows: the user's filters for ``page`` (applied
    by their links), and the current ``query`` to save."""
    saved = list(SavedFilter.objects.visible_to(user).on_page(page).only("pk", "name", "query"))
    try:
        current = clean_query(query)
    except ValidationError:
        current = ""
    path = page_url(page)
    for item in saved:
        item.url = f"{path}?{item.query}"
        item.is_current = item.query == current
    return {
        "saved_filters": saved,
        "saved_filter_page": page,
        "saved_filter_query": query,
        "saved_filter_full": len(saved) >= SAVED_PER_PAGE,
    }
