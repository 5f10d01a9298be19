"""How report files are named and typed when downloaded."""

from __future__ import annotations

from datetime import date

from django.utils.text import slugify

from core.text import search_text

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def report_filename(unit_name: str, start: date, end: date, extension: str, version=None) -> str:
    """``bao-cao-tinh-thai-nguyen-20250101-20251231[-ban-chot-2].xlsx``."""
    stem = f"bao-cao-{slugify(search_text(unit_name))}-{start:%Y%m%d}-{end:%Y%m%d}"
    if version:
        stem += f"-ban-chot-{version}"
    return f"{stem}.{extension}"


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower()
