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
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_health(port: int, process: subprocess.Popen, seconds: float = 60) -> list[int]:
    """GET /healthz a few times once the server is up; the statuses seen."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited early"
        try:
            statuses = []
            for _ in range(6):  # enough to reach more than one gunicorn worker
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    statuses.append(r.status)
            return statuses
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the server never answered")


def stop(process: subprocess.Popen, stop_signal) -> None:
    os.killpg(process.pid, stop_signal)
    process.wait(timeout=60)


def database_still_answers() -> bool:
    """A brand-new connection, not one opened before the server left, still gets an answer."""
    import psycopg

    with psycopg.connect(**connection.get_connection_params()) as fresh:
        return fresh.execute("SELECT 1").fetchone() == (1,)


SERVERS = {
    "gunicorn with two workers": (
        [sys.executable, "-m", "gunicorn", "danvan.wsgi", "--workers", "2", "--bind"],
        signal.SIGTERM,
    ),
    "runserver with its auto-reloader": (
        [sys.executable, "manage.py", "runserver", "--skip-checks"],
        signal.SIGINT,
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("server", list(SERVERS))
def test_server_processes_share_the_database_and_leave_it_running(server):
    command, stop_signal = SERVERS[server]
    port = free_port()
    process = subprocess.Popen(
        [*command, f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_DEBUG": "true"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert wait_for_health(port, process) == [200] * 6
    finally:
        stop(process, stop_signal)
    assert database_still_answers()
