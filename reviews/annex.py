"""The list attached to a round's decision (danh sách kèm theo quyết định) as an xlsx workbook.

Laid out as the annex is printed and signed: the issuing body's heading by its convention
(``organisations.letterhead``), the title naming the decision, then one section per form of
commendation (the highest first), each split into collectives and individuals, numbered within
each part, and the signature block. Revoked lines are left out.
Every text cell goes through ``neutralise_formula``: names and citations are typed by people.
"""

from __future__ import annotations

from django.utils.text import slugify

from core.spreadsheets import neutralise_formula
from core.text import bare_document_number, search_text
from reviews.models import CommendationRound
from reviews.selectors.rounds import annex_sections, recipient, round_document

FONT_NAME = "Times New Roman"
COLUMNS = (
    ("STT", 6),
    ("Tên tập thể / Họ và tên cá nhân", 34),
    ("Chức vụ – đơn vị", 34),
    ("Lĩnh vực", 20),
    ("Thành tích", 60),
)
LAST_COLUMN = "E"
ROMAN = ("I", "II", "III", "IV", "V", "VI")
TITLE = "DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC KHEN THƯỞNG, BIỂU DƯƠNG"
BLANK_NUMBER = "……………"
BLANK_DATE = "……/……/………"


def _text(value) -> str:
    return neutralise_formula(value or "")


def decision_line(commendation_round: CommendationRound) -> str:
    """The title's decision line, with dotted blanks while the decision is not recorded (the
    number without a "Quyết định số" typed before it)."""
    number = bare_document_number(commendation_round.decision_number) or BLANK_NUMBER
    date = commendation_round.decision_date
    day = f"{date:%d/%m/%Y}" if date else BLANK_DATE
    line = f"KÈM THEO QUYẾT ĐỊNH SỐ {number} NGÀY {day}"
    if commendation_round.decision_authority:
        line += f" CỦA {commendation_round.decision_authority.upper()}"
    return line


def annex_filename(commendation_round: CommendationRound) -> str:
    """An ASCII file name after the decision number (or the round's title while there is none)."""
    if commendation_round.decision_number:
        stem = f"danh sach kem theo qd {commendation_round.decision_number}"
    else:
        stem = f"danh sach {commendation_round.title}"
    slug = slugify(search_text(stem.replace("/", "-")))[:80].strip("-")
    return f"{slug or f'danh-sach-dot-{commendation_round.pk}'}.xlsx"


def write_annex(commendation_round: CommendationRound, target) -> None:
    """Write the round's annex to ``target`` (a path or a binary file)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.page import PageMargins

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    centred = Alignment(wrap_text=True, horizontal="center", vertical="center")

    def font(**kwargs):
        return Font(name=FONT_NAME, size=kwargs.pop("size", 12), **kwargs)

    def banner(row: int, first: str, last: str, value: str, **style) -> None:
        sheet.merge_cells(f"{first}{row}:{last}{row}")
        cell = sheet[f"{first}{row}"]
        cell.value = _text(value)
        cell.font = font(**style)
        cell.alignment = centred

    for index, (_, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width

    # The heading of an official document by the issuing body's convention: its superior and
    # its name left (the Party's star under them), the Party's or the nation's line(s) right.
    document = round_document(commendation_round)
    for row, line in enumerate(document.letterhead.names, start=1):
        banner(row, "A", "B", line.text, bold=line.bold)
    for row, line in enumerate(document.letterhead.national, start=1):
        underline = "single" if line.underline else None
        banner(row, "C", LAST_COLUMN, line.text, bold=line.bold, underline=underline)
    banner(4, "A", LAST_COLUMN, TITLE, bold=True, size=14)
    banner(5, "A", LAST_COLUMN, decision_line(commendation_round), bold=True)
    banner(6, "A", LAST_COLUMN, commendation_round.title, italic=True)
    for row in (4, 5, 6):
        sheet.row_dimensions[row].height = 32
    if not commendation_round.is_published:
        banner(7, "A", LAST_COLUMN, "(Dự thảo – đợt chưa công bố)", italic=True, color="A4161A")

    header_row = 8
    for index, (header, _) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=header_row, column=index, value=header)
        cell.font = font(bold=True)
        cell.alignment = centred
        cell.border = box
        cell.fill = PatternFill("solid", fgColor="E9ECEF")
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.freeze_panes = f"A{header_row + 1}"

    row = header_row
    collectives = individuals = 0

    def heading(text: str, **style) -> None:
        sheet.merge_cells(f"A{row}:{LAST_COLUMN}{row}")
        cell = sheet[f"A{row}"]
        cell.value = _text(text)
        cell.font = font(bold=True, **style)
        cell.alignment = Alignment(vertical="center")
        for column in range(1, len(COLUMNS) + 1):
            sheet.cell(row=row, column=column).border = box

    for section_number, section in enumerate(annex_sections(commendation_round)):
        row += 1
        heading(f"{ROMAN[section_number]}. {section.label.upper()}")
        for group_number, group in enumerate(section.groups, start=1):
            row += 1
            heading(f"{group_number}. {group.label}", italic=True)
            for number, line in enumerate(group.lines, start=1):
                row += 1
                name, position = recipient(line)
                values = (
                    number,
                    _text(name),
                    _text(position),
                    _text(line.model.get_field_display()),
                    _text(line.citation),
                )
                for column, value in enumerate(values, start=1):
                    cell = sheet.cell(row=row, column=column, value=value)
                    cell.font = font()
                    cell.border = box
                    cell.alignment = centred if column == 1 else wrap
            if group.actor == "individual":
                individuals += len(group.lines)
            else:
                collectives += len(group.lines)

    row += 2
    sheet.merge_cells(f"A{row}:{LAST_COLUMN}{row}")
    summary = sheet[f"A{row}"]
    summary.value = f"Danh sách có {collectives} tập thể và {individuals} cá nhân."
    summary.font = font(italic=True)

    # The signature block under the list, right: the signer's capacity and title, their name.
    row += 1
    for text in document.signature:
        row += 1
        banner(row, "C", LAST_COLUMN, text, bold=True)
    if document.signer:
        row += 4
        banner(row, "C", LAST_COLUMN, document.signer, bold=True)

    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = sheet.ORIENTATION_LANDSCAPE
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "Trang &P / &N"
    workbook.save(target)
