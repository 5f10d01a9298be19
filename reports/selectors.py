"""The figures of a sơ kết / tổng kết report for (unit, period), each defined once.

The page, the charts, the workbook, the narrative and the snapshot all read ``report_figures``,
so no two of them can disagree. Every figure counts the unit's whole subtree, including the
units merged into it, each merged unit under its successor (``reports.scope``): a row of the
child-unit table counts exactly what that unit's own report counts. A handful of grouped
queries build everything — one per table read, never one per cell: the models are grouped by
(child unit, field, kind, actor) with every measure a filtered count, and the tables are summed
from those groups in Python. The records behind any one number are listed by ``counted_records``
from the same filters (``_counted_models``, ``_model_conditions``, ``_counted_commendations``,
``_counted_values``), so a number and its list cannot drift apart.

Definitions (a period is whole days, Vietnam time, both ends included):
- active: accepted before the period ends and not discontinued before it starts;
- new: accepted in the period; maintained: active but accepted before the period;
- replicated: new, with a "replicated from" link;
- recognised: recognised in the period; outstanding: marked outstanding in the period;
- commended: models with a commendation in force from a round published with a decision dated in
  the period (collectives and individuals counted once each, whatever the number of forms);
- registered: sent for review (or, for imported records, accepted) in the period.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Sum, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from core.partial_dates import DatePrecision, partial_date_text
from core.versions import sequence_version
from models_registry.choices import Actor, Field, ModelKind, Status
from models_registry.models import DanVanModel, Indicator, ResultValue
from organisations.choices import Role
from organisations.letterhead import issuing_body
from organisations.models import Organisation
from reports import rollup
from reports.periods import ReportPeriod
from reports.scope import ReportScope, report_scope
from reviews.choices import CommendationForm
from reviews.models import Commendation

MEASURES = (
    ("active", "Đang thực hiện"),
    ("new", "Xây dựng mới"),
    ("maintained", "Duy trì"),
    ("replicated", "Nhân rộng"),
    ("recognised", "Được công nhận"),
    ("outstanding", "Tiêu biểu"),
    ("commended_collectives", "Tập thể được khen"),
    ("commended_individuals", "Cá nhân được khen"),
)
MEASURE_KEYS = tuple(key for key, _ in MEASURES)
# How each number of the report is counted, in the words the page, the workbook and the list of
# records behind a number print (the module's docstring says the same for programmers).
MEASURE_DEFINITIONS = {
    "active": (
        "đã được duyệt đăng ký trước ngày cuối kỳ (tính cả ngày cuối kỳ) và chưa dừng thực hiện "
        "trước ngày đầu kỳ"
    ),
    "new": "được duyệt đăng ký trong kỳ",
    "maintained": "đang thực hiện trong kỳ và đã được duyệt đăng ký trước ngày đầu kỳ",
    "replicated": "xây dựng mới trong kỳ và nhân rộng từ một mô hình khác",
    "recognised": "được công nhận trong kỳ",
    "outstanding": "được chọn là tiêu biểu trong kỳ",
    "commended_collectives": (
        "mô hình, điển hình của tập thể có khen thưởng (chưa thu hồi) trong đợt đã công bố, "
        "quyết định ký trong kỳ; mỗi tập thể tính một lần dù được khen nhiều hình thức"
    ),
    "commended_individuals": (
        "điển hình cá nhân có khen thưởng (chưa thu hồi) trong đợt đã công bố, quyết định ký "
        "trong kỳ; mỗi cá nhân tính một lần dù được khen nhiều hình thức"
    ),
    "registered": (
        "gửi đăng ký trong kỳ (hồ sơ nhập từ dữ liệu cũ, không có ngày gửi: được duyệt đăng ký "
        "trong kỳ)"
    ),
    "accepted": "được duyệt đăng ký trong kỳ (như “Xây dựng mới”)",
    "commended": (
        "mô hình, điển hình (tập thể và cá nhân) có khen thưởng chưa thu hồi trong đợt đã công bố, "
        "quyết định ký trong kỳ; mỗi mô hình tính một lần"
    ),
    "commendations": (
        "lượt khen thưởng chưa thu hồi của các đợt đã công bố, quyết định ký trong kỳ; một mô "
        "hình được khen nhiều lần thì tính nhiều lượt"
    ),
    "indicator": (
        "tổng giá trị chỉ số của các báo cáo kết quả có ngày kết thúc trong kỳ; số báo cáo là số "
        "báo cáo kết quả có ghi chỉ số đó"
    ),
}
MODEL_MEASURES = MEASURE_KEYS[:6]
FIELD_KEYS = (*Field.values, "")  # "": models whose field is not chosen yet

FUNNEL = (
    ("registered", "Đăng ký"),
    ("accepted", "Được duyệt đăng ký"),
    ("recognised", "Được công nhận"),
    ("outstanding", "Tiêu biểu"),
    ("commended", "Được biểu dương, khen thưởng"),
)

# Kind × actor combinations, as reports name them.
KIND_ACTORS = (
    (ModelKind.MODEL, Actor.COLLECTIVE, "Mô hình (tập thể)"),
    (ModelKind.MODEL, Actor.INDIVIDUAL, "Mô hình (cá nhân)"),
    (ModelKind.EXEMPLAR, Actor.COLLECTIVE, "Điển hình tập thể"),
    (ModelKind.EXEMPLAR, Actor.INDIVIDUAL, "Điển hình cá nhân"),
)
KIND_ACTOR_KEYS = {f"{kind}-{actor}": (kind, actor) for kind, actor, _ in KIND_ACTORS}

# Every number a report prints counts one of these, each listed by ``counted_records``: models
# (tables 1–3), commendations (table 4) or the values of one indicator (table 5).
COUNTED = {
    **{key: label for key, label in MEASURES},
    "registered": "Đăng ký",
    "accepted": "Được duyệt đăng ký",
    "commended": "Được biểu dương, khen thưởng",
    "commendations": "Lượt biểu dương, khen thưởng",
    "indicator": "Chỉ số kết quả",
}
COMMENDED_MEASURES = ("commended_collectives", "commended_individuals", "commended")
COMPARED_MEASURES = tuple(key for key, _ in FUNNEL)  # counted in the previous period too
OUTSTANDING_LISTED = 50  # per field, for the narrative
REPORT_WORK_MEM = "64MB"
TREND_MONTHS_MAX = 24  # longer periods are charted by year


@dataclass(frozen=True)
class _Window:
    start: object  # aware datetimes: first moment, first moment after
    after: object
    first_day: object  # dates, for date columns
    last_day: object


def _window(period: ReportPeriod) -> _Window:
    start, after = period.bounds()
    return _Window(start, after, period.start, period.end)


def _in(field: str, window: _Window) -> Q:
    return Q(**{f"{field}__gte": window.start, f"{field}__lt": window.after})


def _model_conditions(w: _Window) -> dict[str, Q]:
    """Each model measure as a filter, for ``Count(filter=…)``.

    A model with an acceptance date was accepted and stays among the carried-out ones (the
    workflow never leads back from acceptance to review): the date alone says so, which keeps
    the per-row work of a national count to a few comparisons.
    """
    accepted_in = _in("accepted_at", w)
    active = Q(accepted_at__lt=w.after) & (
        Q(discontinued_at__isnull=True) | Q(discontinued_at__gte=w.start)
    )
    return {
        "active": active,
        "new": accepted_in,
        "maintained": active & Q(accepted_at__lt=w.start),
        "replicated": accepted_in & Q(replicated_from__isnull=False),
        "recognised": _in("recognised_at", w),
        "outstanding": Q(is_outstanding=True) & _in("outstanding_at", w),
        "registered": _in("submitted_at", w) | (Q(submitted_at__isnull=True) & accepted_in),
    }


def _counted_models(scope: ReportScope, current: _Window, previous: _Window):
    """The models the report's model measures count from, before any measure's condition: those
    of the scope that can meet one in either period (an index range, not the whole subtree)."""
    relevant = Q(accepted_at__lt=current.after) | Q(submitted_at__gte=previous.start)
    return DanVanModel.objects.filter(scope.q("owning_unit__path"), relevant)


def _decided_in(window: _Window) -> Q:
    """Commendations of a round whose decision is dated in ``window``."""
    return Q(round__decision_date__gte=window.first_day, round__decision_date__lte=window.last_day)


def _counted_commendations(scope: ReportScope, *windows: _Window):
    """The commendations in force that the report counts, decided in one of ``windows``."""
    return Commendation.objects.filter(
        scope.q("model__owning_unit__path"),
        reduce(or_, (_decided_in(window) for window in windows)),
        round__status="published",
        revoked_at__isnull=True,
    )


def _counted_values(scope: ReportScope, period: ReportPeriod):
    """The indicator values of the result reports whose period ends in ``period``."""
    return ResultValue.objects.filter(
        scope.q("report__model__owning_unit__path"),
        report__period_end__gte=period.start,
        report__period_end__lte=period.end,
    )


def _empty_by_field() -> dict:
    return {field: dict.fromkeys(MEASURE_KEYS, 0) for field in FIELD_KEYS}


@contextmanager
def _reporting_memory(*, parallel: bool):
    """Let the report's grouped queries sort and hash in memory, for this transaction only.

    A province's models are grouped from tens of thousands of index entries; with the default
    4 MB PostgreSQL spills the sort to disk and prefers a slower plan. Parallel workers pay off
    only for the whole country's million rows: for a province their start-up cost more than they
    saved (238 ms for the page without them, 305 ms with them, in the benchmark).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('work_mem', %s, true), set_config('hash_mem_multiplier', '4', true),"
            " set_config('max_parallel_workers_per_gather', %s, true)",
            [REPORT_WORK_MEM, "2" if parallel else "0"],
        )
        yield


