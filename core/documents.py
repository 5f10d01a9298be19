"""Word documents (.docx) and PDF files laid out as Vietnamese administrative documents.

A4, margins 20 mm top and bottom, 30 mm left and 15 mm right, Times New Roman throughout: the
conventions of official papers, shared by every .docx the portal writes.

PDF files are drawn by WeasyPrint from HTML with print CSS. Their font (DejaVu Serif, every
Vietnamese letter) is shipped in ``static/fonts`` as the family "Form Serif", so a file looks the
same on any server, and WeasyPrint may read nothing but those fonts and the stylesheet: no
network, no other file.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
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


def page_number_footer(section, prefix: str = "Trang ") -> None:
    """A centred footer "Trang N" whose N is Word's PAGE field, on every page of ``section``
    (later sections keep it: they are linked to the previous one)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if prefix:
        paragraph.add_run(prefix).font.size = Pt(12)
    run = paragraph.add_run()
    run.font.size = Pt(12)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1")):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "1":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


# --- PDF --------------------------------------------------------------------------------------

FONT_FAMILY = "Form Serif"
FONT_FILES = {
    ("normal", "normal"): "fonts/DejaVuSerif.ttf",
    ("bold", "normal"): "fonts/DejaVuSerif-Bold.ttf",
    ("normal", "italic"): "fonts/DejaVuSerif-Italic.ttf",
}


def _font_urls() -> dict[str, str]:
    urls = {}
    for (weight, style), path in FONT_FILES.items():
        found = finders.find(path)
        if found:
            urls[f"{weight}_{style}"] = Path(found).resolve().as_uri()
    return urls


def _local_path(url: str) -> str | None:
    parts = urlsplit(url)
    return unquote(parts.path) if parts.scheme == "file" and not parts.netloc else None


def _only(allowed: set[str]):
    """A URL fetcher for WeasyPrint that reads the ``allowed`` files and refuses anything else."""
    from weasyprint.urls import default_url_fetcher

    allowed_paths = {_local_path(url) for url in allowed}

    def fetch(url, *args, **kwargs):
        if _local_path(url) not in allowed_paths:
            raise ValueError(f"not fetched: {url}")
        return default_url_fetcher(url, *args, **kwargs)

    return fetch


def html_to_pdf(html: str, stylesheet: str) -> bytes:
    """``html`` drawn as a PDF with the static ``stylesheet`` and the shipped fonts."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = _font_urls()
    sheet = Path(finders.find(stylesheet)).resolve()
    fetcher = _only({*fonts.values(), sheet.as_uri()})
    font_faces = "".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; '
        f'font-style: {style}; src: url("{fonts[f"{weight}_{style}"]}"); }}'
        for weight, style in FONT_FILES
        if f"{weight}_{style}" in fonts
    )
    font_config = FontConfiguration()  # the @font-face rules apply to the whole document
    stylesheets = [
        CSS(string=font_faces, url_fetcher=fetcher, font_config=font_config),
        CSS(filename=str(sheet), url_fetcher=fetcher, font_config=font_config),
    ]
    document = HTML(string=html, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=stylesheets, font_config=font_config)
