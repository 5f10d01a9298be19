"""The report roll-up: counts kept current by the database, so that the national report sums a
few hundred thousand narrow rows instead of recounting a million models, and a province's report
reads only its own result values and commendations.

What a report counts (``reports.selectors``) is, for each model, a handful of dates compared with
the period's bounds: accepted before the end, accepted in the period, discontinued before the
start, recognised, marked outstanding, registered in the period. Each of those is an *event* of
the model on a day; a report's figure is a number of events in a range of days, counted per row
of the child-unit table, field, kind and actor. So the roll-up counts events, not models:

``ModelCount (anchor, field, kind, actor, event, grain, bucket, since) → n``

- ``event``: ``registered`` (sent for review, or accepted when never sent), ``accepted``,
  ``replicated`` (accepted, with a "replicated from" link), ``recognised``, ``outstanding``,
  ``dropped`` (discontinued, after its acceptance) and ``dropped_early`` (discontinued before its
  acceptance, only possible through raw edits: it also keeps its acceptance month in ``since``).
  "Active" is ``accepted`` before the end less ``dropped`` before the start; "maintained" is the
  same with ``accepted`` before the start.
- ``bucket``: the first day of the event's month (``grain`` M) and, a second time, of its year
  (Y), in the portal's time zone, as the report's bounds are. A period of whole months (every
  built-in year and half, and their previous periods) is whole years plus a few months at its
  ends: the history before a period is read from the year rows, the months around the whole years
  and the trend chart from the month rows. A period that does not start and end on month bounds
  is recounted from the models.
- ``anchor``: the owning unit's path cut to two levels (``MODEL_ANCHOR_LENGTH``: the provinces).
  A report's scope (``reports.scope``) is prefix rules on paths; when none of its rules and none
  of its rows is longer than the anchor (``ReportScope.prefix_length``), each rule and row
  decides the same on the anchor as on the owning unit's own path, so the merger-by-date rules
  apply to the roll-up unchanged: the scope's ``q`` filter and ``row_sql`` grouping run over the
  anchor. That is the national report's case (its rows are the provinces, its rules the former
  provinces); a report with a deeper rule (a commune merged across a province line, a province's
  report with its communes as rows) is counted from the models. Finer anchors were measured: a
  province's units split its models into so many (unit, field, kind, actor, month) cells that the
  roll-up had more rows than the province has models, and was slower to sum than the models'
  covering index.

The indicator sums are rolled up under the owning unit's own path (``IndicatorCount (anchor,
indicator, grain, bucket of the result report's end) → total, reports``), indexed by (grain,
bucket, path): any report's scope applies to them exactly, and a province reads the rows of its
own units for the period instead of every value of the country. The same sums are kept a second
time by province path (grains ``m`` and ``y``) for the national report. The commendations cannot be
summed: a report counts the *models* commended in a period once each, whatever their number of
commendations, so ``CommendationFact`` keeps one row per commendation in force (published round,
not revoked) with the model's owning unit's path, field, kind and actor, read by a path index
instead of joining every commendation of the country to its model and unit.

Kept current: in the transaction of every change, by database triggers (migration 0008) on the
models, result reports, values, commendations and rounds — so the services, the imports, the
admin and raw SQL all keep it right, and no service's code had to change. A change takes away
its old events and adds its new ones with ``INSERT … ON CONFLICT DO UPDATE SET n = n +
excluded.n``; the row lock of that upsert orders concurrent changes of one province's month. The
commendation facts of a commendation, round or model are read again when one of them changes.

Moving a unit changes paths: a trigger marks the roll-up stale, and the reports recount (exact,
slower) until ``rebuild_rollup`` (``manage.py rebuild_report_rollup``) counts it anew — which the
background worker does by itself in the quiet hours (``ROLLUP_REBUILD_HOURS``, Vietnam time),
since writers wait for a rebuild. Merger
links change no path, so they leave it current. Bulk loads in replica mode bypass the triggers
and rebuild afterwards (the synthetic generator does). Until the first build (the state row) the
triggers keep nothing and the reports recount.

A rebuild locks the roll-up's tables against writers (changes wait for it; readers read the old
rows) and the state row (so a move that commits during the rebuild marks it stale afterwards).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.chores import chore
from reports.models import CommendationFact, IndicatorCount, ModelCount, RollupState
from reports.periods import ReportPeriod

logger = logging.getLogger(__name__)

MODEL_ANCHOR_LENGTH = 8  # two levels of treebeard's 4-character steps (migration 0008 agrees)


@dataclass(frozen=True)
class Months:
    """A range of whole months: ``first`` (None: since ever) up to, not including, ``after``."""

    first: date | None
    after: date


def months_of(period: ReportPeriod) -> Months | None:
    """The period as whole months, or None when it does not start and end on month bounds."""
    if not period.whole_months:
        return None
    end = period.end
    after = date(end.year + end.month // 12, end.month % 12 + 1, 1)
    return Months(period.start, after)


def current() -> bool:
    """Whether the roll-up is built, in this time zone, and not stale (one small query)."""
    state = RollupState.objects.filter(pk=1).values_list("stale", "time_zone").first()
    return state is not None and not state[0] and state[1] == settings.TIME_ZONE


def answers_models(scope, period: ReportPeriod) -> bool:
    """Whether the model counts of ``scope``'s report for ``period`` (and the period before) can
    be summed from the roll-up: whole months, and no rule or row finer than the anchors."""
    return (
        scope.prefix_length <= MODEL_ANCHOR_LENGTH
        and months_of(period) is not None
        and months_of(period.previous()) is not None
    )


def answers_totals(scope, period: ReportPeriod) -> bool:
    """Whether the whole scope's totals of ``scope``'s report for ``period`` (the funnel's
    previous period, the trend chart's months) can be summed from the roll-up: whole months,
    and a scope whose filter compares no path longer than the anchors (its rows may be finer:
    the totals have none). A province's report is: its rows are its communes, its filter its
    subtree and its predecessors'. Whatever ``answers_models``, this answers too."""
    return (
        scope.filter_length <= MODEL_ANCHOR_LENGTH
        and months_of(period) is not None
        and months_of(period.previous()) is not None
    )


def span(months: Months, year: str = "Y", month: str = "M") -> Q:
    """The roll-up rows of events in ``months``: year rows for the whole years, month rows for
    the months around them (``year`` and ``month`` name the grains)."""
    first, after = months.first, months.after
    years_from = None if first is None else date(first.year + (first.month > 1), 1, 1)
    years_to = date(after.year, 1, 1)
    if years_from is not None and years_from >= years_to:
        within = Q(grain=month, bucket__lt=after)
        return within & Q(bucket__gte=first) if first is not None else within
    parts = [Q(grain=year, bucket__lt=years_to)]
    if years_from is not None:
        # One year is one bucket: an equality lets the (grain, bucket, anchor) index seek the
        # subtree's paths instead of filtering the country's rows of that year.
        one_year = years_from.replace(year=years_from.year + 1) == years_to
        parts[0] = (
            Q(grain=year, bucket=years_from) if one_year else parts[0] & Q(bucket__gte=years_from)
        )
        if first < years_from:
            parts.append(Q(grain=month, bucket__gte=first, bucket__lt=years_from))
    if years_to < after:
        parts.append(Q(grain=month, bucket__gte=years_to, bucket__lt=after))
    return reduce(or_, parts)


def _events(event: str, months: Months) -> Q:
    return Q(event=event) & span(months)


def _dropped(before: date, accepted_before: date) -> Q:
    """Discontinued before ``before`` having been accepted before ``accepted_before``."""
    return _events("dropped", Months(None, before)) | Q(
        event="dropped_early", grain="M", bucket__lt=before, since__lt=accepted_before
    )


def _count(plus: Q, minus: Q | None = None):
    counted = Coalesce(Sum("n", filter=plus), Value(0))
    return counted - Coalesce(Sum("n", filter=minus), Value(0)) if minus is not None else counted


def model_measures(months: Months) -> dict:
    """Each model measure of ``selectors._model_conditions`` as a sum over the roll-up."""
    start, after = months.first, months.after
    return {
        "active": _count(_events("accepted", Months(None, after)), _dropped(start, after)),
        "new": _count(_events("accepted", months)),
        "maintained": _count(_events("accepted", Months(None, start)), _dropped(start, start)),
        "replicated": _count(_events("replicated", months)),
        "recognised": _count(_events("recognised", months)),
        "outstanding": _count(_events("outstanding", months)),
        "registered": _count(_events("registered", months)),
    }


def trend_measures(index: int, months: Months) -> dict:
    return {
        f"trend_new_{index}": _count(_events("accepted", months)),
        f"trend_recognised_{index}": _count(_events("recognised", months)),
    }


def model_counts(scope, period: ReportPeriod):
    """The roll-up rows a report of ``scope`` (a ``ReportScope``) for ``period`` sums for its
    rows: the scope's filter run over the anchors, the year rows up to the period's end and the
    month rows around its whole years."""
    now = months_of(period)
    needed = reduce(or_, (span(Months(None, now.after)), span(Months(None, now.first)), span(now)))
    return ModelCount.objects.filter(scope.q("anchor"), needed)


def scope_events(scope, months: list[Months], events: tuple[str, ...]):
    """The roll-up rows of ``scope``'s ``events`` in each of ``months``."""
    # One index range a bucket: (grain, bucket, anchor) seeks the scope's anchors in each.
    return ModelCount.objects.filter(
        scope.q("anchor"), reduce(or_, (span(bucket) for bucket in months)), event__in=events
    )


def commendation_facts(scope, windows):
    """The commendations in force of ``scope`` decided in one of ``windows`` (pairs of days)."""
    decided = reduce(
        or_, (Q(decision_date__gte=first, decision_date__lte=last) for first, last in windows)
    )
    return CommendationFact.objects.filter(scope.q("anchor"), decided)


def indicator_sums(scope, period: ReportPeriod) -> dict[int, dict]:
    """The indicators' totals and report counts of ``scope`` for ``period``, by indicator id."""
    # The national report's scope has no rule finer than a province: the province rows do.
    grains = ("y", "m") if scope.prefix_length <= MODEL_ANCHOR_LENGTH else ("Y", "M")
    rows = (
        IndicatorCount.objects.filter(scope.q("anchor"), span(months_of(period), *grains))
        .order_by()
        .values("indicator")
        .annotate(total=Sum("total"), reports=Sum("reports"))
        .exclude(reports=0)
    )
    return {row["indicator"]: row for row in rows}


REBUILD_SQL = """
INSERT INTO reports_modelcount (anchor, field, kind, actor, event, grain, bucket, since, n)
SELECT left(o.path, 8), m.field, m.kind, m.actor, e.event, e.grain, e.bucket, e.since, count(*)
FROM models_registry_danvanmodel m
JOIN organisations_organisation o ON o.id = m.owning_unit_id
CROSS JOIN LATERAL reports_rollup_events(
    %(zone)s, m.submitted_at, m.accepted_at, m.replicated_from_id IS NOT NULL, m.recognised_at,
    m.is_outstanding, m.outstanding_at, m.discontinued_at
) AS e
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

INSERT INTO reports_indicatorcount (anchor, indicator_id, grain, bucket, total, reports)
SELECT left(o.path, g.length), v.indicator_id, g.grain, date_trunc(g.span, r.period_end)::date,
       sum(v.value), count(*)
FROM models_registry_resultvalue v
JOIN models_registry_resultreport r ON r.id = v.report_id
JOIN models_registry_danvanmodel m ON m.id = r.model_id
JOIN organisations_organisation o ON o.id = m.owning_unit_id
CROSS JOIN reports_rollup_indicator_grains() AS g
GROUP BY 1, 2, 3, 4;

INSERT INTO reports_commendationfact
    (commendation_id, round_id, model_id, anchor, field, kind, actor, form, decision_date)
SELECT line.id, line.round_id, line.model_id, o.path, m.field, m.kind, m.actor, line.form,
       round.decision_date
FROM reviews_commendation line
JOIN reviews_commendationround round ON round.id = line.round_id
JOIN models_registry_danvanmodel m ON m.id = line.model_id
JOIN organisations_organisation o ON o.id = m.owning_unit_id
WHERE round.status = 'published' AND line.revoked_at IS NULL
  AND round.decision_date IS NOT NULL;

INSERT INTO reports_rollupstate (id, time_zone, stale, built_at)
VALUES (1, %(zone)s, false, now())
ON CONFLICT (id) DO UPDATE
SET time_zone = EXCLUDED.time_zone, stale = false, built_at = EXCLUDED.built_at;
"""
TABLES = ("reports_modelcount", "reports_indicatorcount", "reports_commendationfact")


def rebuild_rollup() -> dict[str, int]:
    """Count the roll-up anew from the models, values and commendations; its row counts."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # A move committing meanwhile waits for this lock, then marks the result stale.
        cursor.execute("SELECT 1 FROM reports_rollupstate WHERE id = 1 FOR UPDATE")
        cursor.execute(f"LOCK TABLE {', '.join(TABLES)} IN EXCLUSIVE MODE")
        for table in TABLES:
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute(REBUILD_SQL, {"zone": settings.TIME_ZONE})
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    if not connection.in_atomic_block:
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"VACUUM (ANALYZE) {table}")
    return counts


def in_rebuild_hours(moment: datetime) -> bool:
    """Whether ``moment`` falls in ``ROLLUP_REBUILD_HOURS`` ("1-5": from 01:00 to 04:59, local
    time; "0-24": any time; empty: never, only by hand)."""
    if not settings.ROLLUP_REBUILD_HOURS:
        return False
    first, last = settings.ROLLUP_REBUILD_HOURS.split("-")
    return int(first) <= timezone.localtime(moment).hour < int(last)


@chore(every=timedelta(minutes=10))
def rebuild_when_stale(now: datetime) -> bool:
    """Count a stale roll-up anew in the quiet hours; whether it did. A roll-up never built is
    left alone: ``migrate`` builds it, and a bulk load in replica mode rebuilds it itself."""
    built = RollupState.objects.filter(pk=1).exists()
    if not built or current() or not in_rebuild_hours(now):
        return False
    counts = rebuild_rollup()
    logger.info("Rebuilt the stale report roll-up: %s", counts)
    return True
