"""The report workbook, opened back with openpyxl: every table holds the figures, formatted to
print, and the data sheet lists the report's models with safe cells."""

import datetime
import io
import json

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder

from models_registry.choices import Status
from reports.formatting import as_number
from reports.periods import year_period
from reports.selectors import MODEL_ROW_HEADERS, report_figures, report_model_rows
from reports.tables import report_tables
from reports.workbook import DATA_SHEET, DEFINITIONS_SHEET, NUMBER_FORMAT, write_workbook
from tests.factories import DanVanModelFactory
from tests.reports.test_figures import at, registry  # noqa: F401  (the hand-counted registry)

TABLE_SHEETS = [
    "1. Lĩnh vực",
    "2. Đơn vị",
    "3. So với kỳ trước",
    "4. Khen thưởng",
    "5. Chỉ tiêu kết quả",
    "6. Tiêu biểu",
]
FIRST_DATA_ROW = 8  # five title rows, two header rows


@pytest.fixture
def formula_model(tree):
    """A model whose name a spreadsheet would run as a formula."""
    return DanVanModelFactory(
        owning_unit=tree.other_ward,
        name='=HYPERLINK("http://x","bấm")',
        code="-MH1",
        status=Status.ACCEPTED,
        submitted_at=at(1, 8, 2025),
        accepted_at=at(10, 8, 2025),
        start_date=datetime.date(2025, 8, 1),
    )


@pytest.fixture
def figures(registry, formula_model, reviewer, tree):  # noqa: F811
    return report_figures(reviewer, tree.province, year_period(2025))


@pytest.fixture
def workbook(figures, reviewer, tree):
    buffer = io.BytesIO()
    rows = report_model_rows(reviewer, tree.province, year_period(2025))
    write_workbook(figures, buffer, model_rows=rows)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def data_rows(sheet, first=6):
    """Label (column B) → the row's cells, for every row below the title block."""
    return {
        row[1].value: row
        for row in sheet.iter_rows(min_row=first)
        if row[1].value not in (None, "")
    }


def values(cells):
    return [cell.value for cell in cells[2:]]


def test_sheets_and_title_block(vietnam_clock, workbook):
    assert workbook.sheetnames == [*TABLE_SHEETS, DEFINITIONS_SHEET, DATA_SHEET]
    today = vietnam_clock.date()
    for name in TABLE_SHEETS:
        sheet = workbook[name]
        assert sheet["A1"].value == "Tỉnh Thái Nguyên"
        assert "TỔNG KẾT PHONG TRÀO THI ĐUA" in sheet["A2"].value
        assert sheet["A3"].value == (
            "Kỳ báo cáo: Năm 2025 (01/01/2025 – 31/12/2025), theo cơ cấu tổ chức tại 31/12/2025"
        )
        assert sheet["A4"].value == f"Ngày lập: {today:%d/%m/%Y}"
        assert sheet["A5"].value.startswith("Biểu ")
        merged = {str(cells) for cells in sheet.merged_cells.ranges}
        assert f"A1:{openpyxl.utils.get_column_letter(sheet.max_column)}1" in merged


def test_by_field_table(workbook, figures):
    sheet = workbook["1. Lĩnh vực"]
    measures = [key for key, _ in figures["measures"]]
    assert [sheet.cell(7, column).value for column in range(3, 11)] == [
        label for _, label in figures["measures"]
    ]
    assert sheet["C6"].value == "Mô hình, điển hình"
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    assert {"A6:A7", "B6:B7", "C6:F6", "G6:H6", "I6:J6"} <= merged
    rows = data_rows(sheet)
    for key, label in figures["fields"]:
        assert values(rows[label]) == [figures["by_field"][key][m] for m in measures], label
    total = rows["Tổng cộng"]
    assert values(total) == [figures["total"][m] for m in measures]
    assert all(cell.font.b for cell in total)
    for row in figures["by_kind_actor"]:
        assert values(rows[row["label"]]) == [row["counts"][m] for m in measures]
    assert values(rows["Mô hình (tập thể)"])[0] == 5  # A B C F and the "=…" model


