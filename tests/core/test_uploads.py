"""The upload checks on their own: the size limit and the names files are kept under."""

import random
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import inspect_upload, safe_file_name, stored_content
from tests.hostile.uploads import corpus, png_plain
from tests.models_registry.conftest import upload
from tests.models_registry.test_hostile_uploads import CREATE, fast_hasher, registration  # noqa: F401

LIMIT = 10 * 1024 * 1024


def png_of_size(size: int) -> bytes:
    """A real PNG of exactly ``size`` bytes (a private chunk pads it)."""
    plain = png_plain()
    padding = size - len(plain) - 12
    data = b"\0" * padding
    chunk = (
        struct.pack(">I", padding) + b"prVt" + data + struct.pack(">I", zlib.crc32(b"prVt" + data))
    )
    end = plain.index(b"IEND") - 4
    return plain[:end] + chunk + plain[end:]


def test_a_file_at_the_limit_is_accepted(client_for, tree, cadre, settings):
    assert settings.ATTACHMENT_MAX_BYTES == LIMIT
    content = png_of_size(LIMIT)
    assert len(content) == LIMIT
    response = client_for(cadre).post(CREATE, registration(tree, upload("anh.png", content)))
    assert response.status_code == 302


def test_a_file_one_byte_over_the_limit_says_by_how_much(client_for, tree, cadre):
    content = png_of_size(LIMIT + 1)
    response = client_for(cadre).post(CREATE, registration(tree, upload("anh.png", content)))
    assert response.status_code == 400
    page = response.content.decode()
    assert "quá lớn: 10.485.761 byte (hơn 10,0 MB); mỗi tệp tối đa 10 MB (10.485.760 byte)" in page


@pytest.mark.parametrize(
    ("size", "shown"),
    [(LIMIT + 1, "hơn 10,0 MB"), (LIMIT + 52_428, "hơn 10,0 MB"), (LIMIT + 52_429, "10,1 MB")],
)
def test_size_is_never_rounded_down_to_the_limit(size, shown):
    big = SimpleUploadedFile("a.pdf", b"%PDF-")
    big.size = size
    with pytest.raises(ValidationError) as refused:
        inspect_upload(big, max_bytes=LIMIT)
    assert shown in refused.value.messages[0]


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("Biên bản họp.pdf", "Biên bản họp.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\lan\\anh.jpg", "anh.jpg"),
        ("bao-cao\u202efdp.jpg", "bao-caofdp.jpg"),
        ("anh\0.jpg", "anh.jpg"),
        ("a\u200b\u2066b\r\n.png", "ab.png"),
        ("a" * 400 + ".jpeg", "a" * 250 + ".jpeg"),
        ("", "tep"),
        ("...", "tep"),
    ],
)
def test_safe_file_name(name, kept):
    assert safe_file_name(name) == kept


def test_damaged_files_are_refused_or_accepted_never_crash():
    # Every accepted file of the corpus, damaged at a few places (bytes flipped, cut short):
    # the checks answer with a verdict, whatever the parsers meet.
    rng = random.Random(20251118)
    for case in (c for c in corpus() if c.accepted and len(c.content) < 200_000):
        for _ in range(12):
            content = bytearray(case.content)
            for _ in range(rng.randint(1, 8)):
                content[rng.randrange(len(content))] = rng.randrange(256)
            if rng.random() < 0.3:
                content = content[: rng.randrange(1, len(content))]
            damaged = SimpleUploadedFile(case.name, bytes(content))
            try:
                kind = inspect_upload(damaged, max_bytes=LIMIT)
            except ValidationError as refused:
                assert refused.messages[0].startswith("Tệp “")
            else:
                assert stored_content(damaged, kind).size > 0
