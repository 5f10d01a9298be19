"""The draft narrative report (.docx): the usual sơ kết / tổng kết skeleton with the figures.

The figures fill the parts a portal can know (the situation, the results by field, the tables,
the outstanding models); the assessment — shortcomings, their causes, the way forward — is the
cadre's to write, so those parts are marked placeholders ("[Đơn vị bổ sung …]", highlighted).
The layout follows Vietnamese administrative documents: A4, Times New Roman 14 for the text and
13 in tables, margins 20/20/30/15 mm, the page number in the footer, the issuing body's heading
by its convention with the report's number line (``organisations.letterhead``). Every number
of the tables links to the portal's list of the records it counts (``reports.links``).
"""

from __future__ import annotations

from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from core.documents import TABLE_SIZE, TEXT_SIZE, TEXT_WIDTH, new_document, page_number_footer
from core.documents import clean as _clean
from organisations.letterhead import IssuingBody, letterhead, number_line
from reports.formatting import (
    STRUCTURE_EXPLAINED,
    TABLE_TITLES,
    UNCLASSIFIED,
    as_number,
    created_on,
    field_labels,
    field_rows,
    has_unclassified,
    kind_actor_label,
    lower_first,
    measure_labels,
    report_subject,
    structure_rule,
    vn_date,
    vn_number,
)
from reports.links import absolute_records_url, cell_query, report_query
from reports.selectors import OUTSTANDING_LISTED
from reports.tables import Table, children_table, kind_actor_table

LANDSCAPE_WIDTH = Mm(252)  # the same margins on A4 turned sideways
WIDE_TABLE_SIZE = Pt(10)  # table 2 has a column per field and per measure
PLACEHOLDER_LIMITS = (
    "[Đơn vị bổ sung những hạn chế, tồn tại trong triển khai phong trào thi đua “Dân vận khéo” "
    "trong kỳ và nguyên nhân (khách quan, chủ quan) …]"
)
PLACEHOLDER_TASKS = (
    "[Đơn vị bổ sung phương hướng, nhiệm vụ, giải pháp trọng tâm trong thời gian tới và các đề "
    "xuất, kiến nghị …]"
)


def _new_document():
    return new_document(text_size=TEXT_SIZE)


def _paragraph(document, text: str = "", *, bold=False, italic=False, centred=False, indent=True):
    paragraph = document.add_paragraph()
    layout = paragraph.paragraph_format
    layout.space_after = Pt(6)
    layout.line_spacing = 1.15
    if centred:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            layout.first_line_indent = Cm(1)
    if text:
        run = paragraph.add_run(_clean(text))
        run.bold, run.italic = bold, italic
    return paragraph


def _lead_paragraph(document, lead: str, text: str):
    """A paragraph opening with a bold lead ("Lĩnh vực kinh tế:")."""
    paragraph = _paragraph(document)
    paragraph.add_run(_clean(lead)).bold = True
    paragraph.add_run(" " + _clean(text))
    return paragraph


def _placeholder(document, text: str):
    paragraph = _paragraph(document)
    run = paragraph.add_run(text)
    run.italic = True
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return paragraph


def _linked_number(cell, text, query: str, *, bold=False, size=None):
    """A number right-aligned in ``cell``, a link to its list of records when it has one."""
    _cell_text(cell, text, bold=bold, align=WD_ALIGN_PARAGRAPH.RIGHT, size=size)
    if not query:
        return
    paragraph = cell.paragraphs[0]
    link = OxmlElement("w:hyperlink")
    link.set(
        qn("r:id"),
        paragraph.part.relate_to(
            absolute_records_url(query), RELATIONSHIP_TYPE.HYPERLINK, is_external=True
        ),
    )
    for run in paragraph.runs:
        run.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
        run.font.underline = True
        link.append(run._r)  # moved into the link
    paragraph._p.append(link)


def _cell_text(cell, text, *, bold=False, italic=False, align=WD_ALIGN_PARAGRAPH.LEFT, size=None):
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    for number, line in enumerate(_clean(text).split("\n")):
        if number:
            paragraph = cell.add_paragraph()
            paragraph.alignment = align
            paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(line)
        run.bold, run.italic = bold, italic
        run.font.size = size or TABLE_SIZE