def figures_version() -> int:
    """The version of what the figures count: moved on by every statement that writes models,
    commendations, their rounds or the organisation tree (a trigger, migration 0011)."""
    return sequence_version("reports_figures_version")


def report_figures(
    user, organisation: Organisation, period: ReportPeriod, *, recount: bool = False
) -> dict:
    """Every figure of the report of ``organisation``'s subtree for ``period``, as plain data.

    ``user`` must see the unit (the report pages look it up through ``visible_to``; this
    checks again so no caller can leak another subtree). The figures are summed from the
    roll-up (``reports.rollup``) where it answers, else, or with ``recount``, counted from the
    models, values and commendations themselves: the same numbers either way.
    """
    _require_visible(user, organisation)
    # The tree's roots (the whole country) read a million rows: those use parallel workers.
    with _reporting_memory(parallel=organisation.depth == 1):
        rolled_up = not recount and rollup.current()
        return _figures(organisation, period, rolled_up=rolled_up)


def key_figures(user, organisation: Organisation, period: ReportPeriod) -> dict:
    """The report's total row alone, ``report_figures(...)["total"]`` (the same numbers): from
    its models and commendations, without the tables by unit, the indicators and the outstanding
    models the home page does not show."""
    _require_visible(user, organisation)
    with _reporting_memory(parallel=organisation.depth == 1):
        groups = _groups(organisation, period, rolled_up=rollup.current(), totals=False)
        return _field_tables(groups.models, groups.commended)["total"]


