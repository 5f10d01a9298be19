"""Comparing live report figures with a frozen snapshot, cell by cell, as the page names cells."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from reports.tables import report_tables


@dataclass(frozen=True)
class Difference:
    table: str
    row: str
    column: str
    frozen: int | Decimal | None  # None: the cell did not exist then (a new unit, an indicator)
    live: int | Decimal | None


class _Cell(NamedTuple):
    table: str
    row: str
    column: str
    value: int | Decimal


def _cells(figures: dict) -> dict[tuple[str, str, str], _Cell]:
    return {
        (table.key, row.key, cell.column.key): _Cell(
            table.title, row.label, cell.column.label, cell.value
        )
        for table in report_tables(figures)
        for row in table.all_rows()
        for cell in row.cells
    }


def differences(live: dict, frozen: dict) -> list[Difference]:
    """Every numeric cell of the report whose live value is not the frozen one, in page order.

    Cells are matched by table, row and column keys (a unit by its id, not its name, which may
    have changed); a cell present on one side only counts as zero on the other.
    """
    now, then = _cells(live), _cells(frozen)
    found = []
    for key in [*now, *(key for key in then if key not in now)]:
        live_cell, frozen_cell = now.get(key), then.get(key)
        live_value = live_cell.value if live_cell else None
        frozen_value = frozen_cell.value if frozen_cell else None
        if (live_value or 0) != (frozen_value or 0):
            named = live_cell or frozen_cell
            found.append(Difference(named.table, named.row, named.column, frozen_value, live_value))
    return found
