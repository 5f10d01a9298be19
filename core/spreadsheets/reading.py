"""Reading uploaded spreadsheets safely.

An uploaded workbook is untrusted: a zip bomb, XML entity expansion or a million-row sheet must
not take the server down. The archive itself is checked before it is opened (its kind, sizes,
compression ratio, entry names and macros); the sheet is then streamed row by row with a row
limit by ``core.xlsx_reader``, which never expands an entity and refuses any part that declares
a document type ("billion laughs", external entities). A CSV file is read as UTF-8 text.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from datetime import datetime

import tablib
from django.conf import settings
from import_export.formats.base_formats import CSV, XLSX

from core.numbers import vn_number

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


_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97–2003 files (.xls)

_OPENDOCUMENT_SPREADSHEET = b"application/vnd.oasis.opendocument.spreadsheet"


def _unsafe_name(name: str) -> bool:
    # No spreadsheet program writes these; an archive that has them was made to be unpacked
    # somewhere it should not be.
    return name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/")


def _check_archive(data: bytes) -> None:
    """Refuse a workbook whose archive is not a workbook, or inflates far beyond its size."""
    if data.startswith(_OLE_SIGNATURE):
        raise SpreadsheetError(
            "Tệp là bảng tính Excel 97–2003 (.xls). Hãy mở tệp bằng Excel và lưu lại dưới dạng "
            "“Sổ làm việc Excel (.xlsx)”."
        )
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
    names = archive.namelist()
    if any(_unsafe_name(name) for name in names):
        raise SpreadsheetError(
            "Tệp có dấu hiệu bất thường (đường dẫn không hợp lệ bên trong) nên không được xử lý."
        )
    if "xl/workbook.xml" not in names:
        if "mimetype" in names and archive.read("mimetype").startswith(_OPENDOCUMENT_SPREADSHEET):
            raise SpreadsheetError(
                "Tệp là bảng tính OpenDocument (.ods). Hãy mở tệp và lưu lại dưới dạng "
                "“Sổ làm việc Excel (.xlsx)”."
            )
        raise SpreadsheetError("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ.")
    if "xl/vbaProject.bin" in names:
        # Excel itself refuses a macro-enabled workbook named .xlsx.
        raise SpreadsheetError(
            "Tệp chứa macro (VBA) nên không được nhập. Hãy lưu lại dưới dạng “Sổ làm việc Excel "
            "(.xlsx)”, không có macro."
        )


def _too_many_rows_message() -> str:
    limit = vn_number(MAX_ROWS)
    return f"Tệp có hơn {limit} dòng dữ liệu; hãy chia thành nhiều tệp nhỏ hơn."


def _cell(value):
    # Dates typed in Excel arrive as datetimes at midnight: keep them as dates.
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return value


def read_xlsx(data: bytes, preferred_sheet: str | None = None) -> tablib.Dataset:
    """The rows of ``preferred_sheet`` (or the active sheet) as a dataset titled by the sheet."""
    from lxml import etree

    from core.xlsx_reader import UnreadableWorkbook, UnsafeWorkbook, read_sheet

    _check_size(data)
    _check_archive(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            title, rows = read_sheet(archive, preferred_sheet)
            return _sheet_dataset(title, rows)
        except SpreadsheetError:
            raise
        except UnsafeWorkbook as error:
            raise SpreadsheetError(
                "Không đọc được bảng tính: tệp chứa khai báo XML không được phép (DOCTYPE) nên "
                "không được xử lý. Hãy mở tệp bằng Excel và lưu lại dưới dạng .xlsx."
            ) from error
        except UnreadableWorkbook as error:
            raise SpreadsheetError(
                "Không đọc được bảng tính: tệp bị hỏng hoặc không đúng định dạng .xlsx."
            ) from error
        except (
            etree.LxmlError,
            KeyError,
            ValueError,
            IndexError,
            zipfile.BadZipFile,
            zlib.error,  # damaged compressed data
            EOFError,
        ) as error:
            # A sheet's XML is only parsed while its rows are read.
            raise SpreadsheetError(
                "Không đọc được nội dung trang tính: tệp bị hỏng hoặc chứa cấu trúc không được "
                "phép."
            ) from error


def _sheet_dataset(title: str, rows: Iterator[list]) -> tablib.Dataset:
    dataset = tablib.Dataset(title=title)
    header = next(rows, None)
    if header is None:
        raise SpreadsheetError(f"Trang tính “{title}” không có dữ liệu.")
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
    # newline="": a lone carriage return ends a line, as the csv module expects.
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
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
    except csv.Error as error:  # an unclosed quote, a field over the csv module's limit
        raise SpreadsheetError(
            f"Không đọc được tệp CSV ở dòng {reader.line_num}: dữ liệu sai định dạng (ví dụ một "
            "dấu ngoặc kép không được đóng)."
        ) from error
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
