"""gunicorn's settings for /metrics across workers: ``gunicorn -c python:danvan.gunicorn_config``.

With ``PROMETHEUS_MULTIPROC_DIR`` set, every worker writes its figures (requests, database
statements) to files there and /metrics adds them up, so a scrape sees the whole server whichever
worker answers it. Without the variable these hooks do nothing.
"""

import os
from pathlib import Path


def on_starting(server):
    """Start from an empty directory: a previous run's figures would be added to this one's."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    """A worker that stopped no longer counts in the live figures."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
