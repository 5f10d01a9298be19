"""Word documents (.docx) laid out as Vietnamese administrative documents.

A4, margins 20 mm top and bottom, 30 mm left and 15 mm right, Times New Roman throughout: the
conventions of official papers, shared by every .docx the portal writes.
"""

from __future__ import annotations

import re

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

FONT = "Times New Roman"
TEXT_SIZE = Pt(14)
TABLE_SIZE = Pt(13)
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
TEXT_WIDTH = Mm(165)  # A4 less the side margins
# Characters a Word document cannot hold (XML 1.0 forbids them); typed text rarely has them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text) -> str:
    """``text`` without the characters XML forbids."""
    return _NOT_XML.sub("", str(text or ""))


def plain_font(style, size, *, bold: bool | None = None) -> None:
    """Times New Roman for every script (the default template's heading fonts are themed)."""
    style.font.name = FONT
    style.font.size = size
    style.font.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        style.font.bold = bold
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), FONT)


def new_document(*, text_size=TEXT_SIZE):
    """An empty A4 document with the official margins and fonts."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    plain_font(document.styles["Normal"], text_size)
    for name in ("Heading 1", "Heading 2"):
        style = document.styles[name]
        plain_font(style, text_size, bold=True)
        style.font.italic = False
        style.paragraph_format.space_before = Pt(12)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
    return document
