"""The list export: the filtered, scoped list written as an import file of models, so that it
imports back (admin → Nhập) without edits.

Its columns are the import's (``resources.COLUMNS``: same headers, same order) with the reader's
aids the import ignores (``EXPORT_ONLY``), and every cell holds what the import reads: unit
code, choice labels, the themes' names, dates and numbers. They are not listed here a second
time: each column is a field of ``DanVanModelResource``, the admin's import-export resource,
exported by its own dehydrate method or widget, so a column added to the import appears in this
file too. The rows are the resource's queryset for the user (its scope, units and themes),
read in chunks by primary key (``_in_chunks``; the themes come with each row) and written as
they come to openpyxl's write-only sheet through ``core.xlsx_stream``, or to a csv writer, so
memory stays flat however many rows there are (the ids aside: 8 bytes a row). Text cells that a
spreadsheet would run as a formula are neutralised and characters a workbook cannot hold are
replaced (``safe_cell_text``); dates stay dates and numbers stay numbers.

The Excel file opens on a first sheet that says what it holds (``ExportHeading``): the exporting
unit, the title, every condition of the list in words, how it is sorted, the number of rows, who
exported it and when (Vietnam time). The count is the rows written: that sheet is filled once the
data sheet is, so nothing reads the rows twice. Both sheets are set up to print on A4
(``core.spreadsheets.print_setup``); the import reads the data sheet by its name, so the file
still imports back as it is.
"""

from __future__ import annotations

import csv
import io
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.encoding import force_str
from import_export import widgets

from core.spreadsheets import (
    BOLD_FONT,
    ITALIC_FONT,
    PAGE_NUMBERS,
    REGULAR_FONT,
    TITLE_FONT,
    print_setup,
    safe_cell_text,
)
from core.xlsx_stream import write_rows
from models_registry.filters import DanVanModelFilter
from models_registry.models import DanVanModel
from models_registry.resources import SHEET_TITLE, DanVanModelResource
from organisations.selectors import membership_units

PROGRESS_EVERY = 2000
CHUNK_SIZE = 2000
DATE_FORMAT = "dd/mm/yyyy"
NUMBER_FORMAT = "#,##0"
EXPORT_TITLE = "Danh sách mô hình, điển hình “Dân vận khéo”"
INFO_SHEET = "Thông tin"
WHOLE_COUNTRY = "Toàn quốc"  # the exporting unit of a superuser who is a member of none


@dataclass(frozen=True)
class ExportColumn:
    header: str
    value: Callable[[DanVanModel], object]  # the cell of a model, as the resource exports it
    number_format: str | None = None
    width: int = 18


def _number_format(widget) -> str | None:
    if isinstance(widget, widgets.DateWidget):
        return DATE_FORMAT
    if isinstance(widget, widgets.IntegerWidget):
        return NUMBER_FORMAT
    return None


def _width(attribute: str | None, number_format: str | None) -> int:
    if number_format:
        return 14
    try:
        model_field = DanVanModel._meta.get_field(attribute or "")
    except FieldDoesNotExist:
        return 24  # computed: a unit's code or name, a label, the themes
    if isinstance(model_field, models.TextField) or (model_field.max_length or 0) >= 200:
        return 40
    return 18


def _cell_value(resource: DanVanModelResource, field) -> Callable[[DanVanModel], object]:
    """What ``resource.export_field(field, model)`` calls: the field's dehydrate method, else
    its widget's rendering of the attribute. Looked up once for the column rather than on each
    of a large export's cells (import-export finds the field's name among all of them for every
    cell); the formula-safe text of ``FormulaSafeExportMixin`` is ``_safe`` here."""
    method = field.get_dehydrate_method(resource.get_field_name(field))
    dehydrate = method if callable(method) else getattr(resource, method, None)
    if dehydrate is not None:
        return dehydrate
    attribute, render = field.attribute, field.widget.render
    if attribute and "__" not in attribute:
        # ``Field.export`` without its walk along a path of relations: there is none.
        return lambda model: render(getattr(model, attribute, None))
    return field.export


