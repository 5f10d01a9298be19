"""The formatted Excel workbook of a report: its tables, then a data sheet of the models.

Design: the whole workbook is one write-only (streaming) openpyxl workbook. openpyxl cannot mix
a normal sheet with a write-only one in the same workbook, and a province's data sheet holds
tens of thousands of rows, which a normal workbook would keep in memory as cell objects. So the
six report tables are written the streaming way too: every cell is a styled ``WriteOnlyCell``,
and what a write-only sheet keeps until it is saved is set before the first row (column widths,
frozen panes, print setup) or gathered while writing (merged ranges, the filter range). Each
table has its own sheet, so that each can freeze its own header rows and repeat them on every
printed page (A4 landscape, fitted to the page width).

Every number is a link to the list of the records it counts, on the portal
(``reports.links``, at ``PORTAL_BASE_URL``), and a sheet says how each is counted.

Numbers are real numbers in the cells, formatted ``#,##0``: Excel shows the thousands separator
of the reader's regional settings, so a Vietnamese Windows shows 1.234.567 (a format such as
``#.##0`` is not a thousands separator in Excel and would break the numbers). Text cells go
through ``safe_cell_text``, so a name typed as "=…" is shown, never run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from copy import copy
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

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
from reports.formatting import (
    STRUCTURE_EXPLAINED,
    TABLE_TITLES,
    UNCLASSIFIED,
    as_number,
    created_on,
    field_labels,
    has_unclassified,
    kind_actor_label,
    lower_first,
    measure_definitions,
    measure_labels,
    report_subject,
    span,
    structure_rule,
)
from reports.links import absolute_records_url, cell_query, report_query
from reports.selectors import MODEL_ROW_HEADERS
from reports.tables import children_table

PROGRESS_EVERY = 5000
DATA_SHEET = "Dữ liệu"
DEFINITIONS_SHEET = "Cách tính"
NUMBER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.00"
CHANGE_FORMAT = "+#,##0;-#,##0;0"
DATE_FORMAT = "dd/mm/yyyy"
TITLE_ROWS = 5  # organisation, subject, period, day of writing, the table's caption

# The header spanning each measure's column in table 1.
MEASURE_GROUPS = {
    "active": "Mô hình, điển hình",
    "new": "Mô hình, điển hình",
    "maintained": "Mô hình, điển hình",
    "replicated": "Mô hình, điển hình",
    "recognised": "Công nhận, tiêu biểu",
    "outstanding": "Công nhận, tiêu biểu",
    "commended_collectives": "Biểu dương, khen thưởng",
    "commended_individuals": "Biểu dương, khen thưởng",
}
DATA_WIDTHS = (14, 48, 12, 10, 24, 24, 32, 13, 20, 13, 13, 9, 18)

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
# A number linked to its list of records: underlined, in the colour of links.
_LINK = Font(name="Times New Roman", size=12, color="0563C1", underline="single")
_LINK_BOLD = Font(name="Times New Roman", size=12, bold=True, color="0563C1", underline="single")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center")
_LEFT = Alignment(horizontal="left", vertical="center")


_text = safe_cell_text  # every text cell of the report tables


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    kind: str = "text"  # text | number | decimal | change
    group: str = ""  # consecutive columns of one group share a merged header above theirs


class _TableSheet:
    """One report table on its own streaming sheet: title block, headers, rows, print setup."""

    def __init__(self, workbook, title: str, columns: list[Column], figures: dict, caption: str):
        self.sheet = workbook.create_sheet(title)
        self.columns = columns
        self.width = len(columns)
        self.row_number = 0
        self._styles: dict[tuple, tuple[WriteOnlyCell, tuple]] = {}  # see ``_cell``
        grouped = any(column.group for column in columns)
        self.header_rows = 2 if grouped else 1
        first_data_row = TITLE_ROWS + self.header_rows + 1
        for index, column in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = column.width
        # Names stay in sight when scrolling right to the numbers: freeze the text columns
        # before them (a table of text only freezes its header rows).
        labels = next((i for i, column in enumerate(columns) if column.kind != "text"), 0)
        self.sheet.freeze_panes = f"{get_column_letter(labels + 1)}{first_data_row}"
        print_setup(
            self.sheet,
            f"{TITLE_ROWS + 1}:{TITLE_ROWS + self.header_rows}",
            footer=f"{title} – {PAGE_NUMBERS}",
        )
        self._title_block(figures, caption)
        self._headers()

    # --- rows ---------------------------------------------------------------------------------

    def _append(self, cells: list) -> None:
        self.sheet.append(cells)
        self.row_number += 1

    def _merge(self, first_column: int, last_column: int, first_row=None, last_row=None) -> None:
        first_row = first_row or self.row_number
        last_row = last_row or first_row
        if first_column == last_column and first_row == last_row:
            return
        self.sheet.merged_cells.add(
            f"{get_column_letter(first_column)}{first_row}:"
            f"{get_column_letter(last_column)}{last_row}"
        )

    def _cell(self, value, **style) -> WriteOnlyCell:
        """A cell of ``value`` with ``style`` (font, fill, border, alignment, number_format).

        openpyxl hashes every style object on each assignment, which took a fifth of a
        province's workbook: each combination is worked out once, on a template cell, and the
        others copy its style ids. Combinations are told apart by the identity of their style
        objects, which the cache keeps alive so that no identity is reused.
        """
        key = tuple(
            (name, part if isinstance(part, str) else id(part))
            for name, part in sorted(style.items())
        )
        known = self._styles.get(key)
        if known is None:
            template = WriteOnlyCell(self.sheet)
            for name, part in style.items():
                setattr(template, name, part)
            known = self._styles[key] = (template, tuple(style.values()))
        cell = WriteOnlyCell(self.sheet, value=value)
        cell._style = copy(known[0]._style)
        return cell

    def _line(self, text: str, font: Font, alignment: Alignment) -> None:
        self._append([self._cell(_text(text), font=font, alignment=alignment)])
        self._merge(1, self.width)

    def _title_block(self, figures: dict, caption: str) -> None:
        period = figures["period"]
        # Excel sizes no merged cell to its text: room for the subject on two lines.
        self.sheet.row_dimensions[2].height = 36
        self._line(figures["organisation"]["name"], BOLD_FONT, _LEFT)
        self._line(report_subject(figures).upper(), TITLE_FONT, _CENTRE)
        rule = structure_rule(figures)
        self._line(
            f"Kỳ báo cáo: {period['name']} ({span(period)})" + (f", {rule}" if rule else ""),
            ITALIC_FONT,
            _CENTRE,
        )
        self._line(f"Ngày lập: {created_on(figures):%d/%m/%Y}", ITALIC_FONT, _CENTRE)
        self._line(caption, BOLD_FONT, _LEFT)

    def _header_cell(self, value) -> WriteOnlyCell:
        return self._cell(
            _text(value), font=BOLD_FONT, fill=_HEADER_FILL, border=_BORDER, alignment=_CENTRE
        )

    def _headers(self) -> None:
        if self.header_rows == 1:
            self._append([self._header_cell(column.header) for column in self.columns])
            return
        top, bottom = [], []
        spans = []  # (group or None, first column, last column), 1-based
        for index, column in enumerate(self.columns, start=1):
            if not column.group:
                top.append(self._header_cell(column.header))
                bottom.append(self._header_cell(None))  # under the merge: keeps its border
                spans.append((None, index, index))
            elif spans and spans[-1][0] == column.group:
                top.append(self._header_cell(None))
                bottom.append(self._header_cell(column.header))
                spans[-1] = (column.group, spans[-1][1], index)
            else:
                top.append(self._header_cell(column.group))
                bottom.append(self._header_cell(column.header))
                spans.append((column.group, index, index))
        self._append(top)
        self._append(bottom)
        for group, first, last in spans:
            if group is None:
                self._merge(first, first, self.row_number - 1, self.row_number)
            else:
                self._merge(first, last, self.row_number - 1, self.row_number - 1)

    def row(self, values: list, *, total: bool = False, links: list | None = None) -> None:
        """A data row; a totals row is bold and shaded. ``links`` gives the query of each
        number's list of records (by position, "" for none); a number other than 0 links to it.
        """
        cells = []
        shared = {"border": _BORDER, "font": BOLD_FONT if total else REGULAR_FONT}
        if total:
            shared["fill"] = _TOTAL_FILL
        links = links or [""] * len(values)
        for column, value, query in zip(self.columns, values, links, strict=True):
            if column.kind == "text":
                alignment = _CENTRE if isinstance(value, int) else _WRAP
                cells.append(self._cell(_text(value), alignment=alignment, **shared))
                continue
            number = as_number(value)
            if column.kind == "change":
                number_format = CHANGE_FORMAT
            elif isinstance(number, Decimal):
                number_format = DECIMAL_FORMAT
            else:
                number_format = NUMBER_FORMAT
            if query and number:
                font = _LINK_BOLD if total else _LINK
                cell = self._cell(
                    number,
                    alignment=_RIGHT,
                    number_format=number_format,
                    **{**shared, "font": font},
                )
                cell.hyperlink = absolute_records_url(query)
            else:
                cell = self._cell(number, alignment=_RIGHT, number_format=number_format, **shared)
            cells.append(cell)
        self._append(cells)

    def section(self, text: str, *, italic: bool = False) -> None:
        """A row spanning the table: a part's heading, or a note."""
        style = {
            "font": ITALIC_FONT if italic else BOLD_FONT,
            "border": _BORDER,
            "alignment": _WRAP,
        }
        cells = [
            self._cell(_text(text) if index == 0 else None, **style) for index in range(self.width)
        ]
        self._append(cells)
        self._merge(1, self.width)