def test_numbers_are_numbers_with_grouping(workbook):
    sheet = workbook["1. Lĩnh vực"]
    cell = data_rows(sheet)["Tổng cộng"][2]
    assert cell.data_type == "n" and isinstance(cell.value, int)
    assert cell.number_format == NUMBER_FORMAT
    indicators = workbook["5. Chỉ tiêu kết quả"]
    participants = data_rows(indicators)["Số người tham gia"]
    assert participants[3].data_type == "n" and participants[3].value == 120
    assert participants[3].number_format == NUMBER_FORMAT
    funnel = workbook["3. So với kỳ trước"]
    change = data_rows(funnel)["Đăng ký"][4]
    assert change.value == 6 and change.number_format.startswith("+#,##0")


CHILD_COLUMNS = [  # (group, header) of every number column of table 2, as the page has them
    ("Đang thực hiện theo lĩnh vực", "Kinh tế"),
    ("Đang thực hiện theo lĩnh vực", "Văn hóa – xã hội"),
    ("Đang thực hiện theo lĩnh vực", "Quốc phòng – an ninh"),
    ("Đang thực hiện theo lĩnh vực", "Xây dựng hệ thống chính trị"),
    ("", "Tổng số đang thực hiện"),
    ("", "Xây dựng mới"),
    ("", "Duy trì"),
    ("", "Nhân rộng"),
    ("", "Được công nhận"),
    ("", "Tiêu biểu"),
    ("Được biểu dương, khen thưởng", "Tập thể"),
    ("Được biểu dương, khen thưởng", "Cá nhân"),
]


def sheet_headers(sheet) -> list[tuple[str, str]]:
    """(group, header) of each number column of a two-row header (a lone header: group "")."""
    found, group = [], ""
    for column in range(3, sheet.max_column + 1):
        top, bottom = sheet.cell(6, column).value, sheet.cell(7, column).value
        if bottom is None:
            found.append(("", top))
            group = ""
        else:
            group = top if top is not None else group
            found.append((group, bottom))
    return found


def test_children_table(workbook, figures):
    sheet = workbook["2. Đơn vị"]
    table = next(t for t in report_tables(figures) if t.key == "bang-2")
    page_headers = [(g.label, c.label) for g in table.groups for c in g.columns]
    assert sheet_headers(sheet) == page_headers == CHILD_COLUMNS
    rows = data_rows(sheet, first=FIRST_DATA_ROW)
    assert list(rows) == [*(row.named for row in table.rows), "Tổng cộng"]
    for row in table.rows:
        assert values(rows[row.named]) == [cell.value for cell in row.cells], row.label
    assert values(rows["Tổng cộng"]) == [cell.value for cell in table.footer.cells]
    # Hand-counted: Phường Chùa Hang has A B G (B in culture), A G new, B maintained, G
    # replicated, B recognised and outstanding, B and G commended.
    assert values(rows["Phường Chùa Hang"]) == [2, 1, 0, 0, 3, 2, 1, 1, 1, 1, 1, 1]
    assert values(rows["Tỉnh Bắc Kạn (cũ) (sáp nhập vào)"]) == [1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]
    assert values(rows["Tổng cộng"]) == [4, 1, 1, 0, 6, 4, 2, 1, 1, 1, 1, 1]
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    assert {"C6:F6", "G6:G7", "L6:L7", "M6:N6"} <= merged


def test_children_table_with_unclassified_models(figures):
    figures = json.loads(json.dumps(figures, cls=DjangoJSONEncoder))
    figures["unclassified"]["active"] = 2
    figures["children"][0]["unclassified"] = {"active": 2}
    buffer = io.BytesIO()
    write_workbook(figures, buffer)
    buffer.seek(0)
    sheet = openpyxl.load_workbook(buffer)["2. Đơn vị"]
    assert sheet_headers(sheet)[4] == ("Đang thực hiện theo lĩnh vực", "Chưa chọn lĩnh vực")
    first = figures["children"][0]
    assert values(data_rows(sheet)[first["name"]])[4] == 2


