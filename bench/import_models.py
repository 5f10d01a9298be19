"""Benchmark of the spreadsheet import of models. Run with `make bench-import`.

Works in its own database (``danvan_bench_import`` on the embedded server, or on the server named
by DATABASE_URL), kept between runs with its synthetic organisation tree. A province admin
imports a 10,000-row workbook into the communes of their province through the resource's
``import_data``, the code path of the admin pages: a dry run (the preview) then the real import.
Each figure is the median of several runs; the imported rows (with their events, theme links and
history rows) are deleted between runs. Both the import itself and the whole of what the admin
waits for (the file read for the preview and again for the confirmation) are held to 1,000 rows
per second; a miss makes the command exit with status 1.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")
os.environ["DJANGO_TEST_DATABASE_NAME"] = "danvan_bench_import"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench.common import MISSED, verdict  # noqa: E402
from core.spreadsheets import read_xlsx  # noqa: E402
from demo.synthetic.tree import generate_organisation_tree  # noqa: E402
from models_registry.choices import Actor, Field, ModelKind, Status  # noqa: E402
from models_registry.models import DanVanModel, Theme  # noqa: E402
from models_registry.resources import COLUMNS, SHEET_TITLE, DanVanModelResource  # noqa: E402
from organisations import services  # noqa: E402
from organisations.choices import OrganisationLevel, Role  # noqa: E402
from organisations.models import Organisation  # noqa: E402

FILE_NAME = "nhap-mo-hinh-bench.xlsx"
TARGET_ROWS_PER_SECOND = 1000
TEXT = (
    "Chi bộ lãnh đạo, Ban công tác Mặt trận vận động nhân dân hiến đất, góp ngày công, "
    "các đoàn thể cùng tham gia; kết quả được công khai tại nhà văn hóa."
)


def workbook(rows: int, unit_codes: list[str], theme_names: list[str]) -> bytes:
    """A full-width import file of ``rows`` models spread over ``unit_codes``."""
    from openpyxl import Workbook

    rng = random.Random(2025)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)
    sheet.append(list(COLUMNS.values()))
    fields = [label for _, label in Field.choices]
    for index in range(rows):
        recognised = index % 3 == 0
        individual = index % 10 == 0
        year = 2016 + index % 9
        values = {
            "code": f"BENCH-{index:06d}" if index % 2 else "",
            "owning_unit": unit_codes[index % len(unit_codes)],
            "name": f"Mô hình dân vận khéo số {index} – {rng.choice(theme_names)}",
            "kind": ModelKind.EXEMPLAR.label if individual else ModelKind.MODEL.label,
            "actor": Actor.INDIVIDUAL.label if individual else Actor.COLLECTIVE.label,
            "person_name": "Nông Văn Hạnh" if individual else "",
            "person_position": "Trưởng Ban công tác Mặt trận" if individual else "",
            "field": fields[index % len(fields)],
            "themes": "; ".join(rng.sample(theme_names, 2)),
            "territory_note": f"Thôn {index % 40 + 1}",
            "situation": TEXT,
            "goals": TEXT,
            "content": TEXT,
            "target_group": "Các hộ dân trong thôn.",
            "forces": TEXT,
            "funds": rng.randrange(0, 500) * 1_000_000,
            "workdays": rng.randrange(0, 2000),
            "socialised_funds": rng.randrange(0, 200) * 1_000_000,
            "resources_note": "",
            "start_date": f"{rng.randrange(1, 29):02d}/{rng.randrange(1, 12):02d}/{year}",
            "schedule": "Quý I: vận động; quý II–III: thực hiện; quý IV: đánh giá.",
            "evaluation_date": f"15/12/{year}",
            "outputs": "2 km đường bê tông, 1.200 m² đất được hiến.",
            "sustainability": "Nhân dân tự quản, có thể nhân rộng.",
            "contact_name": "Nguyễn Văn An",
            "contact_phone": "0912 345 678",
            "status": Status.RECOGNISED.label if recognised else Status.ACCEPTED.label,
            "decision_number": f"{index}/QĐ-UBND" if recognised else "",
            "decision_date": f"20/12/{year}" if recognised else "",
        }
        sheet.append([values.get(key, "") for key in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def province_admin(province: Organisation):
    from django.contrib.auth import get_user_model

    account, _ = get_user_model().objects.get_or_create(username="bench.nhapmohinh")
    services.membership_grant(user=account, organisation=province, role=Role.ADMIN, by=None)
    return get_user_model().objects.get(pk=account.pk)


def delete_imported(unit_ids: list[int]) -> None:
    """Remove the imported models with their events, links and history rows."""
    imported = DanVanModel.objects.filter(owning_unit_id__in=unit_ids)
    history = DanVanModel.history.rel.related_model
    pks = list(imported.values_list("pk", flat=True))
    imported.delete()
    history.objects.filter(pgh_obj_id__in=pks).delete()
    # Every table the import wrote to, so that a run does not pay for the dead rows of the last.
    with connection.cursor() as cursor:
        for table in (
            "models_registry_danvanmodel",
            "models_registry_danvanmodel_themes",
            "models_registry_workflowevent",
            history._meta.db_table,
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)

    root = Organisation.objects.filter(code__startswith="SYN", depth=1).first()
    if root is None:
        generate_organisation_tree(2000)
        root = Organisation.objects.get(code__startswith="SYN", depth=1)
    province = Organisation.objects.filter(path__startswith=root.path, depth=2).order_by("path")[0]
    communes = Organisation.objects.filter(
        path__startswith=province.path, level=OrganisationLevel.COMMUNE, code__isnull=False
    ).order_by("path")
    unit_codes = list(communes.values_list("code", flat=True))
    unit_ids = list(communes.values_list("pk", flat=True))
    user = province_admin(province)
    themes = list(Theme.objects.values_list("name", flat=True))
    delete_imported(unit_ids)  # a run that was interrupted

    data = workbook(args.rows, unit_codes, themes)
    print(
        f"\n{args.rows:_} rows, {len(COLUMNS)} columns, {len(data) / 1024 / 1024:.1f} MB, "
        f"into {len(unit_codes)} communes of “{province.name}” as its admin".replace("_", ".")
    )

    samples: dict[str, list[float]] = {"read": [], "dry run": [], "import": [], "total": []}
    for run in range(args.repeat):
        started = time.perf_counter()
        dataset = read_xlsx(data, SHEET_TITLE)
        read = time.perf_counter() - started

        started = time.perf_counter()
        result = DanVanModelResource(user=user).import_data(
            dataset, dry_run=True, file_name=FILE_NAME, user=user
        )
        dry_run = time.perf_counter() - started
        assert not result.has_errors() and not result.has_validation_errors(), "invalid file"
        assert result.totals["new"] == args.rows, result.totals

        dataset = read_xlsx(data, SHEET_TITLE)  # the confirmation reads the file again
        started = time.perf_counter()
        result = DanVanModelResource(user=user).import_data(
            dataset, dry_run=False, file_name=FILE_NAME, user=user
        )
        real = time.perf_counter() - started
        assert not result.has_errors() and not result.has_validation_errors(), "import failed"
        imported = DanVanModel.objects.filter(owning_unit_id__in=unit_ids).count()
        assert imported == args.rows, imported

        for name, seconds in (
            ("read", read),
            ("dry run", dry_run),
            ("import", real),
            ("total", dry_run + real),
        ):
            samples[name].append(seconds)
        rate = f"{args.rows / (dry_run + real):,.0f}".replace(",", ".")
        print(
            f"run {run + 1}: read {read:.2f} s, dry run {dry_run:.2f} s, import {real:.2f} s "
            f"→ {rate} rows/s"
        )
        delete_imported(unit_ids)

    print(f"\n{'median of ' + str(args.repeat) + ' runs':<34} {'seconds':>8} {'rows/s':>9}")
    for name, values in samples.items():
        seconds = statistics.median(values)
        rate = f"{args.rows / seconds:,.0f}".replace(",", ".")
        print(f"{name:<34} {seconds:>8.2f} {rate:>9}")
    total = statistics.median(samples["total"])
    read = statistics.median(samples["read"])
    print()
    for name, seconds in (
        ("import_data, dry run + import", total),
        ("with the file read twice as well (as the admin does)", total + 2 * read),
    ):
        rate = args.rows / seconds
        said = verdict(name, rate >= TARGET_ROWS_PER_SECOND)
        shown = f"{rate:,.0f}".replace(",", ".")
        print(f"{name}: {shown} rows/s (≥ 1.000: {said})")
    if MISSED:
        sys.exit(1)


if __name__ == "__main__":
    main()
