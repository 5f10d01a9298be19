"""The list's filters: every choice limited to what the user may see."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import django_filters
from django import forms
from django.db import connection
from django.db.models import Count
from django.urls import reverse_lazy

from core.date_range import EARLIEST_DATE, validate_year
from core.filtersets import CountsConditions
from core.forms import DayMonthYearField, QuickSelect, style_widgets
from core.pickers import PickerSelect
from core.text import whole_number
from core.versions import kept, sequence_version
from models_registry.choices import Actor, Field, ModelKind, Status
from models_registry.models import DanVanModel, Theme
from organisations.choices import OrganisationLevel, Role
from organisations.models import Organisation
from organisations.pickers import unit_options
from organisations.querysets import (
    membership_levels,
    scope_paths,
    subtree_q,
    with_predecessors,
)
from organisations.selectors import nearby_units

SORTS = (
    ("-start_date", "Ngày bắt đầu (mới nhất)"),
    ("start_date", "Ngày bắt đầu (cũ nhất)"),
    ("name", "Tên (A–Z)"),
    ("-name", "Tên (Z–A)"),
    ("-updated_at", "Cập nhật gần đây"),
)
# The database order of each sort; the primary key keeps pages stable between requests.
SORT_ORDERING = {
    "-start_date": ("-start_date", "-pk"),
    "start_date": ("start_date", "pk"),
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "-updated_at": ("-updated_at", "-pk"),
}
DEFAULT_SORT = "-start_date"
T = TypeVar("T")
# How long the list's counts by field are kept (seconds) under the registry's version: the
# version moves on with every write to the models, so this bounds only what the version cannot
# see (a unit moved in the tree, a write committed while a count was being taken).
COUNTS_CACHE_SECONDS = 60
# A search over the whole country counts its matches up to this many, the forty pages that may
# be asked by number (``keyset.MAX_NUMBERED_PAGE``); beyond, the page says "more than" instead
# of recounting tens of thousands of matches by field (each read from the table to check its
# words). A scope's search counts them all: its matches are found by scope first (through its
# units, or a province's part of the index of subtrees and words), not among the country's.
SEARCH_COUNT_LIMIT = 1000
# The scopes whose searches read the index of subtrees and words (``matching``): a province
# holds tens of thousands of models. A commune's few hundred are found quicker through its units,
# each row checked for the words, than through the index's lists of common words, which the
# planner would prefer if offered.
WIDE_LEVELS = {OrganisationLevel.CENTRAL, OrganisationLevel.PROVINCE}
# Parameters that change the rows counted (the sort, the page and the cursor do not).
COUNTED_PARAMETERS = (
    "q",
    "field",
    "kind",
    "actor",
    "status",
    "themes",
    "unit",
    "year",
    "start_from",
    "start_to",
    "replicated",
)


def list_version() -> int:
    """The registry's version: moved on by every statement that writes models or their theme
    links (a trigger, migration 0014), committed or not."""
    return sequence_version("models_registry_list_version")


def kept_in_scope(name: str, user, role: str, count: Callable[[], T]) -> T:
    """``count()`` kept like the list's counts by field: under the registry's version and
    ``user``'s scope with ``role`` (a superuser's: the whole country)."""
    scope = "all" if user.is_superuser else repr(scope_paths(user, [role]))
    return kept(name, list_version(), scope, count, COUNTS_CACHE_SECONDS)


class YearFilter(django_filters.NumberFilter):
    """A whole year of the accepted date range; any other value does not validate (a year
    lookup on year 0 or 99999999999999999999 fails in the database)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [validate_year])
        super().__init__(*args, **kwargs)


class DayMonthYearFilter(django_filters.DateFilter):
    """A date typed day first, like every date of the portal's forms (``DayMonthYearField``)."""

    field_class = DayMonthYearField


