"""Rows written straight into a write-only openpyxl sheet, several times faster than ``append``.

Why: ``WriteOnlyWorksheet.append`` builds a ``Cell`` and makes several lxml calls for every
cell; a province's data sheet (35,000 rows × 13 columns) spent about 4 s there, more than a
report's whole budget. Here each row becomes one XML string, written as it is to a scratch file;
openpyxl writes everything around the rows (column widths, frozen panes, print setup, the filter
range, styles) as usual, with a marker where the rows go, and once it has closed the sheet's file
the rows are put in place of the marker. So nothing parses the rows again (parsing them back
with lxml, as an earlier version did, cost half a second of a province's workbook).

This leans on openpyxl's write-only writer (``WorksheetWriter``, ``_writer.xf``, ``_rows``),
which ``openpyxl<4`` pins; the tests read every file written this way back with openpyxl.

Every text cell is made safe the same way as everywhere else in the portal: characters XML
forbids are replaced and formulas are neutralised (``safe_cell_text``); ``&``, ``<`` and ``>``
are escaped, and a carriage return is written as a character reference.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from lxml import etree
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._writer import WorksheetWriter

from core.spreadsheets import safe_cell_text

DATE_FORMAT = "dd/mm/yyyy"
BATCH_ROWS = 200  # rows written to the scratch file at once
ROWS_MARK = "danvan-rows"  # a comment where openpyxl's sheet gets the rows
ROWS_MARKER = f"<!--{ROWS_MARK}-->".encode()


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
    space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'


def _cell(ref: str, value, style: str, styles: _Styles) -> str:
    """A cell's XML; ``style`` is its column's ``s="…"`` attribute, or ""."""
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


def _row(number: int, values: Sequence, letters: list[str], styles_by_column: list[str], styles):
    """A row's XML. Text, most of a sheet's cells, takes the short way: a province's data sheet
    has some 450,000 cells, and every call and check per cell shows in the wait."""
    row = str(number)
    cells = []
    for letter, style, value in zip(letters, styles_by_column, values, strict=False):
        if value.__class__ is str and value:
            cells.append(_text_cell(letter + row, value, style))
        else:
            cells.append(_cell(letter + row, value, style, styles))
    return f'<row r="{row}">{"".join(cells)}</row>'


class _SplicingWriter(WorksheetWriter):
    """openpyxl's sheet writer, whose file gets the ready rows in place of ``ROWS_MARKER`` once
    openpyxl has written and closed it."""

    def __init__(self, sheet):
        super().__init__(sheet)
        self.rows = tempfile.TemporaryFile()  # noqa: SIM115 — the rows' XML; closed by close()

    def close(self):
        super().close()
        if self.rows is None:  # openpyxl may close a writer twice
            return
        with open(self.out, "rb") as written:
            head, tail = written.read().split(ROWS_MARKER)  # a few kB: all but the rows
        self.rows.seek(0)
        with open(self.out, "wb") as whole:
            whole.write(head)
            shutil.copyfileobj(self.rows, whole)
            whole.write(tail)
        self.rows.close()
        self.rows = None


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
    by_column: list[str] = []  # each column's style attribute
    # What ``WriteOnlyWorksheet._get_writer`` does, with the splicing writer.
    writer = sheet._writer = _SplicingWriter(sheet)
    writer.write_top()
    xf = writer.xf.send(True)
    count = 0
    with xf.element("sheetData"):
        xf.write(etree.Comment(ROWS_MARK))
        batch: list[str] = []
        for count, values in enumerate(rows, start=1):  # noqa: B007
            while len(letters) < len(values):
                style_id = styles.by_column.get(len(letters))
                by_column.append("" if style_id is None else f' s="{style_id}"')
                letters.append(get_column_letter(len(letters) + 1))
            batch.append(_row(count, values, letters, by_column, styles))
            if len(batch) == BATCH_ROWS:
                writer.rows.write("".join(batch).encode())
                batch.clear()
            if progress is not None and count % progress_every == 0:
                progress(count)
        writer.rows.write("".join(batch).encode())
    writer.xf.send(None)
    sheet._rows = _finished()
    return count