def test_funnel_commendations_indicators_outstanding(workbook, figures):
    funnel = data_rows(workbook["3. So với kỳ trước"])
    for stage in figures["funnel"]:
        assert values(funnel[stage["label"]]) == [
            stage["current"],
            stage["previous"],
            stage["change"],
        ]
    commendations = data_rows(workbook["4. Khen thưởng"])
    for row in figures["commendations"]["rows"]:
        assert values(commendations[row["label"]]) == [
            row["collective"],
            row["individual"],
            row["total"],
        ]
    assert values(commendations["Tổng cộng"]) == [1, 1, 2]
    indicators = data_rows(workbook["5. Chỉ tiêu kết quả"])
    for row in figures["indicators"]:
        unit, total, reports = values(indicators[row["name"]])
        assert (unit, total, reports) == (row["unit"], as_number(row["total"]), row["reports"])
    outstanding = workbook["6. Tiêu biểu"]
    texts = list(outstanding.iter_rows(min_row=7, values_only=True))  # one header row
    assert texts[0][0] == "Lĩnh vực kinh tế"
    assert texts[1][0] == "Không có mô hình, điển hình tiêu biểu trong kỳ."
    assert texts[2][0] == "Lĩnh vực văn hóa – xã hội"
    assert texts[3] == (1, "B", "Mô hình (tập thể)", None, "Tổ dân phố 9")


def test_print_setup_and_frozen_panes(workbook):
    for name in TABLE_SHEETS:
        sheet = workbook[name]
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows in ("$6:$7", "$6:$6")
        # A page that came loose from the pile says which table and which page it is.
        assert sheet.oddFooter.center.text == f"{name} – Trang &P / &N"
    assert workbook["1. Lĩnh vực"].freeze_panes == "C8"
    assert workbook["2. Đơn vị"].freeze_panes == "C8"
    assert workbook["5. Chỉ tiêu kết quả"].freeze_panes == "D7"  # one header row
    assert workbook["6. Tiêu biểu"].freeze_panes == "A7"  # text only: the header rows
    assert workbook[DATA_SHEET].freeze_panes == "C2"
    assert workbook[DATA_SHEET].print_title_rows == "$1:$1"
    assert workbook[DATA_SHEET].oddFooter.center.text == f"{DATA_SHEET} – Trang &P / &N"


def test_data_sheet_lists_the_reports_models_with_safe_cells(workbook):
    sheet = workbook[DATA_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == MODEL_ROW_HEADERS
    by_name = {row[1]: row for row in rows[1:]}
    # Active in 2025 (A B C F G, the "=…" one) or sent for review in it (D I J); not E, not H.
    assert set(by_name) == {
        "A",
        "B",
        "C",
        "D",
        "F",
        "G",
        "I",
        "J",
        """'=HYPERLINK("http://x","bấm")""",
    }
    g = by_name["G"]
    assert g[2:7] == ("Điển hình", "Cá nhân", "Nông Văn Hạnh", "Kinh tế", "Phường Chùa Hang")
    assert g[8] == "Đã duyệt đăng ký" and g[11] == "Không"
    assert g[9] == datetime.datetime(2025, 4, 1)
    b = by_name["B"]
    assert b[10] == datetime.datetime(2025, 6, 1) and b[11] == "Có"
    c = by_name["C"]
    assert c[9] == datetime.datetime(2025, 12, 31)  # 23:30 Vietnam time stays on the 31st
    formula = by_name["""'=HYPERLINK("http://x","bấm")"""]
    assert formula[0] == "'-MH1"
    date_cell = next(sheet.iter_rows(min_row=2, max_row=2))[9]
    assert date_cell.number_format == "dd/mm/yyyy"
    assert sheet.auto_filter.ref == f"A1:M{len(rows)}"


def test_figures_read_back_from_a_snapshot_write_the_same_tables(figures):
    frozen = json.loads(json.dumps(figures, cls=DjangoJSONEncoder))
    assert isinstance(next(r for r in frozen["indicators"] if r["reports"])["total"], str)
    buffer = io.BytesIO()
    write_workbook(frozen, buffer)
    buffer.seek(0)
    workbook = openpyxl.load_workbook(buffer)
    cell = data_rows(workbook["5. Chỉ tiêu kết quả"])["Số người tham gia"][3]
    assert cell.data_type == "n" and cell.value == 120
    assert workbook[DATA_SHEET].max_row == 1  # headers only


def test_progress_every_five_thousand_rows(figures):
    told = []
    row = ("MH", "Tên", "Mô hình", "Tập thể", "", "Kinh tế", "Phường", None, "Nháp")
    rows = (row + (None, None, "Không", "") for _ in range(10_001))
    write_workbook(figures, io.BytesIO(), model_rows=rows, progress=told.append)
    assert told == [5000, 10_000]


def test_model_rows_refuse_a_unit_outside_the_scope(other_reviewer, tree):
    with pytest.raises(PermissionDenied):
        report_model_rows(other_reviewer, tree.province, year_period(2025))
