"""The report's figures laid out as the page shows them: a heading, numbered tables, a list.

The live page, a snapshot's page and the comparison of a snapshot with the live figures all read
this layout, so a changed cell is named exactly as the page names it. Everything here works on
``report_figures``' plain data, live or read back from a snapshot's JSON (where decimals became
strings), and never queries the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.urls import reverse

from reports.formatting import STRUCTURE_EXPLAINED, has_unclassified, structure_rule, vn_number
from reports.formatting import as_number as number
from reports.links import cell_query, report_query

# Table 2's columns: "active" split by field, then every measure of table 1 in total, the
# commended collectives and individuals under one header. Page, workbook and narrative all lay
# it out from ``children_table``.
CHILD_BY_FIELD = "Đang thực hiện theo lĩnh vực"
CHILD_LABELS = {"active": "Tổng số đang thực hiện"}  # the others: table 1's labels
CHILD_COMMENDED = "Được biểu dương, khen thưởng"
COMMENDED_COLUMNS = {"commended_collectives": "Tập thể", "commended_individuals": "Cá nhân"}
ACTOR_COLUMNS = (("collective", "Tập thể"), ("individual", "Cá nhân"), ("total", "Cộng"))


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    signed: bool = False  # a change: shown with its sign


@dataclass(frozen=True)
class ColumnGroup:
    label: str  # "" for columns that stand alone
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Cell:
    column: Column
    value: int | Decimal
    query: str = ""  # the query of the list of records behind the number ("": none)

    @property
    def text(self) -> str:
        """The value as the page shows it (1.234.567; a change with its sign), formatted here
        rather than by the template's localisation, which costs more than the whole table."""
        text = vn_number(self.value)
        return f"+{text}" if self.column.signed and self.value > 0 else text


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Cell, ...]
    unit_id: int | None = None  # a unit the row drills down to
    note: str = ""

    @property
    def named(self) -> str:
        """The label with its note, as the files write it: "Tỉnh Bắc Kạn (cũ) (sáp nhập vào)"."""
        return f"{self.label} ({self.note})" if self.note else self.label


@dataclass(frozen=True)
class Table:
    key: str  # also the HTML id
    title: str
    caption: str
    row_header: str
    groups: tuple[ColumnGroup, ...]
    rows: tuple[Row, ...]
    footer: Row | None = None
    empty: str = "Không có số liệu."

    @property
    def columns(self) -> tuple[Column, ...]:
        return tuple(column for group in self.groups for column in group.columns)

    @property
    def grouped(self) -> bool:
        return any(group.label for group in self.groups)

    def all_rows(self) -> tuple[Row, ...]:
        return (*self.rows, self.footer) if self.footer else self.rows


def _row(key, label, columns, values, queries=None, **extra) -> Row:
    """A row of ``values`` by column key; ``queries`` names each cell's list (by column key)."""
    queries = queries or {}
    cells = tuple(
        Cell(column, number(values.get(column.key, 0)), queries.get(column.key, ""))
        for column in columns
    )
    return Row(key=key, label=label, cells=cells, **extra)


def _single(*columns: Column) -> tuple[ColumnGroup, ...]:
    return (ColumnGroup("", columns),)


def _by_field_table(figures) -> Table:
    columns = [Column(key, label) for key, label in figures["fields"]]
    unclassified = figures.get("unclassified") or {}
    if any(number(value) for value in unclassified.values()):
        columns.append(Column("unclassified", "Chưa chọn lĩnh vực"))
    columns.append(Column("total", "Tổng số"))
    report = report_query(figures)
    rows = []
    for measure, label in figures["measures"]:
        values = {
            key: figures["by_field"].get(key, {}).get(measure, 0) for key, _ in figures["fields"]
        }
        values["unclassified"] = unclassified.get(measure, 0)
        values["total"] = figures["total"][measure]
        queries = {key: cell_query(report, measure, field=key) for key, _ in figures["fields"]}
        queries["unclassified"] = cell_query(report, measure, field="")
        queries["total"] = cell_query(report, measure)
        rows.append(_row(measure, label, columns, values, queries))
    return Table(
        key="bang-1",
        title="Bảng 1. Mô hình, điển hình theo lĩnh vực",
        caption="Số mô hình, điển hình của kỳ theo từng chỉ tiêu (dòng) và lĩnh vực (cột)",
        row_header="Chỉ tiêu",
        groups=(ColumnGroup("Lĩnh vực", tuple(columns[:-1])), ColumnGroup("", (columns[-1],))),
        rows=tuple(rows),
    )


