"""Photos kept without what they tell about where and with what they were taken.

A JPEG's or PNG's segments are copied as they are, without the ones that carry metadata (EXIF
with its GPS position, XMP, IPTC, comments, text chunks), and nothing after the end of the image
(a zip or a video appended to a "photo"). Stripping segments rather than re-saving with an
image library loses no quality and keeps the picture bit for bit; it also reads only headers,
so a bomb declaring a huge size costs nothing. The EXIF orientation is written back, alone, so a
photo taken sideways still shows upright.

``clean_jpeg`` and ``clean_png`` raise ``ImageProblem`` with ``BROKEN`` or ``TOO_LARGE``.
"""

from __future__ import annotations

import struct
import zlib

BROKEN = "broken"
TOO_LARGE = "too_large"
MAX_PIXELS = 100_000_000  # above the largest phone cameras' photos

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Chunks that make the picture (colour, transparency, animation); text, EXIF, time and unknown
# private chunks are dropped.
_PNG_KEPT = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB",
    b"cICP", b"mDCv", b"cLLi", b"bKGD", b"hIST", b"pHYs", b"sPLT", b"acTL", b"fcTL", b"fdAT",
}  # fmt: skip
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_APP0, _APP1, _APP2, _APP14, _SOS, _EOI, _COM = 0xE0, 0xE1, 0xE2, 0xEE, 0xDA, 0xD9, 0xFE
_ORIENTATION = 0x0112


class ImageProblem(ValueError):
    def __init__(self, reason: str, size: tuple[int, int] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.size = size


def _check_size(width: int, height: int) -> None:
    if width == 0 or height == 0:
        raise ImageProblem(BROKEN)
    if width * height > MAX_PIXELS:
        raise ImageProblem(TOO_LARGE, (width, height))


def clean_jpeg(data: bytes) -> bytes:
    """The JPEG without metadata segments and trailing data; its orientation kept."""
    if not data.startswith(b"\xff\xd8"):
        raise ImageProblem(BROKEN)
    segments: list[bytes] = []
    orientation = None
    framed = False
    position = 2
    length = len(data)
    while True:
        if position >= length or data[position] != 0xFF:
            raise ImageProblem(BROKEN)
        while position < length and data[position] == 0xFF:  # fill bytes
            position += 1
        if position >= length:
            raise ImageProblem(BROKEN)
        marker = data[position]
        position += 1
        if marker == _EOI:
            break
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            segments.append(bytes((0xFF, marker)))
            continue
        if position + 2 > length:
            raise ImageProblem(BROKEN)
        (size,) = struct.unpack_from(">H", data, position)
        end = position + size
        if size < 2 or end > length:
            raise ImageProblem(BROKEN)
        payload = data[position + 2 : end]
        segment = data[position - 2 : end]
        position = end
        if marker in _SOF:
            if len(payload) < 5:
                raise ImageProblem(BROKEN)
            height, width = struct.unpack_from(">HH", payload, 1)
            _check_size(width, height)
            framed = True
        if marker == _APP1 and payload.startswith(b"Exif\0\0"):
            orientation = orientation or _exif_orientation(payload[6:])
        if _is_metadata(marker, payload):
            continue
        segments.append(segment)
        if marker == _SOS:
            if not framed:
                raise ImageProblem(BROKEN)
            scan_end = _scan_end(data, position)
            segments.append(data[position:scan_end])
            position = scan_end
    if not framed:
        raise ImageProblem(BROKEN)
    header = [b"\xff\xd8"]
    if segments and segments[0][1] == _APP0:
        header.append(segments.pop(0))
    if orientation and orientation != 1:
        header.append(_orientation_segment(orientation))
    return b"".join(header + segments + [b"\xff\xd9"])


def _is_metadata(marker: int, payload: bytes) -> bool:
    """EXIF and XMP (APP1), IPTC (APP13) and every application segment but JFIF (APP0), the
    colour profile (APP2 ICC_PROFILE) and Adobe's colour transform (APP14); comments too."""
    if marker == _COM:
        return True
    if not 0xE0 <= marker <= 0xEF:
        return False
    if marker == _APP2:
        return not payload.startswith(b"ICC_PROFILE\0")
    return marker not in (_APP0, _APP14)


def _scan_end(data: bytes, position: int) -> int:
    """Where the entropy-coded data after a start-of-scan ends: the first marker that is neither
    a stuffed 0xFF00 nor a restart marker."""
    while True:
        found = data.find(b"\xff", position)
        if found < 0 or found + 1 >= len(data):
            raise ImageProblem(BROKEN)  # the file stops inside the picture: truncated
        following = data[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            position = found + 2
        elif following == 0xFF:
            position = found + 1
        else:
            return found


def _exif_orientation(tiff: bytes) -> int | None:
    """The orientation tag of IFD0 (1–8), or None where the EXIF block does not say."""
    try:
        order = {b"II": "<", b"MM": ">"}[tiff[:2]]
        (offset,) = struct.unpack_from(order + "I", tiff, 4)
        (count,) = struct.unpack_from(order + "H", tiff, offset)
        for index in range(min(count, 512)):
            tag, kind, _, value = struct.unpack_from(order + "HHIH", tiff, offset + 2 + 12 * index)
            if tag == _ORIENTATION and kind == 3 and 1 <= value <= 8:
                return value
    except (KeyError, struct.error):
        return None
    return None


def _orientation_segment(orientation: int) -> bytes:
    """An APP1 EXIF segment holding nothing but the orientation."""
    tiff = b"MM\0\x2a" + struct.pack(">I", 8)
    tiff += struct.pack(">HHHIHHI", 1, _ORIENTATION, 3, 1, orientation, 0, 0)
    payload = b"Exif\0\0" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def clean_png(data: bytes) -> bytes:
    """The PNG with only the chunks that make the picture, each checked against its CRC."""
    if not data.startswith(PNG_SIGNATURE):
        raise ImageProblem(BROKEN)
    kept = [PNG_SIGNATURE]
    position = len(PNG_SIGNATURE)
    has_data = False
    first = True
    while True:
        if position + 12 > len(data):
            raise ImageProblem(BROKEN)
        size, kind = struct.unpack_from(">I4s", data, position)
        end = position + 12 + size
        if end > len(data):
            raise ImageProblem(BROKEN)
        body = data[position + 8 : end - 4]
        (crc,) = struct.unpack_from(">I", data, end - 4)
        if zlib.crc32(kind + body) != crc or first != (kind == b"IHDR"):
            raise ImageProblem(BROKEN)
        if kind == b"IHDR":
            if size != 13:
                raise ImageProblem(BROKEN)
            _check_size(*struct.unpack_from(">II", body))
        has_data = has_data or kind == b"IDAT"
        if kind in _PNG_KEPT:
            kept.append(data[position:end])
        position = end
        first = False
        if kind == b"IEND":
            break
    if not has_data:
        raise ImageProblem(BROKEN)
    return b"".join(kept)
