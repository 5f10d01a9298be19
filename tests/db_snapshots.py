"""Rows an expensive fixture writes, built for real once and copied back for the next tests.

A fixture that goes through ``built_once`` runs its builder the first time and keeps what the
builder wrote: every table's new rows, in PostgreSQL's COPY text format. A later test whose
database is in the same state (every table holding as many rows as it did then, after the same
snapshots) gets those rows back by COPY with the triggers off: the very rows the builder wrote,
its audit trail and roll-ups included, in a few statements instead of hundreds. Ids come from
sequences that never go back, so no later row takes one of theirs.

Anywhere else the builder runs as before: in a transactional test (its rows are committed and
flushed), when the clock is moved, when the test's own rows came first, when the builder
changed rows it did not add, or when the database user may not turn triggers off.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from django.db import connection, transaction
from psycopg import sql

# At most this many states (rows counts and earlier snapshots) are kept per fixture: each
# capture reads every table twice.
CAPTURES_PER_FIXTURE = 8


@dataclass(frozen=True)
class Snapshot:
    rows: dict[str, bytes]  # table -> the COPY text of the rows the builder added or changed
    replaced: dict[str, tuple[str, list[str]]]  # table -> its key column, the keys it changed
    keys: Any  # what ``load`` needs to give the fixture's value back


_tables: list[str] | None = None
_may_restore: bool | None = None
_snapshots: dict[tuple, Snapshot] = {}
_captures: dict[str, int] = {}


def tables() -> list[str]:
    global _tables
    if _tables is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT quote_ident(c.relname) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1"
            )
            _tables = [name for (name,) in cursor.fetchall()]
    return _tables


def may_restore() -> bool:
    """Triggers can only be set aside by a superuser (as the test servers' users are)."""
    global _may_restore
    if _may_restore is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
        _may_restore = bool(row and row[0])
    return _may_restore


_row_counts_query: str | None = None


def row_counts() -> tuple[int, ...]:
    """Every table's row count, in one statement prepared once per connection, so that its
    subqueries (one a table) are planned once rather than at every fixture."""
    global _row_counts_query
    if _row_counts_query is None:
        _row_counts_query = "SELECT " + ", ".join(
            f"(SELECT count(*) FROM {table})" for table in tables()
        )
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute(_row_counts_query, prepare=True)
        return tuple(cursor.fetchone())


def dump() -> dict[str, list[bytes]]:
    """Every table's rows as COPY text lines, in the order the table gives them."""
    raw = connection.connection
    found = {}
    with raw.cursor() as cursor:
        for table in tables():
            data = bytearray()
            with cursor.copy(sql.SQL("COPY {} TO STDOUT").format(sql.SQL(table))) as copy:
                for block in copy:
                    data += block
            found[table] = bytes(data).splitlines()
    return found


class Mismatch(Exception):
    """The rows a snapshot changes are not there to change."""


def key_column(table: str) -> tuple[str, int] | None:
    """The table's one-column primary key and its place among the columns, if it has one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname, (SELECT count(*) FROM pg_attribute b WHERE b.attrelid = a.attrelid"
            " AND b.attnum > 0 AND NOT b.attisdropped AND b.attnum < a.attnum)"
            " FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
            " AND a.attnum = i.indkey[0] WHERE i.indrelid = %s::regclass AND i.indisprimary"
            " AND array_length(i.indkey, 1) = 1",
            [table],
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def restore(snapshot: Snapshot) -> None:
    """Copy the rows back with the triggers off (run in a savepoint: a failure undoes it all,
    the setting included)."""
    raw = connection.connection
    with raw.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for table, (column, keys) in snapshot.replaced.items():
            cursor.execute(
                sql.SQL("DELETE FROM {} WHERE {}::text = ANY(%s)").format(
                    sql.SQL(table), sql.Identifier(column)
                ),
                [keys],
            )
            if cursor.rowcount != len(keys):
                raise Mismatch(table)
        for table, rows in snapshot.rows.items():
            with cursor.copy(sql.SQL("COPY {} FROM STDIN").format(sql.SQL(table))) as copy:
                copy.write(rows)
        cursor.execute("SET LOCAL session_replication_role = origin")


def built_once(request, name: str, build: Callable[[], Any], keys, load, restored=None, context=()):
    """The value of fixture ``name``: ``build()`` the first time in a given database state, its
    rows copied back and ``load(keys)`` after that. ``keys(value)`` is what ``load`` needs (ids);
    ``restored()`` does after a copy what writers that bypass the triggers must do; ``context``
    is what else the rows depend on (settings)."""
    import time_machine

    chain = getattr(request.node, "_db_snapshots", ())
    usable = (
        None not in chain  # an earlier fixture built for real: its ids are its own
        and connection.in_atomic_block  # a test in a transaction rolled back at its end
        and "transactional_db" not in request.fixturenames
        and not time_machine.escape_hatch.is_travelling()
        and may_restore()
    )
    if not usable:
        request.node._db_snapshots = (*chain, None)
        return build()
    state = (name, chain, context, row_counts())
    snapshot = _snapshots.get(state)
    if snapshot is not None:
        try:
            with transaction.atomic():
                restore(snapshot)
                if restored is not None:
                    restored()
        except (Mismatch, psycopg.Error):
            request.node._db_snapshots = (*chain, None)
            return build()
        request.node._db_snapshots = (*chain, name)
        return load(snapshot.keys)
    if _captures.get(name, 0) >= CAPTURES_PER_FIXTURE:
        request.node._db_snapshots = (*chain, None)
        return build()
    _captures[name] = _captures.get(name, 0) + 1
    before = dump()
    value = build()
    after = dump()
    added, replaced = {}, {}
    for table, lines in after.items():
        kept, now = set(before[table]), set(lines)
        if now - kept:
            added[table] = b"".join(line + b"\n" for line in lines if line not in kept)
        if kept - now:
            key = key_column(table)
            if key is None:
                request.node._db_snapshots = (*chain, None)
                return value
            column, place = key
            replaced[table] = (column, [line.split(b"\t")[place].decode() for line in kept - now])
    _snapshots[state] = Snapshot(rows=added, replaced=replaced, keys=keys(value))
    request.node._db_snapshots = (*chain, name)
    return value
