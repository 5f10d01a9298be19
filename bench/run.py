"""Benchmarks of the organisation tree at national scale. Run with `make bench`.

Works in its own database (``danvan_bench`` on the embedded server, or on the server named by
DATABASE_URL), kept between runs because generating the data set takes a while. Each figure is the
median (and 90th percentile) of repeated requests through Django's test client with a warm
database, measured server-side; the query plans show which index answers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")
os.environ["DJANGO_TEST_DATABASE_NAME"] = "danvan_bench"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from organisations import services  # noqa: E402
from organisations.choices import OrganisationLevel, Role  # noqa: E402
from organisations.models import Organisation  # noqa: E402
from organisations.synthetic import generate_organisation_tree  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def timed(function, repeat: int, warmup: int = 3) -> dict:
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p90_ms": round(samples[int(len(samples) * 0.9) - 1], 2),
        "runs": repeat,
    }


def page(client: Client, url: str, **params):
    def fetch():
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)

    return fetch


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def user(username: str, organisation: Organisation, role: str):
    from django.contrib.auth import get_user_model

    account, _ = get_user_model().objects.get_or_create(username=username)
    services.membership_grant(user=account, organisation=organisation, role=role)
    return get_user_model().objects.get(pk=account.pk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--organisations", type=int, default=150_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)

    generated_in = None
    root = Organisation.objects.filter(code__startswith="SYN", depth=1).first()
    if root is None:
        started = time.perf_counter()
        generate_organisation_tree(args.organisations)
        generated_in = round(time.perf_counter() - started, 1)
        root = Organisation.objects.get(code__startswith="SYN", depth=1)
    total = Organisation.objects.count()
    province = Organisation.objects.filter(path__startswith=root.path, depth=2).order_by("path")[0]
    commune = (
        Organisation.objects.filter(path__startswith=province.path, level=OrganisationLevel.COMMUNE)
        .order_by("path")
        .first()
    )

    reviewer = user("bench.thamdinh", province, Role.REVIEWER)
    cadre = user("bench.canbo", commune, Role.CADRE)
    from django.contrib.auth import get_user_model

    national, _ = get_user_model().objects.get_or_create(
        username="bench.quantri", defaults={"is_superuser": True, "is_staff": True}
    )

    clients = {}
    for name, account in (("reviewer", reviewer), ("cadre", cadre), ("national", national)):
        clients[name] = Client()
        clients[name].force_login(account)

    province_units = Organisation.objects.visible_to(reviewer).count()
    figures = {
        "organisations": total,
        "province_subtree": province_units,
        "commune_subtree": Organisation.objects.visible_to(cadre).count(),
        "generated_in_s": generated_in,
        "measures": {},
    }
    measures = figures["measures"]
    repeat = args.repeat

    def fresh(account):
        # A new user object per call: the scope is computed anew, as on every real request.
        return get_user_model().objects.get(pk=account.pk)

    measures["scope: count a province subtree (queries included)"] = timed(
        lambda: Organisation.objects.visible_to(fresh(reviewer)).count(), repeat
    )
    measures["scope: count the whole country (superuser)"] = timed(
        lambda: Organisation.objects.visible_to(national).count(), repeat
    )
    measures["page: tree, province reviewer"] = timed(page(clients["reviewer"], "/don-vi/"), repeat)
    measures["page: search 'tan hoa', province reviewer"] = timed(
        page(clients["reviewer"], "/don-vi/", q="tan hoa"), repeat
    )
    measures["page: search 'tan hoa', whole country"] = timed(
        page(clients["national"], "/don-vi/", q="tan hoa"), repeat
    )
    measures["page: province detail (children paginated)"] = timed(
        page(clients["reviewer"], f"/don-vi/{province.pk}/"), repeat
    )
    measures["fragment: expand a province"] = timed(
        page(clients["reviewer"], f"/don-vi/{province.pk}/don-vi-con/"), repeat
    )
    measures["page: commune detail, commune cadre"] = timed(
        page(clients["cadre"], f"/don-vi/{commune.pk}/"), repeat
    )

    plans = {
        "province subtree count": plan(
            Organisation.objects.visible_to(fresh(reviewer)).values("pk")
        ),
        "search in the whole country": plan(
            Organisation.objects.matching("tan hoa").order_by("depth", "name")[:51]
        ),
    }

    print(
        f"\nOrganisations: {total:_} (province subtree {province_units:_}, "
        f"commune subtree {figures['commune_subtree']:_})".replace("_", ".")
    )
    if generated_in is not None:
        print(f"Generated in {generated_in} s")
    print(f"\n{'measure':<52} {'median ms':>10} {'p90 ms':>9}")
    for name, result in measures.items():
        print(f"{name:<52} {result['median_ms']:>10.2f} {result['p90_ms']:>9.2f}")
    whole = measures["scope: count the whole country (superuser)"]["median_ms"]
    part = measures["scope: count a province subtree (queries included)"]["median_ms"]
    print(f"\nprovince subtree / whole-country count time: {part / whole:.2f}")
    for name, text in plans.items():
        print(f"\nPlan — {name}:\n{text}")

    RESULTS.mkdir(exist_ok=True)
    figures["plans"] = plans
    (RESULTS / "organisations.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
