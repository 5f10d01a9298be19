"""Comparing live report figures with a frozen snapshot, cell by cell, as the page names cells."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from core.numbers import vn_number
from reports.tables import report_tables


@dataclass(frozen=True)
class Difference:
    table: str
    row: str
    column: str
    frozen: int | Decimal | None  # None: the cell did not exist then (a new unit, an indicator)
    live: int | Decimal | None
    # The query of the list of records behind the live number ("": none, e.g. the cell is gone).
    query: str = field(default="", compare=False)

    @property
    def change(self) -> int | Decimal:
        """Live minus frozen, a missing side counting as zero."""
        return (self.live or 0) - (self.frozen or 0)

    @property
    def change_text(self) -> str:
        """The change as the page writes it, always signed: "+3", "−1,5"."""
        text = vn_number(abs(self.change))
        return f"+{text}" if self.change > 0 else f"−{text}"


@dataclass(frozen=True)
class Comparison:
    cells: int  # every numeric cell compared, on either side
    changes: list[Difference]  # in page order

    @property
    def largest(self) -> list[Difference]:
        """The changes by size of the change, largest first (page order among equals)."""
        return sorted(self.changes, key=lambda change: abs(change.change), reverse=True)


class _Cell(NamedTuple):
    table: str
    row: str
    column: str
    value: int | Decimal
    query: str


def _cells(figures: dict) -> dict[tuple[str, str, str], _Cell]:
    return {
        (table.key, row.key, cell.column.key): _Cell(
            table.title, row.label, cell.column.label, cell.value, cell.query
        )
        for table in report_tables(figures)
        for row in table.all_rows()
        for cell in row.cells
    }


def compare(live: dict, frozen: dict) -> Comparison:
    """Every numeric cell of the report whose live value is not the frozen one, in page order,
    and how many cells were compared.

    Cells are matched by table, row and column keys (a unit by its id, not its name, which may
    have changed); a cell present on one side only counts as zero on the other. A change links
    to the records behind its live number when there are any.
    """
    now, then = _cells(live), _cells(frozen)
    keys = [*now, *(key for key in then if key not in now)]
    found = []
    for key in keys:
        live_cell, frozen_cell = now.get(key), then.get(key)
        live_value = live_cell.value if live_cell else None
        frozen_value = frozen_cell.value if frozen_cell else None
        if (live_value or 0) != (frozen_value or 0):
            named = live_cell or frozen_cell
            query = live_cell.query if live_cell and live_value else ""
            found.append(
                Difference(named.table, named.row, named.column, frozen_value, live_value, query)
            )
    return Comparison(cells=len(keys), changes=found)


def differences(live: dict, frozen: dict) -> list[Difference]:
    """Every numeric cell of the report whose live value is not the frozen one, in page order."""
    return compare(live, frozen).changes
