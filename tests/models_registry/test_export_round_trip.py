"""The list's export is an import file: exported from /mo-hinh/ and imported back through the
admin unchanged, it changes nothing; into an empty registry it recreates the same records."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from models_registry.choices import Actor, ExportStatus, Field, ModelKind, Status
from models_registry.exports import INFO_SHEET
from models_registry.models import DanVanModel, ExportJob, Theme
from models_registry.resources import COLUMNS, EXPORT_ONLY, SHEET_TITLE
from tests.factories import DanVanModelFactory
from tests.models_registry.test_import_export import (
    CSV,
    GIAM_NGHEO,
    NONG_THON_MOI,
    TEMPLATE_URL,
    XLSX,
    confirm,
    page,
    preview,
    snapshot,
)

EXPORT = "/mo-hinh/xuat/"


def midnight(year, month, day) -> datetime:
    """A day of the workflow as the import stores it: 00:00 Vietnam time."""
    return datetime(year, month, day, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def full_model(unit, themes, **given) -> DanVanModel:
    """A model with every column of the import filled (``given`` changes some)."""
    values = {
        "code": "CH-2024-07",
        "name": "Hiến đất làm đường giao thông nông thôn",
        "kind": ModelKind.MODEL,
        "actor": Actor.COLLECTIVE,
        "person_name": "Nguyễn Văn An",
        "person_position": "Trưởng thôn",
        "field": Field.ECONOMY,
        "territory_note": "Tổ dân phố 9",
        "situation": "Đường lầy lội.\nMùa mưa không đi được.",
        "goals": "Cứng hóa 100% đường ngõ.",
        "content": "-Vận động nhân dân hiến đất, góp ngày công.",  # a formula-looking start
        "target_group": "Hộ dân tổ 9",
        "forces": "Chi bộ, Ban công tác Mặt trận",
        "funds": 150_000_000,
        "workdays": 1_200,
        "socialised_funds": 25_000_000,
        "resources_note": "Đá, cát, 300 m² đất",
        "start_date": date(2023, 3, 1),
        "schedule": "Quý II–IV/2023",
        "evaluation_date": date(2023, 12, 1),
        "outputs": "1,2 km đường bê tông",
        "sustainability": "Nhân rộng ra các tổ khác",
        "contact_name": "Nguyễn Văn An",
        "contact_phone": "0912345678",
        "status": Status.RECOGNISED,
        "decision_number": "125/QĐ-UBND",
        "decision_date": date(2023, 12, 15),
    }
    values.update(given)
    model = DanVanModelFactory(owning_unit=unit, **values)
    model.themes.set(themes)
    return model


def record(model: DanVanModel) -> dict:
    """What the import file holds of a stored model: each column's value."""
    values = {}
    for key in COLUMNS:
        if key == "owning_unit":
            values[key] = model.owning_unit.code
        elif key == "themes":
            values[key] = sorted(model.themes.values_list("name", flat=True))
        elif key == "replicated_from":
            values[key] = model.replicated_from.code if model.replicated_from else None
        else:
            values[key] = getattr(model, key)
    return values


def records() -> dict[str, dict]:
    return {model.code: record(model) for model in DanVanModel.objects.all()}