def kind_actor_table(figures) -> Table:
    """Table 1 (continued): every measure by kind (mô hình / điển hình) × actor."""
    columns = tuple(Column(row["key"], row["label"]) for row in figures["by_kind_actor"])
    counts = {row["key"]: row["counts"] for row in figures["by_kind_actor"]}
    report = report_query(figures)
    rows = tuple(
        _row(
            measure,
            label,
            columns,
            {key: counts[key][measure] for key in counts},
            {key: cell_query(report, measure, kind_actor=key) for key in counts},
        )
        for measure, label in figures["measures"]
    )
    return Table(
        key="bang-1b",
        title="Bảng 1 (tiếp). Theo loại và chủ thể",
        caption="Số mô hình, điển hình của kỳ theo từng chỉ tiêu (dòng), loại và chủ thể (cột)",
        row_header="Chỉ tiêu",
        groups=_single(*columns),
        rows=rows,
    )


def _child_values(active_by_field: dict, unclassified: dict, total: dict, fields) -> dict:
    values = {f"active-{key}": active_by_field.get(key, 0) for key, _ in fields}
    values["active-unclassified"] = (unclassified or {}).get("active", 0)
    values.update(total)
    return values


def _child_queries(report: str, fields, measures, row: int | None) -> dict:
    queries = {
        f"active-{key}": cell_query(report, "active", field=key, row=row) for key, _ in fields
    }
    queries["active-unclassified"] = cell_query(report, "active", field="", row=row)
    queries.update({measure: cell_query(report, measure, row=row) for measure in measures})
    return queries


def children_table(figures) -> Table:
    """Table 2: the direct child units (rows) by the "active" of each field and every measure of
    table 1; each row drills down to its unit's report."""
    fields = figures["fields"]
    by_field = [Column(f"active-{key}", label) for key, label in fields]
    if has_unclassified(figures):
        by_field.append(Column("active-unclassified", "Chưa chọn lĩnh vực"))
    measures = tuple(
        Column(key, CHILD_LABELS.get(key, label))
        for key, label in figures["measures"]
        if key not in COMMENDED_COLUMNS
    )
    commended = tuple(Column(key, label) for key, label in COMMENDED_COLUMNS.items())
    columns = (*by_field, *measures, *commended)
    report = report_query(figures)
    measure_keys = [key for key, _ in figures["measures"]]
    rows = tuple(
        _row(
            f"don-vi-{child['id']}",
            child["name"],
            columns,
            _child_values(
                child["counts"]["active"], child.get("unclassified"), child["total"], fields
            ),
            _child_queries(report, fields, measure_keys, child["id"]),
            unit_id=child["id"] if child.get("drill") else None,
            note=child.get("note", ""),
        )
        for child in figures["children"]
    )
    active_by_field = {key: figures["by_field"][key]["active"] for key, _ in fields}
    footer = _row(
        "cong",
        "Cộng",
        columns,
        _child_values(active_by_field, figures.get("unclassified"), figures["total"], fields),
        _child_queries(report, fields, measure_keys, None),
    )
    return Table(
        key="bang-2",
        title="Bảng 2. Theo đơn vị trực thuộc",
        caption=(
            "Số mô hình, điển hình của từng đơn vị trực thuộc: đang thực hiện theo lĩnh vực và "
            "các chỉ tiêu của kỳ; tên đơn vị dẫn đến báo cáo của đơn vị đó"
        ),
        row_header="Đơn vị",
        groups=(
            ColumnGroup(CHILD_BY_FIELD, tuple(by_field)),
            ColumnGroup("", measures),
            ColumnGroup(CHILD_COMMENDED, commended),
        ),
        rows=rows,
        footer=footer if rows else None,
        empty="Đơn vị không có đơn vị trực thuộc nào có mô hình, điển hình.",
    )


def _funnel_table(figures) -> Table:
    columns = (
        Column("current", f"Kỳ này ({figures['period']['name']})"),
        Column("previous", f"Kỳ trước ({figures['previous_period']['name']})"),
        Column("change", "Tăng (+), giảm (−)", signed=True),
    )
    report = report_query(figures)
    rows = tuple(
        _row(
            stage["key"],
            stage["label"],
            columns,
            stage,
            {
                "current": cell_query(report, stage["key"]),
                "previous": cell_query(report, stage["key"], previous=True),
            },
        )
        for stage in figures["funnel"]
    )
    return Table(
        key="bang-3",
        title="Bảng 3. Từ đăng ký đến khen thưởng, so với kỳ trước",
        caption="Số mô hình, điển hình qua từng bước trong kỳ này, kỳ trước và mức tăng, giảm",
        row_header="Bước",
        groups=_single(*columns),
        rows=rows,
    )


