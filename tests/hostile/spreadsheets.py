"""Hostile and broken uploads for the spreadsheet imports, generated here as bytes.

Each entry of ``corpus()`` is a file an admin might upload (by mistake or not): its name, the
import format chosen on the page ("xlsx" or "csv"), its bytes, and a fragment of the Vietnamese
message the import page must show. Every file is either refused whole or read into a sheet whose
columns no importer knows, so that no import may write anything from it.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import cache

import openpyxl

NOT_A_WORKBOOK = "không phải là bảng tính Excel (.xlsx) hợp lệ"
REFUSED = "dấu hiệu bất thường"
DOCTYPE = "khai báo XML không được phép (DOCTYPE)"
MISSING_COLUMNS = "thiếu cột bắt buộc"
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@dataclass(frozen=True)
class HostileFile:
    name: str
    file_format: str  # "xlsx" or "csv", as chosen on the import page
    data: bytes
    message: str  # a fragment of what the page must say


def workbook(rows=(("Mã", "Ghi chú"), ("A1", "dòng một"))) -> bytes:
    """A plain workbook as openpyxl writes it, whose columns no importer knows."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rebuilt(data: bytes, change=None, add=(), compression=zipfile.ZIP_DEFLATED) -> bytes:
    """``data``'s archive with ``change(name, content)`` applied and ``add`` (name, content)
    entries appended."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as original,
        zipfile.ZipFile(buffer, "w", compression) as copy,
    ):
        for entry in original.infolist():
            content = original.read(entry.filename)
            copy.writestr(entry.filename, change(entry.filename, content) if change else content)
        for name, content in add:
            copy.writestr(name, content)
    return buffer.getvalue()


def with_doctype(declaration: str, part: str, replace: tuple[str, str]) -> bytes:
    def change(name, content):
        if name != part:
            return content
        text = content.decode()
        if text.startswith("<?xml"):
            text = text[text.index("?>") + 2 :]
        return (declaration + text.replace(*replace)).encode()

    return rebuilt(workbook(), change)


def billion_laughs() -> bytes:
    entities = "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    declaration = f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">{entities}]>'
    return with_doctype(declaration, SHEET, ("</sheetData>", "</sheetData>"))


def external_entity() -> bytes:
    declaration = '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return with_doctype(declaration, SHEET, ("<t>M&#227;</t>", "<t>&xxe;</t>"))


def zip_bomb() -> bytes:
    zeros = b"\0" * (16 * 1024 * 1024)  # 16 MB that deflate to about 16 KB
    return rebuilt(workbook(), lambda name, content: zeros if name == SHEET else content)


def path_traversal() -> bytes:
    def change(name, content):
        if name == "xl/_rels/workbook.xml.rels":
            return content.replace(b'Target="/xl/worksheets/sheet1.xml"', b'Target="../../x"')
        return content

    return rebuilt(workbook(), change, add=[("../../x", b"<worksheet/>"), ("/etc/cron.d/x", b"")])


def huge_shared_strings() -> bytes:
    """100,000 distinct shared strings, stored uncompressed so that no ratio check stops them;
    the first header cell is the last of them."""
    items = "".join(f"<si><t>chuỗi {index}</t></si>" for index in range(100_000))
    strings = f'<sst xmlns="{MAIN}" count="100000" uniqueCount="100000">{items}</sst>'
    relation = (
        '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9"/></Relationships>'
    )

    def change(name, content):
        if name == SHEET:
            return re.sub(
                rb'<c r="A1" t="inlineStr"><is><t>[^<]*</t></is></c>',
                b'<c r="A1" t="s"><v>99999</v></c>',
                content,
            )
        if name == "xl/_rels/workbook.xml.rels":
            return content.replace(b"</Relationships>", relation.encode())
        return content

    return rebuilt(
        workbook(), change, add=[(STRINGS, strings.encode())], compression=zipfile.ZIP_STORED
    )


def declared_million_rows() -> bytes:
    """A sheet whose last row is Excel's last (1,048,576), with nothing in between."""
    far = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>cuối</t></is></c></row>'

    def change(name, content):
        if name != SHEET:
            return content
        content = content.replace(b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:XFD1048576"/>')
        return content.replace(b"</sheetData>", far.encode() + b"</sheetData>")

    return rebuilt(workbook(), change)


def dimension_lie() -> bytes:
    """A sheet that says it holds one cell and holds a cell in Excel's last column."""

    def change(name, content):
        if name != SHEET:
            return content
        content = content.replace(b'<dimension ref="A1:B2"/>', b'<dimension ref="A1"/>')
        far = b'<c r="XFD2" t="inlineStr"><is><t>xa</t></is></c></row></sheetData>'
        return content.replace(b"</row></sheetData>", far)

    return rebuilt(workbook(), change)


def corrupted_deflate() -> bytes:
    """A workbook whose sheet's compressed bytes were damaged (the archive's index is intact)."""
    data = bytearray(workbook())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        entry = archive.getinfo(SHEET)
    start = entry.header_offset + 30 + len(entry.filename.encode()) + len(entry.extra)
    for offset in range(start + 4, start + min(entry.compress_size, 64)):
        data[offset] ^= 0x5A
    return bytes(data)


def macro_workbook() -> bytes:
    """A macro-enabled workbook (.xlsm) renamed .xlsx: Excel itself refuses to open it."""
    macro_type = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"

    def change(name, content):
        if name == "[Content_Types].xml":
            return content.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                macro_type,
            )
        return content

    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504  # an OLE header, as vbaProject.bin
    return rebuilt(workbook(), change, add=[("xl/vbaProject.bin", vba)])


