"""Sheets printed as papers: the page set up for A4, and the fonts of the printed tables.

Shared by every workbook meant to be printed (the report's tables, the list export), so that
they come out of the printer alike: A4 fitted to the page's width (as many pages down as it
takes), the header rows repeated on every page, margins for binding, Times New Roman.
"""

from __future__ import annotations

from openpyxl.styles import Font
from openpyxl.worksheet.page import PageMargins

PAPER_A4 = 9
PAGE_NUMBERS = "Trang &P / &N"  # "page 3 / 12", in a page's header or footer

REGULAR_FONT = Font(name="Times New Roman", size=12)
BOLD_FONT = Font(name="Times New Roman", size=12, bold=True)
ITALIC_FONT = Font(name="Times New Roman", size=12, italic=True)
TITLE_FONT = Font(name="Times New Roman", size=14, bold=True)


def print_setup(
    sheet,
    title_rows: str | None = None,
    *,
    landscape: bool = True,
    header: str = "",
    footer: str = "",
) -> None:
    """A4 (landscape unless told), fitted to the page width, ``title_rows`` ("6:7") repeated on
    every page; ``header`` and ``footer`` centred on every page, in the codes of a page header
    ("&P" the page's number, "&N" the number of pages: ``PAGE_NUMBERS``; "&&" is an "&").

    Also for write-only sheets: all of it is written after the rows.
    """
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = PAPER_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    if title_rows:
        sheet.print_title_rows = title_rows
    if header:
        sheet.oddHeader.center.text = header
    if footer:
        sheet.oddFooter.center.text = footer