def _require_visible(user, organisation: Organisation) -> None:
    if not Organisation.objects.visible_to(user).filter(pk=organisation.pk).exists():
        raise PermissionDenied("Đơn vị nằm ngoài phạm vi của bạn.")


@dataclass
class _Groups:
    """What every table of a report is summed from (``_groups``)."""

    scope: ReportScope
    current: _Window
    previous_period: ReportPeriod
    buckets: list[_Window]
    models: list
    commended: list
    by_form: list
    totals: dict[str, int]  # the whole scope's counts that no row needs (``_total_names``)


def _groups(
    organisation: Organisation, period: ReportPeriod, *, rolled_up: bool, totals: bool = True
) -> _Groups:
    """The groups of models and of commendations; with ``totals``, the scope's totals that no
    row needs too (``_total_names``: the total row of the home page needs none)."""
    # Both periods are counted with the tree as it stood at the end of this one: like with like.
    scope = report_scope(organisation, period.end)
    current, previous_period = _window(period), period.previous()
    previous = _window(previous_period)

    # 1. Models, grouped by row × field × kind × actor, every measure at once; with them, the
    # scope's totals (the funnel's previous period, the trend chart's months) unless the roll-up
    # holds those for the scope.
    buckets = _trend_buckets(period) if totals else []
    scope_totals = None if totals else {}
    if totals and rolled_up and rollup.answers_totals(scope, period):
        scope_totals = _rolled_up_totals(scope, previous_period, buckets)
    counted = scope_totals is None
    if rolled_up and rollup.answers_models(scope, period):
        # A scope the roll-up answers for its rows answers for its totals too.
        grouped = _rolled_up_models(scope, period)
    else:
        grouped = _counted_model_groups(scope, current, previous, buckets, totals=counted)
    model_groups = _grouped_by_row(
        scope,
        grouped,
        keys=("field", "kind", "actor"),
        sums=_measure_names(buckets, totals=counted),
    )
    if scope_totals is None:
        scope_totals = {
            name: sum(group[name] for group in model_groups) for name in _total_names(buckets)
        }

    # 2 and 3. Commendations, read once: the models commended (distinct) by row × field × kind ×
    # actor in both periods, and the commendations of the period by form × actor.
    commended_groups, by_form_groups = _commendation_groups(
        scope, current, previous, rolled_up=rolled_up
    )
    return _Groups(
        scope,
        current,
        previous_period,
        buckets,
        model_groups,
        commended_groups,
        by_form_groups,
        scope_totals,
    )


def _figures(organisation: Organisation, period: ReportPeriod, *, rolled_up: bool) -> dict:
    groups = _groups(organisation, period, rolled_up=rolled_up)
    scope, current, buckets = groups.scope, groups.current, groups.buckets
    model_groups, commended_groups = groups.models, groups.commended

    figures = {
        "organisation": {
            "id": organisation.pk,
            "name": organisation.name,
            # How the unit heads and numbers its reports (kept with a snapshot).
            "document": issuing_body(organisation).as_dict(),
        },
        "period": period.as_dict(),
        "previous_period": groups.previous_period.as_dict(),
        "generated_at": timezone.now().isoformat(),
        "structure_date": period.end.isoformat(),
        "measures": [list(pair) for pair in MEASURES],
        "fields": [list(pair) for pair in Field.choices],
    }
    figures.update(_field_tables(model_groups, commended_groups))
    figures["children"] = _child_rows(organisation, period, scope, model_groups, commended_groups)
    figures["funnel"] = _funnel(model_groups, commended_groups, groups.totals)
    figures["commendations"] = _by_form(groups.by_form)
    figures["indicators"] = _indicator_sums(
        scope, period, rolled_up=rolled_up and rollup.months_of(period) is not None
    )
    in_scope = scope.q("owning_unit__path")
    figures["outstanding"] = _outstanding(in_scope, current, whole_tree=scope.whole_tree)
    figures["trend"] = _trend(groups.totals, period, buckets)
    return figures


