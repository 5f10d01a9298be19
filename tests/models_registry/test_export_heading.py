"""The list's Excel file opens on a sheet that says what it holds (the exporting unit, the title,
every condition of the list in words, the count, who exported it and when), both sheets print on
A4, and the data sheet stays the import's."""

import io
from datetime import date

import openpyxl
import pytest

from models_registry.choices import Status
from models_registry.exports import EXPORT_TITLE, INFO_SHEET, export_headers
from models_registry.models import ExportJob, Theme
from models_registry.resources import SHEET_TITLE
from tests.factories import DanVanModelFactory, user_with_role

EXPORT = "/mo-hinh/xuat/"
HOSTILE = '=HYPERLINK("http://x","bấm")'


@pytest.fixture
def listed(tree):
    theme, _ = Theme.objects.get_or_create(name="Bảo vệ môi trường")
    return [
        DanVanModelFactory(
            owning_unit=tree.residential,
            name="Khu dân cư không rác",
            field="culture_society",
            status=Status.RECOGNISED,
            start_date=date(2025, 3, 1),
            themes=[theme],
        ),
        DanVanModelFactory(
            owning_unit=tree.ward,
            name="Khu dân cư tự quản",
            field="culture_society",
            status=Status.RECOGNISED,
            start_date=date(2024, 5, 1),  # before the range asked for
        ),
        DanVanModelFactory(
            owning_unit=tree.ward,
            name="Khu dân cư kinh tế",
            field="economy",
            status=Status.RECOGNISED,
            start_date=date(2025, 3, 1),
        ),
    ]