def opendocument() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


CSV_HEADER = "Mã,Ghi chú\r\n"


def cp1258(text: str) -> bytes:
    """``text`` as Vietnamese Windows (cp1258) writes it: letters it lacks are a base letter and
    a combining tone mark."""
    return b"".join(
        (char if char.encode("cp1258", "ignore") else unicodedata.normalize("NFD", char)).encode(
            "cp1258"
        )
        for char in text
    )


@cache
def corpus() -> dict[str, HostileFile]:
    good = workbook()
    return {
        "entity expansion": HostileFile("a.xlsx", "xlsx", billion_laughs(), DOCTYPE),
        "external entity": HostileFile("a.xlsx", "xlsx", external_entity(), DOCTYPE),
        "zip bomb": HostileFile("a.xlsx", "xlsx", zip_bomb(), REFUSED),
        "path traversal": HostileFile("a.xlsx", "xlsx", path_traversal(), REFUSED),
        "huge shared strings": HostileFile(
            "a.xlsx", "xlsx", huge_shared_strings(), MISSING_COLUMNS
        ),
        "a million rows declared": HostileFile(
            "a.xlsx", "xlsx", declared_million_rows(), "dòng dữ liệu; hãy chia"
        ),
        "dimension lie": HostileFile("a.xlsx", "xlsx", dimension_lie(), MISSING_COLUMNS),
        "corrupted deflate": HostileFile(
            "a.xlsx", "xlsx", corrupted_deflate(), "Không đọc được nội dung trang tính"
        ),
        "truncated": HostileFile("a.xlsx", "xlsx", good[: len(good) // 2], NOT_A_WORKBOOK),
        "empty": HostileFile("a.xlsx", "xlsx", b"", "rỗng"),
        "macros renamed .xlsx": HostileFile("a.xlsx", "xlsx", macro_workbook(), "macro"),
        "xls renamed .xlsx": HostileFile(
            "a.xlsx", "xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000, "Excel 97"
        ),
        "ods renamed .xlsx": HostileFile("a.xlsx", "xlsx", opendocument(), "OpenDocument"),
        "html named .xls": HostileFile(
            "a.xls",
            "xlsx",
            b"<html><body><table><tr><td>M\xc3\xa3</td></tr></table></body></html>",
            NOT_A_WORKBOOK,
        ),
        "csv with a NUL": HostileFile(
            "a.csv", "csv", codecs.BOM_UTF8 + (CSV_HEADER + "A1,x\x00y\r\n").encode(), "văn bản"
        ),
        "csv in cp1258": HostileFile("a.csv", "csv", cp1258(CSV_HEADER + "A1,Đà Mã\r\n"), "UTF-8"),
        "csv in utf-16": HostileFile(
            "a.csv", "csv", (CSV_HEADER + "A1,Đức Xuân\r\n").encode("utf-16"), "UTF-8"
        ),
        "csv of mixed encodings": HostileFile(
            "a.csv",
            "csv",
            CSV_HEADER.encode() + cp1258("A1,Đà Mã\r\n"),
            "UTF-8",
        ),
        "csv with an unclosed quote": HostileFile(
            "a.csv", "csv", CSV_HEADER.encode() + b'A1,"' + b"x" * 200_000, "Không đọc được tệp CSV"
        ),
        "csv injection": HostileFile(
            "a.csv",
            "csv",
            codecs.BOM_UTF8
            + b"=cmd|' /C calc'!A0,@SUM(1+1)\r\n"
            + b'+HYPERLINK("http://x"),-2+3\r\n'
            + b"\t=1+1,\r=2+2\r\n",
            MISSING_COLUMNS,
        ),
    }