def _measure_names(buckets, *, totals: bool = True) -> tuple[str, ...]:
    """The counts of each model group: every measure of the period; with ``totals``, the
    funnel's in the previous period and the trend chart's too."""
    if not totals:
        return _MODEL_CONDITION_NAMES
    return (*_MODEL_CONDITION_NAMES, *_total_names(buckets))


def _total_names(buckets) -> tuple[str, ...]:
    """The counts that only the whole scope's total needs: the funnel's previous period and the
    trend chart's months."""
    return (*(f"previous_{name}" for name in _PREVIOUS_MEASURES), *_trend_names(buckets))


def _trend_names(buckets) -> tuple[str, ...]:
    return tuple(
        f"trend_{measure}_{index}"
        for index in range(len(buckets))
        for measure in ("new", "recognised")
    )


_MODEL_CONDITION_NAMES = (*MODEL_MEASURES, "registered")
# The funnel's stages counted from the models, each by its model measure, compared with the
# previous period: the only measures counted in that period.
_FUNNEL_MEASURES = {
    "registered": "registered",
    "accepted": "new",
    "recognised": "recognised",
    "outstanding": "outstanding",
}
_PREVIOUS_MEASURES = tuple(_FUNNEL_MEASURES.values())
# The roll-up's events those and the trend chart's months count (``reports.rollup``).
_TOTAL_EVENTS = ("registered", "accepted", "recognised", "outstanding")


def _counted_model_groups(
    scope: ReportScope, current: _Window, previous: _Window, buckets, *, totals: bool
):
    """The models grouped by path prefix × field × kind × actor, every measure counted; with
    ``totals``, the funnel's previous period and the trend chart's months too."""
    now = _model_conditions(current)
    counts = {name: Count("pk", filter=condition) for name, condition in now.items()}
    if totals:
        before = _model_conditions(previous)
        counts.update(
            {f"previous_{name}": Count("pk", filter=before[name]) for name in _PREVIOUS_MEASURES}
        )
        # The trend chart's months (or years) are counted in the same pass over the models.
        for index, bucket in enumerate(buckets):
            accepted = now["new"] & _in("accepted_at", bucket)
            counts[f"trend_new_{index}"] = Count("pk", filter=accepted)
            counts[f"trend_recognised_{index}"] = Count("pk", filter=_in("recognised_at", bucket))
    return (
        _counted_models(scope, current, previous)
        .order_by()
        .values("field", "kind", "actor", prefix=scope.prefix_key("owning_unit__path"))
        .annotate(**counts)
    )


def _rolled_up_models(scope: ReportScope, period: ReportPeriod):
    """The same groups summed from the roll-up's rows of the scope's anchors."""
    return (
        rollup.model_counts(scope, period)
        .order_by()
        .values("field", "kind", "actor", prefix=scope.prefix_key("anchor"))
        .annotate(**rollup.model_measures(rollup.months_of(period)))
    )


def _rolled_up_trend_measures(buckets) -> dict:
    counts = {}
    for index, months in enumerate(_bucket_months(buckets)):
        counts.update(rollup.trend_measures(index, months))
    return counts


def _bucket_months(buckets) -> list[rollup.Months]:
    return [rollup.Months(b.first_day, b.last_day + timedelta(days=1)) for b in buckets]


def _rolled_up_totals(scope: ReportScope, previous: ReportPeriod, buckets) -> dict[str, int]:
    """The scope's totals (``_total_names``) summed from the roll-up in one small query of its
    own, for any scope no finer than the anchors (a province's rows may be: the totals have
    none). Counted with the models, they were nearly half of their query's filtered counts."""
    before = rollup.months_of(previous)
    measures = {
        f"previous_{name}": sum_
        for name, sum_ in rollup.model_measures(before).items()
        if name in _PREVIOUS_MEASURES
    }
    measures.update(_rolled_up_trend_measures(buckets))
    rows = rollup.scope_events(scope, [before, *_bucket_months(buckets)], _TOTAL_EVENTS)
    return rows.aggregate(**measures)


