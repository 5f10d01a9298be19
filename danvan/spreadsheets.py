"""Reading uploaded spreadsheets safely, and the pieces every importer and exporter shares.

An uploaded workbook is untrusted: a zip bomb, XML entity expansion or a million-row sheet must
not take the server down. The archive itself is checked before it is opened (sizes and
compression ratio); the sheet is then streamed row by row with a row limit by
``danvan.xlsx_reader``, which never expands an entity and refuses any part that declares a
document type ("billion laughs", external entities).

Every importer validates the whole file before it writes anything (``PlannedImportMixin``), reads
cells with the same parsers (dates, choices, counts) and offers a template workbook built by
``template_workbook``.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from import_export.formats.base_formats import CSV, XLSX
from import_export.results import RowResult

from danvan.date_range import date_out_of_range, range_message

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
    from lxml import etree

    from danvan.xlsx_reader import UnreadableWorkbook, UnsafeWorkbook, read_sheet

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
        except (etree.LxmlError, KeyError, ValueError, IndexError, zipfile.BadZipFile) as error:
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


_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class DateOutOfRange(ValueError):
    """A real date outside the accepted range; the message (after the column's name) is for
    the user."""


def parse_date(value) -> date | None:
    """A dd/mm/yyyy text, an Excel date or empty, within the accepted range
    (``danvan.date_range``); DateOutOfRange for a date outside it, ValueError for anything
    else."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        day = _parse_date_text(str(value).strip())
    if date_out_of_range(day):
        # Not strftime: it writes year 1 as "1", not "0001".
        typed = f"{day.day:02}/{day.month:02}/{day.year:04}"
        raise DateOutOfRange(f"{typed} không hợp lệ: {range_message().lower()}")
    return day


def _parse_date_text(text: str) -> date:
    day_month_year = _DAY_MONTH_YEAR.match(text)
    if day_month_year:  # the usual case, without strptime's cost on every row
        day, month, year = map(int, day_month_year.groups())
        return date(year, month, day)  # ValueError for 31/02
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
    """For import-export resources: every exported text cell is neutralised (see above)."""

    def export_field(self, field, instance, **kwargs):
        return neutralise_formula(super().export_field(field, instance, **kwargs))


# --- cells ------------------------------------------------------------------------------------

_DASHES = re.compile(r"\s*[-\u2010-\u2015]\s*")
_SEPARATORS = re.compile(r"\s*,\s*")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)  # an import repeats the same few labels on every row
def lookup_key(text: str) -> str:
    """``text`` reduced for matching a typed label against a list: case, diacritics, dashes and
    spacing ignored ("Văn hoá - Xã hội" and "văn hóa – xã hội" give the same key)."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = _SPACES.sub(" ", text.casefold()).strip()
    return _SEPARATORS.sub(",", _DASHES.sub("-", text))


@lru_cache(maxsize=64)
def _choice_keys(choices) -> dict[str, str]:
    keys = {lookup_key(label): code for code, label in choices.choices}
    keys.update((lookup_key(code), code) for code in choices.values)
    return keys


def parse_choice(value, choices) -> str | None:
    """A choice given by its code or its Vietnamese label; None when it is neither."""
    return _choice_keys(choices).get(lookup_key(cell_text(value)))


_GROUPED_NUMBER = re.compile(r"^\d{1,3}([., ]\d{3})+$")


def parse_count(value, maximum: int) -> int | None:
    """A whole number from 0 to ``maximum`` (thousands may be grouped: 1.500.000); None when the
    cell is empty; ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        value = int(value)
    if not isinstance(value, int):
        text = cell_text(value).replace("\u00a0", " ")
        if _GROUPED_NUMBER.match(text):
            text = re.sub(r"[., ]", "", text)
        if not text.isdigit():
            raise ValueError(text)
        value = int(text)
    if not 0 <= value <= maximum:
        raise ValueError(value)
    return value


# --- importing: the whole file first, then all rows or none ------------------------------------


def check_columns(dataset, columns: dict[str, str], required, sheet_title: str) -> None:
    """Refuse a sheet that lacks a required column, naming the sheet and the missing headers."""
    missing = [columns[key] for key in required if columns[key] not in dataset.headers]
    if missing:
        sheet = dataset.title or "đầu tiên"
        raise SpreadsheetError(
            f"Trang tính “{sheet}” thiếu cột bắt buộc: {', '.join(missing)}. "
            f"Dữ liệu phải nằm ở trang tính “{sheet_title}” (hoặc trang đầu tiên) với dòng 1 "
            "là tiêu đề cột như trong tệp mẫu."
        )


def data_rows(dataset, columns: dict[str, str]) -> Iterator[tuple[int, dict]]:
    """The non-blank rows with their import-export row number (sheet row minus one), keyed like
    ``columns``; a column missing from the file is missing from every row. One row at a time,
    so that a large file is not held twice."""
    present = {key: column for key, column in columns.items() if column in dataset.headers}
    positions = {key: dataset.headers.index(column) for key, column in present.items()}
    for number, values in enumerate(dataset, start=1):
        raw = {key: values[index] for key, index in positions.items()}
        if all(
            value is None or (isinstance(value, str) and not value.strip())
            for value in raw.values()
        ):
            continue  # a blank line
        yield number, raw


