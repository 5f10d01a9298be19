"""The draft narrative (.docx), opened back with python-docx: the skeleton, the sentences with the
real numbers, the tables equal to the figures, and the parts left for the unit to write."""

import io
import json

import docx
import pytest
from django.core.serializers.json import DjangoJSONEncoder
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from organisations.choices import DocumentHeading
from organisations.models import Organisation
from reports.formatting import vn_number
from reports.narrative import write_narrative
from reports.periods import year_period
from reports.selectors import report_figures
from reports.tables import report_tables
from tests.reports.test_figures import registry  # noqa: F401  (the hand-counted registry)


@pytest.fixture
def figures(registry, reviewer, tree):  # noqa: F811
    return report_figures(reviewer, tree.province, year_period(2025))


def open_narrative(figures):
    buffer = io.BytesIO()
    write_narrative(figures, buffer)
    buffer.seek(0)
    return docx.Document(buffer)


@pytest.fixture
def document(figures):
    return open_narrative(figures)


def texts(document) -> list[str]:
    return [paragraph.text for paragraph in document.paragraphs]


def table_with(document, first_header: str):
    return next(t for t in document.tables if t.rows[0].cells[0].text == first_header)


def captioned(document) -> dict[str, docx.table.Table]:
    """Each table by the caption just above it ("Biểu 3. …")."""
    found, caption = {}, ""
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            text = docx.text.paragraph.Paragraph(element, document).text
            caption = text or caption
        elif element.tag == qn("w:tbl"):
            found[caption] = docx.table.Table(element, document)
    return found


def body(table) -> dict[str, list[str]]:
    return {row.cells[0].text: [cell.text for cell in row.cells[1:]] for row in table.rows[1:]}


def test_the_skeleton(document):
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "I. TÌNH HÌNH",
        "II. KẾT QUẢ",
        "III. MÔ HÌNH, ĐIỂN HÌNH TIÊU BIỂU",
        "IV. HẠN CHẾ, NGUYÊN NHÂN",
        "V. PHƯƠNG HƯỚNG, NHIỆM VỤ",
    ]
    lines = texts(document)
    assert "BÁO CÁO" in lines
    assert "Tổng kết phong trào thi đua “Dân vận khéo” năm 2025" in lines
    assert "(Từ ngày 01/01/2025 đến ngày 31/12/2025)" in lines
    # The unit under the State's heading (its default), the report's number line to fill in.
    left, right = document.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs] == ["TỈNH THÁI NGUYÊN", "Số: ……/BC-……"]
    assert [p.text for p in right.paragraphs] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "…………, ngày …… tháng …… năm 20……",
    ]


def test_a4_and_times_new_roman(document):
    section = document.sections[0]
    # Word keeps sizes in twentieths of a point: equal to the millimetre, not to the EMU.
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    assert abs(section.left_margin - Mm(30)) < Mm(0.1)
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    heading = document.styles["Heading 1"]
    assert heading.font.name == "Times New Roman"
    fonts = heading.element.rPr.rFonts
    assert fonts.get(docx.oxml.ns.qn("w:asciiTheme")) is None  # not the themed Calibri


def test_situation_and_the_by_field_sentence(document):
    lines = texts(document)
    assert (
        "Tổng số 5 mô hình, điển hình đang thực hiện trên các lĩnh vực: kinh tế 3, văn hóa – xã "
        "hội 1, quốc phòng – an ninh 1, xây dựng hệ thống chính trị 0; 1 mô hình mới được nhân "
        "rộng."
    ) in lines
    situation = next(line for line in lines if line.startswith("Trong kỳ, Tỉnh Thái Nguyên có"))
    assert "5 mô hình, điển hình “Dân vận khéo” đang thực hiện" in situation
    assert "3 mô hình, điển hình xây dựng mới và 2 mô hình, điển hình duy trì" in situation
    assert "điển hình cá nhân 1" in situation
    funnel = next(line for line in lines if line.startswith("Các đơn vị đã đăng ký"))
    assert "đăng ký 6 mô hình, điển hình (tăng 5 so với kỳ trước)" in funnel
    assert "1 tập thể và 1 cá nhân được biểu dương" in funnel
    economy = next(line for line in lines if line.startswith("– Lĩnh vực kinh tế:"))
    assert "3 mô hình, điển hình đang thực hiện (xây dựng mới 2, duy trì 1)" in economy


