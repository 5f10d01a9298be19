"""What the benchmarks share: timing, requests, query plans and benchmark users."""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from organisations import services

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
WARMUP = 3
MISSED: list[str] = []  # the targets this run missed: ``bench/run.py`` exits 1 when any


def verdict(name: str, ok: bool) -> str:
    """ "đạt" or "KHÔNG ĐẠT" for a target, remembering the misses for the exit status."""
    if not ok:
        MISSED.append(name)
    return "đạt" if ok else "KHÔNG ĐẠT"


def summary(samples: list[float]) -> dict:
    """Median and 90th percentile of ``samples`` (milliseconds)."""
    samples = sorted(samples)
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p90_ms": round(samples[max(0, int(len(samples) * 0.9) - 1)], 2),
        "runs": len(samples),
    }


def timed(function, repeat: int, warmup: int = WARMUP) -> dict:
    """Run ``function`` ``warmup`` times, then time ``repeat`` runs."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples)


def page(client: Client, url: str, **params):
    """A function that requests ``url`` and insists on a 200."""

    def fetch():
        response = client.get(url, params)
        assert response.status_code == 200, (url, params, response.status_code)
        return response

    return fetch


def explain(sql: str, params=None) -> str:
    """The plan PostgreSQL runs ``sql`` with, with real row counts and buffer use."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    return explain(sql, params)


def user(username: str, organisation=None, role: str | None = None, *, superuser=False):
    """A benchmark account, with ``role`` on ``organisation`` if given."""
    account, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"is_superuser": superuser, "is_staff": superuser}
    )
    if organisation is not None:
        services.membership_grant(user=account, organisation=organisation, role=role, by=None)
    return get_user_model().objects.get(pk=account.pk)


def logged_in(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def fresh(account):
    """A new user object: the scope is computed anew, as on every real request."""
    return get_user_model().objects.get(pk=account.pk)


def print_measures(measures: dict, targets: dict | None = None) -> None:
    targets = targets or {}
    print(f"\n{'measure':<58} {'median ms':>10} {'p90 ms':>9}  target")
    for name, result in measures.items():
        target = targets.get(name)
        if target is not None:
            said = f"≤ {target} ms " + verdict(name, result["median_ms"] <= target)
        else:
            said = ""
        print(f"{name:<58} {result['median_ms']:>10.2f} {result['p90_ms']:>9.2f}  {said}")


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss_growth(function, every: float = 0.005) -> int:
    """How far the process's resident set grew above its size at the start while ``function``
    ran (bytes), sampled by a thread every ``every`` seconds."""
    baseline = peak = _resident_bytes()
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.wait(every):
            peak = max(peak, _resident_bytes())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        function()
    finally:
        done.set()
        sampler.join()
    return max(peak, _resident_bytes()) - baseline


def write_results(name: str, figures: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / name
    target.write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str))
    return target


def number(value) -> str:
    """``1234567`` as ``1.234.567``."""
    return f"{value:,}".replace(",", ".")
