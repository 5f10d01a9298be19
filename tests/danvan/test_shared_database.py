"""gunicorn workers and the auto-reloader's two processes share the database with the tests.

Each server below uses the same database as this test run (the embedded server under var/, or
the DATABASE_URL server) and is then stopped: the database must stay up for the test run.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.db import connection

from danvan.backups import database
from danvan.management.commands import serve
from danvan.management.commands.serve import stop_process_groups

BASE_DIR = Path(__file__).resolve().parents[2]


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for ``settings_dict``; the host goes in the query, so a socket folder
    (the embedded server's) works as well as an address."""
    params = database.libpq_params(settings_dict)
    user = quote(params.get("user", ""), safe="")
    password = settings_dict.get("PASSWORD")
    credentials = f"{user}:{quote(password, safe='')}" if password else user
    query = urlencode({key: params[key] for key in ("host", "port") if params.get(key)})
    return f"postgres://{credentials}@/{quote(params['dbname'])}?{query}"


def database_url_of_this_run() -> str:
    """This run's test database as a DATABASE_URL."""
    return database_url(connection.settings_dict)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_health(port: int, process: subprocess.Popen, log: Path, seconds: float = 120):
    """GET /healthz a few times once the server is up; the statuses seen.

    A 503 is an answer too (the server is up, its database is not): it is returned, not retried,
    so a failure says which of the two went wrong, with the end of the server's own output.
    """
    deadline = time.monotonic() + seconds
    last_error = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited early:\n{tail(log)}")
        try:
            statuses = []
            for _ in range(6):  # enough to reach more than one gunicorn worker
                try:
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/healthz", timeout=10
                    ) as response:
                        statuses.append(response.status)
                except urllib.error.HTTPError as error:
                    statuses.append(error.code)
            return statuses
        except OSError as error:
            last_error = error
            time.sleep(0.3)
    raise AssertionError(
        f"the server never answered in {seconds:.0f} s ({last_error!r}):\n{tail(log)}"
    )


def tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def database_still_answers() -> bool:
    """A brand-new connection, not one opened before the server left, still gets an answer."""
    import psycopg

    with psycopg.connect(**connection.get_connection_params()) as fresh:
        return fresh.execute("SELECT 1").fetchone() == (1,)


def ignore_interrupts() -> None:
    """Start the way a background job of a non-interactive shell does: with SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


SERVERS = {
    "gunicorn with two workers": (
        # No control socket: its default path is one per machine, not per server.
        [
            sys.executable,
            "-m",
            "gunicorn",
            "danvan.wsgi",
            "--workers",
            "2",
            "--no-control-socket",
            "--bind",
        ],
        None,
    ),
    "runserver with its auto-reloader": (
        [sys.executable, "manage.py", "runserver", "--skip-checks"],
        None,
    ),
    "runserver started with interrupts ignored": (
        [sys.executable, "manage.py", "runserver", "--skip-checks", "--noreload"],
        ignore_interrupts,
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("server", list(SERVERS))
def test_server_processes_share_the_database_and_leave_it_running(server, tmp_path, monkeypatch):
    command, preexec = SERVERS[server]
    if preexec is ignore_interrupts:
        # Ctrl-C is ignored by this server: the SIGTERM that follows it is what stops it, and
        # waiting out Ctrl-C's whole grace first would prove nothing more.
        first, *harder = serve.STOP_STEPS
        monkeypatch.setattr(serve, "STOP_STEPS", ((first[0], 1), *harder))
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, f"127.0.0.1:{port}"],
            cwd=BASE_DIR,
            env={**os.environ, "DJANGO_DEBUG": "true", "PYTHONUNBUFFERED": "1"},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=preexec,
        )
    try:
        statuses = wait_for_health(port, process, log)
        assert statuses == [200] * 6, tail(log)
    finally:
        # As `serve` stops its children: SIGINT, then SIGTERM (and SIGKILL) if still running.
        stop_process_groups([process])
    assert process.poll() is not None
    assert database_still_answers()