def _repeat_as_header(row) -> None:
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _table(
    document,
    number: int,
    title: str,
    headers: list[str],
    rows: list[list],
    *,
    total=None,
    first=55,
    text_columns=1,
    signed=(),
    links=None,
    total_links=None,
):
    """A captioned grid: ``text_columns`` of text, then numbers right-aligned as 1.234.567
    (with their sign in the ``signed`` columns), each linked to the query ``links`` gives it
    (by row and position, ``total_links`` for the totals)."""
    caption = _paragraph(document, f"Biểu {number}. {title}", bold=True, centred=True)
    caption.paragraph_format.keep_with_next = True
    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    others = (TEXT_WIDTH - Mm(first)) // max(len(headers) - 1, 1)
    widths = [Mm(first), *([others] * (len(headers) - 1))]
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _cell_text(cell, header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _repeat_as_header(table.rows[0])
    links = links or [None] * len(rows)
    body = [(row, False, row_links) for row, row_links in zip(rows, links, strict=True)]
    if total:
        body.append((total, True, total_links))
    for values, bold, row_links in body:
        cells = table.add_row().cells
        row_links = row_links or [""] * len(values)
        for position, (cell, value) in enumerate(zip(cells, values, strict=True)):
            if position < text_columns:
                _cell_text(cell, value, bold=bold)
            elif position in signed:
                _cell_text(cell, _change(value), bold=bold, align=WD_ALIGN_PARAGRAPH.RIGHT)
            else:
                query = row_links[position] if as_number(value) else ""  # 0 lists nothing
                _linked_number(cell, vn_number(value), query, bold=bold)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    document.add_paragraph().paragraph_format.space_after = Pt(0)
    return table


def _grid(
    document, number: int, title: str, table: Table, *, width=TEXT_WIDTH, first=55, size=None
):
    """A report table laid out as the page lays it out (``reports.tables``): the same columns
    under the same merged group headers, the same rows and cells (1.234.567), then the totals."""
    size = size or TABLE_SIZE
    caption = _paragraph(document, f"Biểu {number}. {title}", bold=True, centred=True)
    caption.paragraph_format.keep_with_next = True
    columns = table.columns
    header_rows = 2 if table.grouped else 1
    grid = document.add_table(rows=header_rows, cols=len(columns) + 1)
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    centre = WD_ALIGN_PARAGRAPH.CENTER
    top = grid.rows[0].cells
    _cell_text(top[0], table.row_header, bold=True, align=centre, size=size)
    position = 1
    for group in table.groups:
        span = len(group.columns)
        if header_rows == 2 and group.label:
            _cell_text(top[position], group.label, bold=True, align=centre, size=size)
            if span > 1:
                top[position].merge(top[position + span - 1])
            for offset, column in enumerate(group.columns):
                cell = grid.rows[1].cells[position + offset]
                _cell_text(cell, column.label, bold=True, align=centre, size=size)
        else:
            for offset, column in enumerate(group.columns):
                _cell_text(top[position + offset], column.label, bold=True, align=centre, size=size)
                if header_rows == 2:
                    top[position + offset].merge(grid.rows[1].cells[position + offset])
        position += span
    if header_rows == 2:
        top[0].merge(grid.rows[1].cells[0])
    for row in grid.rows[:header_rows]:
        _repeat_as_header(row)
    body = [(row.named, row, False) for row in table.rows]
    if table.footer:
        body.append(("Tổng cộng", table.footer, True))
    for label, row, bold in body:
        cells = grid.add_row().cells
        _cell_text(cells[0], label, bold=bold, size=size)
        for cell, value in zip(cells[1:], row.cells, strict=True):
            query = value.query if value.value else ""
            _linked_number(cell, value.text, query, bold=bold, size=size)
    others = (width - Mm(first)) // max(len(columns), 1)
    widths = [Mm(first), *([others] * len(columns))]
    for index, column in enumerate(grid.columns):
        column.width = widths[index]
    for row in grid.rows:
        position = 0
        for cell in row._tr.tc_lst:  # a merged cell is as wide as the columns it spans
            cell.width = sum(widths[position : position + cell.grid_span])
            position += cell.grid_span
    document.add_paragraph().paragraph_format.space_after = Pt(0)
    return grid


def _turn_page(document, *, landscape: bool) -> None:
    """Start a new section on A4 turned sideways (for a wide table) or back upright."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long, short = Mm(297), Mm(210)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)


def _change(value) -> str:
    number = as_number(value)
    if number > 0:
        return f"+{vn_number(number)}"
    if number < 0:
        return f"−{vn_number(-number)}"
    return "0"


def _compared(stage: dict) -> str:
    change = as_number(stage["change"])
    if change > 0:
        return f"tăng {vn_number(change)} so với kỳ trước"
    if change < 0:
        return f"giảm {vn_number(-change)} so với kỳ trước"
    return "bằng kỳ trước"


# --- parts ------------------------------------------------------------------------------------


def report_body(figures: dict) -> IssuingBody:
    """The body issuing the report: the unit as it heads its documents (a snapshot taken
    before units had these settings: the unit's name under the State's heading)."""
    organisation = figures["organisation"]
    return IssuingBody.from_dict(organisation.get("document"), name=organisation["name"])


def _heading_block(document, figures: dict) -> None:
    """The issuing body's heading by its convention: its names and the report's number line
    ("Số: …/BC-UBND", "Số …-BC/BDVTU") left, the national line(s) and the dateline to fill in
    right; then the title."""
    body = report_body(figures)
    heading = letterhead(
        body,
        number=number_line(body, kind="BC"),
        dateline="…………, ngày …… tháng …… năm 20……",
    )
    table = document.add_table(rows=1, cols=2)
    table.autofit = False
    for cell, width, lines in zip(
        table.rows[0].cells, (Mm(75), Mm(90)), (heading.left, heading.right), strict=True
    ):
        cell.width = width
        paragraph = cell.paragraphs[0]
        for number, line in enumerate(lines):
            if number:
                paragraph = cell.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_after = Pt(0)
            run = paragraph.add_run(_clean(line.text))
            run.bold, run.italic, run.underline = line.bold, line.italic, line.underline
            run.font.size = TEXT_SIZE if line.italic else TABLE_SIZE
    _paragraph(document)
    _paragraph(document, "BÁO CÁO", bold=True, centred=True).paragraph_format.space_after = Pt(0)
    _paragraph(document, report_subject(figures), bold=True, centred=True)
    period = figures["period"]
    _paragraph(
        document,
        f"(Từ ngày {vn_date(period['start'])} đến ngày {vn_date(period['end'])})",
        italic=True,
        centred=True,
    )


def _structure_sentence(figures: dict) -> str:
    rule = structure_rule(figures)
    return f", {rule} ({STRUCTURE_EXPLAINED})" if rule else ""


def _situation(document, figures: dict) -> None:
    """I: where the figures come from, the totals and the way through review."""
    document.add_heading("I. TÌNH HÌNH", level=1)
    name, period, total = figures["organisation"]["name"], figures["period"], figures["total"]
    _paragraph(
        document,
        f"Số liệu được tổng hợp trên Cổng thông tin “Dân vận khéo” ngày "
        f"{created_on(figures):%d/%m/%Y}, tính cho {name} và các đơn vị trực thuộc (kể cả các "
        f"đơn vị đã sáp nhập vào), từ ngày {vn_date(period['start'])} đến ngày "
        f"{vn_date(period['end'])}" + _structure_sentence(figures) + ".",
    )
    kinds = ", ".join(
        f"{lower_first(row['label'])} {vn_number(row['counts']['active'])}"
        for row in figures["by_kind_actor"]
    )
    _paragraph(
        document,
        f"Trong kỳ, {name} có {vn_number(total['active'])} mô hình, điển hình “Dân vận khéo” "
        f"đang thực hiện, trong đó {vn_number(total['new'])} mô hình, điển hình xây dựng mới và "
        f"{vn_number(total['maintained'])} mô hình, điển hình duy trì từ trước; "
        f"{vn_number(total['replicated'])} mô hình mới được nhân rộng. Theo loại và chủ thể: "
        f"{kinds}.",
    )
    funnel = {stage["key"]: stage for stage in figures["funnel"]}
    registered = funnel["registered"]
    _paragraph(
        document,
        f"Các đơn vị đã đăng ký {vn_number(registered['current'])} mô hình, điển hình "
        f"({_compared(registered)}); {vn_number(funnel['accepted']['current'])} được duyệt đăng "
        f"ký; {vn_number(funnel['recognised']['current'])} được công nhận; "
        f"{vn_number(funnel['outstanding']['current'])} được chọn là tiêu biểu; "
        f"{vn_number(total['commended_collectives'])} tập thể và "
        f"{vn_number(total['commended_individuals'])} cá nhân được biểu dương, khen thưởng.",
    )


def by_field_sentence(figures: dict) -> str:
    """The results in one sentence, as reports write them ("179 mô hình: kinh tế 51, …")."""
    total = figures["total"]
    parts = [
        f"{lower_first(label)} {vn_number(figures['by_field'][key]['active'])}"
        for key, label in field_labels(figures)
    ]
    if has_unclassified(figures):
        parts.append(f"chưa phân loại {vn_number(figures['unclassified']['active'])}")
    return (
        f"Tổng số {vn_number(total['active'])} mô hình, điển hình đang thực hiện trên các lĩnh "
        f"vực: {', '.join(parts)}; {vn_number(total['replicated'])} mô hình mới được nhân rộng."
    )


def _field_text(counts: dict) -> str:
    return (
        f"{vn_number(counts['active'])} mô hình, điển hình đang thực hiện (xây dựng mới "
        f"{vn_number(counts['new'])}, duy trì {vn_number(counts['maintained'])}); "
        f"{vn_number(counts['replicated'])} mô hình mới được nhân rộng; "
        f"{vn_number(counts['recognised'])} được công nhận, {vn_number(counts['outstanding'])} "
        f"tiêu biểu; biểu dương, khen thưởng {vn_number(counts['commended_collectives'])} tập "
        f"thể, {vn_number(counts['commended_individuals'])} cá nhân."
    )


def _children_text(figures: dict, children: Table) -> str:
    """Where the models are: the child units with the most of them."""
    if not children.rows:
        return children.empty
    # The unit's own row (models it owns directly) is not one of its child units.
    units = [child for child in figures["children"] if child.get("drill")]
    ranked = sorted(
        (child for child in units if as_number(child["total"]["active"])),
        key=lambda child: -as_number(child["total"]["active"]),
    )[:3]
    text = (
        f"Kết quả của {vn_number(len(units))} đơn vị trực thuộc (kể cả các đơn vị đã "
        f"sáp nhập vào) theo lĩnh vực và từng chỉ tiêu được tổng hợp tại Biểu 3"
    )
    if ranked:
        leaders = ", ".join(
            f"{child['name']} ({vn_number(child['total']['active'])})" for child in ranked
        )
        text += f"; các đơn vị có nhiều mô hình, điển hình đang thực hiện nhất: {leaders}"
    return text + "."


def _results(document, figures: dict) -> None:
    """II: the sentence by field, a paragraph per field, by unit, then the other tables."""
    document.add_heading("II. KẾT QUẢ", level=1)
    _paragraph(document, by_field_sentence(figures))

    document.add_heading("1. Kết quả theo lĩnh vực", level=2)
    for label, counts in field_rows(figures):
        lead = f"– {label}:" if label == UNCLASSIFIED else f"– Lĩnh vực {lower_first(label)}:"
        _lead_paragraph(document, lead, _field_text(counts))
    measures = measure_labels(figures)
    report = report_query(figures)
    fields = [key for key, _ in field_labels(figures)] + [""]  # as ``field_rows`` lists them
    _table(
        document,
        1,
        "Mô hình, điển hình theo lĩnh vực",
        ["Lĩnh vực", *measures.values()],
        [[label, *(counts[key] for key in measures)] for label, counts in field_rows(figures)],
        total=["Tổng cộng", *(figures["total"][key] for key in measures)],
        first=37,
        links=[
            ["", *(cell_query(report, key, field=field) for key in measures)]
            for field, _ in zip(fields, field_rows(figures), strict=False)
        ],
        total_links=["", *(cell_query(report, key) for key in measures)],
    )
    _grid(document, 2, TABLE_TITLES["kind_actor"], kind_actor_table(figures))

    document.add_heading("2. Kết quả theo đơn vị trực thuộc", level=2)
    children = children_table(figures)
    _paragraph(document, _children_text(figures, children))
    if children.rows:
        _turn_page(document, landscape=True)
        _grid(
            document,
            3,
            TABLE_TITLES["children"],
            children,
            width=LANDSCAPE_WIDTH,
            first=50,
            size=WIDE_TABLE_SIZE,
        )
        _turn_page(document, landscape=False)

    document.add_heading("3. Đăng ký, công nhận, biểu dương so với kỳ trước", level=2)
    now, before = figures["period"], figures["previous_period"]
    _table(
        document,
        4,
        TABLE_TITLES["funnel"],
        ["Nội dung", f"Kỳ này ({now['name']})", f"Kỳ trước ({before['name']})", "Tăng, giảm"],
        [
            [stage["label"], stage["current"], stage["previous"], stage["change"]]
            for stage in figures["funnel"]
        ],
        signed=(3,),
        links=[
            [
                "",
                cell_query(report, stage["key"]),
                cell_query(report, stage["key"], previous=True),
                "",
            ]
            for stage in figures["funnel"]
        ],
    )

    document.add_heading("4. Biểu dương, khen thưởng", level=2)
    commendations = figures["commendations"]
    given = [row for row in commendations["rows"] if as_number(row["total"])]
    if given:
        forms = "; ".join(
            f"{row['label']} {vn_number(row['total'])} ("
            f"{vn_number(row['collective'])} tập thể, {vn_number(row['individual'])} cá nhân)"
            for row in given
        )
        text = (
            f"Trong kỳ đã biểu dương, khen thưởng "
            f"{vn_number(commendations['total']['total'])} lượt: {forms}."
        )
    else:
        text = "Trong kỳ chưa có quyết định biểu dương, khen thưởng nào được công bố."
    _paragraph(document, text)
    total = commendations["total"]

    def by_actor(form: str | None) -> list[str]:
        return [
            "",
            *(
                cell_query(report, "commendations", form=form, actor=actor)
                for actor in ("collective", "individual", None)
            ),
        ]

    _table(
        document,
        5,
        TABLE_TITLES["commendations"],
        ["Hình thức", "Tập thể", "Cá nhân", "Cộng"],
        [
            [row["label"], row["collective"], row["individual"], row["total"]]
            for row in commendations["rows"]
        ],
        total=["Tổng cộng", total["collective"], total["individual"], total["total"]],
        links=[by_actor(row["form"]) for row in commendations["rows"]],
        total_links=by_actor(None),
    )

    document.add_heading("5. Kết quả nhân dân đóng góp", level=2)
    reported = [row for row in figures["indicators"] if as_number(row["total"])]
    if reported:
        values = "; ".join(
            f"{lower_first(row['name'])}: {vn_number(row['total'])} {row['unit']}"
            for row in reported
        )
        text = f"Tổng hợp từ báo cáo kết quả của các mô hình, điển hình trong kỳ: {values}."
    else:
        text = "Trong kỳ chưa có báo cáo kết quả nào của các mô hình, điển hình."
    _paragraph(document, text)
    _table(
        document,
        6,
        TABLE_TITLES["indicators"],
        ["Chỉ tiêu", "Đơn vị tính", "Tổng giá trị", "Số báo cáo"],
        [[row["name"], row["unit"], row["total"], row["reports"]] for row in figures["indicators"]],
        first=70,
        text_columns=2,
        links=[
            ["", "", *[cell_query(report, "indicator", indicator=row["code"])] * 2]
            for row in figures["indicators"]
        ],
    )


def _outstanding(document, figures: dict) -> None:
    """III: the outstanding models of the period, field by field."""
    document.add_heading("III. MÔ HÌNH, ĐIỂN HÌNH TIÊU BIỂU", level=1)
    for number, (key, label) in enumerate(field_labels(figures), start=1):
        _paragraph(document, f"{number}. Lĩnh vực {lower_first(label)}", bold=True)
        listed = figures["outstanding"].get(key) or []
        if not listed:
            _paragraph(document, "Chưa có mô hình, điển hình được chọn là tiêu biểu trong kỳ.")
        for model in listed:
            kind = kind_actor_label(model["kind"], model["actor"])
            person = f", {model['person']}" if model.get("person") else ""
            _paragraph(document, f"– {kind}: “{model['name']}”{person} ({model['unit']}).")
        if len(listed) >= OUTSTANDING_LISTED:
            _paragraph(
                document,
                f"(Liệt kê {OUTSTANDING_LISTED} mô hình, điển hình đầu tiên; danh sách đầy đủ "
                "ở trang tính “Dữ liệu” của tệp Excel báo cáo.)",
                italic=True,
            )


def _signature(document) -> None:
    table = document.add_table(rows=1, cols=2)
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Mm(80), Mm(85)
    _cell_text(left, "Nơi nhận:", bold=True, italic=True, size=Pt(12))
    paragraph = left.add_paragraph()
    run = paragraph.add_run("- [Đơn vị bổ sung nơi nhận];\n- Lưu.")
    run.font.size = Pt(11)
    _cell_text(
        right,
        "[CHỨC VỤ NGƯỜI KÝ]\n(Ký, ghi rõ họ tên)\n\n\n[Đơn vị bổ sung họ tên]",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=TEXT_SIZE,
    )


def write_narrative(figures: dict, out) -> None:
    """Write the draft narrative of ``figures`` (``report_figures``) to the binary file ``out``."""
    document = _new_document()
    document.core_properties.title = _clean(
        f"{report_subject(figures)} – {figures['organisation']['name']}"
    )
    document.core_properties.author = "Cổng Dân vận khéo"
    page_number_footer(document.sections[0])
    _heading_block(document, figures)
    _situation(document, figures)
    _results(document, figures)
    _outstanding(document, figures)
    document.add_heading("IV. HẠN CHẾ, NGUYÊN NHÂN", level=1)
    _placeholder(document, PLACEHOLDER_LIMITS)
    document.add_heading("V. PHƯƠNG HƯỚNG, NHIỆM VỤ", level=1)
    _placeholder(document, PLACEHOLDER_TASKS)
    _paragraph(document)
    _signature(document)
    document.save(out)