def export_columns(resource: DanVanModelResource) -> list[ExportColumn]:
    """The columns of the export, in the resource's export order."""
    columns = []
    for field in resource.get_export_fields():
        number_format = _number_format(field.widget)
        columns.append(
            ExportColumn(
                header=force_str(field.column_name),
                value=_cell_value(resource, field),
                number_format=number_format,
                width=_width(field.attribute, number_format),
            )
        )
    return columns


def export_headers() -> list[str]:
    """The header row of the export (the same for every user)."""
    return [column.header for column in export_columns(DanVanModelResource())]


def _safe(value):
    return safe_cell_text(value) if value.__class__ is str and value else value


def export_rows(
    queryset, chunk_size: int = CHUNK_SIZE, *, user=None, safe: bool = True
) -> Iterator[list]:
    """The exported rows of ``queryset`` (scoped to ``user``; nothing without a user) as plain
    values, streamed from the database. ``safe=False`` leaves the text cells as they are, for a
    writer that makes them safe itself (``core.xlsx_stream``)."""
    resource = DanVanModelResource(user=user)
    columns = [column.value for column in export_columns(resource)]
    # The resource's own queryset: the user's scope whatever was handed over, the units and the
    # themes its columns read. The search column is never exported.
    models_ = resource.filter_export(queryset).defer("search_vector")
    for model in _in_chunks(models_, chunk_size):
        if safe:
            yield [_safe(value(model)) for value in columns]
        else:
            yield [value(model) for value in columns]


def _in_chunks(models_, chunk_size: int) -> Iterator[DanVanModel]:
    """The rows of ``models_`` in its order, read ``chunk_size`` at a time by primary key.

    The ids come first, in the list's order, from one ordinary query (planned for all its rows;
    through ``iterator()``'s server-side cursor PostgreSQL planned for the first rows, the
    export's slowest part); then each chunk of ids is read with the columns' annotations in
    one query on the primary key, and given out in the ids' order. A row deleted meanwhile is
    left out.
    """
    ids = array("q", models_.values_list("pk", flat=True))
    unordered = models_.order_by()
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        rows = {model.pk: model for model in unordered.filter(pk__in=chunk.tolist())}
        for pk in chunk:
            if pk in rows:
                yield rows[pk]


def _notify(progress, count: int) -> None:
    if progress is not None and count % PROGRESS_EVERY == 0:
        progress(count)


@dataclass(frozen=True)
class ExportHeading:
    """What the Excel file's first sheet says of the list, the number of rows aside."""

    unit: str  # the exporting unit: the exporter's units, the topmost of them
    filters: list[tuple[str, str]]  # (label, value) of each condition, in words
    ignored: list[str]  # labels of the conditions dropped as invalid
    sort: str
    by: str
    at: datetime  # Vietnam time


def export_heading(user, params) -> ExportHeading:
    """The heading of ``user``'s export of the list for ``params`` (its query string), now."""
    filterset = DanVanModelFilter.lenient(params, user=user)
    units = "; ".join(unit.name for unit in membership_units(user))
    return ExportHeading(
        unit=units or (WHOLE_COUNTRY if user.is_superuser else ""),
        filters=filterset.described(),
        ignored=list(filterset.ignored),
        sort=filterset.sort_label,
        by=user.get_full_name() or user.get_username(),
        at=timezone.localtime(),
    )


