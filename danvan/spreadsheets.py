"""Reading uploaded spreadsheets safely, and the import formats every importer uses.

An uploaded workbook is untrusted: a zip bomb, XML entity expansion or a million-row sheet must
not take the server down. openpyxl parses the XML through defusedxml (a dependency of the portal),
which refuses entity declarations ("billion laughs", external entities). On top of that we check
the archive itself before opening it (sizes and compression ratio) and read the sheet row by row
in read-only mode with a row limit.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

import tablib
from django.conf import settings
from import_export.formats.base_formats import CSV, XLSX

MAX_ROWS = 100_000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100


class SpreadsheetError(Exception):
    """A file that cannot be read as the expected spreadsheet; the message is for the user."""


def _check_size(data: bytes) -> None:
    limit = settings.IMPORT_MAX_FILE_BYTES
    if len(data) > limit:
        raise SpreadsheetError(
            f"Tệp quá lớn ({len(data) / 1024 / 1024:.1f} MB); "
            f"dung lượng tối đa là {limit // 1024 // 1024} MB."
        )


def _check_archive(data: bytes) -> None:
    """Refuse a workbook whose archive is not a workbook, or inflates far beyond its size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise SpreadsheetError(
            "Tệp không phải là bảng tính Excel (.xlsx) hợp lệ hoặc đã bị hỏng. "
            "Hãy mở tệp bằng Excel và lưu lại dưới dạng .xlsx."
        ) from error
    entries = archive.infolist()
    total = sum(entry.file_size for entry in entries)
    compressed = sum(entry.compress_size for entry in entries) or 1
    if total > MAX_UNCOMPRESSED_BYTES or total / compressed > MAX_COMPRESSION_RATIO:
        raise SpreadsheetError(
            "Tệp có dấu hiệu bất thường (dữ liệu nén quá lớn) nên không được xử lý."
        )
    if "xl/workbook.xml" not in archive.namelist():
        raise SpreadsheetError("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ.")


def _too_many_rows_message() -> str:
    limit = f"{MAX_ROWS:,}".replace(",", ".")
    return f"Tệp có hơn {limit} dòng dữ liệu; hãy chia thành nhiều tệp nhỏ hơn."


def _cell(value):
    # Dates typed in Excel arrive as datetimes at midnight: keep them as dates.
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return value


def read_xlsx(data: bytes, preferred_sheet: str | None = None) -> tablib.Dataset:
    """The rows of ``preferred_sheet`` (or the active sheet) as a dataset titled by the sheet."""
    import openpyxl

    _check_size(data)
    _check_archive(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken workbook
        raise SpreadsheetError(
            "Không đọc được bảng tính: tệp bị hỏng hoặc không đúng định dạng .xlsx."
        ) from error
    try:
        return _sheet_dataset(workbook, preferred_sheet)
    except SpreadsheetError:
        raise
    except Exception as error:  # a sheet's XML is only parsed while its rows are read
        raise SpreadsheetError(
            "Không đọc được nội dung trang tính: tệp bị hỏng hoặc chứa cấu trúc không được phép."
        ) from error
    finally:
        workbook.close()


def _sheet_dataset(workbook, preferred_sheet: str | None) -> tablib.Dataset:
    if preferred_sheet and preferred_sheet in workbook.sheetnames:
        sheet = workbook[preferred_sheet]
    else:
        sheet = workbook.active
    rows = sheet.iter_rows(values_only=True)
    dataset = tablib.Dataset(title=sheet.title)
    header = next(rows, None)
    if header is None:
        raise SpreadsheetError(f"Trang tính “{sheet.title}” không có dữ liệu.")
    width = len(header)
    dataset.headers = [str(value).strip() if value is not None else "" for value in header]
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise SpreadsheetError(_too_many_rows_message())
        values = [_cell(value) for value in row[:width]]
        values += [None] * (width - len(values))
        dataset.append(values)
    return dataset


def read_csv(data: bytes) -> tablib.Dataset:
    """The rows of a UTF-8 (with or without BOM) CSV file; the delimiter is sniffed."""
    _check_size(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SpreadsheetError(
            "Tệp CSV phải được lưu với bảng mã UTF-8 (trong Excel: “CSV UTF-8”)."
        ) from error
    if "\x00" in text:
        raise SpreadsheetError("Tệp không phải là tệp CSV dạng văn bản.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise SpreadsheetError("Tệp CSV không có dữ liệu.")
    dataset = tablib.Dataset(title="CSV")
    dataset.headers = [value.strip() for value in header]
    width = len(header)
    for number, row in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            raise SpreadsheetError(_too_many_rows_message())
        values = [value if value != "" else None for value in row[:width]]
        values += [None] * (width - len(values))
        dataset.append(values)
    return dataset


class SafeXLSX(XLSX):
    """XLSX import through ``read_xlsx`` (size, archive and row checks; sheet chosen by name)."""

    preferred_sheet: str | None = None

    def create_dataset(self, in_stream):
        return read_xlsx(in_stream, self.preferred_sheet)


class SafeCSV(CSV):
    """CSV import through ``read_csv`` (UTF-8, sniffed delimiter, row checks)."""

    def create_dataset(self, in_stream):
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        return read_csv(in_stream)

    def get_read_mode(self):
        return "rb"

    def is_binary(self):
        return True


def parse_date(value) -> date | None:
    """A dd/mm/yyyy text, an Excel date or empty; ValueError for anything else."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def cell_text(value) -> str:
    """A cell as trimmed text; whole numbers typed as numbers lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    # Undo neutralise_formula, so that an exported file imports back unchanged.
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class FormulaSafeExportMixin:
    """For import-export resources: every exported text cell is neutralised (see above)."""

    def export_field(self, field, instance, **kwargs):
        return neutralise_formula(super().export_field(field, instance, **kwargs))
