"""Sample uploads and the registry admin for the registry tests."""

import io
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from demo.files import landscape_jpeg, pdf_bytes, png_bytes

# The smallest real files of each kind (the upload checks read them through).
PDF = pdf_bytes("Kế hoạch", ["Ke hoach thuc hien"])
JPEG = landscape_jpeg(1)
PNG = png_bytes(2, 2, lambda x, y: (x * 200, y * 200, 90))


@pytest.fixture
def registry_admin(admin_user):
    """The province admin: the admin role's group opens the registry's admin pages."""
    return admin_user


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def office_file(main_part: str, *extra: str) -> bytes:
    """A minimal Office Open XML package with ``main_part`` (and ``extra`` parts)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<document/>")
        for part in extra:
            archive.writestr(part, "binary")
    return buffer.getvalue()


def ole2_file(*streams: str, storages: tuple[str, ...] = ()) -> bytes:
    """A minimal Office 97–2003 compound file holding ``streams`` (4 KiB each, so they sit in
    ordinary sectors) and empty ``storages``: what a .doc or .xls looks like inside."""
    sector, end, free, no_entry = 512, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF
    entries = [(name, 2) for name in streams] + [(name, 1) for name in storages]
    assert len(entries) <= 3  # one directory sector: the root and three entries
    stream_sectors = 4096 // sector
    fat = [0xFFFFFFFD, end]  # sector 0 is the FAT, sector 1 the directory
    for _ in streams:
        first = len(fat)
        fat += list(range(first + 1, first + stream_sectors)) + [end]
    fat += [free] * (sector // 4 - len(fat))

    def entry(name, kind, child=no_entry, right=no_entry, start=end, size=0) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB3I", len(encoded), kind, 1, no_entry, right, child)
            + b"\0" * 36  # class id, state bits, creation and modification times
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, child=1 if entries else no_entry)
    next_stream = 2
    for number, (name, kind) in enumerate(entries, start=1):
        right = number + 1 if number < len(entries) else no_entry
        if kind == 2:
            directory += entry(name, kind, right=right, start=next_stream, size=4096)
            next_stream += stream_sectors
        else:
            directory += entry(name, kind, right=right, start=0)
    directory = directory.ljust(sector, b"\0")

    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *[free] * 108)
    )
    body = struct.pack(f"<{sector // 4}I", *fat) + directory
    body += b"".join(name.encode().ljust(4096, b".") for name in streams)
    return header + body
