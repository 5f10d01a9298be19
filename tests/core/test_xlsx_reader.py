"""The streamed sheet reader gives what openpyxl gives (``data_only``), and trusts nothing."""

import io
import zipfile
from datetime import date, datetime, time, timedelta

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from core.spreadsheets import SpreadsheetError, read_xlsx
from core.xlsx_reader import UncomputedFormula, UnsafeWorkbook, read_sheet


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ours(data: bytes, sheet: str | None = None):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        title, rows = read_sheet(archive, sheet)
        return title, [trimmed(row) for row in rows]


def openpyxls(data: bytes, sheet: str | None = None):
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    worksheet = workbook[sheet] if sheet else workbook.active
    return worksheet.title, [trimmed(row) for row in worksheet.iter_rows(values_only=True)]


def trimmed(row) -> list:
    values = list(row)
    while values and values[-1] is None:
        values.pop()
    return values


@pytest.fixture
def varied() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Mô hình"
    sheet.append(["Tên", "Ngày", "Số", "Tiền", "Có", "Giờ", "Thời lượng"])
    sheet.append(
        [
            "Trồng bí xanh",
            date(2025, 3, 1),
            12,
            150_000_000.5,
            True,
            time(8, 30),
            timedelta(hours=30),
        ]
    )
    rich = CellRichText("Nuôi ", TextBlock(InlineFont(b=True), "Dê"))
    sheet.append([rich, datetime(2024, 1, 2, 3, 4, 5), -3, 1e20, False])
    sheet["B2"].number_format = "dd/mm/yyyy"
    sheet.cell(row=5, column=3, value="sau một dòng trống")  # row 4 is not in the file
    sheet.cell(row=7, column=10, value="cột J")
    other = workbook.create_sheet("Khác")
    other.append(["trang khác", 7])
    return workbook_bytes(workbook)


def test_values_are_those_openpyxl_reads(varied):
    assert ours(varied) == openpyxls(varied)
    title, rows = ours(varied)
    assert title == "Mô hình"
    assert rows[1][:5] == ["Trồng bí xanh", datetime(2025, 3, 1), 12, 150_000_000.5, True]
    assert rows[2][0] == "Nuôi Dê"  # rich text runs joined
    assert rows[3] == [] and rows[4] == [None, None, "sau một dòng trống"]
    assert rows[5] == [] and rows[6][9] == "cột J"


def test_a_formula_without_its_result_is_told_apart_from_an_empty_cell():
    workbook = openpyxl.Workbook()  # openpyxl saves formulas without their results
    workbook.active.append(["Tên", "=1+1", '=""'])
    title, rows = ours(workbook_bytes(workbook))
    assert rows == [["Tên", "=1+1", '=""']]
    assert all(isinstance(value, UncomputedFormula) for value in rows[0][1:])
    assert openpyxls(workbook_bytes(workbook))[1] == [["Tên"]]  # where openpyxl sees nothing


def test_a_formula_with_its_result_gives_the_result():
    cells = (
        '<c r="A1" t="str"><f>""</f><v></v></c>'  # an empty text result, as Excel caches it
        '<c r="B1"><f>1+1</f><v>2</v></c><c r="C1" t="str"><f>"a"</f><v>a</v></c>'
        '<c r="D1"><f t="shared" si="0"/></c>'  # a shared formula's cell with no result
    )
    data = replaced_part(
        excel_like_workbook(),
        "xl/worksheets/sheet1.xml",
        lambda content: content.replace(
            b'<row r="4">', f'<row r="3">{cells}</row><row r="4">'.encode()
        ),
    )
    row = ours(data)[1][2]
    assert row == [None, 2, "a", "="] and isinstance(row[3], UncomputedFormula)


def test_a_named_sheet_or_the_one_the_workbook_opens_on(varied):
    assert ours(varied, "Khác") == ("Khác", [["trang khác", 7]]) == openpyxls(varied, "Khác")
    assert ours(varied, "Không có")[0] == "Mô hình"
    workbook = openpyxl.load_workbook(io.BytesIO(varied))
    workbook.active = 1
    assert ours(workbook_bytes(workbook))[0] == "Khác"


