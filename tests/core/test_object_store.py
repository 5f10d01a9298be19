"""Kept files on a real S3-compatible store (SeaweedFS on loopback): uploads and downloads through
the pages, a list export, a frozen report's files, the imports' files between preview and
confirmation (claimed once), and a store that refuses a file, which then keeps nothing."""

import io

import openpyxl
import pytest
from django.urls import reverse

from core.storage import NOT_SAVED, private_storage
from models_registry.choices import ExportStatus
from models_registry.models import Attachment, DanVanModel, ExportJob
from models_registry.resources import SHEET_TITLE as MODEL_SHEET
from models_registry.tasks import export_models
from organisations.models import Organisation
from reports import services as report_services
from reports.periods import year_period
from reviews.models import CommendationRound
from tests.factories import DanVanModelFactory
from tests.models_registry.conftest import PDF, upload
from tests.models_registry.test_hostile_uploads import CREATE, registration
from tests.object_store import free_ports
from tests.organisations.test_import_export import PROCESS_URL, preview, row, xlsx_file
from tests.reports.test_snapshots import fake_files  # noqa: F401 - fixture
from tests.reviews import test_historical_import as history
from tests.reviews.test_historical_import import stored_models  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.object_store]


def kept_keys(store, storage) -> list[str]:
    """The object names under this test's folder of the bucket, without the folder."""
    prefix = f"{storage.location}/"
    return [key.removeprefix(prefix) for key in store.keys(prefix)]


def test_an_attachment_is_kept_on_the_store_and_streamed_to_its_scope_only(
    client_for, tree, cadre, other_reviewer, object_store, on_object_store
):
    client = client_for(cadre)
    response = client.post(CREATE, registration(tree, upload("ke-hoach.pdf", PDF)))
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    # The object is in the bucket, as acknowledged, and nowhere on the server's disk.
    assert kept_keys(object_store, on_object_store) == [attachment.file.name]
    key = f"{on_object_store.location}/{attachment.file.name}"
    body = object_store.client().get_object(Bucket=object_store.bucket, Key=key)["Body"].read()
    assert body == attachment.file.open("rb").read() and body.startswith(b"%PDF")

    served = client.get(attachment.get_absolute_url())
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == body
    assert served["Content-Disposition"].startswith("attachment;")
    assert served["Content-Security-Policy"] == "sandbox"
    assert client_for(other_reviewer).get(attachment.get_absolute_url()).status_code == 404
    # No URL of the store is ever handed out.
    with pytest.raises(NotImplementedError):
        attachment.file.url  # noqa: B018


def test_an_object_gone_from_the_store_answers_404_in_vietnamese(
    client_for, tree, cadre, object_store, on_object_store
):
    client = client_for(cadre)
    client.post(CREATE, registration(tree, upload("ke-hoach.pdf", PDF)))
    attachment = Attachment.objects.get()
    object_store.client().delete_object(
        Bucket=object_store.bucket, Key=f"{on_object_store.location}/{attachment.file.name}"
    )
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_a_background_list_export_is_kept_on_the_store_and_downloaded(
    client_for, tree, cadre, reviewer, object_store, on_object_store
):
    DanVanModelFactory(owning_unit=tree.ward, name="Camera an ninh")
    DanVanModelFactory(owning_unit=tree.residential, name="Hòm thư góp ý 217-218")
    job = ExportJob.objects.create(requested_by=cadre, query="", format="xlsx")
    export_models.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert kept_keys(object_store, on_object_store) == [f"exports/{job.pk}.xlsx"]

    download = reverse("models_registry:export_download", args=[job.pk])
    response = client_for(cadre).get(download)
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook[MODEL_SHEET].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2 and any("Camera an ninh" in row for row in rows)
    assert client_for(reviewer).get(download).status_code == 404


