"""The registration printed as the official registration form, in PDF and in Word (.docx).

The form's content is built once (``registration_form``): the national heading with the owning
unit at the left, the place and date, the title, the ten items of the form with the model's
answers, the contact person and the signature block. Both files are drawn from that one
structure, laid out as Vietnamese administrative documents: A4, margins 20 mm top and bottom,
30 mm left and 15 mm right, a Times-like serif at 13–14 pt.

The PDF is drawn by WeasyPrint from an HTML template with print CSS (``core.documents``: the
shipped fonts and nothing else are read).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from core.documents import TEXT_WIDTH, clean, html_to_pdf, new_document
from core.partial_dates import partial_date_text
from models_registry.choices import Actor, ModelKind
from models_registry.models import DanVanModel
from organisations.models import Organisation

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BLANK = "……………………………………………………………"
PRINT_STYLESHEET = "css/registration_print.css"


@dataclass(frozen=True)
class Item:
    """One numbered item of the form: its title and its answer(s), each with an optional label."""

    number: int
    title: str
    answers: list[tuple[str, str]]


@dataclass(frozen=True)
class Signature:
    title: str
    note: str
    name: str = ""


@dataclass(frozen=True)
class RegistrationForm:
    superior_unit: str
    unit: str
    place_date: str
    title: str
    subtitle: str
    items: list[Item]
    contact: str
    signatures: list[Signature] = field(default_factory=list)
    document_title: str = ""


def _number(value) -> str:
    return f"{value:,}".replace(",", ".") if value is not None else ""


def _date(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _or_blank(text) -> str:
    text = clean(text).strip()
    return text or BLANK


def _place_date(model: DanVanModel) -> str:
    """The day it was sent (Vietnam time), or dots to fill in by hand for a draft."""
    if model.submitted_at:
        day = timezone.localdate(model.submitted_at)
        return f"…………, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    return "…………, ngày …… tháng …… năm ……"


def _names(units) -> str:
    return "; ".join(unit.name for unit in units)


def registration_form(model: DanVanModel) -> RegistrationForm:
    """The registration ``model`` as the official form's content (for the PDF and the .docx)."""
    unit = model.owning_unit
    superior = Organisation.objects.get_parent(unit)
    kind_word = "ĐIỂN HÌNH" if model.kind == ModelKind.EXEMPLAR else "MÔ HÌNH"
    territory = "; ".join(
        filter(None, [_names(model.territory.all()), clean(model.territory_note).strip()])
    )
    first = [("", _or_blank(model.name))]
    if model.actor == Actor.INDIVIDUAL:
        first += [
            ("Họ và tên", _or_blank(model.person_name)),
            ("Chức vụ, nơi công tác", _or_blank(model.person_position)),
        ]
    first += [
        ("Loại", f"{model.get_kind_display()} – {model.get_actor_display().lower()}"),
        ("Lĩnh vực", _or_blank(model.get_field_display())),
        ("Chủ đề", _or_blank(", ".join(theme.name for theme in model.themes.all()))),
        ("Đơn vị chủ trì", unit.name),
        ("Đơn vị phối hợp", _or_blank(_names(model.coordinating_units.all()))),
    ]
    items = [
        Item(1, f"Tên {kind_word.lower()}", first),
        Item(2, "Thực trạng, lý do xây dựng", [("", _or_blank(model.situation))]),
        Item(3, "Mục tiêu, tiêu chí đánh giá", [("", _or_blank(model.goals))]),
        Item(4, "Nội dung, cách làm", [("", _or_blank(model.content))]),
        Item(
            5,
            "Địa bàn thực hiện, đối tượng tác động",
            [("Địa bàn", _or_blank(territory)), ("Đối tượng", _or_blank(model.target_group))],
        ),
        Item(6, "Lực lượng thực hiện và vai trò", [("", _or_blank(model.forces))]),
        Item(
            7,
            "Nguồn lực",
            [
                ("Kinh phí (đồng)", _or_blank(_number(model.funds))),
                ("Ngày công", _or_blank(_number(model.workdays))),
                ("Xã hội hóa (đồng)", _or_blank(_number(model.socialised_funds))),
                ("Nguồn lực khác", _or_blank(model.resources_note)),
            ],
        ),
        Item(
            8,
            "Thời gian thực hiện",
            [
                (
                    "Thời gian bắt đầu",
                    _or_blank(partial_date_text(model.start_date, model.start_precision)),
                ),
                ("Lộ trình", _or_blank(model.schedule)),
                ("Thời gian đánh giá", _or_blank(_date(model.evaluation_date))),
            ],
        ),
        Item(9, "Sản phẩm, kết quả kiểm chứng được", [("", _or_blank(model.outputs))]),
        Item(10, "Tính bền vững, khả năng nhân rộng", [("", _or_blank(model.sustainability))]),
    ]
    registrant = model.person_name if model.actor == Actor.INDIVIDUAL else model.contact_name
    contact = ", điện thoại: ".join(
        filter(None, [clean(model.contact_name).strip(), clean(model.contact_phone).strip()])
    )
    return RegistrationForm(
        superior_unit=superior.name.upper() if superior else "",
        unit=unit.name.upper(),
        place_date=_place_date(model),
        title=f"PHIẾU ĐĂNG KÝ {kind_word} “DÂN VẬN KHÉO”",
        subtitle=f"Năm {timezone.localdate(model.submitted_at or model.created_at).year}",
        items=items,
        contact=contact or BLANK,
        signatures=[
            Signature("THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên, đóng dấu)"),
            Signature("NGƯỜI ĐĂNG KÝ", "(Ký, ghi rõ họ tên)", clean(registrant).strip()),
        ],
        document_title=clean(f"Phiếu đăng ký – {model.name or model.pk}"),
    )