def _info_rows(sheet, heading: ExportHeading, count: int) -> Iterator[list]:
    """The first sheet's rows: a title block, then a label and a value a row. Every text goes
    through ``safe_cell_text``: a search typed as "=…" is shown, never run."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    top = Alignment(vertical="top", wrap_text=True)

    def cell(value, font=REGULAR_FONT, alignment=top, number_format=None):
        cell = WriteOnlyCell(
            sheet, value=safe_cell_text(value) if isinstance(value, str) else value
        )
        cell.font, cell.alignment = font, alignment
        if number_format:
            cell.number_format = number_format
        return cell

    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    at = f"{heading.at:%d/%m/%Y} lúc {heading.at:%H:%M}"
    yield [cell(heading.unit, BOLD_FONT)]
    yield [cell(EXPORT_TITLE.upper(), TITLE_FONT, centred)]
    yield [cell(f"Xuất ngày {at}", ITALIC_FONT, centred)]
    yield []
    yield [cell("Điều kiện lọc", BOLD_FONT)]
    for label, value in heading.filters:
        yield [cell(label), cell(value)]
    if not heading.filters:
        yield [cell("Không lọc"), cell("Mọi mô hình, điển hình trong phạm vi của người xuất")]
    if heading.ignored:
        yield [cell("Bỏ qua (không hợp lệ)"), cell(", ".join(heading.ignored))]
    yield [cell("Sắp xếp"), cell(heading.sort)]
    yield []
    yield [
        cell("Số mô hình, điển hình"),
        cell(count, alignment=Alignment(horizontal="left"), number_format=NUMBER_FORMAT),
    ]
    yield [cell("Người xuất"), cell(heading.by)]
    yield [cell("Thời điểm xuất"), cell(f"{at} (giờ Việt Nam)")]
    yield [
        cell("Dữ liệu"),
        cell(
            f"Trang tính “{SHEET_TITLE}”: mỗi dòng một mô hình, điển hình; các cột theo mẫu nhập "
            "dữ liệu, nên tệp nhập lại được mà không cần sửa."
        ),
    ]


def _write_info(sheet, heading: ExportHeading, count: int) -> None:
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 70
    sheet.row_dimensions[2].height = 40  # the title, on two lines
    print_setup(sheet, landscape=False, footer=PAGE_NUMBERS)
    for number, row in enumerate(_info_rows(sheet, heading, count), start=1):
        sheet.append(row)
        if len(row) == 1:  # a line of the title block, or a section's heading: the whole width
            sheet.merged_cells.add(f"A{number}:B{number}")


def write_xlsx(
    queryset,
    target,
    *,
    user=None,
    heading: ExportHeading | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``queryset`` to ``target`` (a path or binary file): a first sheet of ``heading``
    (none without one), then the rows on a sheet titled like the import's data sheet; the row
    count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    columns = export_columns(DanVanModelResource(user=user))
    workbook = Workbook(write_only=True)
    workbook.properties.title = EXPORT_TITLE
    workbook.properties.creator = "Cổng Dân vận khéo"
    # The sheets come in the order they are made; each is filled in its own scratch file.
    info = workbook.create_sheet(INFO_SHEET) if heading is not None else None
    sheet = workbook.create_sheet(SHEET_TITLE)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "B2"
    print_setup(sheet, "1:1", header=EXPORT_TITLE, footer=PAGE_NUMBERS)
    bold = Font(bold=True)
    header_cells = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header_cells.append(cell)

    def rows():
        yield header_cells
        for count, values in enumerate(export_rows(queryset, user=user, safe=False), start=1):
            yield values
            _notify(progress, count)

    # Rows go out as XML directly (``xlsx_stream``); dates and amounts take their format.
    formats = {
        index: column.number_format
        for index, column in enumerate(columns)
        if column.number_format is not None
    }
    count = write_rows(sheet, rows(), formats=formats) - 1  # less the header
    if info is not None:
        _write_info(info, heading, count)
    workbook.save(target)
    return count


def _csv_value(value):
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else value


def csv_lines(
    queryset, *, user=None, progress: Callable[[int], None] | None = None
) -> Iterable[bytes]:
    """The export as UTF-8 csv lines (with a byte-order mark, so Excel reads the diacritics)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> bytes:
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        return data

    writer.writerow(export_headers())
    yield "\ufeff".encode() + flush()
    for count, values in enumerate(export_rows(queryset, user=user), start=1):
        writer.writerow([_csv_value(value) for value in values])
        _notify(progress, count)
        if count % 500 == 0:
            yield flush()
    yield flush()


def write_csv(queryset, target, *, user=None, progress: Callable[[int], None] | None = None) -> int:
    """Write ``queryset`` as csv to a binary file ``target``; the row count."""
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(export_headers())
    count = 0
    for count, values in enumerate(export_rows(queryset, user=user), start=1):  # noqa: B007
        writer.writerow([_csv_value(value) for value in values])
        _notify(progress, count)
    text.flush()
    text.detach()
    return count
