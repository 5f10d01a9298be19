"""Writing spreadsheets: cells a workbook can hold and will never run as formulas, and the
export formats that write dates as dd/mm/yyyy."""

from __future__ import annotations

import io
import re
from datetime import date

import tablib
from import_export.formats.base_formats import CSV, XLSX

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# Every character XML 1.0 forbids: C0 controls (openpyxl refuses only these), lone surrogates
# and the two non-characters U+FFFE and U+FFFF, which PostgreSQL stores happily.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# Word's manual line break (Shift+Enter) and page break arrive as vertical tab and form feed.
_WORD_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})


def workbook_text(value):
    """Text a workbook can hold: Word's line and page breaks become line breaks, and any other
    character XML forbids (control characters pasted from elsewhere) a visible replacement
    character, instead of openpyxl refusing the whole file."""
    if not isinstance(value, str) or XML_FORBIDDEN.search(value) is None:
        return value  # nearly every cell: one scan, no copy
    return XML_FORBIDDEN.sub("\N{REPLACEMENT CHARACTER}", value.translate(_WORD_BREAKS))


def neutralise_formula(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_cell_text(value):
    """A text cell's value that a workbook can hold and will never run as a formula."""
    return neutralise_formula(workbook_text(value))


class FormulaSafeExportMixin:
    """For import-export resources: every exported text cell is neutralised (see above), and the
    sheet is titled like the import's data sheet (``sheet_title``), so an export imports back."""

    def export(self, *args, **kwargs):
        dataset = super().export(*args, **kwargs)
        dataset.title = getattr(self, "sheet_title", "") or dataset.title
        return dataset

    def export_field(self, field, instance, **kwargs):
        return neutralise_formula(super().export_field(field, instance, **kwargs))


class DatedCSV(CSV):
    """CSV export of native values (see ``DatedXLSX``): dates written as dd/mm/yyyy."""

    def export_data(self, dataset, **kwargs):
        dataset = tablib.Dataset(
            *(
                [f"{value:%d/%m/%Y}" if isinstance(value, date) else value for value in row]
                for row in dataset
            ),
            headers=dataset.headers,
        )
        return super().export_data(dataset, **kwargs)


class DatedXLSX(XLSX):
    """XLSX export written row by row: bold frozen headers, dates shown as dd/mm/yyyy, numbers
    grouped; characters a workbook cannot hold are replaced instead of failing the export.

    Meant for resources that export native values (dates as dates, numbers as numbers), whatever
    the format; each format then writes them its own way.
    """

    def export_data(self, dataset, **kwargs):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(dataset.title or "Dữ liệu")
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for title in dataset.headers or []:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for values in dataset:
            row = []
            for value in values:
                value = workbook_text(value)
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, date):
                    cell.number_format = "dd/mm/yyyy"
                elif isinstance(value, int) and not isinstance(value, bool):
                    cell.number_format = "#,##0"
                row.append(cell)
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
