"""Small but real files for the demo attachments (the upload checks read their content).

Generated in pure Python so the demo needs no image library: a one-page PDF, a PNG chart and a
baseline JPEG.
"""

import struct
import zlib


def pdf_bytes(title: str, lines: list[str]) -> bytes:
    """A one-page PDF 1.4 with ``lines`` (ASCII) on the page and ``title`` in its properties."""
    title_hex = "FEFF" + title.encode("utf-16-be").hex().upper()
    text = "\n".join(
        f"BT /F1 {16 if i == 0 else 12} Tf 72 {760 - 24 * i} Td ({line}) Tj ET"
        for i, line in enumerate(lines)
    )
    stream = f"0.1 0.3 0.6 RG 2 w 48 48 499 746 re S\n{text}\n".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%sendstream" % (len(stream), stream),
        f"<< /Title <{title_hex}> >>".encode("ascii"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def png_bytes(width: int, height: int, pixel) -> bytes:
    """An 8-bit RGB PNG whose colour at (x, y) is ``pixel(x, y)``."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def chart_png(seed: int) -> bytes:
    """A bar chart of six made-up periods on a light grid."""
    heights = [40 + (seed >> (4 * i)) % 120 for i in range(6)]

    def pixel(x, y):
        bar, offset = divmod(x - 20, 48)
        if 0 <= bar < 6 and 8 <= offset < 40 and y >= 190 - heights[bar]:
            return (30, 100 + 20 * bar, 180)
        if y == 190 or x == 20 or (y % 40 == 30 and x > 20):
            return (170, 170, 170)
        return (250, 250, 250)

    return png_bytes(320, 200, pixel)


def landscape_jpeg(seed: int) -> bytes:
    """A 320×240 baseline JPEG of a sky, hills and a house drawn in flat 8×8 blocks."""
    house = 6 + seed % 24

    def colour(bx, by):
        if by < 12:
            return (110 + by * 8, 170 + by * 5, 240)
        if house <= bx < house + 9 and 11 <= by < 20:
            return (190, 50, 40) if by < 14 else (235, 215, 170)
        shade = (bx * 7 + by * 3 + seed) % 40
        return (50 + shade, 140 + shade, 55)

    return jpeg_bytes(40, 30, colour)


# Annex K luminance DC table; the AC table holds only "end of block" since every block is flat.
_DC_BITS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_VALUES = tuple(range(12))
_AC_BITS = (1,) + (0,) * 15
_AC_VALUES = (0,)


def _huffman_codes(bits, values) -> dict[int, tuple[int, int]]:
    codes, code, index = {}, 0, 0
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            codes[values[index]] = (code, length)
            code += 1
            index += 1
        code <<= 1
    return codes


def jpeg_bytes(blocks_x: int, blocks_y: int, colour) -> bytes:
    """A baseline YCbCr JPEG whose 8×8 block (bx, by) is the flat RGB ``colour(bx, by)``."""
    dc_codes = _huffman_codes(_DC_BITS, _DC_VALUES)
    end_of_block = _huffman_codes(_AC_BITS, _AC_VALUES)[0]
    data = bytearray()
    bits = nbits = 0

    def put(value: int, length: int) -> None:
        nonlocal bits, nbits
        bits, nbits = (bits << length) | value, nbits + length
        while nbits >= 8:
            nbits -= 8
            byte = (bits >> nbits) & 0xFF
            data.extend(b"\xff\x00" if byte == 0xFF else bytes([byte]))
        bits &= (1 << nbits) - 1

    previous = [0, 0, 0]
    for by in range(blocks_y):
        for bx in range(blocks_x):
            r, g, b = colour(bx, by)
            ycbcr = (
                0.299 * r + 0.587 * g + 0.114 * b,
                128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
                128 + 0.5 * r - 0.418688 * g - 0.081312 * b,
            )
            for index, component in enumerate(ycbcr):
                # A flat block's DC coefficient is 8 × (level − 128); the table divides by 8.
                level = max(-128, min(127, round(component) - 128))
                diff, previous[index] = level - previous[index], level
                size = abs(diff).bit_length()
                put(*dc_codes[size])
                if size:
                    put(diff if diff > 0 else diff + (1 << size) - 1, size)
                put(*end_of_block)
    if nbits:
        put((1 << (8 - nbits)) - 1, 8 - nbits)

    def segment(marker: int, payload: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload

    components = bytes([1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0])
    return b"".join(
        (
            b"\xff\xd8",
            segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            segment(0xDB, b"\x00" + bytes([8] * 64)),
            segment(0xC0, struct.pack(">BHHB", 8, blocks_y * 8, blocks_x * 8, 3) + components),
            segment(0xC4, b"\x00" + bytes(_DC_BITS) + bytes(_DC_VALUES)),
            segment(0xC4, b"\x10" + bytes(_AC_BITS) + bytes(_AC_VALUES)),
            segment(0xDA, bytes([3, 1, 0, 2, 0, 3, 0, 0, 63, 0])),
            bytes(data),
            b"\xff\xd9",
        )
    )