def test_tables_equal_the_figures(document, figures):
    measures = [key for key, _ in figures["measures"]]
    by_field = body(table_with(document, "Lĩnh vực"))
    for key, label in figures["fields"]:
        assert by_field[label] == [vn_number(figures["by_field"][key][m]) for m in measures]
    assert by_field["Tổng cộng"] == [vn_number(figures["total"][m]) for m in measures]

    funnel = body(table_with(document, "Nội dung"))
    assert funnel["Đăng ký"] == ["6", "1", "+5"]
    for stage in figures["funnel"]:
        assert funnel[stage["label"]][:2] == [str(stage["current"]), str(stage["previous"])]

    commendations = body(table_with(document, "Hình thức"))
    for row in figures["commendations"]["rows"]:
        assert commendations[row["label"]] == [
            str(row["collective"]),
            str(row["individual"]),
            str(row["total"]),
        ]
    assert commendations["Tổng cộng"] == ["1", "1", "2"]

    indicators = body(captioned(document)["Biểu 6. Kết quả nhân dân đóng góp (chỉ tiêu kết quả)"])
    for row in figures["indicators"]:
        assert indicators[row["name"]] == [
            row["unit"],
            vn_number(row["total"]),
            str(row["reports"]),
        ]
    assert indicators["Số người tham gia"][1] == "120"


def test_outstanding_listed_by_field(document):
    lines = texts(document)
    start = lines.index("III. MÔ HÌNH, ĐIỂN HÌNH TIÊU BIỂU")
    part = lines[start : lines.index("IV. HẠN CHẾ, NGUYÊN NHÂN")]
    assert part[1] == "1. Lĩnh vực kinh tế"
    assert part[2] == "Chưa có mô hình, điển hình được chọn là tiêu biểu trong kỳ."
    assert part[3] == "2. Lĩnh vực văn hóa – xã hội"
    assert part[4] == "– Mô hình (tập thể): “B” (Tổ dân phố 9)."


def test_placeholders_for_the_unit_to_write(document):
    placeholders = [
        run
        for paragraph in document.paragraphs
        for run in paragraph.runs
        if run.text.startswith("[Đơn vị bổ sung")
    ]
    assert len(placeholders) == 2
    assert all(run.font.highlight_color == WD_COLOR_INDEX.YELLOW for run in placeholders)
    lines = texts(document)
    limits = lines.index("IV. HẠN CHẾ, NGUYÊN NHÂN")
    assert lines[limits + 1].startswith("[Đơn vị bổ sung những hạn chế")
    tasks = lines.index("V. PHƯƠNG HƯỚNG, NHIỆM VỤ")
    assert lines[tasks + 1].startswith("[Đơn vị bổ sung phương hướng")


def test_large_numbers_and_snapshot_figures(figures):
    figures["total"]["active"] = 1234567
    frozen = json.loads(json.dumps(figures, cls=DjangoJSONEncoder))
    document = open_narrative(frozen)
    assert any(line.startswith("Tổng số 1.234.567 mô hình") for line in texts(document))
    indicators = body(captioned(document)["Biểu 6. Kết quả nhân dân đóng góp (chỉ tiêu kết quả)"])
    assert indicators["Số người tham gia"][1] == "120"


def test_kind_and_actor_table(document, figures):
    table = captioned(document)["Biểu 2. Mô hình, điển hình theo loại và chủ thể"]
    kinds = [row["label"] for row in figures["by_kind_actor"]]
    assert [cell.text for cell in table.rows[0].cells] == ["Chỉ tiêu", *kinds]
    rows = body(table)
    assert list(rows) == [label for _, label in figures["measures"]]
    for key, label in figures["measures"]:
        assert rows[label] == [vn_number(row["counts"][key]) for row in figures["by_kind_actor"]]
    # Hand-counted: A B C F are collective models, G an individual exemplar.
    assert rows["Đang thực hiện"] == ["4", "0", "0", "1"]
    assert rows["Cá nhân được khen"] == ["0", "0", "0", "1"]


def test_child_unit_table_equals_the_page(document, figures):
    table = captioned(document)["Biểu 3. Mô hình, điển hình theo đơn vị trực thuộc và lĩnh vực"]
    page = next(t for t in report_tables(figures) if t.key == "bang-2")
    groups = [cell.text for cell in table.rows[0].cells[1:]]
    headers = [cell.text for cell in table.rows[1].cells[1:]]
    assert groups == [
        group.label or column.label for group in page.groups for column in group.columns
    ]
    assert headers == [column.label for column in page.columns]
    assert len(headers) == 12  # four fields, six measures, collectives and individuals
    rows = {row.cells[0].text: [cell.text for cell in row.cells[1:]] for row in table.rows[2:]}
    assert list(rows) == [*(row.named for row in page.rows), "Tổng cộng"]
    for row in page.rows:
        assert rows[row.named] == [cell.text for cell in row.cells]
    child = {row["name"]: row for row in figures["children"]}["Phường Chùa Hang"]
    fields = [key for key, _ in figures["fields"]]
    assert rows["Phường Chùa Hang"] == [
        *(vn_number(child["counts"]["active"][key]) for key in fields),
        *(vn_number(child["total"][key]) for key, _ in figures["measures"]),
    ]
    assert rows["Phường Chùa Hang"] == ["2", "1", "0", "0", "3", "2", "1", "1", "1", "1", "1", "1"]
    assert rows["Tổng cộng"] == ["3", "1", "1", "0", "5", "3", "2", "1", "1", "1", "1", "1"]
    # The wide table has a landscape page of its own; the text goes on upright.
    orientations = [section.orientation for section in document.sections]
    assert orientations == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    sentence = next(line for line in texts(document) if "tổng hợp tại Biểu 3" in line)
    assert sentence.startswith("Kết quả của 3 đơn vị trực thuộc")
    assert "nhiều mô hình, điển hình đang thực hiện nhất: Phường Chùa Hang (3), " in sentence


