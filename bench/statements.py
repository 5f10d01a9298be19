"""How many statements each main page sends to the database, at national scale.

Part of ``make bench`` (``bench/registry.py``); also runs alone on a bench database the
registry benchmark has prepared (its users), to compare commits:

    python bench/statements.py --database danvan_bench

Each page is asked twice through Django's test client as a logged-in user and the second
request is counted (``CaptureQueriesContext``): what a user who keeps working costs, with what
is kept between requests (the list's counts by field, the session) warm. Transaction markers
(BEGIN/COMMIT/SAVEPOINT) are left out of the count and shown apart.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIST_URL = "/mo-hinh/"
MARKERS = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def counted(client, url: str, params: dict | None = None) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params or {})
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, (url, params, response.status_code)
    statements = [query["sql"] for query in captured.captured_queries]
    real = [sql for sql in statements if not sql.upper().startswith(MARKERS)]
    writes = [sql for sql in real if sql.upper().startswith(("UPDATE", "INSERT", "DELETE"))]
    return {"queries": len(real), "statements": len(statements), "writes": len(writes)}


def page_statements(reviewer_client, national_client, province, detail_pk: int, deep: dict):
    """The statements of the list (page 1 and a deep page), a detail page, a search, the
    review queue and the home page."""
    list_params = {"unit": province.pk, "field": "economy", "sort": "-start_date"}
    pages = {
        "home (reviewer)": (reviewer_client, "/", None),
        "list page 1 (reviewer)": (reviewer_client, LIST_URL, list_params),
        "list deep page (reviewer)": (reviewer_client, LIST_URL, deep),
        "list page 1 (national)": (national_client, LIST_URL, None),
        "detail (reviewer)": (reviewer_client, f"{LIST_URL}{detail_pk}/", None),
        "search 'nuoi de' (reviewer)": (reviewer_client, LIST_URL, {"q": "nuoi de"}),
        "search 'nuoi de' (national)": (national_client, LIST_URL, {"q": "nuoi de"}),
        "review queue (reviewer)": (reviewer_client, "/tham-dinh/", None),
    }
    return {name: counted(client, url, params) for name, (client, url, params) in pages.items()}


def print_statements(counts: dict) -> None:
    print("\nStatements per page (second request; queries, all statements, writes):")
    for name, result in counts.items():
        print(
            f"  {name:<32} {result['queries']:>3} ({result['statements']}), "
            f"{result['writes']} write(s)"
        )


def detail_model(models, province):
    from models_registry.choices import Status

    return (
        models.filter(
            owning_unit__path__startswith=province.path,
            status=Status.RECOGNISED,
            result_reports__isnull=False,
            replicas__isnull=False,
        )
        .order_by("pk")
        .first()
    ) or models.filter(owning_unit__path__startswith=province.path).order_by("pk").first()


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "danvan_bench"))
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")
    os.environ["DJANGO_TEST_DATABASE_NAME"] = args.database
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from bench.common import logged_in, user
    from bench.registry import busiest_province
    from demo.synthetic import synthetic_models
    from demo.synthetic.tree import find_synthetic_root
    from organisations.choices import Role

    setup_test_environment(debug=False)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)
    root = find_synthetic_root()
    province, _ = busiest_province(root)
    reviewer = user("bench.mohinh.thamdinh", province, Role.REVIEWER)
    national = user("bench.quantri", superuser=True)
    detail = detail_model(synthetic_models(root), province)
    deep = {"unit": province.pk, "field": "economy", "sort": "-start_date", "page": 2}
    counts = page_statements(logged_in(reviewer), logged_in(national), province, detail.pk, deep)
    print_statements(counts)


if __name__ == "__main__":
    main()
