"""Checking uploaded files by what they contain, not by what they are called.

A file is accepted only when its name's extension is allowed *and* its content shows it really is
that kind of file, with nothing in it that runs when it is opened. A renamed program, a web page
saved as ".pdf", a workbook renamed ".doc", an Office file with macros, a PDF with scripts, a
broken or oversized picture is refused (``office_files``, ``pdf_files``, ``image_files`` say
how). Photos are kept without their metadata (``stored_content``).
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File

from core import image_files, office_files, pdf_files
from core.numbers import vn_number

# The stream that makes an Office 97–2003 file a document or a workbook.
_OLE2_PARTS = {".doc": ("WordDocument",), ".xls": ("Workbook", "Book")}
_OOXML_MAIN_PARTS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
_MEBIBYTE = 1024 * 1024


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


def _megabytes(size: int) -> str:
    if size % _MEBIBYTE == 0:
        return f"{size // _MEBIBYTE} MB"
    return f"{size / _MEBIBYTE:.1f}".replace(".", ",") + " MB"


def _too_large(size: int, max_bytes: int) -> str:
    """The size in bytes and in megabytes, never rounded down to look like the limit."""
    shown = f"{size / _MEBIBYTE:.1f}"
    if float(shown) * _MEBIBYTE <= max_bytes:
        shown = f"hơn {max_bytes / _MEBIBYTE:.1f}"
    return (
        f"quá lớn: {vn_number(size)} byte ({shown.replace('.', ',')} MB); "
        f"mỗi tệp tối đa {_megabytes(max_bytes)} ({vn_number(max_bytes)} byte)."
    )


def safe_file_name(name: str, *, default: str = "tep") -> str:
    """The name a file is shown and downloaded under: no folders, no control or direction
    characters (a right-to-left override before "gpj.exe" makes it read "exe.jpg"),
    at most 255 characters with the extension kept."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    if not name.strip(". "):
        return default
    stem, extension = os.path.splitext(name)
    if len(name) > 255:
        extension = extension[:20]
        name = stem[: 255 - len(extension)] + extension
    return name


def _problem(extension: str, upload, head: bytes) -> str | None:
    """Why the content is not an acceptable file of its extension's kind (a reason code)."""
    if extension == ".pdf":
        if not head.startswith(b"%PDF-"):
            return office_files.MISMATCH
        return pdf_files.pdf_problem(upload)
    if extension in (".jpg", ".jpeg", ".png"):
        signature = b"\xff\xd8\xff" if extension != ".png" else image_files.PNG_SIGNATURE
        if not head.startswith(signature):
            return office_files.MISMATCH
        _clean_image(extension, upload)  # raises ImageProblem
        return None
    if extension in _OLE2_PARTS:
        if not head.startswith(office_files.OLE2_SIGNATURE):
            return office_files.MISMATCH
        return office_files.ole2_problem(upload, _OLE2_PARTS[extension])
    if extension in _OOXML_MAIN_PARTS:
        if not head.startswith(b"PK\x03\x04"):
            return office_files.MISMATCH
        return office_files.ooxml_problem(upload, _OOXML_MAIN_PARTS[extension])
    return office_files.MISMATCH


def _clean_image(extension: str, upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if extension == ".png":
        return image_files.clean_png(data)
    return image_files.clean_jpeg(data)


def _message(problem: str, kind: FileKind, size: tuple[int, int] | None = None) -> str:
    """What to tell the uploader, after "Tệp “name” "."""
    if problem == image_files.TOO_LARGE:
        width, height = size
        return (
            f"có kích thước ảnh quá lớn ({vn_number(width)} × {vn_number(height)} điểm ảnh); "
            "tối đa "
            f"{image_files.MAX_PIXELS // 1_000_000} triệu điểm ảnh. Hãy thu nhỏ ảnh rồi tải lên."
        )
    if problem == office_files.MACRO:
        return (
            "chứa macro hoặc điều khiển ActiveX, có thể chạy mã độc khi mở. Hãy lưu lại thành "
            f"tệp {kind.label} thường (không có macro) rồi tải lên."
        )
    if problem == office_files.EXTERNAL:
        return (
            "chứa liên kết ngoài (mẫu, khung, ảnh hoặc đối tượng lấy từ địa chỉ khác khi mở "
            "tệp). Hãy bỏ liên kết hoặc lưu lại tệp rồi tải lên."
        )
    if problem == office_files.XML_DECLARATION:
        return (
            "chứa khai báo XML không an toàn (DOCTYPE, ENTITY) mà Word, Excel không bao giờ "
            "ghi. Hãy mở và lưu lại tệp rồi tải lên."
        )
    if problem == office_files.BOMB:
        return (
            "khi giải nén quá lớn hoặc nén bất thường (nghi là “bom nén”). Hãy chọn đúng tệp gốc."
        )
    if problem == pdf_files.ENCRYPTED:
        return "có mật khẩu nên không kiểm tra được. Hãy gỡ mật khẩu rồi tải lên."
    if problem in (pdf_files.BROKEN, image_files.BROKEN):
        return (
            f"bị hỏng hoặc chưa tải lên hết, không đọc được như tệp {kind.label}. Hãy chọn lại "
            "tệp gốc."
        )
    if problem != office_files.MISMATCH:  # the active content pdf_files named
        return (
            f"chứa nội dung tự chạy ({problem}), có thể gây hại khi mở. Hãy in lại thành PDF "
            "thường (chọn “Lưu dưới dạng PDF” hoặc “Microsoft Print to PDF”) rồi tải lên."
        )
    return (
        f"không phải tệp {kind.label} thật (nội dung không khớp với phần mở rộng, có thể đã "
        "bị đổi tên). Hãy chọn đúng tệp gốc."
    )


def inspect_upload(upload, *, max_bytes: int) -> FileKind:
    """The kind of ``upload`` when it is allowed; otherwise a ValidationError saying why."""
    name = safe_file_name(upload.name or "", default="")
    extension = os.path.splitext(name)[1].lower()
    kind = KINDS.get(extension)
    if kind is None:
        raise ValidationError(
            f"Tệp “{name}” không được chấp nhận: chỉ nhận {ALLOWED_EXTENSIONS_TEXT}.",
            code="extension",
        )
    if upload.size > max_bytes:
        raise ValidationError(f"Tệp “{name}” {_too_large(upload.size, max_bytes)}", code="size")
    if upload.size == 0:
        raise ValidationError(f"Tệp “{name}” rỗng.", code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    try:
        problem, size = _problem(extension, upload, head), None
    except image_files.ImageProblem as image_problem:
        problem, size = image_problem.reason, image_problem.size
    if problem is not None:
        raise ValidationError(f"Tệp “{name}” {_message(problem, kind, size)}", code="content")
    return kind


def stored_content(upload, kind: FileKind) -> File:
    """What is kept of an accepted upload: photos without their metadata, the rest as sent."""
    if not kind.content_type.startswith("image/"):
        return upload
    return ContentFile(_clean_image(kind.extension, upload), name=upload.name)