def test_inline_strings_and_the_1904_calendar():
    workbook = openpyxl.Workbook(write_only=True)
    workbook.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    sheet = workbook.create_sheet("Trang 1")
    sheet.append(["Ngày bắt đầu", "Tên"])
    sheet.append([date(2023, 3, 1), "Hòm thư góp ý 217 - 218"])
    data = workbook_bytes(workbook)
    assert ours(data) == openpyxls(data)
    assert ours(data)[1][1] == [datetime(2023, 3, 1), "Hòm thư góp ý 217 - 218"]


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
PARTS_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
KIND = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def excel_like_workbook() -> bytes:
    """A workbook as Excel writes it: shared strings (with rich runs and phonetic guides),
    custom and built-in date formats, booleans, errors and a formula's cached text."""
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{PARTS_NS}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{TYPE}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{TYPE}.sharedStrings+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{TYPE}.styles+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{PACKAGE_NS}"><Relationship Id="rId1" '
        f'Type="{KIND}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN_NS}" xmlns:r="{RELATIONS_NS}"><workbookPr/>'
        '<sheets><sheet name="Trang 1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PACKAGE_NS}">'
        f'<Relationship Id="rId1" Type="{KIND}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{KIND}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{KIND}/styles" Target="/xl/styles.xml"/>'
        "</Relationships>",
        "xl/styles.xml": f'<styleSheet xmlns="{MAIN_NS}"><numFmts count="1">'
        '<numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><cellXfs count="3">'
        '<xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs></styleSheet>',
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN_NS}"><si><t>Tên</t></si>'
        '<si><r><t xml:space="preserve">Nuôi </t></r><r><rPr><b/></rPr><t>Dê</t></r></si>'
        '<si><t>Hiến đất</t><rPh sb="0" eb="1"><t>phiên âm</t></rPh></si></sst>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN_NS}"><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" s="1"><v>45000</v></c>'
        '<c r="C2" s="2"><v>45001.5</v></c><c r="D2" t="b"><v>1</v></c>'
        '<c r="E2" t="e"><v>#N/A</v></c><c r="F2" t="str"><f>A2&amp;""</f><v>Hiến đất</v></c>'
        '<c r="G2"><v>1.5E3</v></c><c r="H2"><v>150000000</v></c></row>'
        '<row r="4"><c r="B4" t="s"><v>0</v></c></row></sheetData></worksheet>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + text)
    return buffer.getvalue()


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")
def test_shared_strings_and_date_formats_as_excel_writes_them():
    data = excel_like_workbook()
    assert ours(data) == openpyxls(data)
    assert ours(data) == (
        "Trang 1",
        [
            ["Tên", "Nuôi Dê"],
            [
                "Hiến đất",
                datetime(2023, 3, 15),
                datetime(2023, 3, 16, 12),
                True,
                "#N/A",
                "Hiến đất",
                1500.0,
                150_000_000,
            ],
            [],
            [None, "Tên"],
        ],
    )


def replaced_part(data: bytes, name: str, change) -> bytes:
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as original, zipfile.ZipFile(rebuilt, "w") as copy:
        for entry in original.infolist():
            content = original.read(entry.filename)
            copy.writestr(entry, change(content) if entry.filename == name else content)
    return rebuilt.getvalue()


LAUGHS = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'


@pytest.mark.parametrize(
    "part", ["xl/workbook.xml", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"]
)
def test_a_part_declaring_a_document_type_is_refused(part):
    def with_doctype(content: bytes) -> bytes:
        declaration_end = content.index(b"?>") + 2 if content.startswith(b"<?xml") else 0
        return content[:declaration_end] + LAUGHS + content[declaration_end:]

    data = replaced_part(excel_like_workbook(), part, with_doctype)
    with pytest.raises(UnsafeWorkbook):
        ours(data)
    with pytest.raises(SpreadsheetError, match="DOCTYPE"):
        read_xlsx(data)


def test_broken_sheet_xml_is_a_clear_error(varied):
    data = replaced_part(varied, "xl/worksheets/sheet1.xml", lambda content: content[:-40])
    with pytest.raises(SpreadsheetError, match="Không đọc được nội dung trang tính"):
        read_xlsx(data)


def test_a_workbook_without_its_sheet_part_is_a_clear_error(varied):
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(varied)) as original, zipfile.ZipFile(rebuilt, "w") as copy:
        for entry in original.infolist():
            if entry.filename != "xl/worksheets/sheet1.xml":
                copy.writestr(entry, original.read(entry.filename))
    with pytest.raises(SpreadsheetError, match="tệp bị hỏng"):
        read_xlsx(rebuilt.getvalue())