def test_a_frozen_reports_files_are_kept_on_the_store(
    client_for,
    tree,
    reviewer,
    fake_files,  # noqa: F811
    object_store,
    on_object_store,
):
    snapshot = report_services.snapshot_freeze(
        by=reviewer, organisation=tree.province, period=year_period(2025)
    )
    assert sorted(kept_keys(object_store, on_object_store)) == sorted(
        [snapshot.workbook.name, snapshot.narrative.name]
    )
    response = client_for(reviewer).get(reverse("reports:snapshot_workbook", args=[snapshot.pk]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["B1"].value == "Tỉnh Thái Nguyên"


def test_an_import_waits_on_the_store_between_preview_and_confirmation(
    client, superuser, tree, object_store, on_object_store
):
    client.force_login(superuser)
    response = preview(client, xlsx_file([row("T19-TT", "T19", "Phường Tân Thịnh")]))
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    assert data["import_file_name"].startswith("imports/admin/")
    assert kept_keys(object_store, on_object_store) == [data["import_file_name"]]

    assert client.post(PROCESS_URL, data).status_code == 302
    assert Organisation.objects.filter(code="T19-TT").count() == 1
    assert kept_keys(object_store, on_object_store) == []  # claimed: read and removed
    again = client.post(PROCESS_URL, data)
    assert "đã được xác nhận hoặc đã hết hạn" in again.content.decode()
    assert Organisation.objects.filter(code="T19-TT").count() == 1


def test_a_historical_round_waits_on_the_store_between_preview_and_confirmation(
    client,
    admin_user,
    tree,
    stored_models,  # noqa: F811
    object_store,
    on_object_store,
):
    client.force_login(admin_user)
    response = history.preview(client, history.rows_2017(tree), tree.province)
    assert response.status_code == 200
    [staged] = kept_keys(object_store, on_object_store)
    assert staged.startswith("imports/rounds/")
    token = response.context["token"]
    assert history.confirm(client, token, tree.province).status_code == 302
    assert CommendationRound.objects.get().commendations.count() == 38
    assert kept_keys(object_store, on_object_store) == []
    assert history.confirm(client, token, tree.province).status_code == 400
    assert CommendationRound.objects.count() == 1


def refused_store(settings, object_store, **options) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "core.object_store.ObjectStoreStorage",
            "OPTIONS": object_store.options(**options),
        },
    }


@pytest.mark.parametrize(
    "refusal",
    ["bucket missing", "store not answering"],
)
def test_a_file_the_store_refuses_keeps_nothing_and_says_so(
    client_for, tree, cadre, settings, object_store, refusal
):
    if refusal == "bucket missing":
        refused_store(settings, object_store, bucket_name="khong-co-thung-nay")
    else:
        (silent,) = free_ports(1)  # nothing listens there: the store is down
        refused_store(settings, object_store, endpoint_url=f"http://127.0.0.1:{silent}")
    response = client_for(cadre).post(CREATE, registration(tree, upload("ke-hoach.pdf", PDF)))
    assert response.status_code == 400
    assert NOT_SAVED in response.content.decode()
    # The registration and its attachment were one transaction: neither is kept.
    assert not DanVanModel.objects.exists() and not Attachment.objects.exists()


def test_the_private_storage_follows_the_settings(settings, object_store, on_object_store):
    assert private_storage().location == on_object_store.location
    field = Attachment._meta.get_field("file")
    assert field.deconstruct()[3]["storage"] is private_storage


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_claim_the_staged_file_once(object_store, on_object_store):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection

    from core import staging

    name = staging.stage(b"mot lan thoi", folder="imports/admin")
    together = Barrier(2)

    def confirm_once():
        together.wait()
        try:
            return staging.claim(name)
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        claims = sorted(pool.map(lambda _: confirm_once(), range(2)), key=bool)
    assert claims == [None, b"mot lan thoi"]
    assert kept_keys(object_store, on_object_store) == []


def test_the_sweep_finds_unconfirmed_files_on_the_store(object_store, on_object_store, settings):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from core import staging

    settings.STAGED_FILE_HOURS = 24
    staged = [
        staging.stage(b"bo quen", folder=staging.ADMIN_IMPORTS),
        staging.stage(b"bo quen", folder=staging.ROUND_IMPORTS),
    ]
    job_file = private_storage().save("imports/9.xlsx", ContentFile(b"viec nen"))
    assert staging.sweep_abandoned(timezone.now()) == 0
    assert staging.sweep_abandoned(timezone.now() + timedelta(hours=25)) == 2
    assert kept_keys(object_store, on_object_store) == [job_file]
    assert all(staging.claim(name) is None for name in staged)
