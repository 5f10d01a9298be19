"""Loading synthetic models with ``COPY``: triggers, indexes, primary keys, deletion."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import date

import pgtrigger
from django.db import connection, transaction
from django.db.models import CASCADE, DO_NOTHING, SET_NULL
from psycopg.copy import QueuedLibpqWriter

from core.numbers import vn_number
from demo.synthetic.draws import FastRandom, apportion
from demo.synthetic.rows import (
    EVENT_FIELDS,
    MODEL_FIELDS,
    REPORT_FIELDS,
    VALUE_FIELDS,
    YEAR_WEIGHTS,
    GeneratedRegistry,
    Generator,
    Rows,
    make_model,
)
from demo.synthetic.tree import find_synthetic_root
from demo.synthetic.units import load_units
from demo.synthetic.workflow import AS_OF_DAY, EPOCH_DATE
from models_registry.models import (
    DanVanModel,
    Indicator,
    ResultReport,
    ResultValue,
    Theme,
    WorkflowEvent,
)
from organisations.models import Organisation
from reports import rollup
from reports.rollup import rebuild_rollup

# Below this many models the indexes are kept and updated row by row; above, they are dropped
# and rebuilt once, which is several times faster.
REBUILD_INDEXES_FROM = 50_000
# Models made and loaded at a time; the rows that hang off them wait in memory until then.
CHUNK_ROWS = 50_000


def synthetic_models(root: Organisation | None = None):
    """The models owned inside the generated tree (none when there is no tree)."""
    root = root or find_synthetic_root()
    if root is None:
        return DanVanModel.objects.none()
    return DanVanModel.objects.filter(owning_unit__path__startswith=root.path)


def delete_synthetic_models(root: Organisation | None = None) -> int:
    """Delete the generated models and everything that belongs to them; how many models.

    Set-based SQL that follows each relation's ``on_delete`` as Django would, without loading a
    million objects into Python. Rows outside the data set that merely point at a generated
    model (a real model "replicated from" one) are updated with the audit trail running; only
    the generated rows themselves are deleted without it.
    """
    queryset = synthetic_models(root)
    sql, params = queryset.values("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        order: list = []
        _doomed(cursor, DanVanModel, sql, params)
        _plan_deletion(cursor, DanVanModel, order)
        with _audit_trail_paused(cursor):
            deleted = 0
            for model in order:
                deleted = _delete_doomed(cursor, model)
        # The report roll-up's triggers were skipped with the others: count it anew.
        rebuild_rollup()
    return deleted  # the last one deleted is DanVanModel itself


def _doomed_table(model) -> str:
    return f"doomed_{model._meta.db_table}"


def _doomed(cursor, model, sql: str, params=()) -> int:
    """Add the primary keys that ``sql`` selects to ``model``'s temporary table; how many."""
    table = _doomed_table(model)
    cursor.execute("SELECT to_regclass(%s)", [f"pg_temp.{table}"])
    if cursor.fetchone()[0] is None:
        cursor.execute(f'CREATE TEMP TABLE "{table}" (pk) ON COMMIT DROP AS {sql}', params)
    else:  # reached again (attachments hang off models and off result reports)
        cursor.execute(f'INSERT INTO "{table}" {sql}', params)
    count = cursor.rowcount
    cursor.execute(f'ANALYZE "{table}"')
    return count


def _plan_deletion(cursor, model, order: list) -> None:
    """List what ``model``'s doomed rows take with them, dependants first in ``order``."""
    doomed = f'SELECT * FROM "{_doomed_table(model)}"'
    for rel in model._meta.related_objects:
        if rel.many_to_many or rel.on_delete is DO_NOTHING:
            continue
        child = rel.related_model
        child_table, column = child._meta.db_table, rel.field.column
        if rel.on_delete is SET_NULL:
            others = ""
            if child is model:  # rows that go anyway need no update
                others = (
                    f' AND NOT EXISTS (SELECT 1 FROM "{_doomed_table(model)}" d '
                    f'WHERE d.pk = "{child_table}"."{child._meta.pk.column}")'
                )
            cursor.execute(
                f'UPDATE "{child_table}" SET "{column}" = NULL '
                f'WHERE "{column}" IN ({doomed}){others}'
            )
        elif rel.on_delete is CASCADE:
            select = (
                f'SELECT "{child._meta.pk.column}" FROM "{child_table}" '
                f'WHERE "{column}" IN ({doomed})'
            )
            if child is not model and _doomed(cursor, child, select):
                _plan_deletion(cursor, child, order)
        else:
            cursor.execute(f'SELECT 1 FROM "{child_table}" WHERE "{column}" IN ({doomed}) LIMIT 1')
            if cursor.fetchone():
                raise ValueError(
                    f"{child._meta.verbose_name} still refers to the models to be deleted"
                )
    if model not in order:
        order.append(model)


