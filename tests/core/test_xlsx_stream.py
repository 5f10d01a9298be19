"""Rows written as XML into a write-only sheet read back with openpyxl exactly as appended ones."""

from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from zipfile import ZipFile

import pytest
from lxml import etree
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.xlsx_stream import BATCH_ROWS, ROWS_MARKER, write_rows


def _written(rows, **options):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Dữ liệu")
    sheet.column_dimensions["B"].width = 40
    sheet.freeze_panes = "A2"
    header = WriteOnlyCell(sheet, value="Tên mô hình")
    header.font = Font(bold=True)
    count = write_rows(sheet, [[header, "Kinh phí (đồng)", "Ngày"], *rows], **options)
    sheet.auto_filter.ref = f"A1:C{count}"
    out = BytesIO()
    workbook.save(out)
    out.seek(0)
    return count, load_workbook(out)["Dữ liệu"]


def test_values_keep_their_types_formats_and_the_sheet_settings():
    rows = [
        ["Nuôi Dê", 150_000_000, date(2025, 10, 15)],
        ["  Góc xanh", Decimal("1234.5"), datetime(2025, 11, 18, 1, 30, tzinfo=UTC)],
        ["Tổ <liên gia> & PCCC", 0, None],
        [None, True, ""],
    ]
    count, sheet = _written(rows, formats={1: "#,##0"})
    assert count == 5
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Tên mô hình", "Kinh phí (đồng)", "Ngày"]
    assert values[1] == ["Nuôi Dê", 150_000_000, datetime(2025, 10, 15)]
    # An aware moment is written in Vietnam time (UTC+7), as the portal shows it.
    assert values[2] == ["  Góc xanh", 1234.5, datetime(2025, 11, 18, 8, 30)]
    assert values[3] == ["Tổ <liên gia> & PCCC", 0, None]
    assert values[4] == [None, True, None]
    assert sheet["A1"].font.bold
    assert sheet["B2"].number_format == "#,##0"
    assert sheet["C2"].number_format == "dd/mm/yyyy"
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 40
    assert sheet.auto_filter.ref == "A1:C5"


def test_text_is_neutralised_and_cleaned():
    _, sheet = _written(
        [['=HYPERLINK("http://x")', "+1", "@SUM(A1)"], ["Dòng 1\x0bdòng 2", "-", "a\x01b"]]
    )
    assert [cell.value for cell in sheet[2]] == ['\'=HYPERLINK("http://x")', "'+1", "'@SUM(A1)"]
    assert [cell.value for cell in sheet[3]] == [
        "Dòng 1\ndòng 2",
        "'-",
        "a\N{REPLACEMENT CHARACTER}b",
    ]


def test_what_xml_or_a_workbook_cannot_hold_never_breaks_the_file():
    rows = [
        ["Dòng 1\r\ndòng 2", float("nan"), Decimal("Infinity")],
        ["U+FFFF: \uffff, U+FFFE: \ufffe", float("-inf"), Decimal("1E+400")],
    ]
    _, sheet = _written(rows)
    assert [cell.value for cell in sheet[2]] == ["Dòng 1\r\ndòng 2", None, None]
    replaced = "U+FFFF: \N{REPLACEMENT CHARACTER}, U+FFFE: \N{REPLACEMENT CHARACTER}"
    assert [cell.value for cell in sheet[3]] == [replaced, None, None]


def test_many_rows_across_batches_and_progress():
    told = []
    rows = [[f"Mô hình {n}", n, date(2020, 1, 1)] for n in range(BATCH_ROWS * 3 + 7)]
    count, sheet = _written(rows, progress=told.append, progress_every=250)
    assert count == len(rows) + 1
    assert sheet.max_row == len(rows) + 1
    assert sheet.cell(row=len(rows) + 1, column=1).value == f"Mô hình {len(rows) - 1}"
    assert told == [250, 500]


def test_a_sheet_with_rows_already_appended_is_refused():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["đã có"])
    with pytest.raises(ValueError):
        write_rows(sheet, [["mới"]])
    workbook.save(BytesIO())  # what was appended is still written


def test_the_rows_take_the_place_of_the_marker_in_a_well_formed_sheet():
    """The rows are spliced into openpyxl's sheet as they were written, never parsed on the way:
    the sheet must still be well-formed XML, with the marker gone, whatever a cell holds."""
    typed = "Ghi chú <!--danvan-rows--> ]]> & \"trích dẫn\" 'đơn'"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Dữ liệu")
    write_rows(sheet, [[typed, 1], ["Dòng sau", 2]])
    sheet.merged_cells.add("D1:E1")
    out = BytesIO()
    workbook.save(out)
    with ZipFile(out) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    assert ROWS_MARKER not in xml
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False))
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    assert len(root.find(f"{main}sheetData")) == 2
    assert root.find(f"{main}mergeCells") is not None  # openpyxl's tail follows the rows
    out.seek(0)
    read = load_workbook(out)["Dữ liệu"]
    assert [[cell.value for cell in row] for row in read.iter_rows(max_col=2)] == [
        [typed, 1],
        ["Dòng sau", 2],
    ]