def test_a_unit_without_children_has_no_child_table(figures):
    figures["children"] = []
    document = open_narrative(figures)
    assert not any(caption.startswith("Biểu 3.") for caption in captioned(document))
    assert "Đơn vị không có đơn vị trực thuộc nào có mô hình, điển hình." in texts(document)
    assert len(document.sections) == 1


def test_the_units_own_row_is_not_counted_as_a_child_unit(figures):
    own = {**figures["children"][0], "name": "Tỉnh Thái Nguyên (trực tiếp)", "drill": False}
    own["total"] = {**own["total"], "active": 99}
    figures["children"] = [*figures["children"], own]
    sentence = next(
        line for line in texts(open_narrative(figures)) if "tổng hợp tại Biểu 3" in line
    )
    assert sentence.startswith("Kết quả của 3 đơn vị trực thuộc")
    assert "trực tiếp" not in sentence


def heading_cells(document) -> tuple[list[str], list[str]]:
    left, right = document.tables[0].rows[0].cells
    return [p.text for p in left.paragraphs], [p.text for p in right.paragraphs]


def test_a_party_body_heads_and_numbers_its_report(registry, reviewer, tree):  # noqa: F811
    Organisation.objects.filter(pk=tree.province.pk).update(
        document_heading=DocumentHeading.PARTY,
        document_name="Ban Dân vận Tỉnh ủy",
        document_superior="Tỉnh ủy Thái Nguyên",
        document_abbreviation="BDVTU",
    )
    tree.province.refresh_from_db()
    figures = report_figures(reviewer, tree.province, year_period(2025))
    document = open_narrative(figures)
    left, right = heading_cells(document)
    assert left == ["TỈNH ỦY THÁI NGUYÊN", "BAN DÂN VẬN TỈNH ỦY", "*", "Số ……-BC/BDVTU"]
    assert right == ["ĐẢNG CỘNG SẢN VIỆT NAM", "…………, ngày …… tháng …… năm 20……"]
    party_line = document.tables[0].rows[0].cells[1].paragraphs[0].runs[0]
    assert party_line.bold and party_line.underline
    # The report is still the unit's: its name in the sentences.
    assert any("tính cho Tỉnh Thái Nguyên" in line for line in texts(document))


def test_a_state_body_numbers_its_report_with_its_abbreviation(registry, reviewer, tree):  # noqa: F811
    Organisation.objects.filter(pk=tree.province.pk).update(
        document_name="Ủy ban nhân dân tỉnh Thái Nguyên", document_abbreviation="UBND"
    )
    tree.province.refresh_from_db()
    document = open_narrative(report_figures(reviewer, tree.province, year_period(2025)))
    left, right = heading_cells(document)
    assert left == ["ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN", "Số: ……/BC-UBND"]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in right
    motto = document.tables[0].rows[0].cells[1].paragraphs[1].runs[0]
    assert motto.text == "Độc lập - Tự do - Hạnh phúc" and motto.underline


def test_a_snapshot_taken_before_the_heading_settings(figures):
    frozen = json.loads(json.dumps(figures, cls=DjangoJSONEncoder))
    del frozen["organisation"]["document"]
    left, right = heading_cells(open_narrative(frozen))
    assert left == ["TỈNH THÁI NGUYÊN", "Số: ……/BC-……"]
    assert right[0] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def footer_fields(section) -> list[str]:
    xml = section.footer._element
    return [" ".join(node.text.split()) for node in xml.iter(qn("w:instrText"))]


def test_page_numbers_in_the_footer_of_every_section(document):
    assert len(document.sections) == 3  # upright, the wide table sideways, upright again
    first = document.sections[0]
    assert first.footer.paragraphs[0].text.startswith("Trang ")
    assert footer_fields(first) == ["PAGE"]
    kinds = [node.get(qn("w:fldCharType")) for node in first.footer._element.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    for section in document.sections[1:]:
        # Later sections show the first one's footer.
        assert section.footer.is_linked_to_previous
