"""Benchmark of loading the official tree. Run with `make bench-official-tree`.

Works in its own database (``danvan_bench_official_tree`` on the embedded server, or on the
server named by DATABASE_URL). Each run empties the tree, loads the whole country (34 provinces,
3,321 communes and their standard bodies, about 27,000 units, audit trail on) and then loads it
again, which must change nothing. Prints the median of the runs for both; the first load is held
to 60 seconds, and a miss makes the command exit with status 1.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")
os.environ["DJANGO_TEST_DATABASE_NAME"] = "danvan_bench_official_tree"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench.common import MISSED, verdict  # noqa: E402
from organisations.models import Organisation, OrganisationHistory  # noqa: E402
from organisations.official_tree import load_official_tree  # noqa: E402

TARGET_SECONDS = 60


def empty_tree() -> None:
    tables = [Organisation._meta.db_table, OrganisationHistory._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)

    first, second = [], []
    for run in range(1, args.repeat + 1):
        empty_tree()
        started = time.perf_counter()
        report = load_official_tree()
        first.append(time.perf_counter() - started)
        units = Organisation.objects.count()
        assert len(report.created) == 34 + 3321, len(report.created)

        started = time.perf_counter()
        again = load_official_tree()
        second.append(time.perf_counter() - started)
        assert again.changes == 0, again.lines()
        print(
            f"run {run}: {units:_} units in {first[-1]:.1f} s, "
            f"second run {second[-1]:.1f} s (no change)".replace("_", ".")
        )

    median = statistics.median(first)
    print(
        f"\nload of the whole country: median {median:.1f} s "
        f"(target ≤ {TARGET_SECONDS} s: {verdict('official tree', median <= TARGET_SECONDS)}); "
        f"second run: median {statistics.median(second):.1f} s"
    )
    sys.exit(1 if MISSED else 0)


if __name__ == "__main__":
    main()
