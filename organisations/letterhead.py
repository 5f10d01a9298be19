"""The heading, number line, dateline and signature block of a document a body issues.

Two conventions: the Party's (Hướng dẫn 36-HD/VPTW) puts the superior committee and the body at
the left over a star, "ĐẢNG CỘNG SẢN VIỆT NAM" underlined at the right, and numbers documents
"Số 12-QĐ/BDVTU"; the State's (Nghị định 30/2020/NĐ-CP), which the Fatherland Front and the mass
organisations follow too, puts "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" over the underlined motto at
the right and numbers them "Số: 12/QĐ-UBND". Each body's convention is set on its unit
(``Organisation.document_heading``); the printed certificates, annexes and reports all take
their heading from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from core.text import bare_document_number, search_text
from organisations.choices import DocumentHeading, OrganisationKind, SigningCapacity

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
BLANK_NUMBER = "……"
BLANK_ABBREVIATION = "……"
# The beginnings of bodies' names, unaccented and lower-case, that say their convention
# (migration 0010 reads the units' names the same way).
PARTY_NAMES = re.compile(
    r"^(dang uy|dang bo|chi bo|tinh uy|thanh uy|quan uy|huyen uy|thi uy|ban dan van"
    r"|ban tuyen giao|ban thuong vu|ban chap hanh dang bo|ban to chuc|uy ban kiem tra)( |$)"
)
STATE_NAMES = re.compile(r"^(uy ban nhan dan|ubnd|uy ban mat tran|uy ban mttq|mat tran)( |$)")
# How each convention abbreviates the signer's capacity.
CAPACITY_WORDS = {
    DocumentHeading.PARTY: {
        SigningCapacity.ON_BEHALF: "T/M",
        SigningCapacity.DEPUTY: "K/T",
        SigningCapacity.BY_ORDER: "T/L",
        SigningCapacity.DELEGATED: "T/UQ",
        SigningCapacity.ACTING: "Q.",
    },
    DocumentHeading.STATE: {
        SigningCapacity.ON_BEHALF: "TM.",
        SigningCapacity.DEPUTY: "KT.",
        SigningCapacity.BY_ORDER: "TL.",
        SigningCapacity.DELEGATED: "TUQ.",
        SigningCapacity.ACTING: "Q.",
    },
}


def heading_for_name(name: str) -> str:
    """The convention a body's name says it follows ("Ban Thường vụ Quận ủy…" the Party's,
    "Ủy ban nhân dân…" the State's), or "" when the name does not say."""
    text = search_text(name)
    if PARTY_NAMES.match(text):
        return DocumentHeading.PARTY
    if STATE_NAMES.match(text):
        return DocumentHeading.STATE
    return ""


def default_heading(kind: str, name: str) -> str:
    """The convention a new unit starts with: the Party's for Party committees and bodies named
    as Party bodies, the State's for every other."""
    if kind == OrganisationKind.PARTY_COMMITTEE or heading_for_name(name) == DocumentHeading.PARTY:
        return DocumentHeading.PARTY
    return DocumentHeading.STATE


@dataclass(frozen=True)
class IssuingBody:
    """Who issues a document, as its heading names it."""

    name: str
    heading: str = DocumentHeading.STATE
    superior: str = ""
    abbreviation: str = ""

    @property
    def is_party(self) -> bool:
        return self.heading == DocumentHeading.PARTY

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "heading": str(self.heading),
            "superior": self.superior,
            "abbreviation": self.abbreviation,
        }

    @classmethod
    def from_dict(cls, data: dict | None, *, name: str = "") -> IssuingBody:
        data = data or {}
        return cls(
            name=data.get("name") or name,
            heading=data.get("heading") or DocumentHeading.STATE,
            superior=data.get("superior", ""),
            abbreviation=data.get("abbreviation", ""),
        )


def issuing_body(organisation, *, name: str = "", heading: str = "") -> IssuingBody:
    """The body ``organisation`` issues documents as. ``name`` (a decision's authority as typed)
    overrides the unit's name, and its convention with it when the name says one; ``heading``
    overrides both."""
    return IssuingBody(
        name=(name or organisation.document_name or organisation.name).strip(),
        heading=heading
        or heading_for_name(name)
        or organisation.document_heading
        or DocumentHeading.STATE,
        superior=organisation.document_superior.strip(),
        abbreviation=organisation.document_abbreviation.strip(),
    )


def number_line(body: IssuingBody, number: str = "", *, kind: str = "QĐ") -> str:
    """The document's number line: the number as recorded (without a "Số"/"Quyết định số" typed
    before it), or the blanks with the document's kind and the body's abbreviation."""
    number = bare_document_number(number)
    abbreviation = body.abbreviation or BLANK_ABBREVIATION
    if body.is_party:
        return f"Số {number or f'{BLANK_NUMBER}-{kind}/{abbreviation}'}"
    return f"Số: {number or f'{BLANK_NUMBER}/{kind}-{abbreviation}'}"


def place_date(place: str, day: date | None) -> str:
    """The dateline: "Thái Nguyên, ngày 05 tháng 12 năm 2026", dots where the day is unknown."""
    place = place or "…………"
    if day is None:
        return f"{place}, ngày …… tháng …… năm ………"
    return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


@dataclass(frozen=True)
class Line:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False


@dataclass(frozen=True)
class Letterhead:
    """The two columns above a document's title: the body's names (and the number under them)
    at the left, the convention's national line(s) (and the dateline) at the right."""

    names: list[Line]
    national: list[Line]
    number: str = ""
    dateline: str = ""

    @property
    def left(self) -> list[Line]:
        return [*self.names, *([Line(self.number)] if self.number else [])]

    @property
    def right(self) -> list[Line]:
        return [*self.national, *([Line(self.dateline, italic=True)] if self.dateline else [])]


def letterhead(body: IssuingBody, *, number: str = "", dateline: str = "") -> Letterhead:
    """The heading of ``body``'s document: its superior and its own name (and, in the Party's
    convention, the star under them), then the national line(s) of its convention."""
    names = [Line(body.superior.upper())] if body.superior else []
    names.append(Line(body.name.upper(), bold=True))
    if body.is_party:
        names.append(Line("*"))
        national = [Line(PARTY, bold=True, underline=True)]
    else:
        national = [Line(NATION, bold=True), Line(MOTTO, bold=True, underline=True)]
    return Letterhead(names=names, national=national, number=number, dateline=dateline)


def signature_lines(
    body: IssuingBody,
    *,
    capacity: str = "",
    on_behalf_of: str = "",
    title: str = "",
) -> list[str]:
    """The lines above the signature: "TM. BAN THƯỜNG VỤ" (or "KT. TRƯỞNG BAN"…) when the
    signer signs for someone, then the signer's own title, upper-case."""
    lines = []
    word = CAPACITY_WORDS[DocumentHeading(body.heading)].get(capacity)
    if word:
        lines.append(f"{word} {(on_behalf_of or body.name).upper()}".strip())
    if title:
        lines.append(title.upper())
    return lines
