"""A formula saved without its result is named to the importing admin, never read as empty."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl.utils import get_column_letter

from models_registry.models import DanVanModel
from models_registry.resources import COLUMNS as MODEL_COLUMNS
from models_registry.resources import SHEET_TITLE as MODEL_SHEET
from organisations.models import Organisation
from organisations.resources import COLUMNS as UNIT_COLUMNS
from organisations.resources import SHEET_TITLE as UNIT_SHEET

pytestmark = pytest.mark.django_db

MESSAGE = "chứa công thức chưa có giá trị tính sẵn"


def upload(name: str, sheet_title: str, columns: dict, rows: list[dict]) -> SimpleUploadedFile:
    """A workbook written by openpyxl, which stores formulas without their results."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append(list(columns.values()))
    for row in rows:
        sheet.append([row.get(key, "") for key in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def cell(columns: dict, key: str, sheet_row: int) -> str:
    return f"{get_column_letter(list(columns).index(key) + 1)}{sheet_row}"


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_a_model_import_names_the_formula_cell_and_writes_nothing(admin_client, tree):
    valid = {
        "owning_unit": "T19-CH",
        "field": "Kinh tế",
        "start_date": "01/03/2023",
        "status": "Đã duyệt đăng ký",
    }
    rows = [
        {**valid, "name": "Hiến đất làm đường"},
        {**valid, "name": '=CONCATENATE("Nuôi ", "Dê")'},
    ]
    response = admin_client.post(
        reverse("admin:models_registry_danvanmodel_import"),
        {"format": "0", "import_file": upload("mo-hinh.xlsx", MODEL_SHEET, MODEL_COLUMNS, rows)},
    )
    page = response.content.decode()
    assert response.status_code == 200
    where = cell(MODEL_COLUMNS, "name", 3)
    assert f"Ô {where} (cột “{MODEL_COLUMNS['name']}”) {MESSAGE}" in page
    assert "hãy mở tệp bằng Excel, lưu lại rồi nhập lại" in page
    assert response.context.get("confirm_form") is None
    assert not DanVanModel.objects.exists()


def test_an_organisation_import_names_the_formula_cell_and_writes_nothing(admin_client, tree):
    rows = [
        {
            "code": "T19-TT",
            "parent_code": "T19",
            "name": "Phường Tân Thịnh",
            "level": "Xã, phường, đặc khu",
        },
        {
            "code": "T19-PX",
            "parent_code": '="T"&"19"',
            "name": "Phường Phan Xá",
            "level": "Xã, phường, đặc khu",
        },
    ]
    before = Organisation.objects.count()
    response = admin_client.post(
        reverse("admin:organisations_organisation_import"),
        {"format": "0", "import_file": upload("don-vi.xlsx", UNIT_SHEET, UNIT_COLUMNS, rows)},
    )
    page = response.content.decode()
    assert response.status_code == 200
    where = cell(UNIT_COLUMNS, "parent_code", 3)
    assert f"Ô {where} (cột “{UNIT_COLUMNS['parent_code']}”) {MESSAGE}" in page
    assert response.context.get("confirm_form") is None
    assert Organisation.objects.count() == before
