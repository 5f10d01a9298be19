"""Benchmarks of the registry at national scale (1,000,000 models and exemplars).

The list page (filtered to a province and a field, sorted by start date, first and a deep
page), the text search as a national administrator and as a province reviewer, a detail page,
the number of queries the list page runs, and the spreadsheet export of 50,000 rows: the
project's writer against a bare openpyxl write-only loop over the same rows, with the writer's
peak memory.
"""

from __future__ import annotations

import tempfile
import time
import tracemalloc

from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from bench import statements
from bench.common import (
    explain,
    logged_in,
    number,
    page,
    peak_rss_growth,
    print_measures,
    summary,
    timed,
    user,
    verdict,
    write_results,
)
from demo.synthetic import synthetic_models
from models_registry.choices import Field
from models_registry.models import DanVanModel
from models_registry.views.registrations import PAGE_SIZE
from organisations.choices import Role
from organisations.models import Organisation

LIST_URL = "/mo-hinh/"
DEEP_PAGE = 200
NATIONAL_DEEP_PAGE = 39_000
SEARCHES = ("nuoi de", "hien dat lam duong")
# Words common in every province: a province's search reads thousands of its matches.
COMMON_SEARCHES = ("camera an ninh", "hoa giai", "dan van kheo")
EXPORT_ROWS = 50_000
MAX_LIST_QUERIES = 10
TARGETS = {
    "list": 150,
    "detail": 150,
    "search": 300,
    "export_ratio": 0.7,
    "export_memory_mb": 50,
}


def busiest_province(root: Organisation) -> tuple[Organisation, int]:
    """The province of today owning the most models (the slowest lists), and how many it owns
    itself (the former provinces merged into it are counted apart)."""
    step = Organisation.steplen
    prefix_length = (root.depth + 1) * step
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT left(o.path, {prefix_length}) AS province, count(*)
            FROM {DanVanModel._meta.db_table} m
            JOIN {Organisation._meta.db_table} o ON o.id = m.owning_unit_id
            WHERE o.path LIKE %s
            GROUP BY 1 ORDER BY 2 DESC
            """,
            [root.path + "%"],
        )
        counts = dict(cursor.fetchall())
    current = Organisation.objects.filter(path__in=counts, valid_to__isnull=True)
    province = max(current, key=lambda unit: counts[unit.path])
    return province, counts[province.path]


def not_kept(fetch):
    """``fetch`` with the process's cache emptied first: what a search costs the first time."""
    from django.core.cache import cache

    def fetch_anew():
        cache.clear()
        return fetch()

    return fetch_anew