def _commendation_groups(
    scope: ReportScope, current: _Window, previous: _Window, *, rolled_up: bool = False
):
    """The commended models by row × field × kind × actor (``current`` and ``previous``: distinct
    models commended in each period) and the period's commendations by form × actor (``total``),
    from one pass over the commendations: a ``GROUPING SETS`` query around the ORM's scoped rows
    (the commendation facts of the roll-up, ``rolled_up``, hold the same rows by anchor).
    """
    if rolled_up:
        windows = [(w.first_day, w.last_day) for w in (current, previous)]
        current_q = Q(decision_date__gte=current.first_day, decision_date__lte=current.last_day)
        rows = (
            rollup.commendation_facts(scope, windows)
            .order_by()
            .values(
                "form",
                model=F("model_id"),
                model_field=F("field"),
                model_kind=F("kind"),
                model_actor=F("actor"),
                prefix=scope.prefix_key("anchor"),
                is_current=ExpressionWrapper(current_q, output_field=BooleanField()),
            )
        )
    else:
        rows = (
            _counted_commendations(scope, current, previous)
            .order_by()
            .values(
                "model",
                "form",
                prefix=scope.prefix_key("model__owning_unit__path"),
                model_field=F("model__field"),
                model_kind=F("model__kind"),
                model_actor=F("model__actor"),
                is_current=ExpressionWrapper(_decided_in(current), output_field=BooleanField()),
            )
        )
    sql, params = rows.query.sql_with_params()
    groups = _plain_sql(
        f"""
        SELECT "row", "model_field" AS "model__field", "model_kind" AS "model__kind",
               "model_actor" AS "model__actor", "form",
               GROUPING("form") = 1 AS by_model,
               COUNT(DISTINCT "model") FILTER (WHERE "is_current") AS current,
               COUNT(DISTINCT "model") FILTER (WHERE NOT "is_current") AS previous,
               COUNT(*) FILTER (WHERE "is_current") AS total
        FROM (SELECT *, {scope.row_sql('"prefix"')} AS "row" FROM ({sql}) AS scoped) AS commendation
        GROUP BY GROUPING SETS (
            ("row", "model_field", "model_kind", "model_actor"), ("form", "model_actor")
        )
        """,
        params,
    )
    by_model = [group for group in groups if group["by_model"]]
    by_form = [group for group in groups if not group["by_model"] and group["total"]]
    return by_model, by_form


@dataclass(frozen=True)
class CountedCell:
    """One number of a report, named by what it counts (see ``COUNTED``) and where it stands."""

    measure: str
    field: str | None = None  # a field, "" for models without one; None: every field
    kind_actor: str | None = None  # a ``KIND_ACTOR_KEYS`` key; None: every kind and actor
    row: Organisation | None = None  # a row of the child-unit table; None: the whole report
    previous: bool = False  # counted in the previous period (the funnel's second column)
    form: str | None = None  # commendations: one form only
    actor: str | None = None  # commendations: one actor only
    indicator: str | None = None  # the indicator's code (measure "indicator")


class NotInReport(LookupError):
    """A cell names a row the report does not have."""


def counted_records(user, organisation: Organisation, period: ReportPeriod, cell: CountedCell):
    """The records one number of ``organisation``'s report for ``period`` counts, as a queryset:
    models, commendations (``commendations``) or indicator values (``indicator``), selected by
    the very filters ``report_figures`` counts with, so the list is as long as the number (for
    an indicator: its values add up to the number, and there are as many as its reports).
    """
    if not Organisation.objects.visible_to(user).filter(pk=organisation.pk).exists():
        raise PermissionDenied("Đơn vị nằm ngoài phạm vi của bạn.")
    scope = report_scope(organisation, period.end)
    current, previous = _window(period), _window(period.previous())
    window = previous if cell.previous else current
    # Through the one scoping choke point as well: whoever sees a unit sees every model its
    # report counts (its subtree and its predecessors'), so this removes nothing from the list.
    visible = DanVanModel.objects.visible_to(user)
    if cell.measure == "indicator":
        return (
            _counted_values(scope, period)
            .filter(indicator__code=cell.indicator, report__model__in=visible.values("pk"))
            .select_related("indicator", "report__model__owning_unit")
            .order_by("report__model__owning_unit__path", "report__model__name", "report", "pk")
        )
    if cell.measure == "commendations":
        rows = _counted_commendations(scope, current).filter(model__in=visible.values("pk"))
        if cell.form:
            rows = rows.filter(form=cell.form)
        if cell.actor:
            rows = rows.filter(model__actor=cell.actor)
        return rows.select_related("round", "model__owning_unit").order_by(
            "-round__decision_date", "round", "position", "pk"
        )
    if cell.measure in COMMENDED_MEASURES:
        commended = _counted_commendations(scope, window).values("model")
        models = visible.filter(scope.q("owning_unit__path"), pk__in=commended)
        # As ``_commended_measure`` sorts them: individuals, and everyone else as collectives.
        if cell.measure == "commended_individuals":
            models = models.filter(actor=Actor.INDIVIDUAL)
        elif cell.measure == "commended_collectives":
            models = models.exclude(actor=Actor.INDIVIDUAL)
    else:
        condition = _model_conditions(window)["new" if cell.measure == "accepted" else cell.measure]
        models = _counted_models(scope, current, previous).filter(condition) & visible
    if cell.field is not None:
        models = models.filter(field=cell.field)
    if cell.kind_actor is not None:
        kind, actor = KIND_ACTOR_KEYS[cell.kind_actor]
        models = models.filter(kind=kind, actor=actor)
    if cell.row is not None:
        if scope.row_of(cell.row.path) != cell.row.path:
            raise NotInReport(cell.row.pk)
        row_key = scope.row_key("owning_unit__path")
        models = models.alias(report_row=row_key).filter(report_row=cell.row.path)
    return models.select_related("owning_unit").order_by("owning_unit__path", "name", "pk")


