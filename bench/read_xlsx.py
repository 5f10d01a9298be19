"""Benchmark of reading an uploaded workbook: the portal's reader against the libraries.

Run with `make bench-read` (needs the dev extras, which bring python-calamine). No database:
the 10,000-row, full-width file of `make bench-import` is read in memory, and each reader's
median of ``--repeat`` runs is printed with its ratio to the portal's reader. Every reader goes
over every value of every row, so that a lazy one is not flattered.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.import_models import workbook  # noqa: E402  (sets Django up)
from core.spreadsheets import read_xlsx  # noqa: E402
from core.xlsx_reader import read_sheet  # noqa: E402
from models_registry.resources import COLUMNS, SHEET_TITLE  # noqa: E402

THEMES = ["Giảm nghèo bền vững", "Bảo vệ môi trường", "Chuyển đổi số", "An ninh trật tự"]


def portal_rows(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        _title, rows = read_sheet(archive, SHEET_TITLE)
        return sum(len(row) for row in rows)


def portal_dataset(data: bytes) -> int:
    return read_xlsx(data, SHEET_TITLE).height


def calamine_rows(data: bytes) -> int:
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_object(io.BytesIO(data)).get_sheet_by_name(SHEET_TITLE)
    return sum(len([None if value == "" else value for value in row]) for row in sheet.iter_rows())


def openpyxl_rows(data: bytes) -> int:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return sum(len(row) for row in book[SHEET_TITLE].iter_rows(values_only=True))


READERS = {
    "core.xlsx_reader, rows only": portal_rows,
    "read_xlsx (checks, dataset)": portal_dataset,
    "python-calamine, rows only": calamine_rows,
    "openpyxl read-only, rows only": openpyxl_rows,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    units = [f"BENCH-{index:03d}" for index in range(60)]
    data = workbook(args.rows, units, THEMES)
    print(
        f"\n{args.rows:_} rows, {len(COLUMNS)} columns, {len(data) / 1024 / 1024:.1f} MB".replace(
            "_", "."
        )
    )
    medians = {}
    for name, reader in READERS.items():
        samples = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            reader(data)
            samples.append(time.perf_counter() - started)
        medians[name] = statistics.median(samples)
    reference = medians["core.xlsx_reader, rows only"]
    print(f"\n{'median of ' + str(args.repeat) + ' runs':<34} {'seconds':>8} {'× ours':>8}")
    for name, seconds in medians.items():
        print(f"{name:<34} {seconds:>8.2f} {seconds / reference:>8.2f}")


if __name__ == "__main__":
    main()
