"""Rows written straight into a write-only openpyxl sheet, several times faster than ``append``.

Why: ``WriteOnlyWorksheet.append`` builds a ``Cell`` and makes several lxml calls for every
cell; a province's data sheet (35,000 rows × 13 columns) spent about 4 s there, more than a
report's whole budget. Here each row becomes one XML string that lxml parses in C and writes to
the very stream openpyxl opened for the sheet, so everything openpyxl writes around the rows
(column widths, frozen panes, print setup, the filter range, styles) stays its own.

This leans on openpyxl's write-only writer (``_get_writer``, ``_writer.xf``, ``_rows``), which
``openpyxl<4`` pins; the tests read every file written this way back with openpyxl.

Every text cell is made safe the same way as everywhere else in the portal: characters XML
forbids are replaced and formulas are neutralised (``safe_cell_text``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from lxml import etree
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from danvan.spreadsheets import safe_cell_text

DATE_FORMAT = "dd/mm/yyyy"
BATCH_ROWS = 200  # rows parsed by lxml in one call


def _finished():
    yield  # stands in for openpyxl's row writer once the rows are written


class _Styles:
    """Style ids of the workbook for number formats, and of styled template cells."""

    def __init__(self, sheet, formats: Mapping[int, str], date_format: str):
        self.sheet = sheet
        self.by_column = {index: self.for_format(fmt) for index, fmt in formats.items()}
        self.date = self.for_format(date_format)
        self.serials: dict = {}

    def serial(self, moment: date | datetime) -> float:
        """The spreadsheet's number for a date; a data sheet repeats the same days many times."""
        serial = self.serials.get(moment)
        if serial is None:
            serial = self.serials[moment] = to_excel(moment)
        return serial

    def for_format(self, number_format: str) -> int:
        cell = WriteOnlyCell(self.sheet)
        cell.number_format = number_format
        return cell.style_id


def _escape(text: str) -> str:
    # A carriage return is kept as a reference: the XML parser would fold it into a line feed.
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _text_cell(ref: str, value: str, style: str) -> str:
    value = safe_cell_text(value)
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'


def _cell(ref: str, value, style_id: int | None, styles: _Styles) -> str:
    style = "" if style_id is None else f' s="{style_id}"'
    if type(value) is str and value:  # most cells: the checks below cost more than the text
        return _text_cell(ref, value, style)
    if isinstance(value, Cell):
        style = "" if value.style_id is None else f' s="{value.style_id}"'
        value = value.value
    if value is None or value == "":
        return f'<c r="{ref}"{style}/>' if style else ""
    if isinstance(value, str):
        return _text_cell(ref, value, style)
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime | date):
        if isinstance(value, datetime) and timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        if not style:
            style = f' s="{styles.date}"'
        return f'<c r="{ref}"{style}><v>{styles.serial(value)}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}"{style} t="n"><v>{value}</v></c>'
    if isinstance(value, float | Decimal):
        # NaN, infinities and decimals beyond a double are no number a workbook can hold.
        number = float(value)
        if not math.isfinite(number):
            return f'<c r="{ref}"{style}/>' if style else ""
        return f'<c r="{ref}"{style} t="n"><v>{number!r}</v></c>'
    return _text_cell(ref, str(value), style)


def write_rows(
    sheet,
    rows: Iterable[Sequence],
    *,
    formats: Mapping[int, str] | None = None,
    date_format: str = DATE_FORMAT,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 5000,
) -> int:
    """Write every row of the write-only ``sheet`` (nothing appended to it before); the count.

    A value may be text, a number, a date, ``None`` or a styled ``WriteOnlyCell`` (headers).
    ``formats`` gives the number format of a column's numbers and dates (by index from 0);
    other dates take ``date_format``. ``progress`` is told the rows written so far, every
    ``progress_every`` rows.
    """
    if sheet._writer is not None or sheet._rows is not None:
        raise ValueError("write_rows writes a sheet's rows from the first one")
    styles = _Styles(sheet, formats or {}, date_format)
    letters: list[str] = []
    sheet._get_writer()
    stream = sheet._writer.xf
    xf = stream.send(True)
    count = 0
    with xf.element("sheetData"):
        batch: list[str] = []
        for count, values in enumerate(rows, start=1):  # noqa: B007
            while len(letters) < len(values):
                letters.append(get_column_letter(len(letters) + 1))
            cells = "".join(
                _cell(f"{letters[index]}{count}", value, styles.by_column.get(index), styles)
                for index, value in enumerate(values)
            )
            batch.append(f'<row r="{count}">{cells}</row>')
            if len(batch) == BATCH_ROWS:
                _flush(xf, batch)
            if progress is not None and count % progress_every == 0:
                progress(count)
        _flush(xf, batch)
    stream.send(None)
    sheet._rows = _finished()
    return count


def _flush(xf, batch: list[str]) -> None:
    if batch:
        for row in etree.fromstring(f"<sheetData>{''.join(batch)}</sheetData>"):
            xf.write(row)
        batch.clear()