def _grouped_by_row(scope: ReportScope, grouped, *, keys, sums) -> list[dict]:
    """``grouped`` (a ``values()`` queryset grouped by ``keys`` and the owning unit's path
    prefix, with counts ``sums``) summed again by child-table row.

    Grouping by a prefix first means the row's ``CASE`` runs once a group rather than once a
    model: a national report groups a million models into a few thousand groups, and a CASE over
    the mergers of the country on every model took seconds.
    """
    sql, params = grouped.query.sql_with_params()
    columns = ", ".join(f'"{key}"' for key in keys)
    totals = ", ".join(f'SUM("{name}")::int AS "{name}"' for name in sums)
    return _plain_sql(
        f"""
        SELECT {columns}, "row", {totals}
        FROM (SELECT *, {scope.row_sql('"prefix"')} AS "row" FROM ({sql}) AS by_prefix) AS by_row
        GROUP BY {columns}, "row"
        """,
        params,
    )


def _plain_rows(queryset) -> list[dict]:
    """The rows of a ``values()`` queryset read straight from the cursor.

    Counts and codes already arrive as Python ints and strings; Django's converters would call a
    function per value (some 60,000 for a province's groups), more than the rest of the figures'
    Python together.
    """
    return _plain_sql(*queryset.query.sql_with_params())


def _plain_sql(sql: str, params) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _commended_measure(actor: str) -> str:
    return "commended_individuals" if actor == Actor.INDIVIDUAL else "commended_collectives"


def _field_tables(model_groups, commended_groups) -> dict:
    """Table 1: measures by field and in total, and by kind × actor."""
    by_field = _empty_by_field()
    by_kind_actor = {f"{k}-{a}": dict.fromkeys(MEASURE_KEYS, 0) for k, a, _ in KIND_ACTORS}
    for group in model_groups:
        key = f"{group['kind']}-{group['actor']}"
        for measure in MODEL_MEASURES:
            by_field[group["field"]][measure] += group[measure]
            if key in by_kind_actor:
                by_kind_actor[key][measure] += group[measure]
    for group in commended_groups:
        measure = _commended_measure(group["model__actor"])
        by_field[group["model__field"]][measure] += group["current"]
        key = f"{group['model__kind']}-{group['model__actor']}"
        if key in by_kind_actor:
            by_kind_actor[key][measure] += group["current"]
    total = {m: sum(by_field[f][m] for f in by_field) for m in MEASURE_KEYS}
    unclassified = by_field.pop("")
    return {
        "by_field": by_field,
        "unclassified": unclassified,
        "total": total,
        "by_kind_actor": [
            {"key": f"{k}-{a}", "label": label, "counts": by_kind_actor[f"{k}-{a}"]}
            for k, a, label in KIND_ACTORS
        ],
    }


def _child_rows(
    organisation, period: ReportPeriod, scope: ReportScope, model_groups, commended_groups
) -> list[dict]:
    """Table 2: each direct child unit (and each unit merged in) by field, every measure.

    A row counts what the report of its unit counts (``reports.scope``), so following its link
    shows the same totals.
    """
    matrix: dict[str, dict] = defaultdict(
        lambda: {m: dict.fromkeys(FIELD_KEYS, 0) for m in MEASURE_KEYS}
    )
    for group in model_groups:
        for measure in MODEL_MEASURES:
            matrix[group["row"]][measure][group["field"]] += group[measure]
    for group in commended_groups:
        measure = _commended_measure(group["model__actor"])
        matrix[group["row"]][measure][group["model__field"]] += group["current"]

    predecessors = dict(scope.predecessor_rows)
    units = Organisation.objects.filter(
        Q(path__startswith=organisation.path, depth=organisation.depth + 1)
        | Q(path__in=[*predecessors, organisation.path])
    ).only("pk", "name", "path", "valid_from", "valid_to")
    by_path = {unit.path: unit for unit in units}
    result = []
    ordered = sorted(
        by_path.values(),
        key=lambda u: (u.path == organisation.path, u.path in predecessors, u.name),
    )
    today = timezone.localdate()
    for unit in ordered:
        counts = matrix.get(unit.path) or matrix.default_factory()
        if not any(any(by_field.values()) for by_field in counts.values()) and (
            unit.path == organisation.path
            or scope.row_of(unit.path) != unit.path
            or not _in_force(unit, period)
        ):
            # Nothing counted: no "directly" row, no row for a child merged into another unit
            # (it counts in that unit's row), none for a unit that did not exist at the time.
            continue
        note = ""
        if unit.path == organisation.path:
            note = "trực tiếp"
        elif unit.path in predecessors:
            merged_on = predecessors[unit.path]
            note = f"sáp nhập từ {merged_on:%d/%m/%Y}" if merged_on else "sáp nhập vào"
        result.append(
            {
                "id": unit.pk,
                "name": report_unit_name(unit, today),
                "note": note,
                "drill": unit.path != organisation.path,
                "counts": {m: {f: counts[m][f] for f in FIELD_KEYS[:-1]} for m in MEASURE_KEYS},
                "unclassified": {m: counts[m][""] for m in MEASURE_KEYS},
                "total": {m: sum(counts[m].values()) for m in MEASURE_KEYS},
            }
        )
    return result


