"""The models' import against what the workflow owns, the preview's changes, and the confirm step
(failures, replays) and the export's labels."""

import io
import re

import openpyxl
import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection

from models_registry.admin import DanVanModelAdmin
from models_registry.models import DanVanModel, WorkflowEvent
from models_registry.resources import COLUMNS, EXPORT_ONLY, SHEET_TITLE
from tests.models_registry.test_import_export import (
    EXPORT_URL,
    GIAM_NGHEO,
    NONG_THON_MOI,
    PROCESS_URL,
    TEMPLATE_URL,
    confirm,
    page,
    preview,
    snapshot,
    values,
    xlsx_file,
)

pytestmark = pytest.mark.django_db

RECOGNISED = {"status": "Đã công nhận", "decision_number": "7/QĐ", "decision_date": "20/12/2023"}
# The columns the admin form shows read-only because the workflow writes them.
WORKFLOW_COLUMNS = [key for key in COLUMNS if key in DanVanModelAdmin.readonly_fields]


@pytest.fixture
def admin_client(client, registry_admin):
    client.force_login(registry_admin)
    return client


def confirmation(response) -> dict:
    form = response.context["confirm_form"]
    assert form is not None, "the preview offered no confirmation"
    return {name: form.initial.get(name, "") for name in form.fields}


def test_the_import_treats_as_read_only_what_the_admin_form_does():
    assert {"status", "decision_number", "decision_date"} <= set(WORKFLOW_COLUMNS)


@pytest.mark.parametrize(
    "changed",
    [{"decision_number": "8/QĐ"}, {"decision_date": "21/12/2023"}],
    ids=["decision_number", "decision_date"],
)
def test_a_reimport_cannot_change_what_the_workflow_wrote(admin_client, tree, changed):
    confirm(admin_client, preview(admin_client, xlsx_file([values(**RECOGNISED)])))
    model = DanVanModel.objects.get()
    before = snapshot()
    response = preview(admin_client, xlsx_file([values(**{**RECOGNISED, **changed})]))
    result = response.context["result"]
    assert result.has_validation_errors()
    assert response.context.get("confirm_form") is None
    (key,) = changed
    text = page(response)
    assert f"Dòng 2: {COLUMNS[key].lower()}" in text
    assert "không sửa được bằng nhập tệp" in text
    assert snapshot() == before
    model.refresh_from_db()
    assert (model.decision_number, f"{model.decision_date:%d/%m/%Y}") == ("7/QĐ", "20/12/2023")
    assert model.events.count() == 1


def test_a_decision_number_is_kept_without_the_words_typed_before_it(admin_client, tree):
    typed = {**RECOGNISED, "decision_number": "Quyết định số 7/QĐ"}
    confirm(admin_client, preview(admin_client, xlsx_file([values(**typed)])))
    assert DanVanModel.objects.get().decision_number == "7/QĐ"
    # The same decision written another way is no change of what the workflow wrote.
    before = snapshot()
    again = preview(admin_client, xlsx_file([values(**{**typed, "decision_number": "Số: 7/QĐ"})]))
    assert [r.import_type for r in again.context["result"].valid_rows()] == ["skip"]
    confirm(admin_client, again)
    assert snapshot() == before


def test_a_decision_number_of_lead_words_only_is_no_number(admin_client, tree):
    response = preview(
        admin_client, xlsx_file([values(**{**RECOGNISED, "decision_number": "Quyết định số"})])
    )
    assert "Dòng 2: mô hình đã công nhận phải có số quyết định công nhận." in page(response)
    assert not DanVanModel.objects.exists()


@pytest.mark.parametrize("key", [key for key in WORKFLOW_COLUMNS if key != "status"])
def test_an_empty_read_only_cell_keeps_the_stored_value(admin_client, tree, key):
    decided = values(decision_number="7/QĐ", decision_date="20/04/2023")
    confirm(admin_client, preview(admin_client, xlsx_file([decided])))
    before = snapshot()
    response = preview(admin_client, xlsx_file([values(**{"decision_number": "7/QĐ", key: ""})]))
    assert [r.import_type for r in response.context["result"].valid_rows()] == ["skip"]
    confirm(admin_client, response)
    assert snapshot() == before
    model = DanVanModel.objects.get()
    assert (model.decision_number, f"{model.decision_date:%d/%m/%Y}") == ("7/QĐ", "20/04/2023")


def test_an_empty_themes_cell_keeps_the_stored_themes(admin_client, tree):
    first = values(themes=f"{NONG_THON_MOI}; {GIAM_NGHEO}")
    confirm(admin_client, preview(admin_client, xlsx_file([first])))
    model = DanVanModel.objects.get()
    before = snapshot()
    response = preview(admin_client, xlsx_file([values(themes="")]))
    assert [r.import_type for r in response.context["result"].valid_rows()] == ["skip"]
    confirm(admin_client, response)
    assert snapshot() == before
    assert sorted(model.themes.values_list("name", flat=True)) == [GIAM_NGHEO, NONG_THON_MOI]


def test_the_preview_shows_each_change_from_old_to_new(admin_client, tree):
    first = values(themes=NONG_THON_MOI, funds=150_000_000, content="")
    confirm(admin_client, preview(admin_client, xlsx_file([first])))
    changed = values(themes=GIAM_NGHEO, funds="5.000.000", content="Vận động hiến đất.")
    text = page(preview(admin_client, xlsx_file([changed])))
    assert "Kinh phí (đồng): 150.000.000 → 5.000.000" in text
    assert "Nội dung, cách làm: (trống) → Vận động hiến đất." in text
    assert f"Chủ đề: {NONG_THON_MOI} → {GIAM_NGHEO}" in text


