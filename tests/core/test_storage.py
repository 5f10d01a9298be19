"""The private storage on the server's own folder (the embedded default): the one accessor the
file fields and migrations name, and a folder that cannot take a file, which keeps nothing."""

import pytest
from django.core.files.base import ContentFile

from core.storage import NOT_SAVED, FileNotSaved, PrivateStorage, private_storage
from models_registry.models import Attachment, DanVanModel
from reports.models import ReportSnapshot
from reviews.models import CommendationRound
from tests.models_registry.conftest import PDF, upload
from tests.models_registry.test_hostile_uploads import CREATE, registration


def test_every_file_field_names_the_one_accessor():
    fields = [
        Attachment._meta.get_field("file"),
        CommendationRound._meta.get_field("decision_file"),
        ReportSnapshot._meta.get_field("workbook"),
        ReportSnapshot._meta.get_field("narrative"),
    ]
    for field in fields:
        assert field.deconstruct()[3]["storage"] is private_storage


def test_the_accessor_follows_the_settings(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "elsewhere"
    name = private_storage().save("a/b.txt", ContentFile(b"Dan van kheo"))
    assert (tmp_path / "elsewhere" / name).read_bytes() == b"Dan van kheo"
    assert isinstance(private_storage(), PrivateStorage)
    with pytest.raises(NotImplementedError):
        private_storage().url(name)


def test_a_folder_that_cannot_take_the_file_refuses_it(settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"")
    settings.PRIVATE_MEDIA_ROOT = blocker
    with pytest.raises(FileNotSaved):
        private_storage().save("a/b.txt", ContentFile(b"x"))


@pytest.mark.django_db
def test_an_upload_the_folder_refuses_keeps_nothing_and_says_so(
    client_for, tree, cadre, settings, tmp_path
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"")
    settings.PRIVATE_MEDIA_ROOT = blocker
    response = client_for(cadre).post(CREATE, registration(tree, upload("ke-hoach.pdf", PDF)))
    assert response.status_code == 400
    assert NOT_SAVED in response.content.decode()
    assert not DanVanModel.objects.exists() and not Attachment.objects.exists()