def export_through_the_list(client, fmt: str) -> bytes:
    """The list's "Xuất Excel" (or csv), built by the background worker, then downloaded."""
    response = client.post(f"{EXPORT}?format={fmt}")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    call_command("db_worker", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
    response = client.get(reverse("models_registry:export_download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def import_back(client, content: bytes, fmt: str):
    """The admin import's preview of ``content``, checked error-free; the confirmed import."""
    upload = SimpleUploadedFile(f"danh-sach-mo-hinh.{fmt}", content)
    response = preview(client, upload, XLSX if fmt == "xlsx" else CSV)
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors(), page(response)
    return response, [row.import_type for row in result.valid_rows()]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_list_export_imports_back_unchanged_and_recreates_the_records(
    client_for, tree, registry_admin, settings, fmt
):
    settings.EXPORT_SYNC_MAX_ROWS = 1  # through the background job, as a large list goes
    themes = [Theme.objects.get_or_create(name=name)[0] for name in (NONG_THON_MOI, GIAM_NGHEO)]
    origin = full_model(
        tree.former_ward,  # in the merged former province, inside the admin's scope
        themes[1:],
        code="DVK-2025-01",
        name="Ông Nông Văn Hạnh – Trưởng Ban công tác Mặt trận tổ 15",
        kind=ModelKind.EXEMPLAR,
        actor=Actor.INDIVIDUAL,
        person_name="Nông Văn Hạnh",
        person_position="Trưởng Ban công tác Mặt trận tổ 15",
        field=Field.POLITICAL_SYSTEM,
        status=Status.ACCEPTED,
        funds=0,
        decision_number="7/QĐ-BDV",
        decision_date=date(2025, 2, 3),
        start_date=date(2025, 1, 2),
        evaluation_date=date(2025, 12, 31),
        accepted_at=midnight(2025, 2, 3),
    )
    full_model(  # recognised, then stopped; replicated from the other one
        tree.ward,
        themes,
        status=Status.DISCONTINUED,
        accepted_at=midnight(2023, 3, 10),
        recognised_at=midnight(2023, 12, 15),
        discontinued_at=midnight(2026, 2, 1),
        status_reason="Địa bàn sáp nhập, tổ dân phố giải thể.",
        replicated_from=origin,
    )
    DanVanModelFactory(owning_unit=tree.other_province_ward, code="HN-01", status="accepted")
    client = client_for(registry_admin)
    content = export_through_the_list(client, fmt)

    # The file's columns are the import template's, in its order, with the reader's aids.
    template = openpyxl.load_workbook(io.BytesIO(client.get(TEMPLATE_URL).content))
    template_headers = [cell.value for cell in template.worksheets[0][1]]
    if fmt == "xlsx":
        # The file opens on what it holds; the import reads the data sheet by its name.
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        assert workbook.sheetnames == [INFO_SHEET, SHEET_TITLE]
        assert workbook.active.title == INFO_SHEET
        sheet = workbook[SHEET_TITLE]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert sheet.title == template.worksheets[0].title
    else:
        import csv

        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    headers = rows[0]
    assert [header for header in headers if header not in EXPORT_ONLY.values()] == (
        template_headers
    )
    assert template_headers == list(COLUMNS.values())
    # Every column of the import is filled for one of these models at least (a column added to
    # the import is added to ``full_model`` too): the stop's day and reason, and the origin,
    # only for the stopped replica.
    exported = [dict(zip(headers, row, strict=True)) for row in rows[1:]]
    empty = [
        key
        for key, header in COLUMNS.items()
        if all(values[header] in (None, "") for values in exported)
    ]
    assert empty == [], f"columns the round trip leaves empty: {empty}"
    assert len(rows) == 3  # the other province's model stays out

    stored = records()
    before = snapshot()
    response, actions = import_back(client, content, fmt)
    assert actions == ["skip", "skip"]
    assert "2 không thay đổi" in page(response) and "Không đổi" in page(response)
    confirm(client, response)
    assert snapshot() == before  # nothing written, not even a timestamp or a history row
    assert records() == stored

    # Into an empty registry (the other province's model aside), the same records again.
    DanVanModel.objects.filter(owning_unit__in=[tree.ward, tree.former_ward]).delete()
    response, actions = import_back(client, content, fmt)
    assert actions == ["new", "new"]
    confirm(client, response)
    recreated = records()
    assert recreated.pop("HN-01") == stored.pop("HN-01")
    assert recreated == stored
    assert recreated["CH-2024-07"]["situation"] == "Đường lầy lội.\nMùa mưa không đi được."
    assert recreated["CH-2024-07"]["content"].startswith("-Vận động")