def test_the_template_documents_empty_cells_of_existing_models(admin_client, tree):
    workbook = openpyxl.load_workbook(io.BytesIO(admin_client.get(TEMPLATE_URL).content))
    guide = {row[0]: row[1] for row in workbook["Hướng dẫn"].iter_rows(values_only=True)}
    assert "để trống là giữ nguyên" in guide[COLUMNS["themes"]]
    for key in WORKFLOW_COLUMNS:
        assert "không sửa được bằng nhập tệp" in guide[COLUMNS[key]]


# --- every column's limit is the model's ---------------------------------------------------


CHAR_COLUMNS = [
    key
    for key in COLUMNS
    if getattr(DanVanModel._meta.get_field(key), "max_length", None)
    and not DanVanModel._meta.get_field(key).choices
    and key not in ("status", "contact_phone")
]


@pytest.mark.parametrize("key", CHAR_COLUMNS)
def test_every_text_column_is_held_to_its_model_fields_length(admin_client, tree, key):
    limit = DanVanModel._meta.get_field(key).max_length
    response = preview(admin_client, xlsx_file([values(**{key: "x" * (limit + 1)})]))
    assert response.context["result"].has_validation_errors()
    assert f"{COLUMNS[key].lower()} dài quá {limit} ký tự" in page(response)


# --- the confirm step -------------------------------------------------------------------------


def test_a_confirmation_that_fails_in_the_database_writes_and_logs_nothing(admin_client, tree):
    data = confirmation(preview(admin_client, xlsx_file([values(), values(name="Nuôi Dê")])))
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE models_registry_danvanmodel ADD CONSTRAINT import_test_refuses "
            "CHECK (name <> 'Nuôi Dê')"
        )
    before, logs = snapshot(), LogEntry.objects.count()
    response = admin_client.post(PROCESS_URL, data)
    text = page(response)
    assert response.status_code == 200
    assert "Đã nhập xong" not in text
    assert "Không nhập được tệp — chưa có dữ liệu nào được ghi" in text
    assert snapshot() == before
    assert LogEntry.objects.count() == logs


def test_a_second_post_of_the_same_confirmation_writes_nothing_twice(admin_client, tree):
    data = confirmation(preview(admin_client, xlsx_file([values(), values(name="Nuôi Dê")])))
    assert admin_client.post(PROCESS_URL, data).status_code == 302
    assert DanVanModel.objects.count() == 2
    after, logs = snapshot(), LogEntry.objects.count()
    assert logs == 2
    response = admin_client.post(PROCESS_URL, data)
    assert response.status_code == 200
    assert "đã được xác nhận hoặc đã hết hạn" in page(response)
    assert snapshot() == after
    assert LogEntry.objects.count() == logs
    assert WorkflowEvent.objects.count() == 2


# --- the export -------------------------------------------------------------------------------


def test_the_export_form_and_file_are_in_vietnamese_only(admin_client, tree):
    text = page(admin_client.get(EXPORT_URL))
    labels = re.findall(r'<label for="id_danvanmodelresource_\w+"[^>]*>([^<]*)</label>', text)
    expected = [*COLUMNS.values(), *EXPORT_ONLY.values()]
    assert sorted(label.strip() for label in labels) == sorted(expected)

    confirm(admin_client, preview(admin_client, xlsx_file([values()])))
    data = {"format": "0", "resource": "0"}
    data.update({f"danvanmodelresource_{name}": "on" for name in ["owning_unit_name", *COLUMNS]})
    workbook = openpyxl.load_workbook(io.BytesIO(admin_client.post(EXPORT_URL, data).content))
    assert workbook.sheetnames == [SHEET_TITLE]
    assert sorted(cell.value for cell in workbook.active[1]) == sorted(expected)


def test_a_file_previewed_as_organisations_cannot_be_confirmed_as_models(client, tree, superuser):
    from tests.organisations.test_import_export import preview as preview_units
    from tests.organisations.test_import_export import row as unit_row
    from tests.organisations.test_import_export import xlsx_file as units_file

    client.force_login(superuser)
    units = confirmation(preview_units(client, units_file([unit_row("T19-X", "T19", "Phường X")])))
    before, logs = snapshot(), LogEntry.objects.count()
    response = client.post(PROCESS_URL, units)
    assert response.status_code == 200
    assert "Không thể xác nhận" in page(response)
    assert snapshot() == before and LogEntry.objects.count() == logs


def test_a_file_that_became_invalid_since_its_preview_lists_its_errors(admin_client, tree):
    from tests.factories import DanVanModelFactory

    data = confirmation(preview(admin_client, xlsx_file([values(code="CH-01")])))
    # Meanwhile the code is given to a model outside the admin's scope.
    DanVanModelFactory(owning_unit=tree.other_province_ward, code="CH-01", status="accepted")
    before, logs = snapshot(), LogEntry.objects.count()
    response = admin_client.post(PROCESS_URL, data)
    text = page(response)
    assert response.status_code == 200
    assert "dữ liệu đã thay đổi từ lúc xem trước" in text
    assert "Dòng 2: mã mô hình “CH-01” đã được dùng cho mô hình khác." in text
    assert snapshot() == before and LogEntry.objects.count() == logs
