"""Checking uploaded files by what they contain, not by what they are called.

A file is accepted only when its name's extension is allowed *and* its first bytes (and, for
Office files, its internal structure) show it really is that kind of file. A renamed program,
a web page saved as ".pdf", a workbook renamed ".doc" or a file with macros is refused.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

import olefile
from django.core.exceptions import ValidationError

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97–2003 (.doc, .xls)
# The stream that makes an Office 97–2003 file a document or a workbook, and the storages that
# hold macros (Word keeps them under "Macros", Excel under "_VBA_PROJECT_CUR").
_OLE2_PARTS = {".doc": ("WordDocument",), ".xls": ("Workbook", "Book")}
_OLE2_MACROS = ("Macros", "_VBA_PROJECT_CUR", "VBA")


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str
    label: str


KINDS = {
    kind.extension: kind
    for kind in (
        FileKind(".pdf", "application/pdf", "PDF"),
        FileKind(".jpg", "image/jpeg", "ảnh JPEG"),
        FileKind(".jpeg", "image/jpeg", "ảnh JPEG"),
        FileKind(".png", "image/png", "ảnh PNG"),
        FileKind(".doc", "application/msword", "Word 97–2003"),
        FileKind(
            ".docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Word",
        ),
        FileKind(".xls", "application/vnd.ms-excel", "Excel 97–2003"),
        FileKind(
            ".xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Excel",
        ),
    )
}

ALLOWED_EXTENSIONS_TEXT = "PDF, Word (.doc, .docx), Excel (.xls, .xlsx), ảnh JPG, PNG"


def _format_size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",") + " MB"


def _zip_has(upload, member: str, forbidden: tuple[str, ...] = ()) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)
    return member in names and not any(name in names for name in forbidden)


def _ole2_has(upload, parts: tuple[str, ...]) -> bool:
    """Whether the Office 97–2003 file holds one of ``parts`` and no macros."""
    upload.seek(0)
    try:
        with olefile.OleFileIO(upload) as document:
            streams = {"/".join(entry) for entry in document.listdir(streams=True, storages=True)}
    except Exception:  # noqa: BLE001 - whatever a malformed file makes the parser raise
        return False
    finally:
        upload.seek(0)
    tops = {name.split("/")[0] for name in streams}
    return any(part in tops for part in parts) and not any(name in tops for name in _OLE2_MACROS)


def _content_matches(extension: str, upload, head: bytes) -> bool:
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in _OLE2_PARTS:
        return head.startswith(_OLE2) and _ole2_has(upload, _OLE2_PARTS[extension])
    # Office Open XML: a zip with the part that makes it a document or a workbook, and no
    # macros (a .docm/.xlsm renamed to .docx/.xlsx carries vbaProject.bin).
    if extension == ".docx":
        return head.startswith(b"PK\x03\x04") and _zip_has(
            upload, "word/document.xml", ("word/vbaProject.bin",)
        )
    if extension == ".xlsx":
        return head.startswith(b"PK\x03\x04") and _zip_has(
            upload, "xl/workbook.xml", ("xl/vbaProject.bin",)
        )
    return False


def inspect_upload(upload, *, max_bytes: int) -> FileKind:
    """The kind of ``upload`` when it is allowed; otherwise a ValidationError saying why."""
    name = upload.name or ""
    extension = os.path.splitext(name)[1].lower()
    kind = KINDS.get(extension)
    if kind is None:
        raise ValidationError(
            f"Tệp “{name}” không được chấp nhận: chỉ nhận {ALLOWED_EXTENSIONS_TEXT}.",
            code="extension",
        )
    if upload.size > max_bytes:
        raise ValidationError(
            f"Tệp “{name}” quá lớn ({_format_size(upload.size)}); "
            f"mỗi tệp tối đa {max_bytes // 1024 // 1024} MB.",
            code="size",
        )
    if upload.size == 0:
        raise ValidationError(f"Tệp “{name}” rỗng.", code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not _content_matches(extension, upload, head):
        raise ValidationError(
            f"Tệp “{name}” không phải tệp {kind.label} thật (nội dung không khớp với phần mở "
            "rộng, có thể đã bị đổi tên hoặc chứa macro). Hãy chọn đúng tệp gốc.",
            code="content",
        )
    return kind