def _in_force(unit: Organisation, period: ReportPeriod) -> bool:
    """Whether ``unit`` existed at some time in ``period``."""
    return (unit.valid_from is None or unit.valid_from <= period.end) and (
        unit.valid_to is None or unit.valid_to >= period.start
    )


def report_unit_name(unit: Organisation, today: date | None = None) -> str:
    """A unit that no longer exists is named "(cũ)", as the 2025 reform's documents do."""
    today = today or timezone.localdate()
    if unit.valid_to is not None and unit.valid_to < today and not unit.name.endswith("(cũ)"):
        return f"{unit.name} (cũ)"
    return unit.name


def _funnel(model_groups, commended_groups, totals: dict[str, int]) -> list[dict]:
    """Table 3: registered → accepted → recognised → outstanding → commended, against before."""
    sums = defaultdict(int)
    for group in model_groups:
        for stage, measure in _FUNNEL_MEASURES.items():
            sums[stage] += group[measure]
    for stage, measure in _FUNNEL_MEASURES.items():
        sums[f"previous_{stage}"] = totals[f"previous_{measure}"]
    for group in commended_groups:
        sums["commended"] += group["current"]
        sums["previous_commended"] += group["previous"]
    return [
        {
            "key": key,
            "label": label,
            "current": sums[key],
            "previous": sums[f"previous_{key}"],
            "change": sums[key] - sums[f"previous_{key}"],
        }
        for key, label in FUNNEL
    ]


def _by_form(groups) -> dict:
    """Table 4: commendations by form × collective / individual."""
    table = {
        form: {"label": label, Actor.COLLECTIVE.value: 0, Actor.INDIVIDUAL.value: 0, "total": 0}
        for form, label in CommendationForm.choices
    }
    for group in groups:
        row = table[group["form"]]
        row[group["model__actor"]] += group["total"]
        row["total"] += group["total"]
    total = {
        key: sum(row[key] for row in table.values())
        for key in (Actor.COLLECTIVE.value, Actor.INDIVIDUAL.value, "total")
    }
    return {"rows": [{"form": form, **row} for form, row in table.items()], "total": total}


def _indicator_sums(scope: ReportScope, period: ReportPeriod, *, rolled_up: bool) -> list[dict]:
    """Table 5: result indicators summed over the reports whose period ends in this one."""
    if rolled_up:
        sums = rollup.indicator_sums(scope, period)
    else:
        sums = {
            row["indicator"]: row
            for row in _counted_values(scope, period)
            .order_by()
            .values("indicator")
            # One value per indicator and report (a constraint): counting values counts reports.
            .annotate(total=Sum("value"), reports=Count("pk"))
        }
    result = []
    for indicator in Indicator.objects.filter(Q(is_active=True) | Q(pk__in=list(sums))):
        row = sums.get(indicator.pk, {})
        result.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "unit": indicator.unit,
                "total": row.get("total") or 0,
                "reports": row.get("reports", 0),
            }
        )
    return result


def _outstanding(in_scope: Q, window: _Window, *, whole_tree: bool) -> dict[str, list[dict]]:
    """Table 6: the outstanding models of the period by field (name, unit), for the narrative.

    At most ``OUTSTANDING_LISTED`` a field, ranked in the database (a window function), so a
    whole country's outstanding models never all reach Python.
    """
    found: dict[str, list[dict]] = {field: [] for field in FIELD_KEYS[:-1]}
    columns = ("pk", "name", "field", "kind", "actor", "person_name", "owning_unit__name")
    outstanding = Q(is_outstanding=True) & _in("outstanding_at", window)
    if whole_tree:
        # The whole country's outstanding models of a year are some 16,000: each field's first
        # ones by name are read in that order from an index (reports' migration 0010) instead.
        firsts = [
            DanVanModel.objects.filter(outstanding, field=field)
            .order_by("name", "pk")
            .values(*columns)[:OUTSTANDING_LISTED]
            for field in found
        ]
        ranked = firsts[0].union(*firsts[1:], all=True).order_by("field", "name", "pk")
    else:
        # The subtree's outstanding models are picked from an index alone (a province's few
        # hundred among the country's); only those rows are then read and ranked.
        picked = DanVanModel.objects.filter(in_scope, outstanding).values("pk")
        ranked = (
            DanVanModel.objects.filter(pk__in=picked)
            .annotate(
                rank=Window(RowNumber(), partition_by=F("field"), order_by=(F("name"), F("pk")))
            )
            .filter(rank__lte=OUTSTANDING_LISTED)
            .order_by("field", "name", "pk")
            .values(*columns)
        )
    for row in ranked:
        found.setdefault(row["field"], []).append(
            {
                "id": row["pk"],
                "name": row["name"],
                "unit": row["owning_unit__name"],
                "kind": row["kind"],
                "actor": row["actor"],
                "person": row["person_name"],
            }
        )
    found.pop("", None)
    return found