def workbook_of(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def lines(sheet) -> list[tuple]:
    """The first sheet's rows, each as its values without the empty cells at the end."""
    rows = []
    for values in sheet.iter_rows(values_only=True):
        values = list(values)
        while values and values[-1] is None:
            values.pop()
        rows.append(tuple(values))
    return rows


def pairs(sheet) -> dict:
    """The label → value rows of the first sheet."""
    return {row[0]: row[1] for row in lines(sheet) if len(row) == 2}


def test_the_first_sheet_says_what_the_file_holds(client_for, tree, listed, vietnam_clock):
    reviewer = user_with_role(
        tree.province, "reviewer", username="thamdinh", first_name="Nguyễn Văn An"
    )
    theme = Theme.objects.get(name="Bảo vệ môi trường")
    query = {
        "format": "xlsx",
        "q": "khu dan cu",
        "field": "culture_society",
        "status": Status.RECOGNISED,
        "themes": theme.pk,
        "unit": tree.ward.pk,
        "start_from": "01/01/2025",
        "start_to": "31/12/2025",
        "sort": "name",
        "page": "2",
    }
    workbook = workbook_of(client_for(reviewer).get(EXPORT, query))
    assert workbook.sheetnames == [INFO_SHEET, SHEET_TITLE]
    assert workbook.active.title == INFO_SHEET  # the file opens on it
    info = workbook[INFO_SHEET]
    rows = lines(info)
    when = f"{vietnam_clock:%d/%m/%Y} lúc {vietnam_clock:%H:%M}"
    assert rows[:5] == [
        ("Tỉnh Thái Nguyên",),  # the reviewer's unit, not the former province merged into it
        (EXPORT_TITLE.upper(),),
        (f"Xuất ngày {when}",),
        (),
        ("Điều kiện lọc",),
    ]
    # Every condition in words, in the order of the list's filters; the page is none.
    assert rows[5:12] == [
        ("Tìm kiếm", "khu dan cu"),
        ("Lĩnh vực", "Văn hóa – xã hội"),
        ("Trạng thái", "Đã công nhận"),
        ("Chủ đề", "Bảo vệ môi trường"),
        ("Đơn vị (gồm cả đơn vị trực thuộc)", "Phường Chùa Hang"),
        ("Ngày bắt đầu", "từ 01/01/2025 đến 31/12/2025"),
        ("Sắp xếp", "Tên (A–Z)"),
    ]
    described = pairs(info)
    assert described["Số mô hình, điển hình"] == 1  # the rows written
    assert info.cell(row=rows.index(("Số mô hình, điển hình", 1)) + 1, column=2).number_format == (
        "#,##0"
    )
    assert described["Người xuất"] == "Nguyễn Văn An"
    assert described["Thời điểm xuất"] == f"{when} (giờ Việt Nam)"
    assert f"“{SHEET_TITLE}”" in described["Dữ liệu"]
    assert "A1:B1" in info.merged_cells and "A2:B2" in info.merged_cells

    # The data sheet is the import's: its header row as before, the rows of the filter.
    data = list(workbook[SHEET_TITLE].iter_rows(values_only=True))
    assert list(data[0]) == export_headers()
    assert [row[3] for row in data[1:]] == ["Khu dân cư không rác"]


def test_a_list_without_conditions_says_so_and_invalid_ones_are_named(
    client_for, listed, cadre, superuser
):
    # A superuser who is a member of no unit exports for the whole country.
    workbook = workbook_of(client_for(superuser).get(EXPORT, {"format": "xlsx"}))
    assert lines(workbook[INFO_SHEET])[0] == ("Toàn quốc",)
    workbook = workbook_of(client_for(cadre).get(EXPORT, {"format": "xlsx"}))
    info = workbook[INFO_SHEET]
    assert lines(info)[0] == ("Phường Chùa Hang",)  # the cadre's unit
    described = pairs(info)
    assert described["Không lọc"] == "Mọi mô hình, điển hình trong phạm vi của người xuất"
    assert described["Sắp xếp"] == "Ngày bắt đầu (mới nhất)"
    assert described["Số mô hình, điển hình"] == 3
    assert "Bỏ qua (không hợp lệ)" not in described

    workbook = workbook_of(
        client_for(cadre).get(EXPORT, {"format": "xlsx", "year": "abc", "start_to": "31/12/2024"})
    )
    described = pairs(workbook[INFO_SHEET])
    assert described["Bỏ qua (không hợp lệ)"] == "Năm bắt đầu"
    assert described["Ngày bắt đầu"] == "đến 31/12/2024"
    assert "Không lọc" not in described
    assert described["Số mô hình, điển hình"] == 1


def test_both_sheets_are_set_up_for_a4(client_for, listed, cadre):
    workbook = workbook_of(client_for(cadre).get(EXPORT, {"format": "xlsx"}))
    info, data = workbook[INFO_SHEET], workbook[SHEET_TITLE]
    for sheet, orientation in ((info, "portrait"), (data, "landscape")):
        assert sheet.page_setup.orientation == orientation
        assert sheet.page_setup.paperSize == 9  # A4
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_margins.left == 0.4 and sheet.page_margins.top == 0.6
        assert sheet.oddFooter.center.text == "Trang &P / &N"
    # The data's header row on every page, the title above it.
    assert data.print_title_rows == "$1:$1"
    assert data.oddHeader.center.text == EXPORT_TITLE
    assert data.freeze_panes == "B2"


def test_a_hostile_condition_is_shown_never_run(client_for, tree, listed, cadre):
    theme = Theme.objects.create(name="@SUM(1+1)*cmd")
    workbook = workbook_of(
        client_for(cadre).get(EXPORT, {"format": "xlsx", "q": HOSTILE, "themes": theme.pk})
    )
    info = workbook[INFO_SHEET]
    described = pairs(info)
    assert described["Tìm kiếm"] == "'" + HOSTILE
    assert described["Chủ đề"] == "'@SUM(1+1)*cmd"
    cells = [cell for row in info.iter_rows() for cell in row if cell.value is not None]
    assert not any(cell.data_type == "f" for cell in cells)
    assert not any(
        isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@"))
        for cell in cells
    )


def test_the_background_export_has_the_same_first_sheet(tree, listed, cadre):
    from models_registry.tasks import export_models

    cadre.first_name = ""  # an account without a name: its user name
    cadre.save()
    job = ExportJob.objects.create(requested_by=cadre, query="field=economy", format="xlsx")
    export_models.call(str(job.pk))
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()))
    assert workbook.sheetnames == [INFO_SHEET, SHEET_TITLE]
    described = pairs(workbook[INFO_SHEET])
    assert described["Lĩnh vực"] == "Kinh tế"
    assert described["Số mô hình, điển hình"] == job.total_rows == 1
    assert described["Người xuất"] == "canbo"
    data = list(workbook[SHEET_TITLE].iter_rows(values_only=True))
    assert [row[3] for row in data[1:]] == ["Khu dân cư kinh tế"]
