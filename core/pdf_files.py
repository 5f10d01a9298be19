"""Finding active content in a PDF: scripts, launched programs, embedded files, forms that send.

The names that declare such content (``/JavaScript``, ``/Launch``, ``/AA``, ``/JS``…) are looked
for in every byte of the file, ``#xx`` escapes decoded (``/J#53`` is ``/JS``), and in the
unpacked data of every compressed object stream, which pypdf reads the way a viewer does (its
decoders bound what a stream may inflate to; a file with an empty user password is decrypted).
A long name found anywhere refuses the file: it can't turn up by chance, even in image data. A
short one (``/JS``, ``/AA``) may, so the object it sits in is parsed with pypdf and its keys and
action types are checked; an object that can't be parsed counts as active. Parsing only those
objects keeps a file of many thousand objects quick to check.
"""

from __future__ import annotations

import bisect
import io
import logging
import re

from pypdf import PasswordType, PdfReader
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
_ACTIVE = {**_ACTIVE_KEYS, **_ACTIVE_NAMES}
_WATCHED = {name.encode("latin-1") for name in _ACTIVE} | {b"/ObjStm"}
_SHORT = 5  # names up to this length (slash included) may occur by chance in binary data

_NAME = re.compile(rb"/(?:[^\s/<>\[\]()%{}#]|#[0-9A-Fa-f]{2})+")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")

# A file pypdf had to repair is refused or accepted all the same: its warnings are not news.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def pdf_problem(upload) -> str | None:
    """``BROKEN``, ``ENCRYPTED``, a Vietnamese phrase naming the active content, or None."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            return ENCRYPTED
        reader.root_object  # noqa: B018 - a file without a catalog is broken
        return _file_problem(reader, data)
    except Exception:  # noqa: BLE001 - whatever a malformed file makes the parser raise
        return BROKEN


def _active_names(data: bytes):
    """(position, name) of each name in ``data`` that declares active content."""
    for match in _NAME.finditer(data):
        name = match.group()
        if b"#" in name:
            name = _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        if name in _WATCHED:
            yield match.start(), name.decode("latin-1")


def _file_problem(reader: PdfReader, data: bytes) -> str | None:
    if found := _value_problem(reader.trailer):
        return found
    located = sorted(
        (offset, number, generation)
        for generation, table in reader.xref.items()
        for number, offset in table.items()
    )
    offsets = [offset for offset, _, _ in located]
    suspects: set[tuple[int, int]] = set()
    streams = {stream for stream, _ in reader.xref_objStm.values()}
    for position, name in _active_names(data):
        if len(name) > _SHORT and name != "/ObjStm":
            return _ACTIVE[name]
        index = bisect.bisect_right(offsets, position) - 1
        if index >= 0:
            _, number, generation = located[index]
            suspects.add((number, generation))
            if name == "/ObjStm":
                streams.add(number)
    for number, generation in sorted(suspects):
        if found := _object_problem(reader, number, generation):
            return found
    for stream in sorted(streams):
        if found := _object_stream_problem(reader, stream):
            return found
    return None


def _object_problem(reader: PdfReader, number: int, generation: int = 0) -> str | None:
    try:
        value = reader.get_object(IndirectObject(number, generation, reader))
    except Exception:  # noqa: BLE001 - an object a viewer might still read: assume the worst
        return "đối tượng không đọc được"
    return _value_problem(value)


def _object_stream_problem(reader: PdfReader, stream: int) -> str | None:
    """The objects packed in a compressed object stream, unpacked and searched the same way."""
    holder = reader.get_object(stream)
    if not isinstance(holder, DictionaryObject) or holder.get("/Type") != "/ObjStm":
        return None
    names = [name for _, name in _active_names(holder.get_data()) if name != "/ObjStm"]
    if long_names := [name for name in names if len(name) > _SHORT]:
        return _ACTIVE[long_names[0]]
    if names:
        for number, (holder_number, _) in reader.xref_objStm.items():
            if holder_number == stream and (found := _object_problem(reader, number)):
                return found
    return None


def _value_problem(value, depth: int = 0) -> str | None:
    """Active content in one object, nested dictionaries and arrays included. References are
    not followed: the objects that matter are found by their names."""
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