def list_queries(client, params: dict) -> list[dict]:
    """The statements one request of the list page sends to the database."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST_URL, params)
        assert response.status_code == 200, (params, response.status_code)
    return list(captured.captured_queries)


def real_queries(captured: list[dict]) -> list[str]:
    """The queries among the statements: transaction markers left out."""
    markers = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
    return [query["sql"] for query in captured if not query["sql"].upper().startswith(markers)]


def registry_plans(queries: list[dict]) -> list[str]:
    """The plans of the queries that read the models table (the count and the page)."""
    table = f'"{DanVanModel._meta.db_table}"'
    return [
        explain(query["sql"])
        for query in queries
        if query["sql"].lstrip().upper().startswith("SELECT") and f"FROM {table}" in query["sql"]
    ]


def deep_link(account, params: dict, page_number: int) -> dict:
    """The parameters of the "Sau »" link that leads to page ``page_number`` of the list
    ``params`` (a cursor on the last row of the page before it; found once, not timed)."""
    from models_registry.filters import DEFAULT_SORT
    from models_registry.selectors import filtered_models
    from models_registry.views import keyset

    sort = params.get("sort") or DEFAULT_SORT
    query = QueryDict(mutable=True)
    for name, value in params.items():
        query[name] = str(value)
    before = filtered_models(account, query)
    row = before[(page_number - 1) * PAGE_SIZE - 1]
    cursor = keyset.make_cursor(sort, row, forward=True, number=page_number)
    return {**params, keyset.CURSOR_PARAMETER: cursor}


def export_figures(queryset, repeat: int, user_) -> dict:
    """The project's xlsx writer against a bare write-only loop over the same rows, both as
    ``user_`` exports them (every column of the import file)."""
    from openpyxl import Workbook

    from models_registry.exports import export_headers, export_rows, write_xlsx

    def project() -> int:
        with tempfile.TemporaryFile() as target:
            return write_xlsx(queryset, target, user=user_)

    def bare() -> int:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Danh sách mô hình")
        sheet.append(export_headers())
        count = 0
        for count, row in enumerate(export_rows(queryset, user=user_), start=1):  # noqa: B007
            sheet.append(row)
        with tempfile.TemporaryFile() as target:
            workbook.save(target)
        return count

    def fetch_only() -> int:
        return sum(1 for _ in export_rows(queryset, user=user_))

    # The first run in the process is the warm-up (the rows are then in the cache for every run
    # below) and the one whose resident-set growth counts: later runs reuse what it allocated.
    rows = None

    def first_run():
        nonlocal rows
        rows = project()

    rss_growth = peak_rss_growth(first_run)
    samples = {"project": [], "bare": [], "fetch": []}
    for _ in range(repeat):
        # Alternate, so a noisy moment on the machine does not hit one side only.
        for name, function in (("project", project), ("bare", bare), ("fetch", fetch_only)):
            started = time.perf_counter()
            assert function() == rows
            samples[name].append((time.perf_counter() - started) * 1000)

    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    project()
    peak = tracemalloc.get_traced_memory()[1] - baseline
    tracemalloc.stop()

    figures = {"rows": rows}
    for name, values in samples.items():
        figures[name] = summary(values)
        figures[name]["rows_per_s"] = round(rows / (figures[name]["median_ms"] / 1000))
    figures["ratio"] = round(figures["project"]["rows_per_s"] / figures["bare"]["rows_per_s"], 3)
    figures["peak_memory_mb"] = round(peak / 1024 / 1024, 1)
    figures["peak_rss_growth_mb"] = round(rss_growth / 1024 / 1024, 1)
    return figures


def run(root: Organisation, *, repeat: int, export_repeat: int, generated: dict) -> dict:
    models = synthetic_models(root)
    total = models.count()
    province, in_province = busiest_province(root)
    field = Field.ECONOMY
    in_list = models.filter(owning_unit__path__startswith=province.path, field=field).count()

    reviewer = user("bench.mohinh.thamdinh", province, Role.REVIEWER)
    national = user("bench.quantri", superuser=True)
    reviewer_client = logged_in(reviewer)
    national_client = logged_in(national)

    detail = statements.detail_model(models, province)

    list_params = {"unit": province.pk, "field": field, "sort": "-start_date"}
    # Page 200 at national scale; the last page of a smaller data set. Beyond the first pages
    # the list's links carry a cursor on the previous page's last row (never an OFFSET).
    deep_page = max(2, min(DEEP_PAGE, in_list // PAGE_SIZE))
    deep_params = deep_link(reviewer, list_params, deep_page)
    national_deep_page = max(2, min(NATIONAL_DEEP_PAGE, total // PAGE_SIZE))
    national_deep_params = deep_link(national, {}, national_deep_page)
    measures: dict[str, dict] = {}
    targets: dict[str, int] = {}

    def measure(name: str, client, url: str, target: int, **params) -> None:
        measures[name] = timed(page(client, url, **params), repeat)
        targets[name] = target

    measure(
        "list: province + field, by start date, page 1 (reviewer)",
        reviewer_client,
        LIST_URL,
        TARGETS["list"],
        **list_params,
    )
    measure(
        f"list: province + field, by start date, page {deep_page} (reviewer)",
        reviewer_client,
        LIST_URL,
        TARGETS["list"],
        **deep_params,
    )
    measure(
        "list: province + field, by start date, page 1 (national)",
        national_client,
        LIST_URL,
        TARGETS["list"],
        **list_params,
    )
    measure("list: whole country, page 1 (national)", national_client, LIST_URL, TARGETS["list"])
    measure(
        f"list: whole country, page {national_deep_page} (national)",
        national_client,
        LIST_URL,
        TARGETS["list"],
        **national_deep_params,
    )
    for text in SEARCHES:
        measure(f"search '{text}': national", national_client, LIST_URL, TARGETS["search"], q=text)
        measure(
            f"search '{text}': province reviewer",
            reviewer_client,
            LIST_URL,
            TARGETS["search"],
            q=text,
        )
    # The same searches asked for the first time: the process's cache emptied before each
    # request (the figures above are a search asked again, read from the cache).
    for text in (*SEARCHES, *COMMON_SEARCHES):
        for who, client in (("national", national_client), ("province reviewer", reviewer_client)):
            name = f"search '{text}', not kept: {who}"
            measures[name] = timed(not_kept(page(client, LIST_URL, q=text)), repeat)
            targets[name] = TARGETS["search"]
    measure("detail page (reviewer)", reviewer_client, f"{LIST_URL}{detail.pk}/", TARGETS["detail"])

    queries = {
        "list page 1 (reviewer)": list_queries(reviewer_client, list_params),
        f"list page {deep_page} (reviewer)": list_queries(reviewer_client, deep_params),
        f"search '{SEARCHES[0]}' (national)": list_queries(national_client, {"q": SEARCHES[0]}),
        f"search '{SEARCHES[0]}' (reviewer)": list_queries(reviewer_client, {"q": SEARCHES[0]}),
    }
    plans = {
        "list page 1 (reviewer)": registry_plans(queries["list page 1 (reviewer)"]),
        f"list page {deep_page} (reviewer)": registry_plans(
            queries[f"list page {deep_page} (reviewer)"]
        ),
        f"search '{SEARCHES[0]}' (national)": registry_plans(
            queries[f"search '{SEARCHES[0]}' (national)"]
        ),
        f"search '{SEARCHES[0]}' (reviewer)": registry_plans(
            queries[f"search '{SEARCHES[0]}' (reviewer)"]
        ),
    }

    page_counts = statements.page_statements(
        reviewer_client, national_client, province, detail.pk, deep_params
    )

    first = models.order_by("pk").values_list("pk", flat=True).first()
    from models_registry.selectors import filtered_models

    exported = filtered_models(national, QueryDict()).filter(
        pk__range=(first, first + EXPORT_ROWS - 1)
    )
    export = export_figures(exported, export_repeat, national)

    figures = {
        "models": total,
        "busiest_province": {"name": province.name, "pk": province.pk, "models": in_province},
        "list_rows": in_list,
        "detail_pk": detail.pk,
        "generated": generated,
        "measures": measures,
        "targets_ms": targets,
        "queries": {
            name: {
                "queries": len(real_queries(captured)),
                "statements": len(captured),
                "sql": [query["sql"][:160] for query in captured],
            }
            for name, captured in queries.items()
        },
        "export": export,
        "plans": plans,
        "page_statements": page_counts,
    }

    print("\n== Mô hình, điển hình ==")
    print(
        f"Models: {number(total)}; busiest province {province.name} with {number(in_province)}, "
        f"{number(in_list)} of them in the field {Field(field).label}"
    )
    print_measures(measures, targets)
    print(f"\nQueries per request (at most {MAX_LIST_QUERIES}; statements with BEGIN/COMMIT):")
    for name, captured in queries.items():
        count = len(real_queries(captured))
        said = verdict(f"queries: {name}", count <= MAX_LIST_QUERIES)
        print(f"  {name:<40} {count:>3} ({len(captured)})  {said}")
    statements.print_statements(page_counts)
    print(f"\nExport of {number(export['rows'])} rows to xlsx (median of {export_repeat}):")
    for name, label in (
        ("project", "project writer (write_xlsx)"),
        ("bare", "bare openpyxl write-only loop"),
        ("fetch", "rows from the database only"),
    ):
        result = export[name]
        print(
            f"  {label:<36} {result['median_ms'] / 1000:>7.2f} s  "
            f"{number(result['rows_per_s']):>8} rows/s"
        )
    ratio_ok = export["ratio"] >= TARGETS["export_ratio"]
    memory_ok = (
        max(export["peak_memory_mb"], export["peak_rss_growth_mb"]) < TARGETS["export_memory_mb"]
    )
    print(
        f"  writer / bare loop: {export['ratio']:.0%} "
        f"(≥ {TARGETS['export_ratio']:.0%} {verdict('export ratio', ratio_ok)})"
    )
    print(
        f"  writer peak memory growth: {export['peak_memory_mb']} MB (Python), "
        f"{export['peak_rss_growth_mb']} MB (resident set) "
        f"(< {TARGETS['export_memory_mb']} MB {verdict('export memory', memory_ok)})"
    )
    for name, texts in plans.items():
        for index, text in enumerate(texts, start=1):
            print(f"\nPlan — {name}, query {index}:\n{text}")

    write_results("registry.json", figures)
    return figures
