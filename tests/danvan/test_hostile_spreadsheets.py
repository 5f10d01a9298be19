"""Every hostile or broken upload of the corpus, fed to both admin imports as a superuser: a
Vietnamese message on the page, never a server error, nothing written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from models_registry.models import DanVanModel
from organisations.models import Organisation
from tests.hostile.spreadsheets import corpus

pytestmark = pytest.mark.django_db

IMPORTS = {
    "organisations": reverse("admin:organisations_organisation_import"),
    "models": reverse("admin:models_registry_danvanmodel_import"),
}
FORMATS = {"xlsx": "0", "csv": "1"}  # positions of the import formats in the admin


def stored() -> tuple:
    return (
        list(Organisation.objects.order_by("pk").values_list("pk", "path", "name", "updated_at")),
        list(DanVanModel.objects.values_list("pk", flat=True)),
    )


@pytest.mark.parametrize("importer", list(IMPORTS))
@pytest.mark.parametrize("case", list(corpus()))
def test_a_hostile_file_is_refused_in_vietnamese_and_writes_nothing(
    client, superuser, importer, case
):
    hostile = corpus()[case]
    client.force_login(superuser)
    before = stored()
    response = client.post(
        IMPORTS[importer],
        {
            "format": FORMATS[hostile.file_format],
            "import_file": SimpleUploadedFile(hostile.name, hostile.data),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert hostile.message in page
    assert response.context.get("confirm_form") is None
    assert stored() == before
