"""Reaching the database of a ``DATABASES`` entry outside Django's ORM: from the client
programs (a libpq connection string, the password in the environment, never on a command line)
and from a psycopg connection of its own, which holds the backup's snapshot open."""

from __future__ import annotations

import os

import psycopg
from psycopg import pq, sql

_LIBPQ_KEYWORDS = frozenset(option.keyword.decode() for option in pq.Conninfo.get_defaults())


def libpq_params(settings_dict: dict) -> dict[str, str]:
    """The libpq parameters of a ``DATABASES`` entry, without the password.

    Like Django, ``HOST`` and ``PORT`` win over ``OPTIONS``; an entry read from a URL such as
    ``postgres://user@/danvan?host=/path/to/socket`` keeps its host in ``OPTIONS``.
    """
    params = {
        key: str(value)
        for key, value in (settings_dict.get("OPTIONS") or {}).items()
        if key in _LIBPQ_KEYWORDS and key != "password" and value is not None
    }
    for key, name in (("dbname", "NAME"), ("user", "USER"), ("host", "HOST"), ("port", "PORT")):
        if settings_dict.get(name):
            params[key] = str(settings_dict[name])
    return params


def conninfo(settings_dict: dict) -> str:
    return psycopg.conninfo.make_conninfo(**libpq_params(settings_dict))


def _password(settings_dict: dict) -> str | None:
    password = settings_dict.get("PASSWORD") or (settings_dict.get("OPTIONS") or {}).get("password")
    return str(password) if password else None


def program_environment(settings_dict: dict) -> dict[str, str]:
    """The environment of a client program: the password, and no stray PG* variable."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    password = _password(settings_dict)
    if password:
        environment["PGPASSWORD"] = password
    return environment


def connect(settings_dict: dict, *, dbname: str | None = None) -> psycopg.Connection:
    """A connection of its own (autocommit), optionally to another database of the server."""
    params = libpq_params(settings_dict)
    if dbname is not None:
        params["dbname"] = dbname
    return psycopg.connect(
        psycopg.conninfo.make_conninfo(**params),
        password=_password(settings_dict),
        autocommit=True,
        prepare_threshold=None,
    )


def server_version_num(connection: psycopg.Connection) -> int:
    return int(connection.execute("SHOW server_version_num").fetchone()[0])


def server_version(connection: psycopg.Connection) -> str:
    return connection.execute("SHOW server_version").fetchone()[0]


def public_relations(connection: psycopg.Connection) -> list[str]:
    """Tables, views and sequences in the ``public`` schema (none in an empty database)."""
    rows = connection.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
        "ORDER BY c.relname"
    ).fetchall()
    return [name for (name,) in rows]


def public_tables(connection: psycopg.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).fetchall()
    return [name for (name,) in rows]


def table_counts(connection: psycopg.Connection) -> dict[str, int]:
    """The row count of every table in ``public``."""
    return {
        table: connection.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("public", table))
        ).fetchone()[0]
        for table in public_tables(connection)
    }


def applied_migrations(connection: psycopg.Connection) -> dict[str, list[str]]:
    """The migrations recorded as applied, by app."""
    if "django_migrations" not in public_tables(connection):
        return {}
    applied: dict[str, list[str]] = {}
    for app, name in connection.execute(
        "SELECT app, name FROM django_migrations ORDER BY app, name"
    ).fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def referenced_files(connection: psycopg.Connection) -> set[str]:
    """The names of the stored files that rows point at (every FileField of every model)."""
    from django.apps import apps
    from django.db.models import FileField

    tables = set(public_tables(connection))
    names: set[str] = set()
    for model in apps.get_models():
        table = model._meta.db_table
        if table not in tables:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, FileField):
                continue
            query = sql.SQL("SELECT DISTINCT {column} FROM {table} WHERE {column} <> ''").format(
                column=sql.Identifier(field.column), table=sql.Identifier("public", table)
            )
            names.update(name for (name,) in connection.execute(query).fetchall())
    return names
