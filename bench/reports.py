"""Benchmarks of the sơ kết / tổng kết report at national scale (1,000,000 models).

The report page for the busiest province and for the whole country for one year, through the
test client (figures, tables and charts), the figures alone (``report_figures``), and the
province workbook with its data sheet (what the background worker builds). The generated
registry has no commendation rounds, so the first run adds a published round per province and
year commending a twentieth of its recognised models (bulk rows, as the generator does: made-up
data, not anybody's change).
"""

from __future__ import annotations

import datetime
import tempfile
import time

from django.db import connection

from bench.common import (
    explain,
    logged_in,
    number,
    page,
    print_measures,
    summary,
    timed,
    user,
    verdict,
    write_results,
)
from bench.registry import busiest_province
from demo.synthetic import synthetic_models
from models_registry.choices import Status
from organisations.choices import Role
from organisations.models import Organisation
from reports.periods import year_period
from reports.selectors import report_figures, report_model_rows
from reports.workbook import write_workbook
from reviews.choices import CommendationForm, RoundKind, RoundStatus
from reviews.models import Commendation, CommendationRound

REPORT_URL = "/bao-cao/"
YEAR = 2025
ROUND_TITLE = "SYN Biểu dương năm"
COMMENDED_SHARE = 20  # one recognised model in twenty is commended in its year
TARGETS = {"province_page": 150, "national_page": 300, "province_workbook": 3000}
FORMS = (CommendationForm.PRAISE, CommendationForm.CERTIFICATE, CommendationForm.MERIT)