# --- the six tables ---------------------------------------------------------------------------


def _caption(number: int, key: str) -> str:
    return f"Biểu {number}. {TABLE_TITLES[key]}"


def _by_field_sheet(workbook, figures: dict) -> None:
    measures = measure_labels(figures)
    columns = [Column("STT", 6), Column("Lĩnh vực, loại, chủ thể", 34)]
    columns += [
        Column(label, 13, "number", MEASURE_GROUPS.get(key, "")) for key, label in measures.items()
    ]
    table = _TableSheet(workbook, "1. Lĩnh vực", columns, figures, _caption(1, "by_field"))
    report = report_query(figures)
    table.section("I. Theo lĩnh vực")
    rows = [(key, label, figures["by_field"][key]) for key, label in field_labels(figures)]
    if has_unclassified(figures):
        rows.append(("", UNCLASSIFIED, figures["unclassified"]))
    for number, (field, label, counts) in enumerate(rows, start=1):
        table.row(
            [number, label, *(counts.get(key, 0) for key in measures)],
            links=["", "", *(cell_query(report, key, field=field) for key in measures)],
        )
    table.row(
        ["", "Tổng cộng", *(figures["total"].get(key, 0) for key in measures)],
        total=True,
        links=["", "", *(cell_query(report, key) for key in measures)],
    )
    table.section("II. Theo loại và chủ thể")
    for number, row in enumerate(figures["by_kind_actor"], start=1):
        table.row(
            [number, row["label"], *(row["counts"].get(key, 0) for key in measures)],
            links=[
                "",
                "",
                *(cell_query(report, key, kind_actor=row["key"]) for key in measures),
            ],
        )


