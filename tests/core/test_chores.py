"""The worker's chores: each runs once per interval, in one worker at a time, and one failing
does not stop the others; the staged import files nobody confirmed are swept."""

import os
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from core import chores, staging
from core.storage import private_storage


@pytest.fixture
def registry(monkeypatch):
    """A registry of chores of the test's own."""
    monkeypatch.setattr(chores, "CHORES", {})
    return chores.CHORES


def test_a_chore_runs_once_per_interval(db, registry):
    calls = []

    @chores.chore(every=timedelta(minutes=10))
    def count(now):
        calls.append(now)

    start = timezone.now()
    assert chores.run_due(start) == [f"{__name__}.{count.__qualname__}"]
    assert chores.run_due(start + timedelta(minutes=9)) == []
    assert chores.run_due(start + timedelta(minutes=10)) != []
    assert calls == [start, start + timedelta(minutes=10)]


def test_a_failing_chore_does_not_stop_the_others(db, registry, caplog):
    done = []

    @chores.chore(every=timedelta(minutes=1))
    def broken(now):
        raise RuntimeError("hỏng")

    @chores.chore(every=timedelta(minutes=1))
    def fine(now):
        done.append(now)

    ran = chores.run_due()
    assert [name.rsplit(".", 1)[-1] for name in ran] == ["fine"]
    assert done and "broken" in caplog.text


def test_a_chore_another_worker_is_running_is_skipped(db, registry):
    done = []

    @chores.chore(every=timedelta(minutes=1))
    def once(now):
        done.append(now)

    name = next(iter(registry))
    # Another worker's session holds the chore's lock.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [f"chore:{name}"])
        assert chores.run_due() == [] and done == []
        with other.cursor() as cursor:  # that worker is done
            cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [f"chore:{name}"])
    finally:
        other.close()
    registry[name].last_run = None
    assert chores.run_due() == [name] and len(done) == 1
    with connection.cursor() as cursor:  # and it let its own lock go
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        assert cursor.fetchone()[0] == 0


def age(name: str, hours: float) -> None:
    """Make the staged file ``name`` look ``hours`` old (the local folder storage)."""
    path = private_storage().path(name)
    then = (timezone.now() - timedelta(hours=hours)).timestamp()
    os.utime(path, (then, then))


def test_the_sweep_removes_only_staged_files_nobody_confirmed(db, settings):
    settings.STAGED_FILE_HOURS = 24
    storage = private_storage()
    abandoned = staging.stage(b"bo quen", folder=staging.ADMIN_IMPORTS)
    round_abandoned = staging.stage(b"bo quen", folder=staging.ROUND_IMPORTS)
    recent = staging.stage(b"dang xem", folder=staging.ADMIN_IMPORTS)
    # A background import's own file waits in imports/ itself: not a staged preview.
    job_file = storage.save("imports/123.xlsx", staging.ContentFile(b"viec nen"))
    for name in (abandoned, round_abandoned, job_file):
        age(name, 25)
    age(recent, 23)

    assert staging.sweep_abandoned(timezone.now()) == 2
    assert not storage.exists(abandoned) and not storage.exists(round_abandoned)
    assert storage.exists(recent) and storage.exists(job_file)
    # The preview's confirmation then finds it gone, as after a double confirmation.
    assert staging.claim(abandoned) is None
    assert staging.claim(recent) == b"dang xem"
    storage.delete(job_file)


def test_only_the_staging_folders_are_used():
    with pytest.raises(ValueError):
        staging.stage(b"x", folder="attachments")