@dataclass
class ImportPlan:
    """What every valid row of a file will do, and every error, by import-export row number."""

    rows: dict[int, object] = field(default_factory=dict)
    errors: dict[int, list[str]] = field(default_factory=dict)
    readable: bool = True  # False while (or when) the columns themselves are refused

    def add_error(self, row_number: int, message: str) -> None:
        self.errors.setdefault(row_number, []).append(message)


class PlannedImportMixin:
    """For import-export resources: the whole file is validated before any row is written.

    ``before_import`` checks the columns and hands the non-blank rows (``data_rows``) to
    ``plan_import``, which returns an ``ImportPlan``. import-export's pass over the rows then
    only previews the plan: a row's errors become its validation errors and nothing is saved.
    ``write_plan`` runs from ``after_import`` when it is not a dry run and every row is valid,
    inside the import's transaction. So a file writes all of its rows or none, however
    ``import_data`` is called.
    """

    columns: dict[str, str] = {}
    required_columns: tuple[str, ...] = ()
    sheet_title = ""
    dry_run = True  # of the import under way, for plan_import

    def plan_import(self, rows: Iterable[tuple[int, dict]], **kwargs) -> ImportPlan:
        raise NotImplementedError

    def apply_planned(self, instance, planned) -> None:
        """Set a planned row's values on the instance the preview shows."""

    def write_plan(self, **kwargs) -> None:
        raise NotImplementedError

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        # All or nothing, always: a partly invalid file writes no row at all.
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        self.dry_run = dry_run
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)

    def before_import(self, dataset, **kwargs):
        self.plan = ImportPlan(readable=False)
        check_columns(dataset, self.columns, self.required_columns, self.sheet_title)
        self.plan = self.plan_import(data_rows(dataset, self.columns), **kwargs)

    def import_row(self, row, instance_loader, **kwargs):
        number = self._current_row = kwargs["row_number"]
        plan = self.plan
        if plan.readable and not plan.errors:
            return super().import_row(row, instance_loader, **kwargs)
        # The file is refused: only its errors are shown, so no row is worked out further.
        row_result = self.get_row_result_class()()
        if number in plan.errors:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = ValidationError(plan.errors[number])
        else:
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
        return row_result

    def get_instance(self, instance_loader, row):
        return None  # the plan knows each row's stored counterpart

    def import_instance(self, instance, row, **kwargs):
        number = kwargs.get("row_number", self._current_row)
        errors = self.plan.errors.get(number)
        if errors:
            raise ValidationError(errors)
        planned = self.plan.rows.get(number)
        if planned is not None:
            self.apply_planned(instance, planned)

    def save_instance(self, instance, is_create, row, **kwargs):
        pass  # every row is written by write_plan, once the whole file is known to be valid

    def save_m2m(self, instance, row, **kwargs):
        pass

    def after_import(self, dataset, result, **kwargs):
        if (
            kwargs.get("dry_run", True)
            or not self.plan.readable
            or self.plan.errors
            or result.has_errors()
            or result.has_validation_errors()
        ):
            return
        self.write_plan(**kwargs)


def template_workbook(
    *,
    sheet_title: str,
    columns: dict[str, str],
    column_help: dict[str, str],
    examples: list[list],
    widths: dict[str, int],
    lists: dict[str, tuple[str, list[str]]],
) -> bytes:
    """An empty import file: the data sheet with its headers and examples, a guide sheet that
    documents every column, and a "Danh mục" sheet feeding the drop-downs of ``lists`` (column
    key → list title and values)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append(list(columns.values()))
    for example in examples:
        sheet.append(example)
    header_fill = PatternFill("solid", fgColor="FDE2E1")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    letters = {key: get_column_letter(index) for index, key in enumerate(columns, start=1)}
    for key, width in widths.items():
        sheet.column_dimensions[letters[key]].width = width
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Cách điền"])
    for key, column in columns.items():
        guide.append([column, column_help[key]])
    guide.column_dimensions["A"].width = 30
    guide.column_dimensions["B"].width = 110
    for cell in guide[1]:
        cell.font = Font(bold=True)

    catalogue = workbook.create_sheet("Danh mục")
    catalogue.append([title for title, _ in lists.values()])
    longest = max((len(values) for _, values in lists.values()), default=0)
    for index in range(longest):
        catalogue.append(
            [values[index] if index < len(values) else None for _, values in lists.values()]
        )
    # Excel limits an inline list to 255 characters, so the drop-downs point at "Danh mục".
    for position, (key, (title, values)) in enumerate(lists.items(), start=1):
        source = get_column_letter(position)
        catalogue.column_dimensions[source].width = max(map(len, [title, *values])) + 4
        if not values:
            continue
        validation = DataValidation(type="list", allow_blank=True, showErrorMessage=False)
        validation.formula1 = f"='Danh mục'!${source}$2:${source}${len(values) + 1}"
        sheet.add_data_validation(validation)
        validation.add(f"{letters[key]}2:{letters[key]}5000")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- exporting --------------------------------------------------------------------------------


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
