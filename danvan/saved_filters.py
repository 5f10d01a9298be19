"""Saving, renaming and deleting a user's filters of a list page (``core.saved_filters``).

Every action is a POST from the list's saved-filters bar and returns to the list; another
user's saved filter answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.views import View

from core.models import SavedFilter
from core.saved_filters import (
    known_page,
    page_url,
    saved_filter_create,
    saved_filter_delete,
    saved_filter_rename,
)


def _back(page: str, raw_query: str):
    """To the list, with the filters it had (passed back through its own form, as ever)."""
    return redirect(page_url(page, QueryDict(raw_query or "").urlencode()))


class SavedFilterCreateView(View):
    def post(self, request):
        page = request.POST.get("page", "")
        if known_page(page) is None:
            raise Http404("Trang này không lưu được bộ lọc.")
        query = request.POST.get("query", "")
        try:
            saved = saved_filter_create(
                user=request.user, page=page, name=request.POST.get("name", ""), query=query
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _back(page, query)
        messages.success(request, f"Đã lưu bộ lọc “{saved.name}”.")
        return redirect(saved.get_absolute_url())


class SavedFilterMixin:
    def saved(self, request, pk) -> SavedFilter:
        saved = get_object_or_404(SavedFilter.objects.visible_to(request.user), pk=pk)
        if known_page(saved.page) is None:
            raise Http404
        return saved


class SavedFilterRenameView(SavedFilterMixin, View):
    def post(self, request, pk):
        saved = self.saved(request, pk)
        old_name = saved.name
        try:
            saved = saved_filter_rename(saved=saved, by=request.user, name=request.POST.get("name"))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Đã đổi tên bộ lọc “{old_name}” thành “{saved.name}”.")
        return _back(saved.page, request.POST.get("query", ""))


class SavedFilterDeleteView(SavedFilterMixin, View):
    def post(self, request, pk):
        saved = self.saved(request, pk)
        saved_filter_delete(saved=saved, by=request.user)
        messages.success(request, f"Đã xóa bộ lọc “{saved.name}”.")
        return _back(saved.page, request.POST.get("query", ""))