def _delete_doomed(cursor, model) -> int:
    """Delete ``model``'s doomed rows and their many-to-many links; how many rows."""
    doomed = f'SELECT * FROM "{_doomed_table(model)}"'
    throughs = [m2m.remote_field.through for m2m in model._meta.many_to_many]
    throughs += [rel.through for rel in model._meta.related_objects if rel.many_to_many]
    for through in throughs:
        for key in through._meta.concrete_fields:
            if key.is_relation and key.related_model is model:
                cursor.execute(
                    f'DELETE FROM "{through._meta.db_table}" WHERE "{key.column}" IN ({doomed})'
                )
    cursor.execute(
        f'DELETE FROM "{model._meta.db_table}" WHERE "{model._meta.pk.column}" IN ({doomed})'
    )
    return cursor.rowcount


def _columns(model, names: Iterable[str]) -> str:
    return ", ".join(f'"{model._meta.get_field(name).column}"' for name in names)


@contextmanager
def _audit_trail_paused(cursor):
    """Skip the audit-trail triggers while synthetic rows go in or out.

    The rows are made up, not anybody's change: a history row for each would double the load,
    and the history tables would then hold a million fake entries. As a superuser the session
    runs in replica mode, which also skips the foreign-key triggers (every key is generated
    from rows that exist); otherwise pghistory's own triggers are told to ignore this
    transaction.
    """
    if _may_skip_all_triggers(cursor):
        cursor.execute("SET LOCAL session_replication_role = replica")
        yield
        cursor.execute("SET LOCAL session_replication_role = origin")
        return
    with pgtrigger.ignore():
        # pgtrigger tells the server with each query Django runs, for the rest of the
        # transaction; the COPY statements bypass Django, so one query goes first.
        cursor.execute("SELECT 1")
        yield


@contextmanager
def _without_gc():
    """Pause Python's cycle collector while rows are made.

    The rows are plain tuples and lists without cycles, yet the collector would walk them all
    again and again as they pile up, which more than doubles the time spent making them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _may_skip_all_triggers(cursor) -> bool:
    """Whether this session may switch to replica mode (superusers only)."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    return bool(row and row[0])


def _secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """``(name, definition)`` of the indexes of ``table`` that back no constraint."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY i.relname
        """,
        [table],
    )
    return cursor.fetchall()


def _reserve_ids(cursor, model, count: int) -> int:
    """The first of ``count`` consecutive primary keys taken from ``model``'s sequence."""
    table = model._meta.db_table
    # Nobody else may draw from the sequence between the two calls.
    cursor.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    if count > 1:
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


TABLES = (
    DanVanModel,
    DanVanModel.themes.through,
    DanVanModel.territory.through,
    WorkflowEvent,
    ResultReport,
    ResultValue,
)


