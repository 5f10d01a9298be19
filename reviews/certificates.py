"""The certificates of a round (Bằng khen, Giấy khen, Biểu dương) as one PDF, a page each.

The same pages as the browser's print-out (``templates/reviews/partials/_certificate.html``),
drawn by WeasyPrint with the shipped fonts: headed by the issuing body's convention, the
decision referred to, the dateline and the signer's capacity, title and name.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.text import slugify

from core.documents import html_to_pdf
from core.text import search_text
from reviews.models import CommendationRound
from reviews.selectors.rounds import certificate_pages, round_document

STYLESHEET = "css/certificates_pdf.css"


def certificates_pdf(commendation_round: CommendationRound) -> bytes:
    """Every commendation in force of the round as a certificate page, in the annex's order."""
    html = render_to_string(
        "reviews/certificates_pdf.html",
        {
            "round": commendation_round,
            "pages": certificate_pages(commendation_round),
            "document": round_document(commendation_round),
            "title": f"Bằng khen, giấy khen – {commendation_round.title}",
        },
    )
    return html_to_pdf(html, STYLESHEET)


def certificates_filename(commendation_round: CommendationRound) -> str:
    """An ASCII file name after the round's title."""
    slug = slugify(search_text(f"khen thuong {commendation_round.title}"))[:80].strip("-")
    return f"{slug or f'khen-thuong-dot-{commendation_round.pk}'}.pdf"
