"""The list export: the filtered, scoped queryset written row by row to xlsx or csv.

Rows come from ``values_list(...).iterator()`` and go straight to openpyxl's write-only sheet or
to a csv writer, so memory stays flat however many rows there are. Text cells that a spreadsheet
would run as a formula are neutralised, characters a workbook cannot hold are replaced; dates stay
dates and numbers stay numbers. The file is scoped like the list, and so is every name in it: the
model a row was replicated from is named only when the user may see it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.partial_dates import DatePrecision, partial_date_text
from core.spreadsheets import safe_cell_text
from core.xlsx_stream import write_rows
from models_registry.choices import Actor, Field, ModelKind, Status
from models_registry.models import DanVanModel

PROGRESS_EVERY = 2000
DATE_FORMAT = "dd/mm/yyyy"
MONEY_FORMAT = "#,##0"


@dataclass(frozen=True)
class Column:
    header: str
    source: str  # an annotation or field path of values_list
    kind: str = "text"  # text | label | date | number
    labels: dict | None = None
    width: int = 18


def _themes():
    through = DanVanModel.themes.through
    return Subquery(
        through.objects.filter(danvanmodel_id=OuterRef("pk"))
        .values("danvanmodel_id")
        .annotate(names=StringAgg("theme__name", "; ", order_by="theme__name"))
        .values("names")
    )


COLUMNS = (
    Column("Mã hệ thống", "pk", "number", width=12),
    Column("Mã mô hình", "code", width=14),
    Column("Tên mô hình, điển hình", "name", width=50),
    Column("Loại", "kind", "label", dict(ModelKind.choices), width=12),
    Column("Chủ thể", "actor", "label", dict(Actor.choices), width=10),
    Column("Họ tên cá nhân", "person_name", width=24),
    Column("Chức vụ", "person_position", width=24),
    Column("Lĩnh vực", "field", "label", dict(Field.choices), width=26),
    Column("Chủ đề", "export_themes", width=30),
    Column("Đơn vị chủ trì", "owning_unit__name", width=34),
    Column("Mã đơn vị", "owning_unit__code", width=14),
    Column("Trạng thái", "status", "label", dict(Status.choices), width=20),
    Column("Ngày bắt đầu", "start_date", "date", width=13),
    Column("Ngày đánh giá", "evaluation_date", "date", width=13),
    Column("Kinh phí (đồng)", "funds", "number", width=16),
    Column("Ngày công", "workdays", "number", width=11),
    Column("Xã hội hóa (đồng)", "socialised_funds", "number", width=16),
    Column("Nhân rộng từ", "export_replicated_from", width=34),
    Column("Ngày gửi duyệt", "export_submitted", "date", width=13),
    Column("Ngày duyệt đăng ký", "export_accepted", "date", width=13),
    Column("Ngày công nhận", "export_recognised", "date", width=13),
    Column("Số quyết định", "decision_number", width=16),
    Column("Ngày quyết định", "decision_date", "date", width=13),
    Column("Người liên hệ", "contact_name", width=22),
    Column("Điện thoại", "contact_phone", width=14),
)
HEADERS = [column.header for column in COLUMNS]
START = [column.source for column in COLUMNS].index("start_date")


def _origin_name(user):
    # The rows are in scope but their origins need not be: a province must not learn the name
    # (or the existence) of another province's model from its own replicas.
    if user is None:
        return Value(None, output_field=CharField())
    return Subquery(
        DanVanModel.objects.visible_to(user)
        .filter(pk=OuterRef("replicated_from_id"))
        .order_by()
        .values("name")[:1]
    )


def export_queryset(queryset, user=None):
    """``queryset`` reduced to the exported columns, in its own order; the origin of a replica
    is named only when ``user`` may see it (never without a user)."""
    tz = timezone.get_current_timezone()
    return queryset.annotate(
        export_themes=_themes(),
        export_replicated_from=_origin_name(user),
        export_submitted=TruncDate(F("submitted_at"), tzinfo=tz),
        export_accepted=TruncDate(F("accepted_at"), tzinfo=tz),
        export_recognised=TruncDate(F("recognised_at"), tzinfo=tz),
    ).values_list(*(column.source for column in COLUMNS), "start_precision")


def _converters() -> list[Callable]:
    converters = []
    for column in COLUMNS:
        if column.kind == "label":
            converters.append(lambda value, labels=column.labels: labels.get(value, value or ""))
        elif column.kind == "text":
            converters.append(lambda value: safe_cell_text(value) if value else value)
        else:
            converters.append(None)
    return converters


def export_rows(queryset, chunk_size: int = 2000, *, user=None) -> Iterator[tuple]:
    """The exported rows of ``queryset`` (scoped to ``user``) as plain values, streamed from the
    database."""
    convert = [(index, function) for index, function in enumerate(_converters()) if function]
    for row in export_queryset(queryset, user).iterator(chunk_size=chunk_size):
        *values, precision = row
        if precision != DatePrecision.DAY:  # a start known to the month or year: "03/2019"
            values[START] = partial_date_text(values[START], precision)
        for index, function in convert:
            values[index] = function(values[index])
        yield values


def _notify(progress, count: int) -> None:
    if progress is not None and count % PROGRESS_EVERY == 0:
        progress(count)


def write_xlsx(
    queryset, target, *, user=None, progress: Callable[[int], None] | None = None
) -> int:
    """Write ``queryset`` to ``target`` (a path or binary file) as one sheet; the row count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách mô hình")
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[_letter(index)].width = column.width
    sheet.freeze_panes = "C2"
    bold = Font(bold=True)
    header_cells = []
    for header in HEADERS:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header_cells.append(cell)

    def rows():
        yield header_cells
        for count, values in enumerate(export_rows(queryset, user=user), start=1):
            yield values
            _notify(progress, count)

    # Dates and amounts need a number format; rows go out as XML directly (``xlsx_stream``).
    formats = {
        index: DATE_FORMAT if column.kind == "date" else MONEY_FORMAT
        for index, column in enumerate(COLUMNS)
        if column.kind == "date" or "đồng" in column.header
    }
    count = write_rows(sheet, rows(), formats=formats) - 1  # less the header
    workbook.save(target)
    return count


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


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

    writer.writerow(HEADERS)
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
    writer.writerow(HEADERS)
    count = 0
    for count, values in enumerate(export_rows(queryset, user=user), start=1):  # noqa: B007
        writer.writerow([_csv_value(value) for value in values])
        _notify(progress, count)
    text.flush()
    text.detach()
    return count
