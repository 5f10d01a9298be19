"""Housekeeping the background worker does now and then, besides its queued tasks.

An app registers a chore with ``@chore(every=...)`` (in its ``AppConfig.ready``); the worker's
sweeper calls ``run_due`` at each of its looks. Several workers may run: a chore runs in one of
them at a time (an advisory lock), and each worker runs it at most once per interval.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass
class Chore:
    name: str
    every: timedelta
    function: Callable[[datetime], object]
    last_run: datetime | None = field(default=None, compare=False)

    def due(self, now: datetime) -> bool:
        return self.last_run is None or now - self.last_run >= self.every


CHORES: dict[str, Chore] = {}


def chore(*, every: timedelta):
    """Register the decorated ``function(now)`` to run every ``every`` in the worker."""

    def register(function):
        name = f"{function.__module__}.{function.__qualname__}"
        CHORES[name] = Chore(name, every, function)
        return function

    return register


def run_due(now: datetime | None = None) -> list[str]:
    """Run every chore that is due; the names of those that ran. A failing chore is logged and
    tried again at its next interval; it does not stop the others."""
    now = now or timezone.now()
    ran = []
    for item in CHORES.values():
        if not item.due(now):
            continue
        item.last_run = now
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [f"chore:{item.name}"]
            )
            if not cursor.fetchone()[0]:
                continue  # another worker is at it
            try:
                item.function(now)
                ran.append(item.name)
            except Exception:
                logger.exception("The chore %s failed", item.name)
            finally:
                cursor.execute(
                    "SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [f"chore:{item.name}"]
                )
    return ran