def filename(model: DanVanModel, extension: str) -> str:
    """The file's name as a user would save it: Vietnamese letters kept."""
    name = " ".join(clean(model.name).split())[:80].strip() or str(model.pk)
    for character in '\\/:*?"<>|':
        name = name.replace(character, " ")
    return f"Phiếu đăng ký - {name}.{extension}"


def ascii_filename(model: DanVanModel, extension: str) -> str:
    """The same name in plain letters, for the oldest browsers."""
    slug = slugify(f"phieu dang ky {model.pk} {model.name}".replace("đ", "d").replace("Đ", "D"))
    return f"{slug[:80]}.{extension}"


# --- PDF ------------------------------------------------------------------------------------


def registration_pdf(form: RegistrationForm) -> bytes:
    """The form as an A4 PDF."""
    html = render_to_string("models_registry/registration_print.html", {"form": form})
    return html_to_pdf(html, PRINT_STYLESHEET)


# --- Word ------------------------------------------------------------------------------------


def registration_docx(form: RegistrationForm) -> bytes:
    """The form as an A4 Word document with the same layout."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Mm, Pt

    document = new_document(text_size=Pt(14))
    document.core_properties.title = form.document_title
    document.core_properties.author = "Cổng Dân vận khéo"

    def paragraph(container, text="", *, bold=False, italic=False, centred=False, size=None):
        block = container.add_paragraph()
        block.paragraph_format.space_after = Pt(3)
        if centred:
            block.alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            block.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if text:
            run = block.add_run(text)
            run.bold, run.italic = bold, italic
            if size:
                run.font.size = size
        return block

    def cell_lines(cell, lines):
        cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
        for text, bold, italic, size in lines:
            paragraph(cell, text, bold=bold, italic=italic, centred=True, size=size)

    heading = document.add_table(rows=1, cols=2)
    heading.autofit = False
    left, right = heading.rows[0].cells
    left.width, right.width = Mm(70), TEXT_WIDTH - Mm(70)
    cell_lines(
        left,
        [
            *([(form.superior_unit, False, False, Pt(13))] if form.superior_unit else []),
            (form.unit, True, False, Pt(13)),
        ],
    )
    cell_lines(
        right,
        [
            (NATION, True, False, Pt(13)),
            (MOTTO, True, False, Pt(14)),
            (form.place_date, False, True, Pt(14)),
        ],
    )
    paragraph(document)
    paragraph(document, form.title, bold=True, centred=True)
    paragraph(document, form.subtitle, italic=True, centred=True)
    for item in form.items:
        paragraph(document, f"{item.number}. {item.title}", bold=True)
        for label, answer in item.answers:
            for index, line in enumerate(answer.splitlines() or [""]):
                block = paragraph(document)
                block.paragraph_format.first_line_indent = Cm(1)
                if label and index == 0:
                    block.add_run(f"{label}: ").italic = True
                block.add_run(line)
    block = paragraph(document)
    block.add_run("Người liên hệ: ").bold = True
    block.add_run(form.contact)
    paragraph(document)
    signatures = document.add_table(rows=1, cols=len(form.signatures))
    signatures.autofit = False
    for cell, signature in zip(signatures.rows[0].cells, form.signatures, strict=True):
        cell.width = TEXT_WIDTH // len(form.signatures)
        cell_lines(
            cell,
            [
                (signature.title, True, False, Pt(14)),
                (signature.note, False, True, Pt(13)),
                ("", False, False, None),
                ("", False, False, None),
                ("", False, False, None),
                (signature.name, True, False, Pt(14)),
            ],
        )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
