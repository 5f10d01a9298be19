"""Importing a sheet: the whole file first, then all rows or none."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection
from django.db.models import F, Func, Value
from django.db.models.functions import Upper
from import_export.results import RowResult

from core.spreadsheets.cells import lookup_key
from core.spreadsheets.reading import SpreadsheetError


def column_limits(model, names) -> dict[str, int]:
    """The length limit of each of ``model``'s fields among ``names`` that has one, read from the
    model itself: a preview that checks them refuses exactly what the database would."""
    limits = {}
    for name in names:
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if getattr(model_field, "max_length", None):
            limits[name] = model_field.max_length
    return limits


def largest_count(model, name: str) -> int:
    """The largest whole number ``model``'s integer field ``name`` holds in the database."""
    internal_type = model._meta.get_field(name).get_internal_type()
    return connection.ops.integer_field_range(internal_type)[1]


def same_codes(codes: Iterable[str], stored) -> dict[str, str]:
    """Each of ``codes`` (read by ``code_text``) → the code it means: the code of ``stored`` (a
    queryset of records with a ``code``) it equals but for case, else its first spelling among
    ``codes``. So "t19-ch" names the stored "T19-CH", and "CH-01" and "ch-01" in one file are
    one code, as an office means them.

    An official code of digits whose leading zeros a spreadsheet dropped (a number cell, or a
    CSV file saved again by Excel: "06" became 6) names the one stored code of digits it equals
    but for those zeros, when no stored code is spelled exactly as typed. Two queries at most.
    """
    codes = [code for code in codes if code]
    meant: dict[str, str] = {}
    for code in (
        stored.annotate(code_key=Upper("code"))
        .filter(code_key__in={code.upper() for code in codes})
        .order_by("code")
        .values_list("code", flat=True)
    ):
        meant.setdefault(code.upper(), code)
    unpadded = {
        code.lstrip("0")
        for code in codes
        if code.isascii() and code.isdigit() and code.lstrip("0") and code.upper() not in meant
    }
    if unpadded:
        padded: dict[str, list[str]] = {}
        for code in (
            stored.annotate(unpadded=Func(F("code"), Value("0"), function="LTRIM"))
            .filter(unpadded__in=unpadded, code__regex=r"^0[0-9]+$")
            .order_by()
            .values_list("code", flat=True)
        ):
            padded.setdefault(code.lstrip("0"), []).append(code)
        for code in codes:
            found = padded.get(code.lstrip("0"), [])
            if len(found) == 1 and code.isdigit() and code.upper() not in meant:
                meant[code.upper()] = found[0]
    return {code: meant.setdefault(code.upper(), code) for code in codes}


def name_columns(dataset, columns: dict[str, str]) -> None:
    """Headers typed loosely ("mã đơn vị", "Ma don vi", no-break spaces) take the titles of the
    columns they name; a column given twice is refused, since either could be the one meant.
    Unknown columns are left alone (and ignored)."""
    titles = {lookup_key(title): title for title in columns.values()}
    headers = [titles.get(lookup_key(str(header or "")), header) for header in dataset.headers]
    twice = [title for title in columns.values() if headers.count(title) > 1]
    if twice:
        sheet = dataset.title or "đầu tiên"
        raise SpreadsheetError(
            f"Trang tính “{sheet}” có nhiều cột {', '.join(f'“{title}”' for title in twice)}: "
            "mỗi cột chỉ được có một lần. Hãy xóa cột thừa rồi nhập lại."
        )
    if headers != dataset.headers:
        dataset.headers = headers


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


def _unknown_values_emptied(rows, dataset, columns: dict[str, str], errors: dict[int, list[str]]):
    """``rows`` with each cell whose value is unknown emptied, and named by its cell in
    ``errors``: a formula saved without its result (``UncomputedFormula``) and an error cell
    (``ErrorValue``, such as #N/A) are not empty, and their text is not data."""
    from openpyxl.utils import get_column_letter

    from core.xlsx_reader import ErrorValue, UncomputedFormula

    for number, raw in rows:
        for key, value in raw.items():
            if isinstance(value, UncomputedFormula | ErrorValue):
                raw[key] = None
                letter = get_column_letter(dataset.headers.index(columns[key]) + 1)
                where = f"Ô {letter}{number + 1} (cột “{columns[key]}”)"
                errors.setdefault(number, []).append(
                    f"{where} chứa công thức chưa có giá trị tính sẵn: hãy mở tệp bằng Excel, "
                    "lưu lại rồi nhập lại."
                    if isinstance(value, UncomputedFormula)
                    else f"{where} chứa lỗi {value}: hãy sửa ô này (ghi giá trị, không để lỗi "
                    "của công thức) rồi nhập lại."
                )
        yield number, raw


PROGRESS_EVERY = 100  # rows between two progress reports of a background import


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
    ``plan_import``, which returns an ``ImportPlan``; a formula saved without its result is a
    row error of its own, and so is an error cell (#N/A); both are empty cells for
    ``plan_import``. import-export's pass over the
    rows then only previews the plan: a row's errors become its validation errors and nothing is
    saved.
    ``write_plan`` runs from ``after_import`` when it is not a dry run and every row is valid,
    inside the import's transaction. So a file writes all of its rows or none, however
    ``import_data`` is called.
    """

    columns: dict[str, str] = {}
    required_columns: tuple[str, ...] = ()
    sheet_title = ""
    dry_run = True  # of the import under way, for plan_import
    progress = None

    def plan_import(self, rows: Iterable[tuple[int, dict]], **kwargs) -> ImportPlan:
        raise NotImplementedError

    def apply_planned(self, instance, planned) -> None:
        """Set a planned row's values on the instance the preview shows."""

    def write_plan(self, **kwargs) -> None:
        raise NotImplementedError

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        # Told how many rows are worked through (a background import's progress bar).
        self.progress = kwargs.pop("progress", None)
        # All or nothing, always: a partly invalid file writes no row at all.
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        self.dry_run = dry_run
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)

    def before_import(self, dataset, **kwargs):
        self.plan = ImportPlan(readable=False)
        name_columns(dataset, self.columns)
        check_columns(dataset, self.columns, self.required_columns, self.sheet_title)
        formula_errors: dict[int, list[str]] = {}
        rows = _unknown_values_emptied(
            data_rows(dataset, self.columns), dataset, self.columns, formula_errors
        )
        self.plan = self.plan_import(rows, **kwargs)
        for number, messages in formula_errors.items():
            self.plan.errors[number] = messages + self.plan.errors.get(number, [])

    def import_row(self, row, instance_loader, **kwargs):
        number = self._current_row = kwargs["row_number"]
        if self.progress is not None and number % PROGRESS_EVERY == 0:
            self.progress(number)
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
