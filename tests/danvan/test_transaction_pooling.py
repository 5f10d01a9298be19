"""Behind pgBouncer in transaction pooling (``DJANGO_DB_TRANSACTION_POOLING=true``) nothing may
outlive a transaction in a server session: no server-side cursor is declared and psycopg never
prepares a statement, and the exports that stream rows with ``.iterator()`` still give every
row."""

import csv
import io
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import openpyxl
from django.db import connection

from models_registry.resources import SHEET_TITLE as MODEL_SHEET
from reports.periods import year_period
from reports.selectors import report_model_rows
from tests.reports.test_figures import registry  # noqa: F401 - the hand-counted registry

BASE_DIR = Path(__file__).resolve().parents[2]
EXPORT = "/mo-hinh/xuat/"

PROBE = """
from django.db import connection
connection.ensure_connection()
disabled = connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS", False)
print(disabled, connection.connection.prepare_threshold)
"""


PARALLEL_PROBE = """
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SHOW max_parallel_workers_per_gather")
    print(cursor.fetchone()[0])
"""
SETTINGS_OF_THE_PROBE = ("DJANGO_DB_TRANSACTION_POOLING", "DJANGO_DB_PARALLEL_WORKERS")


def probe(code: str = PROBE, **environment) -> str:
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_OF_THE_PROBE}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_setting_turns_off_server_side_cursors_and_prepared_statements():
    assert probe(DJANGO_DB_TRANSACTION_POOLING="true") == "True None"
    # Otherwise server-side cursors are on (Django leaves psycopg's prepared statements off).
    assert probe() == "False None"


def test_page_queries_run_without_parallel_workers_unless_asked(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
    assert probe(PARALLEL_PROBE, DJANGO_DB_PARALLEL_WORKERS="1") == "1"
    # -1 keeps the server's value; behind pgBouncer nothing is sent (it refuses the option).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT boot_val FROM pg_settings WHERE name = %s", ["max_parallel_workers_per_gather"]
        )
        server_default = cursor.fetchone()[0]
    assert probe(PARALLEL_PROBE, DJANGO_DB_PARALLEL_WORKERS="-1") == server_default
    assert probe(PARALLEL_PROBE, DJANGO_DB_TRANSACTION_POOLING="true") == server_default


@contextmanager
def cursor_names():
    """The name of the cursor every query runs on (None: an ordinary, client-side one)."""
    names = []

    def record(execute, sql, params, many, context):
        names.append(getattr(context["cursor"].cursor, "name", None))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield names


def export_everything(client, reviewer, tree):
    """The list exported as Excel and as CSV, and the report workbook's rows of models."""
    response = client.get(EXPORT, {"format": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))[MODEL_SHEET]
    xlsx = [list(row) for row in sheet.iter_rows(values_only=True)]
    response = client.get(EXPORT, {"format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    report = list(report_model_rows(reviewer, tree.province, year_period(2025)))
    return xlsx, rows, report


def test_exports_stream_every_row_without_a_server_side_cursor(
    client_for,
    registry,  # noqa: F811
    tree,
    reviewer,
    monkeypatch,
):
    client = client_for(reviewer)
    # As things are without the setting: `.iterator()` declares a cursor in the server session,
    # which a transaction pooler may hand to another client between two fetches.
    with cursor_names() as names:
        expected = export_everything(client, reviewer, tree)
    assert any(name is not None for name in names)
    xlsx, rows, report = expected
    assert len(xlsx) == len(rows) > 5 and len(report) > 5

    # As DJANGO_DB_TRANSACTION_POOLING=true sets the connection (the test database's connection
    # is open already, so its settings are changed in place).
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    with cursor_names() as names:
        assert export_everything(client, reviewer, tree) == expected
    assert names and all(name is None for name in names)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 0
