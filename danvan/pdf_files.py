"""Finding active content in a PDF: scripts, launched programs, embedded files, forms that send.

pypdf reads the file the way a viewer does: names with ``#xx`` escapes decoded, objects packed in
compressed object streams unpacked (its decoders bound what one stream may inflate to), the
cross-reference table rebuilt when it is broken, files with an empty user password decrypted.
Every object it indexes is looked at, reachable from the catalog or not. Then the file's own
bytes, stream data left out, are searched once more for the same names (escapes decoded), for
objects a viewer's repair would find but the index does not list.
"""

from __future__ import annotations

import io
import logging
import re

from pypdf import PasswordType, PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

BROKEN = "broken"
ENCRYPTED = "encrypted"

# Keys whose presence alone means something runs or is carried along (script, extra actions on
# open/close/page view, embedded files, Flash/3D media, XML forms).
_ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/AA": "hành động tự động",
    "/EmbeddedFile": "tệp nhúng",
    "/EmbeddedFiles": "tệp nhúng",
    "/EF": "tệp nhúng",
    "/RichMedia": "đa phương tiện",
    "/RichMediaContent": "đa phương tiện",
    "/XFA": "biểu mẫu XFA",
    "/Launch": "lệnh mở chương trình",
}
# Action types (``/S``) and object types (``/Type``, ``/Subtype``) of the same kind: opening
# programs or other files, sending or importing form data, media players.
_ACTIVE_NAMES = {
    "/JavaScript": "JavaScript",
    "/Launch": "lệnh mở chương trình",
    "/SubmitForm": "gửi dữ liệu biểu mẫu",
    "/ImportData": "nhập dữ liệu",
    "/GoToR": "mở tệp khác",
    "/GoToE": "mở tệp nhúng",
    "/RichMediaExecute": "đa phương tiện",
    "/Rendition": "đa phương tiện",
    "/Movie": "đa phương tiện",
    "/Sound": "đa phương tiện",
    "/EmbeddedFile": "tệp nhúng",
    "/FileAttachment": "tệp nhúng",
    "/RichMedia": "đa phương tiện",
    "/3D": "đa phương tiện",
}
_TYPE_KEYS = ("/S", "/Type", "/Subtype")

_STREAM_DATA = re.compile(rb"stream\r?\n.*?endstream", re.S)
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_RAW_NAMES = {key.encode(): what for key, what in {**_ACTIVE_KEYS, **_ACTIVE_NAMES}.items()}


def pdf_problem(upload) -> str | None:
    """``BROKEN``, ``ENCRYPTED``, a Vietnamese phrase naming the active content, or None."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a repaired file is not worth a warning
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            return ENCRYPTED
        found = _objects_problem(reader)
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, OSError):
        return BROKEN
    except RecursionError:  # pathologically nested objects
        return BROKEN
    return found or _raw_problem(data)


def _objects_problem(reader: PdfReader) -> str | None:
    if not reader.xref and not reader.xref_objStm:
        raise PyPdfError("no objects")
    reader.root_object  # noqa: B018 - a file without a catalog is broken
    numbers = {
        (number, generation) for generation, table in reader.xref.items() for number in table
    }
    numbers |= {(number, 0) for number in reader.xref_objStm}
    found = _value_problem(reader.trailer)
    for number, generation in sorted(numbers):
        if found:
            return found
        try:
            value = reader.get_object(IndirectObject(number, generation, reader))
        except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, OSError):
            continue  # one unreadable object; the raw search below still sees its bytes
        found = _value_problem(value)
    return found


def _value_problem(value, depth: int = 0) -> str | None:
    """Active content in one object, nested dictionaries and arrays included. References are
    not followed: every indexed object is looked at on its own."""
    if depth > 64:
        return None
    if isinstance(value, IndirectObject):
        return None
    if isinstance(value, DictionaryObject):
        for key, item in value.items():
            if key in _ACTIVE_KEYS:
                return _ACTIVE_KEYS[key]
            if key in _TYPE_KEYS and isinstance(item, NameObject) and item in _ACTIVE_NAMES:
                return _ACTIVE_NAMES[item]
            if found := _value_problem(item, depth + 1):
                return found
    elif isinstance(value, ArrayObject):
        for item in value:
            if found := _value_problem(item, depth + 1):
                return found
    return None


def _raw_problem(data: bytes) -> str | None:
    text = _STREAM_DATA.sub(b"stream endstream", data)
    text = _HEX_ESCAPE.sub(lambda match: bytes([int(match.group(1), 16)]), text)
    for match in _NAME.finditer(text):
        what = _RAW_NAMES.get(b"/" + match.group(1))
        if what:
            return what
    return None