def generate_models(
    count: int,
    *,
    root: Organisation | None = None,
    seed: int = 2025,
    rebuild_indexes: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> GeneratedRegistry:
    """Add ``count`` models and exemplars owned by units of the generated tree under ``root``.

    With their themes, territories, workflow events and some result reports, in one
    transaction. Indexes that back no constraint are dropped and rebuilt around a large load
    (``rebuild_indexes``, by default from ``REBUILD_INDEXES_FROM`` models).
    """
    root = root or find_synthetic_root()
    if root is None:
        raise ValueError("no generated organisation tree to own the models")
    provinces = load_units(root)
    if not provinces:
        raise ValueError("the generated organisation tree has no communes")
    if rebuild_indexes is None:
        rebuild_indexes = count >= REBUILD_INDEXES_FROM
    say = progress or (lambda message: None)
    rng = FastRandom(seed)
    generator = Generator(
        rng,
        provinces,
        themes=dict(Theme.objects.values_list("name", "pk")),
        indicators=dict(Indicator.objects.values_list("code", "pk")),
        unit_paths=dict(
            Organisation.objects.filter(path__startswith=root.path).values_list("pk", "path")
        ),
    )
    result = GeneratedRegistry()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        dropped: list[tuple[str, str]] = []
        with _audit_trail_paused(cursor):
            if rebuild_indexes:
                for model in TABLES:
                    indexes = _secondary_indexes(cursor, model._meta.db_table)
                    for name, _ in indexes:
                        cursor.execute(f'DROP INDEX "{name}"')
                    dropped.extend(indexes)
            first_id = _reserve_ids(cursor, DanVanModel, count) if count else 0
            with _without_gc():
                _load(cursor, generator, count, first_id, result, say)
            result.seconds["load"] = round(time.perf_counter() - started, 1)
            step = time.perf_counter()
            if dropped:
                # Foreign keys are checked at commit; an index cannot be built on a table
                # with checks still pending, so run them now (none in replica mode).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                say(f"tạo lại {len(dropped)} chỉ mục")
                for _, definition in dropped:
                    cursor.execute(definition)
                # Django's foreign keys are all initially deferred: back to that.
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            result.seconds["indexes"] = round(time.perf_counter() - step, 1)
        step = time.perf_counter()
        for model in TABLES:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')
        result.seconds["analyze"] = round(time.perf_counter() - step, 1)
        # The report roll-up's triggers were skipped with the others: count it anew.
        step = time.perf_counter()
        rebuild_rollup()
        result.seconds["rollup"] = round(time.perf_counter() - step, 1)
    return result


def vacuum_registry() -> float:
    """VACUUM ANALYZE the tables the generator loads, and the report roll-up it counts anew; the
    seconds it took (0 inside a transaction).

    Right after a bulk load no page is marked all-visible yet: index-only scans would still
    visit the table and the first readers would rewrite every page's hint bits. Doing it here
    also keeps autovacuum from starting on a million fresh rows in the middle of a benchmark.
    """
    if connection.in_atomic_block:
        return 0.0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for model in TABLES:
            cursor.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')
        for table in rollup.TABLES:
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')
    return round(time.perf_counter() - started, 1)


def _load(cursor, generator: Generator, count, first_id, result, say) -> None:
    raw = cursor.connection  # psycopg's own connection: Django's cursor has no copy()
    rng = generator.rng
    years = list(YEAR_WEIGHTS)
    next_id = first_id
    seconds = result.seconds
    for year, year_count in zip(years, apportion(count, list(YEAR_WEIGHTS.values())), strict=True):
        first_day = (date(year, 1, 1) - EPOCH_DATE).days
        last_day = min((date(year, 12, 31) - EPOCH_DATE).days, AS_OF_DAY)
        # Originals registered in earlier years become available for replication.
        for index, pending in enumerate(generator.next_originals):
            generator.originals[index].extend(pending)
            pending.clear()
        remaining = year_count
        start_days = sorted(rng.randint(first_day, last_day) for _ in range(year_count))
        while remaining:
            size = min(CHUNK_ROWS, remaining)
            chunk_days = start_days[year_count - remaining : year_count - remaining + size]
            rows = Rows()
            # Each model row goes to the server as soon as it is made, so the server stores
            # one while the next is being made; the rows hanging off them follow in bulk.
            with _copy(raw, DanVanModel, MODEL_FIELDS, seconds) as write:
                for start_day in chunk_days:
                    write(make_model(generator, next_id, start_day, rows, result))
                    next_id += 1
            _copy_rows(cursor, rows, result)
            result.models += size
            remaining -= size
            say(f"{year}: {vn_number(result.models)} mô hình")


@contextmanager
def _copy(raw, model, names, seconds: dict[str, float]):
    """``write(row)`` into ``COPY model (names) FROM STDIN``; the time spent goes to ``seconds``.

    A writer thread sends the data, so the server stores rows while the next ones are made.
    """
    started = time.perf_counter()
    table = model._meta.db_table
    with (
        raw.cursor() as cursor,
        cursor.copy(
            f'COPY "{table}" ({_columns(model, names)}) FROM STDIN',
            writer=QueuedLibpqWriter(cursor),
        ) as copy,
    ):
        yield copy.write_row
    key = f"copy {model._meta.model_name}"
    seconds[key] = seconds.get(key, 0) + time.perf_counter() - started


def _copy_all(raw, model, names, rows, seconds: dict[str, float]) -> None:
    with _copy(raw, model, names, seconds) as write:
        for row in rows:
            write(row)


def _copy_rows(cursor, rows: Rows, result: GeneratedRegistry) -> None:
    """Load what hangs off a chunk of models: themes, territories, events, reports, values."""
    raw = cursor.connection
    result.themes += len(rows.themes)
    result.territories += len(rows.territories)
    result.events += len(rows.events)
    result.reports += len(rows.reports)
    result.values += len(rows.values)
    seconds = result.seconds
    _copy_all(raw, DanVanModel.themes.through, ("danvanmodel", "theme"), rows.themes, seconds)
    territory = DanVanModel.territory.through
    _copy_all(raw, territory, ("danvanmodel", "organisation"), rows.territories, seconds)
    _copy_all(raw, WorkflowEvent, EVENT_FIELDS, rows.events, seconds)
    if rows.reports:
        first = _reserve_ids(cursor, ResultReport, len(rows.reports))
        for offset, report in enumerate(rows.reports):
            report[0] = first + offset
        _copy_all(raw, ResultReport, REPORT_FIELDS, rows.reports, seconds)
        _copy_all(
            raw,
            ResultValue,
            VALUE_FIELDS,
            ((first + position, indicator, value) for position, indicator, value in rows.values),
            seconds,
        )
