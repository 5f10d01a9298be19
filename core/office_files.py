"""What makes an Office file unsafe to keep: macros, ActiveX, remote parts, XML entities, bombs.

Macros are found by what the package declares, not by the name of one part: a macro-enabled
content type in ``[Content_Types].xml`` (main part, ``Default`` or ``Override``), a relationship
of a macro or ActiveX type from any part, a part whose name holds ``vbaProject`` in any case, or
an embedded workbook or document carrying any of these. Each check returns a reason code (one of
the constants below) or None.
"""

from __future__ import annotations

import io
import zipfile
from xml.etree.ElementTree import ParseError

import olefile
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MISMATCH = "mismatch"
MACRO = "macro"
EXTERNAL = "external"
XML_DECLARATION = "xml_declaration"
BOMB = "bomb"

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Storages that hold macros in Office 97–2003 files (Word "Macros", Excel "_VBA_PROJECT_CUR").
_OLE2_MACROS = {"macros", "_vba_project_cur", "_vba_project", "vba"}

# Parts of a content type, relationship type or part name that mean code runs when the file is
# opened (VBA, Word's VBA data, Excel 4.0 macro sheets, ActiveX controls, macro key bindings).
_MACRO_CONTENT_TYPES = (
    "macroenabled",
    "vbaproject",
    "vbadata",
    "macrosheet",
    "activex",
    "keymapcustomizations",
    "sheet.binary",  # .xlsb: binary parts that may hold macros and can't be read here
)
_MACRO_RELATIONSHIPS = {
    "vbaproject",
    "vbaprojectsignature",
    "vbaprojectsignatureagile",
    "vbaprojectsignaturev3",
    "wordvbadata",
    "keymapcustomizations",
    "attachedtoolbars",
    "control",
    "activexcontrolbinary",
    "xlmacrosheet",
    "xlintlmacrosheet",
}
_MACRO_PART_NAMES = ("vbaproject", "vbadata", "activex", "macrosheets/")
_MACRO_EXTENSIONS = (".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".xlsb", ".pptm", ".potm")
# An external target fetched when the file opens (a template, a frame, a picture, an object) can
# run macros or leak the reader's credentials; only links the reader clicks stay allowed.
_EXTERNAL_ALLOWED = {"hyperlink"}

# Bounds against zip bombs: what a real document or workbook never exceeds.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_PARTS = 10_000
_SUSPICIOUS_PART_BYTES = 4 * 1024 * 1024
_MAX_RATIO = 250
_CHUNK = 1024 * 1024


def ole2_problem(upload, parts: tuple[str, ...]) -> str | None:
    """Why an Office 97–2003 file is refused: not one holding ``parts``, or holding macros."""
    upload.seek(0)
    try:
        with olefile.OleFileIO(upload) as document:
            entries = document.listdir(streams=True, storages=True)
    except Exception:  # noqa: BLE001 - whatever a malformed file makes the parser raise
        return MISMATCH
    finally:
        upload.seek(0)
    if not any(entry[0] in parts for entry in entries):
        return MISMATCH
    if any(name.lower() in _OLE2_MACROS for entry in entries for name in entry):
        return MACRO
    return None


def ooxml_problem(upload, main_part: str) -> str | None:
    """Why an Office Open XML file is refused, or None when it is a plain document."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return _package_problem(archive, main_part, depth=0)
    except Exception:  # noqa: BLE001 - a broken, encrypted or oddly compressed archive
        return MISMATCH
    finally:
        upload.seek(0)


def _package_problem(archive: zipfile.ZipFile, main_part: str | None, *, depth: int) -> str | None:
    infos = archive.infolist()
    if len(infos) > MAX_PARTS or sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        return BOMB
    for info in infos:
        if info.file_size > _SUSPICIOUS_PART_BYTES and info.file_size > _MAX_RATIO * max(
            info.compress_size, 1
        ):
            return BOMB
    names = {info.filename for info in infos}
    if main_part is not None and main_part not in names:
        return MISMATCH
    if "[Content_Types].xml" not in names:
        return MISMATCH
    lowered = [name.lower() for name in names]
    if any(marker in name for name in lowered for marker in _MACRO_PART_NAMES):
        return MACRO
    if any(name.endswith(_MACRO_EXTENSIONS) for name in lowered):
        return MACRO
    for name in sorted(names):
        if name.endswith((".xml", ".rels", ".vml")) and _declares_entities(archive, name):
            return XML_DECLARATION
    try:
        problem = _content_types_problem(archive) or _relationships_problem(archive, names)
    except DefusedXmlException:
        return XML_DECLARATION
    except ParseError:
        return MISMATCH
    return problem or _embedded_problem(archive, names, depth=depth)


def _declares_entities(archive: zipfile.ZipFile, name: str) -> bool:
    """Whether an XML part has a DOCTYPE (entities, external ones included): Office never
    writes one, and a reader that expands it can be made to read files or exhaust memory."""
    tail = b""
    with archive.open(name) as part:
        while chunk := part.read(_CHUNK):
            window = (tail + chunk).lower()
            if b"<!doctype" in window or b"<!entity" in window:
                return True
            tail = window[-16:]
    return False


def _content_types_problem(archive: zipfile.ZipFile) -> str | None:
    types = fromstring(archive.read("[Content_Types].xml"))
    for declaration in types:
        content_type = declaration.get("ContentType", "").lower()
        if any(marker in content_type for marker in _MACRO_CONTENT_TYPES):
            return MACRO
    return None


def _relationships_problem(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    for name in sorted(names):
        if not name.lower().endswith(".rels"):
            continue
        for relationship in fromstring(archive.read(name)):
            kind = relationship.get("Type", "").rstrip("/").rsplit("/", 1)[-1].lower()
            if kind in _MACRO_RELATIONSHIPS:
                return MACRO
            external = relationship.get("TargetMode", "").lower() == "external"
            if external and kind not in _EXTERNAL_ALLOWED:
                return EXTERNAL
            if relationship.get("Target", "").lower().endswith(_MACRO_EXTENSIONS):
                return MACRO
    return None


def _embedded_problem(archive: zipfile.ZipFile, names: set[str], *, depth: int) -> str | None:
    """Objects embedded in the document (a workbook in a report, an old OLE object) are opened
    by the reader too: they are looked into, one level deep, wherever they are stored."""
    for name in sorted(names):
        if name.lower().endswith((".xml", ".rels", ".vml")) or name.endswith("/"):
            continue
        with archive.open(name) as part:
            head = part.read(8)
        if head.startswith(b"PK\x03\x04"):
            if depth >= 1:
                return MACRO  # a package in a package in a package: not a real document
            with zipfile.ZipFile(io.BytesIO(archive.read(name))) as inner:
                problem = _package_problem(inner, None, depth=depth + 1)
            if problem in (MACRO, EXTERNAL, XML_DECLARATION, BOMB):
                return problem
        elif head == OLE2_SIGNATURE:
            try:
                with olefile.OleFileIO(io.BytesIO(archive.read(name))) as document:
                    entries = document.listdir(streams=True, storages=True)
            except Exception:  # noqa: BLE001 - a broken embedded object hides nothing runnable
                continue
            if any(part.lower() in _OLE2_MACROS for entry in entries for part in entry):
                return MACRO
    return None