def ensure_commendations(root: Organisation) -> int:
    """A published round per province and year commending some recognised models (once)."""
    existing = Commendation.objects.filter(round__title__startswith=ROUND_TITLE).count()
    if existing:
        return existing
    provinces = list(Organisation.objects.filter(path__startswith=root.path, depth=root.depth + 1))
    recognised = (
        synthetic_models(root)
        .filter(status=Status.RECOGNISED, recognised_at__isnull=False)
        .values_list("pk", "owning_unit__path", "recognised_at")
        .order_by("pk")
    )
    by_round: dict[tuple[str, int], list[int]] = {}
    step = len(root.path) + Organisation.steplen
    for index, (pk, path, recognised_at) in enumerate(recognised.iterator(chunk_size=5000)):
        if index % COMMENDED_SHARE == 0:
            by_round.setdefault((path[:step], recognised_at.year), []).append(pk)
    by_path = {province.path: province for province in provinces}
    rounds = {}
    for (path, year), _ in sorted(by_round.items()):
        held = datetime.date(year, 11, 18)
        rounds[(path, year)] = CommendationRound(
            title=f"{ROUND_TITLE} {year} – {by_path[path].name}",
            kind=RoundKind.ANNUAL,
            period_start=datetime.date(year, 1, 1),
            period_end=datetime.date(year, 12, 31),
            organising_unit=by_path[path],
            held_on=held,
            status=RoundStatus.PUBLISHED,
            decision_number=f"{year}/QĐ-SYN",
            decision_date=held,
            decision_signer="Ban Dân vận",
            decision_authority="Ban Dân vận Tỉnh ủy",
        )
    CommendationRound.objects.bulk_create(rounds.values(), batch_size=1000)
    lines = [
        Commendation(round=rounds[key], model_id=pk, form=FORMS[pk % len(FORMS)], position=position)
        for key, pks in by_round.items()
        for position, pk in enumerate(pks, start=1)
    ]
    Commendation.objects.bulk_create(lines, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{Commendation._meta.db_table}"')
        cursor.execute(f'ANALYZE "{CommendationRound._meta.db_table}"')
    return len(lines)


def models_query_plan(user_, organisation: Organisation, period) -> str:
    """The plan of the report's main grouped query (the models of the subtree, or their roll-up)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        report_figures(user_, organisation, period)
    # Counted from the models, or summed from the roll-up (``reports.rollup``).
    tables = ('"models_registry_danvanmodel"', '"reports_modelcount"')
    grouped = [
        query["sql"]
        for query in captured.captured_queries
        if any(f"FROM {table}" in query["sql"] for table in tables) and "GROUP BY" in query["sql"]
    ]
    return explain(grouped[0]) if grouped else "(no grouped query)"


def statement_times(client, organisation: Organisation, period, repeat: int) -> list[dict]:
    """Each statement of one report page with its median time: where the page's database time
    goes (session and scope look-ups included)."""
    from django.test.utils import CaptureQueriesContext

    samples: dict[int, list[float]] = {}
    statements: list[str] = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            page(client, REPORT_URL, don_vi=organisation.pk, ky=period.key)()
        statements = [" ".join(query["sql"].split())[:90] for query in captured.captured_queries]
        for index, query in enumerate(captured.captured_queries):
            samples.setdefault(index, []).append(float(query["time"]) * 1000)
    return [
        {"statement": statement, "median_ms": summary(samples[index])["median_ms"]}
        for index, statement in enumerate(statements)
    ]


def workbook_figures(user_, province: Organisation, period, repeat: int) -> dict:
    """The province workbook, tables and data sheet, written to a scratch file."""
    rows_written = {}

    def build() -> None:
        figures = report_figures(user_, province, period)
        with tempfile.TemporaryFile() as target:
            count = 0

            def counted():
                nonlocal count
                for row in report_model_rows(user_, province, period):
                    count += 1
                    yield row

            write_workbook(figures, target, model_rows=counted())
            rows_written["rows"] = count
            rows_written["bytes"] = target.tell()

    build()  # warm-up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        build()
        samples.append((time.perf_counter() - started) * 1000)
    return {**summary(samples), **rows_written}


def run(root: Organisation, *, repeat: int, export_repeat: int) -> dict:
    commended = ensure_commendations(root)
    province, in_province = busiest_province(root)
    period = year_period(YEAR)
    reviewer = user("bench.baocao.thamdinh", province, Role.REVIEWER)
    national = user("bench.quantri", superuser=True)
    reviewer_client, national_client = logged_in(reviewer), logged_in(national)

    measures: dict[str, dict] = {}
    targets: dict[str, int] = {}
    name = f"page: {province.name}, năm {YEAR} (reviewer)"
    measures[name] = timed(
        page(reviewer_client, REPORT_URL, don_vi=province.pk, ky=period.key), repeat
    )
    targets[name] = TARGETS["province_page"]
    name = f"page: cả nước, năm {YEAR} (national)"
    measures[name] = timed(page(national_client, REPORT_URL, don_vi=root.pk, ky=period.key), repeat)
    targets[name] = TARGETS["national_page"]
    measures["figures only: province"] = timed(
        lambda: report_figures(reviewer, province, period), repeat
    )
    measures["figures only: whole country"] = timed(
        lambda: report_figures(national, root, period), repeat
    )
    # The same figures recounted from the models, values and commendations (the roll-up's
    # fallback, and the report before it): the before and after of one run.
    recount_repeat = max(3, repeat // 5)
    measures["figures only: province, recounted"] = timed(
        lambda: report_figures(reviewer, province, period, recount=True), recount_repeat
    )
    measures["figures only: whole country, recounted"] = timed(
        lambda: report_figures(national, root, period, recount=True), recount_repeat
    )
    workbook = workbook_figures(reviewer, province, period, export_repeat)

    statements = statement_times(reviewer_client, province, period, repeat=10)
    national_statements = statement_times(national_client, root, period, repeat=5)
    figures_now = report_figures(national, root, period)
    plan = models_query_plan(national, root, period)
    province_plan = models_query_plan(reviewer, province, period)
    result = {
        "year": YEAR,
        "province": {"name": province.name, "models": in_province},
        "commendations": commended,
        "national_active": figures_now["total"]["active"],
        "measures": measures,
        "targets_ms": targets,
        "workbook": workbook,
        "statements": statements,
        "national_statements": national_statements,
        "plans": {"national": plan, "province": province_plan},
    }

    print("\n== Báo cáo sơ kết, tổng kết ==")
    print(
        f"{province.name}: {number(in_province)} models; whole country: "
        f"{number(figures_now['total']['active'])} active in {YEAR}; "
        f"{number(commended)} commendations"
    )
    print_measures(measures, targets)
    said = verdict("province workbook", workbook["median_ms"] <= TARGETS["province_workbook"])
    print(
        f"\nWorkbook of {province.name} ({number(workbook['rows'])} data rows, "
        f"{number(workbook['bytes'])} bytes), median of {export_repeat}: "
        f"{workbook['median_ms'] / 1000:.2f} s (≤ {TARGETS['province_workbook'] / 1000:.0f} s "
        f"{said})"
    )
    for name, listed, runs in (
        (province.name, statements, 10),
        ("whole country", national_statements, 5),
    ):
        print(
            f"\nStatements of the {name} page: {len(listed)} (median of {runs}, ms; Django "
            "rounds to 1 ms):"
        )
        for statement in listed:
            if statement["statement"] not in ("BEGIN", "COMMIT"):
                print(f"{statement['median_ms']:8.1f}  {statement['statement']}")
    print(f"\nPlan — the models grouped query, whole country:\n{plan}")
    print(f"\nPlan — the models grouped query, {province.name}:\n{province_plan}")
    write_results("reports.json", result)
    return result