def _trend_by_month(period: ReportPeriod) -> bool:
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1
    return months <= TREND_MONTHS_MAX


def _trend_buckets(period: ReportPeriod) -> list[_Window]:
    """The months of the period (its years, over long periods), as windows."""
    by_month = _trend_by_month(period)
    starts = []
    year, month = period.start.year, period.start.month if by_month else 1
    while (year, month) <= (period.end.year, period.end.month):
        starts.append(date(year, month, 1))
        year, month = (year + month // 12, month % 12 + 1) if by_month else (year + 1, 1)
    buckets = []
    for index, first in enumerate(starts):
        following = starts[index + 1] if index + 1 < len(starts) else None
        last = (following - timedelta(days=1)) if following else None
        first_day, last_day = max(first, period.start), min(last or period.end, period.end)
        buckets.append(_window(ReportPeriod("", "", period.kind, first_day, last_day)))
    return buckets


def _trend(counts: dict[str, int], period: ReportPeriod, buckets: list[_Window]) -> dict:
    """New and recognised models by month (by year over long periods), for the trend chart."""
    by_month = _trend_by_month(period)
    series = {
        measure: [counts[f"trend_{measure}_{index}"] for index in range(len(buckets))]
        for measure in ("new", "recognised")
    }
    labels = [f"{b.first_day:%m/%Y}" if by_month else str(b.first_day.year) for b in buckets]
    return {"granularity": "month" if by_month else "year", "labels": labels, **series}


# The data sheet's columns, in the order of ``report_model_rows``' tuples.
MODEL_ROW_HEADERS = (
    "Mã mô hình",
    "Tên mô hình, điển hình",
    "Loại",
    "Chủ thể",
    "Họ tên cá nhân",
    "Lĩnh vực",
    "Đơn vị chủ trì",
    "Ngày bắt đầu",
    "Trạng thái",
    "Ngày duyệt đăng ký",
    "Ngày công nhận",
    "Tiêu biểu",
    "Số quyết định công nhận",
)
_MODEL_ROW_LABELS = {
    2: dict(ModelKind.choices),
    3: dict(Actor.choices),
    5: dict(Field.choices),
    8: dict(Status.choices),
}
_MODEL_ROW_CHUNK = 2000


def _listed(period: ReportPeriod) -> Q:
    """The models the data sheet lists: active in the period or registered in it."""
    conditions = _model_conditions(_window(period))
    return conditions["active"] | conditions["registered"]


def report_sizes(organisation: Organisation, period: ReportPeriod) -> tuple[int, int]:
    """How many models the report covers (its whole scope, whatever their dates) and how many
    of them its data sheet lists (``report_model_rows``), in one pass; callers check scope."""
    in_scope = report_scope(organisation, period.end).q("owning_unit__path")
    sizes = DanVanModel.objects.filter(in_scope).aggregate(
        covered=Count("pk"), listed=Count("pk", filter=_listed(period))
    )
    return sizes["covered"], sizes["listed"]


def report_model_rows(user, organisation: Organisation, period: ReportPeriod):
    """The models behind the report (active in the period or registered in it), as row tuples
    for the workbook's data sheet, streamed from the database."""
    if not Organisation.objects.visible_to(user).filter(pk=organisation.pk).exists():
        raise PermissionDenied("Đơn vị nằm ngoài phạm vi của bạn.")
    zone = timezone.get_current_timezone()
    rows = (
        DanVanModel.objects.filter(
            report_scope(organisation, period.end).q("owning_unit__path"), _listed(period)
        )
        .order_by("owning_unit__path", "field", "name", "pk")
        .values_list(
            "code",
            "name",
            "kind",
            "actor",
            "person_name",
            "field",
            "owning_unit__name",
            "start_date",
            "status",
            TruncDate("accepted_at", tzinfo=zone),
            TruncDate("recognised_at", tzinfo=zone),
            "is_outstanding",
            "decision_number",
            "start_precision",  # read by _labelled_rows, not a column
        )
    )
    return _labelled_rows(rows)


def _labelled_rows(rows):
    # A generator of its own: the scope check runs at the call, not at the first row read.
    for row in rows.iterator(chunk_size=_MODEL_ROW_CHUNK):
        *values, precision = row
        if precision != DatePrecision.DAY:  # a start known to the month or year: "03/2019"
            values[7] = partial_date_text(values[7], precision)
        for index, labels in _MODEL_ROW_LABELS.items():
            values[index] = labels.get(values[index], values[index] or "")
        values[11] = "Có" if values[11] else "Không"
        yield tuple(values)


def models_by_status(user) -> dict[str, int]:
    """How many models of the user's cadre scope are in each status (one grouped query)."""
    rows = (
        DanVanModel.objects.visible_to(user, [Role.CADRE])
        .order_by()
        .values("status")
        .annotate(total=Count("pk"))
    )
    return {row["status"]: row["total"] for row in rows}