def _commendations_table(figures) -> Table:
    columns = tuple(Column(key, label) for key, label in ACTOR_COLUMNS)
    table = figures["commendations"]
    report = report_query(figures)

    def queries(form: str | None) -> dict:
        return {
            key: cell_query(
                report, "commendations", form=form, actor=key if key != "total" else None
            )
            for key, _ in ACTOR_COLUMNS
        }

    rows = tuple(
        _row(row["form"], row["label"], columns, row, queries(row["form"])) for row in table["rows"]
    )
    return Table(
        key="bang-4",
        title="Bảng 4. Biểu dương, khen thưởng theo hình thức",
        caption="Số lượt biểu dương, khen thưởng trong kỳ theo hình thức, tập thể và cá nhân",
        row_header="Hình thức",
        groups=_single(*columns),
        rows=rows,
        footer=_row("cong", "Cộng", columns, table["total"], queries(None)),
    )


def _indicators_table(figures) -> Table:
    columns = (Column("total", "Tổng cộng"), Column("reports", "Số báo cáo kết quả"))
    report = report_query(figures)
    rows = tuple(
        _row(
            indicator["code"],
            f"{indicator['name']} ({indicator['unit']})"
            if indicator["unit"]
            else indicator["name"],
            columns,
            indicator,
            dict.fromkeys(
                ("total", "reports"), cell_query(report, "indicator", indicator=indicator["code"])
            ),
        )
        for indicator in figures["indicators"]
    )
    return Table(
        key="bang-5",
        title="Bảng 5. Kết quả theo chỉ số",
        caption=(
            "Tổng các chỉ số kết quả (kèm đơn vị tính) của các báo cáo kết quả có kỳ kết thúc "
            "trong kỳ này"
        ),
        row_header="Chỉ số (đơn vị tính)",
        groups=_single(*columns),
        rows=rows,
        empty="Chưa có chỉ số kết quả nào.",
    )


def report_tables(figures: dict) -> list[Table]:
    """The numeric tables of the report, in page order."""
    return [
        _by_field_table(figures),
        kind_actor_table(figures),
        children_table(figures),
        _funnel_table(figures),
        _commendations_table(figures),
        _indicators_table(figures),
    ]


_ADDRESS_SENTINEL = 987654321  # an id no address holds otherwise, replaced by the real one


@dataclass
class OutstandingGroup:
    label: str
    models: list[dict] = field(default_factory=list)


def outstanding_groups(figures: dict) -> list[OutstandingGroup]:
    """Table 6: the outstanding models of the period, by field (fields without any left out),
    each with the address of its page."""
    outstanding = figures.get("outstanding") or {}
    # One reverse for the whole list: a country's 200 names reversed one by one took 18 ms.
    pattern = reverse("models_registry:model_detail", args=[_ADDRESS_SENTINEL])
    return [
        OutstandingGroup(
            label,
            [
                {**model, "url": pattern.replace(str(_ADDRESS_SENTINEL), str(model["id"]))}
                for model in outstanding[key]
            ],
        )
        for key, label in figures["fields"]
        if outstanding.get(key)
    ]


@dataclass(frozen=True)
class Heading:
    unit_id: int
    unit_name: str
    period_key: str
    period_name: str
    start: date
    end: date
    generated_at: datetime
    structure_rule: str  # how merged units are counted; "" for an old snapshot

    @property
    def structure_explained(self) -> str:
        return STRUCTURE_EXPLAINED


def report_heading(figures: dict) -> Heading:
    """The title block: unit, period, when the figures were made and by which structure."""
    period = figures["period"]
    return Heading(
        unit_id=figures["organisation"]["id"],
        unit_name=figures["organisation"]["name"],
        period_key=period.get("key", ""),
        period_name=period["name"],
        start=date.fromisoformat(period["start"]),
        end=date.fromisoformat(period["end"]),
        generated_at=datetime.fromisoformat(figures["generated_at"]),
        structure_rule=structure_rule(figures),
    )
