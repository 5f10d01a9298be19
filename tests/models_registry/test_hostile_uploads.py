"""Every hostile file of the corpus posted through the registration form, the way a browser does:
refused with a Vietnamese message and nothing stored, or accepted and stored safe."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.uploads import inspect_upload
from models_registry.models import Attachment, DanVanModel
from tests.hostile.uploads import PAGE_TEXT, corpus, jpeg_with_gps, png_with_gps
from tests.models_registry.conftest import upload

CREATE = "/mo-hinh/them/"
CASES = corpus()


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    """Users are made for every case; the production hasher would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def registration(tree, *files):
    return {
        "name": "Hiến đất làm đường",
        "kind": "model",
        "actor": "collective",
        "owning_unit": tree.ward.pk,
        "action": "save",
        "attachments": list(files),
    }


def stored_files() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def download(client, attachment) -> tuple[bytes, object]:
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    return b"".join(response.streaming_content), response


@pytest.mark.parametrize("case", [c for c in CASES if not c.accepted], ids=lambda c: c.id)
def test_hostile_upload_is_refused_and_nothing_is_stored(client_for, tree, cadre, case):
    response = client_for(cadre).post(CREATE, registration(tree, upload(case.name, case.content)))
    assert response.status_code == 400
    page = response.content.decode()
    assert case.refused in page, page[page.find("invalid-feedback") :][:600]
    assert not DanVanModel.objects.exists() and not Attachment.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize("case", [c for c in CASES if c.accepted], ids=lambda c: c.id)
def test_harmless_upload_is_stored_and_served_safely(client_for, tree, cadre, case):
    client = client_for(cadre)
    response = client.post(CREATE, registration(tree, upload(case.name, case.content)))
    assert response.status_code == 302, response.content.decode()[:2000]
    attachment = DanVanModel.objects.get().attachments.get()
    body, served = download(client, attachment)
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "sandbox"
    assert len(body) == attachment.size
    # What is stored passes the checks again, with the same kind, and has a clean name.
    again = SimpleUploadedFile(attachment.original_name, body)
    assert inspect_upload(again, max_bytes=settings.ATTACHMENT_MAX_BYTES).extension == (
        attachment.extension
    )
    assert len(attachment.original_name) <= 255
    assert attachment.original_name.endswith(attachment.extension)
    assert not any(c in attachment.original_name for c in "/\\\0\u202e")
    if attachment.content_type.startswith("image/"):
        assert b"PK\x03\x04" not in body and b"GPS" not in body and b"<html" not in body


def test_photo_loses_its_location_but_keeps_its_orientation(client_for, tree, cadre):
    photo = jpeg_with_gps(orientation=6)
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)  # the test's own premise
    client = client_for(cadre)
    client.post(CREATE, registration(tree, upload("nha-van-hoa.jpg", photo)))
    attachment = Attachment.objects.get()
    body, _ = download(client, attachment)
    image = Image.open(io.BytesIO(body))
    exif = image.getexif()
    assert exif.get_ifd(0x8825) == {} and 0x8825 not in exif
    assert 0x010F not in exif  # the camera's make is gone too
    assert exif.get(0x0112) == 6  # the photo still shows upright
    assert "xmp" not in image.info and "comment" not in image.info
    assert b"GPS" not in body and b"21,1.5N" not in body
    assert image.size == (64, 48)
    # The picture itself is not re-encoded: the compressed image data are the same bytes.
    assert body[body.index(b"\xff\xda") :] == photo[photo.index(b"\xff\xda") :]


def test_png_loses_its_location(client_for, tree, cadre):
    client = client_for(cadre)
    client.post(CREATE, registration(tree, upload("bieu-do.png", png_with_gps())))
    body, _ = download(client, Attachment.objects.get())
    image = Image.open(io.BytesIO(body))
    assert not image.getexif() and "GPSLatitude" not in image.info
    assert "XML:com.adobe.xmp" not in image.info and b"GPS" not in body
    assert image.convert("RGB").getpixel((5, 5)) == (200, 30, 30)


def test_pdf_is_downloaded_not_shown_inline(client_for, tree, cadre):
    from demo.files import pdf_bytes

    client = client_for(cadre)
    client.post(
        CREATE, registration(tree, upload("ke-hoach.pdf", pdf_bytes("Kế hoạch", PAGE_TEXT)))
    )
    _, served = download(client, Attachment.objects.get())
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment;")
    assert served["Content-Security-Policy"] == "sandbox"
    assert served["X-Content-Type-Options"] == "nosniff"


def test_photo_is_shown_inline_in_a_sandbox(client_for, tree, cadre):
    client = client_for(cadre)
    client.post(CREATE, registration(tree, upload("anh.jpg", jpeg_with_gps())))
    _, served = download(client, Attachment.objects.get())
    assert served["Content-Type"] == "image/jpeg"
    assert served["Content-Disposition"].startswith("inline;")
    assert served["Content-Security-Policy"] == "sandbox"


def test_a_refused_file_among_good_ones_keeps_none(client_for, tree, cadre):
    bad = next(c for c in CASES if c.id == "pdf-open-action-js")
    files = [upload("anh.jpg", jpeg_with_gps()), upload(bad.name, bad.content)]
    response = client_for(cadre).post(CREATE, registration(tree, *files))
    assert response.status_code == 400
    assert not Attachment.objects.exists() and stored_files() == []
