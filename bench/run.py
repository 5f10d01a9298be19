"""Benchmarks at national scale: the organisation tree, the registry, the reports. `make bench`.

Works in its own database (``danvan_bench``, or the one named by ``--database`` or
BENCH_DATABASE, on the embedded server or on the server named by DATABASE_URL), kept between
runs because generating the data set takes minutes: the first run builds 150,000 organisations
and 1,000,000 models with ``manage.py generate_data``, later runs reuse them. Each figure is the
median (and 90th percentile) of repeated requests through Django's test client with a warm
database, measured server-side; the query plans show which index answers. Results go to
``bench/results/organisations.json``, ``registry.json`` and ``reports.json``.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")


def _database_option(argv: list[str]) -> str | None:
    """``--database NAME`` (or ``--database=NAME``), read before Django starts."""
    for index, argument in enumerate(argv):
        if argument == "--database" and index + 1 < len(argv):
            return argv[index + 1]
        if argument.startswith("--database="):
            return argument.split("=", 1)[1]
    return None


# The bench database: ``--database``, else BENCH_DATABASE, else danvan_bench.
os.environ["DJANGO_TEST_DATABASE_NAME"] = (
    _database_option(sys.argv) or os.environ.get("BENCH_DATABASE") or "danvan_bench"
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench import registry, reports, tree  # noqa: E402
from bench.common import MISSED, number  # noqa: E402
from demo.synthetic import synthetic_models  # noqa: E402
from demo.synthetic.tree import find_synthetic_root  # noqa: E402


def prepare(args) -> tuple[object, dict]:
    """The generated data set, made first where missing; how long each part took to make."""
    generated: dict[str, float | int | None] = {"organisations_s": None, "models_s": None}
    root = find_synthetic_root()
    if root is None:
        started = time.perf_counter()
        call_command("generate_data", organisations=args.organisations, stdout=io.StringIO())
        generated["organisations_s"] = round(time.perf_counter() - started, 1)
        root = find_synthetic_root()
        print(f"Generated the organisation tree in {generated['organisations_s']} s")
    if not {"registry", "reports"} & set(args.only):
        return root, generated

    existing = synthetic_models(root).count()
    if args.models and (not existing or args.regenerate):
        print(f"Generating {number(args.models)} models (a few minutes, once)…", flush=True)
        started = time.perf_counter()
        call_command("generate_data", models=args.models, replace=bool(existing))
        generated["models_s"] = round(time.perf_counter() - started, 1)
    elif existing != args.models:
        print(
            f"Reusing the {number(existing)} models generated before "
            f"(--regenerate to make {number(args.models)})."
        )
    generated["models"] = synthetic_models(root).count()
    return root, generated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--database",
        help="the bench database (default: BENCH_DATABASE, else danvan_bench); kept between runs",
    )
    parser.add_argument("--organisations", type=int, default=150_000)
    parser.add_argument("--models", type=int, default=1_000_000)
    parser.add_argument(
        "--regenerate", action="store_true", help="replace the generated models with --models new"
    )
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page")
    parser.add_argument("--export-repeat", type=int, default=3, help="timed runs of each export")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["organisations", "registry", "reports"],
        default=["organisations", "registry", "reports"],
    )
    args = parser.parse_args()

    # Production runs without DEBUG: no query log, no template debugging.
    setup_test_environment(debug=False)
    # Kept between runs; never serialised (the test runner's copy of a million rows).
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)

    root, generated = prepare(args)
    if "organisations" in args.only:
        tree.run(root, repeat=args.repeat, generated_in=generated["organisations_s"])
    if "registry" in args.only:
        if not generated.get("models"):
            print("No generated models: the registry benchmark needs --models above 0.")
            return
        registry.run(
            root, repeat=args.repeat, export_repeat=args.export_repeat, generated=generated
        )
    if "reports" in args.only:
        if not generated.get("models"):
            print("No generated models: the reports benchmark needs --models above 0.")
            return
        reports.run(root, repeat=args.repeat, export_repeat=args.export_repeat)
    if MISSED:
        print(f"\nMissed targets ({len(MISSED)}): " + "; ".join(MISSED))
        sys.exit(1)
    print("\nEvery target met.")


if __name__ == "__main__":
    main()