def _children_sheet(workbook, figures: dict) -> None:
    # Laid out from the page's table 2, so that the two always have the same columns and cells.
    table = children_table(figures)
    columns = [Column("STT", 6), Column("Đơn vị", 34)]
    columns += [
        Column(column.label, 12 if group.label else 13, "number", group.label)
        for group in table.groups
        for column in group.columns
    ]
    sheet = _TableSheet(workbook, "2. Đơn vị", columns, figures, _caption(2, "children"))
    for number, row in enumerate(table.rows, start=1):
        sheet.row(
            [number, row.named, *(cell.value for cell in row.cells)],
            links=["", "", *(cell.query for cell in row.cells)],
        )
    if table.footer:
        sheet.row(
            ["", "Tổng cộng", *(cell.value for cell in table.footer.cells)],
            total=True,
            links=["", "", *(cell.query for cell in table.footer.cells)],
        )
    else:
        sheet.section(table.empty, italic=True)


def _funnel_sheet(workbook, figures: dict) -> None:
    now, before = figures["period"], figures["previous_period"]
    columns = [
        Column("STT", 6),
        Column("Nội dung", 40),
        Column(f"Kỳ này\n{now['name']}\n({span(now)})", 24, "number", "Số mô hình, điển hình"),
        Column(
            f"Kỳ trước\n{before['name']}\n({span(before)})", 24, "number", "Số mô hình, điển hình"
        ),
        Column("Tăng (+), giảm (−)", 14, "change"),
    ]
    table = _TableSheet(workbook, "3. So với kỳ trước", columns, figures, _caption(3, "funnel"))
    report = report_query(figures)
    for number, stage in enumerate(figures["funnel"], start=1):
        table.row(
            [number, stage["label"], stage["current"], stage["previous"], stage["change"]],
            links=[
                "",
                "",
                cell_query(report, stage["key"]),
                cell_query(report, stage["key"], previous=True),
                "",
            ],
        )


def _commendations_sheet(workbook, figures: dict) -> None:
    group = "Số lượt biểu dương, khen thưởng"
    columns = [
        Column("STT", 6),
        Column("Hình thức", 34),
        Column("Tập thể", 14, "number", group),
        Column("Cá nhân", 14, "number", group),
        Column("Cộng", 14, "number", group),
    ]
    table = _TableSheet(workbook, "4. Khen thưởng", columns, figures, _caption(4, "commendations"))
    commendations = figures["commendations"]
    report = report_query(figures)

    def links(form: str | None) -> list[str]:
        return [
            "",
            "",
            *(
                cell_query(report, "commendations", form=form, actor=actor)
                for actor in ("collective", "individual", None)
            ),
        ]

    for number, row in enumerate(commendations["rows"], start=1):
        table.row(
            [number, row["label"], row["collective"], row["individual"], row["total"]],
            links=links(row["form"]),
        )
    total = commendations["total"]
    table.row(
        ["", "Tổng cộng", total["collective"], total["individual"], total["total"]],
        total=True,
        links=links(None),
    )