class DanVanModelFilter(CountsConditions, django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Tìm kiếm",
        method="filter_text",
        widget=forms.TextInput(
            attrs={"placeholder": "Tên, nội dung, mã… (gõ có dấu hoặc không dấu)", "type": "search"}
        ),
    )
    field = django_filters.ChoiceFilter(
        label="Lĩnh vực",
        choices=Field.choices,
        empty_label="Tất cả",
        widget=QuickSelect,
    )
    kind = django_filters.ChoiceFilter(
        label="Loại",
        choices=ModelKind.choices,
        empty_label="Tất cả",
        widget=QuickSelect,
    )
    actor = django_filters.ChoiceFilter(
        label="Chủ thể",
        choices=Actor.choices,
        empty_label="Tất cả",
        widget=QuickSelect,
    )
    status = django_filters.ChoiceFilter(
        label="Trạng thái",
        choices=Status.choices,
        empty_label="Tất cả",
        widget=QuickSelect,
    )
    themes = django_filters.ModelChoiceFilter(
        label="Chủ đề", queryset=Theme.objects.all(), empty_label="Tất cả", widget=QuickSelect
    )
    unit = django_filters.ModelChoiceFilter(
        label="Đơn vị (gồm cả đơn vị trực thuộc)",
        queryset=Organisation.objects.none(),
        method="filter_unit",
        empty_label="Toàn bộ phạm vi",
        widget=PickerSelect(
            search_url=reverse_lazy("organisations:organisation_picker"),
            placeholder="Toàn bộ phạm vi; gõ tên đơn vị để lọc…",
        ),
    )
    year = YearFilter(
        label="Năm bắt đầu",
        field_name="start_date",
        lookup_expr="year",
        widget=forms.NumberInput(attrs={"min": EARLIEST_DATE.year, "placeholder": "vd. 2025"}),
    )
    start_from = DayMonthYearFilter(
        label="Bắt đầu từ ngày",
        field_name="start_date",
        lookup_expr="gte",
    )
    start_to = DayMonthYearFilter(
        label="đến ngày",
        field_name="start_date",
        lookup_expr="lte",
    )
    replicated = django_filters.ChoiceFilter(
        label="Nhân rộng",
        choices=(("yes", "Nhân rộng từ mô hình khác"), ("no", "Mô hình gốc")),
        method="filter_replicated",
        empty_label="Tất cả",
        widget=QuickSelect,
    )
    sort = django_filters.ChoiceFilter(
        label="Sắp xếp", choices=SORTS, method="filter_sort", empty_label=None, widget=QuickSelect
    )

    class Meta:
        model = DanVanModel
        fields = ["q", "field", "kind", "actor", "status", "themes", "unit", "year"]

    def __init__(self, data=None, *args, user, **kwargs):
        self.user = user
        # Always bound: no parameters is a valid filter that shows everything in scope.
        data = data if data is not None else {}
        super().__init__(data, *args, queryset=DanVanModel.objects.visible_to(user), **kwargs)
        # Any unit in scope is accepted (links from a unit's page); the picker lists the top ones.
        self.filters["unit"].queryset = Organisation.objects.visible_to(user)

    @classmethod
    def lenient(cls, params, *, user) -> DanVanModelFilter:
        """A valid filterset for ``params``: a value that does not validate is dropped (and
        listed in ``ignored``) rather than emptying the list."""
        filterset = cls(params, user=user)
        filterset.ignored = []
        if not filterset.is_valid():
            params = params.copy()
            for name in filterset.errors:
                params.pop(name, None)
            ignored = [filterset.filters[name].label for name in filterset.errors]
            filterset = cls(params, user=user)
            filterset.ignored = ignored
        return filterset

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            chosen = str(form.data.get("unit") or "")
            include = [pk] if (pk := whole_number(chosen)) is not None else []
            units = nearby_units(self.user, levels=1, include=include)
            form.fields["unit"].widget.choices = [("", "Toàn bộ phạm vi"), *unit_options(units)]
            # Read in one plain query (a model choice field's own iteration declares a cursor).
            themes = Theme.objects.values_list("pk", "name")
            form.fields["themes"].widget.choices = [("", "Tất cả"), *themes]
            form.fields["sort"].initial = DEFAULT_SORT
            style_widgets(form)
        return self._form

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*SORT_ORDERING[DEFAULT_SORT])
        return queryset

    def filter_text(self, queryset, name, value):
        if self.user.is_superuser or not membership_levels(self.user) & WIDE_LEVELS:
            return queryset.matching(value)
        # Redundant with the scope the queryset starts from, which stays the rule: the scope's
        # paths again, on the models' copy of them, so that the index is read for the scope.
        return queryset.matching(value, within=scope_paths(self.user))

    def filter_unit(self, queryset, name, value):
        # A unit's figures include the units merged into it (the 2025 mergers).
        return queryset.filter(
            subtree_q(with_predecessors([value.path], user=self.user), "owning_unit__path")
        )

    def filter_replicated(self, queryset, name, value):
        return queryset.filter(replicated_from__isnull=(value == "no"))

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORT_ORDERING[value])

    def counts_by_field(self) -> dict[str, int]:
        """How many models of the current filter fall in each field (one grouped query).

        Kept in the process's cache for ``COUNTS_CACHE_SECONDS`` under the registry's version,
        the user's scope and the filter: the same list asked again (another page, another
        sort, the national administrator's unfiltered million rows) costs one read of the
        version instead of a count, and any write to the models counts anew.
        """
        return kept(
            "registry-counts",
            list_version(),
            self._counted_scope(),
            lambda: dict(self.qs.order_by().values_list("field").annotate(count=Count("pk"))),
            COUNTS_CACHE_SECONDS,
        )

    def _counted_scope(self) -> str:
        """The user's scope and the filter's counted parameters, as text (``core.versions``)."""
        user = self.user
        if user.is_superuser:
            scope = "all"
        else:
            scope = repr((scope_paths(user), scope_paths(user, [Role.CADRE])))
        data = self.form.cleaned_data
        values = [getattr(data.get(name), "pk", data.get(name)) for name in COUNTED_PARAMETERS]
        counted = repr([str(value or "") for value in values])
        return f"{scope}|{counted}"

    def kept_search(self, number: int, per_page: int) -> tuple[dict, list[int], bool]:
        """``searched_counts_and_page``, kept like the counts by field (same version, scope,
        filter and time; with the sort and the page): a search asked again, with no write to
        the models in between, costs one read of the version instead of a search."""
        sort = self.form.cleaned_data.get("sort") or DEFAULT_SORT
        return kept(
            "registry-search",
            list_version(),
            f"{self._counted_scope()}|{sort}|{number}|{per_page}",
            lambda: self.searched_counts_and_page(number, per_page),
            COUNTS_CACHE_SECONDS,
        )

    def searched_counts_and_page(self, number: int, per_page: int) -> tuple[dict, list[int], bool]:
        """For a text search: the counts by field, the ids of page ``number`` and whether the
        matches were more than ``SEARCH_COUNT_LIMIT`` (then the counts are empty).

        Over the whole country (a superuser's search), one statement gathers at most
        ``SEARCH_COUNT_LIMIT`` + 1 matches, in no order, so that
        it stops as soon as it has them: found from the full-text index when the words are rare,
        by reading the scope's rows when they are common. Up to the limit, the counts and the
        page come from those matches, searched once. Beyond it, the page is read apart, in the
        list's order: with that many matches, walking the scope in that order
        meets a page of them early, and nothing counts or sorts every match.
        """
        queryset = self.qs
        ordering = queryset.query.order_by or DanVanModel._meta.ordering
        names = ["id" if name.lstrip("-") == "pk" else name.lstrip("-") for name in ordering]
        columns = ["id", "field", *dict.fromkeys(n for n in names if n not in ("id", "field"))]
        inner = queryset.order_by().values("pk", *columns[1:])
        sql, params = inner.query.sql_with_params()
        order = ", ".join(
            f'"{column}" {"DESC" if name.startswith("-") else "ASC"}'
            for column, name in zip(names, ordering, strict=True)
        )
        limit = SEARCH_COUNT_LIMIT if self.user.is_superuser else None
        statement = (
            f"WITH matches({', '.join(columns)}) AS MATERIALIZED ({sql} LIMIT %s) "
            "SELECT field, COUNT(*), NULL::bigint FROM matches GROUP BY field "
            f"UNION ALL (SELECT NULL, NULL, id FROM matches ORDER BY {order} LIMIT %s OFFSET %s)"
        )
        counts, ids = {}, []
        bottom = (number - 1) * per_page
        with connection.cursor() as cursor:
            cursor.execute(statement, (*params, limit and limit + 1, per_page, bottom))
            for field, count, pk in cursor.fetchall():
                if pk is None:
                    counts[field] = count
                else:
                    ids.append(pk)
        if limit is None or sum(counts.values()) <= limit:
            return counts, ids, False
        return {}, list(queryset.values_list("pk", flat=True)[bottom : bottom + per_page]), True

    def described(self) -> list[tuple[str, str]]:
        """The conditions narrowing the list in words, as (label, value): ("Lĩnh vực", "Văn hóa
        – xã hội"), the search as typed, the start's range in dd/mm/yyyy on one line. The order
        the list is sorted in is not one (``sort_label``), nor a value ``lenient`` dropped."""
        if not (self.is_bound and self.form.is_valid()):
            return []
        data = self.form.cleaned_data
        lines = []
        for name, condition in self.filters.items():
            if name in ("sort", "start_to"):
                continue
            if name == "start_from":  # with "start_to": one range
                since, until = data.get("start_from"), data.get("start_to")
                words = [f"từ {since:%d/%m/%Y}"] if since else []
                words += [f"đến {until:%d/%m/%Y}"] if until else []
                if words:
                    lines.append(("Ngày bắt đầu", " ".join(words)))
                continue
            value = data.get(name)
            if value in (None, "", []):
                continue
            if isinstance(value, str) and "choices" in condition.extra:  # a code: its label
                value = dict(condition.extra["choices"]).get(value, value)
            lines.append((str(condition.label), str(value)))
        return lines

    @property
    def sort_label(self) -> str:
        """How the list is sorted, in words."""
        sort = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        return dict(SORTS)[sort or DEFAULT_SORT]

    @property
    def searching(self) -> bool:
        return bool(self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("q"))