def _indicators_sheet(workbook, figures: dict) -> None:
    columns = [
        Column("STT", 6),
        Column("Chỉ tiêu", 44),
        Column("Đơn vị tính", 14),
        Column("Tổng giá trị", 18, "decimal"),
        Column("Số báo cáo kết quả", 14, "number"),
    ]
    table = _TableSheet(
        workbook, "5. Chỉ tiêu kết quả", columns, figures, _caption(5, "indicators")
    )
    report = report_query(figures)
    for number, row in enumerate(figures["indicators"], start=1):
        query = cell_query(report, "indicator", indicator=row["code"])
        table.row(
            [number, row["name"], row["unit"], row["total"], row["reports"]],
            links=["", "", "", query, query],
        )


def _outstanding_sheet(workbook, figures: dict) -> None:
    columns = [
        Column("STT", 6),
        Column("Tên mô hình, điển hình", 50),
        Column("Loại", 20),
        Column("Họ tên cá nhân", 26),
        Column("Đơn vị chủ trì", 34),
    ]
    table = _TableSheet(workbook, "6. Tiêu biểu", columns, figures, _caption(6, "outstanding"))
    for key, label in field_labels(figures):
        table.section(f"Lĩnh vực {lower_first(label)}")
        listed = figures["outstanding"].get(key) or []
        if not listed:
            table.section("Không có mô hình, điển hình tiêu biểu trong kỳ.", italic=True)
        for number, model in enumerate(listed, start=1):
            kind = kind_actor_label(model["kind"], model["actor"])
            table.row([number, model["name"], kind, model["person"], model["unit"]])


def _definitions_sheet(workbook, figures: dict) -> None:
    """How each number is counted, and that it links to its records."""
    columns = [Column("STT", 6), Column("Chỉ tiêu", 30), Column("Cách tính", 90)]
    table = _TableSheet(
        workbook, DEFINITIONS_SHEET, columns, figures, "Cách tính các số liệu của báo cáo"
    )
    for number, (label, definition) in enumerate(measure_definitions(), start=1):
        table.row([number, label, f"{definition}."])
    table.section(
        f"Đơn vị được tính {structure_rule(figures) or 'theo cơ cấu tổ chức hiện tại'}: "
        f"{STRUCTURE_EXPLAINED}.",
        italic=True,
    )
    if report_query(figures):
        table.section(
            "Mỗi số trong các biểu là một liên kết đến danh sách hồ sơ được tính vào số đó trên "
            "Cổng thông tin (theo dữ liệu lúc mở liên kết).",
            italic=True,
        )


# --- the data sheet ---------------------------------------------------------------------------


def _data_sheet(workbook, model_rows: Iterable[tuple], progress) -> None:
    sheet = workbook.create_sheet(DATA_SHEET)
    for index, width in enumerate(DATA_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C2"
    print_setup(sheet, "1:1", footer=f"{DATA_SHEET} – {PAGE_NUMBERS}")
    header = []
    for title in MODEL_ROW_HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = BOLD_FONT
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = _CENTRE
        header.append(cell)

    def counted():
        # The header is row 1: progress counts the models written.
        yield header
        for count, values in enumerate(model_rows, start=1):
            yield values
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)

    # Tens of thousands of rows: written as XML directly (see ``core.xlsx_stream``).
    count = write_rows(sheet, counted(), date_format=DATE_FORMAT) - 1
    last_column = get_column_letter(len(MODEL_ROW_HEADERS))
    sheet.auto_filter.ref = f"A1:{last_column}{count + 1}"


def write_workbook(
    figures: dict,
    out,
    *,
    model_rows: Iterable[tuple] = (),
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write the report workbook of ``figures`` (``report_figures``) to the binary file ``out``.

    ``model_rows`` feeds the data sheet (``selectors.report_model_rows``); ``progress`` is told
    how many data rows were written, every few thousand.
    """
    workbook = Workbook(write_only=True)
    workbook.properties.title = f"{report_subject(figures)} – {figures['organisation']['name']}"
    workbook.properties.creator = "Cổng Dân vận khéo"
    _by_field_sheet(workbook, figures)
    _children_sheet(workbook, figures)
    _funnel_sheet(workbook, figures)
    _commendations_sheet(workbook, figures)
    _indicators_sheet(workbook, figures)
    _outstanding_sheet(workbook, figures)
    _definitions_sheet(workbook, figures)
    _data_sheet(workbook, model_rows, progress)
    workbook.save(out)
