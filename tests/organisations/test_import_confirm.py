"""The confirm step of the organisations' import: column limits checked in the preview, a failed
confirmation that writes and logs nothing, forged or replayed confirmations, Vietnamese exports."""

import io
import os
import re
import tempfile

import openpyxl
import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test import Client

from organisations.models import Organisation
from organisations.resources import COLUMNS, OrganisationResource
from tests.organisations.test_import_export import (
    EXPORT_URL,
    PROCESS_URL,
    confirm,
    preview,
    row,
    snapshot,
    xlsx_file,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def confirmation(response) -> dict:
    form = response.context["confirm_form"]
    assert form is not None, "the preview offered no confirmation"
    return {name: form.initial.get(name, "") for name in form.fields}


def two_new_units():
    return xlsx_file(
        [row("T19-TT", "T19", "Phường Tân Thịnh"), row("T19-TL", "T19", "Phường Tân Lập")]
    )


# --- every column's limit is checked in the preview --------------------------------------------


def with_short_name(values, short_name):
    values[3] = short_name
    return values


def test_a_short_name_longer_than_its_column_is_refused_in_the_preview(admin_client, tree):
    limit = Organisation._meta.get_field("short_name").max_length
    rows = [
        with_short_name(row("T19-TT", "T19", "Phường Tân Thịnh"), "x" * (limit + 1)),
        row("T19-TL", "T19", "Phường Tân Lập"),
    ]
    before = snapshot()
    response = preview(admin_client, xlsx_file(rows))
    assert response.context["result"].has_validation_errors()
    assert f"Dòng 2: tên viết tắt dài quá {limit} ký tự" in response.content.decode()
    assert response.context.get("confirm_form") is None
    assert snapshot() == before


@pytest.mark.parametrize("key", ["code", "name", "short_name"])
def test_every_text_column_is_held_to_its_model_fields_length(admin_client, tree, key):
    limit = Organisation._meta.get_field(key).max_length
    values = {"code": "T19-TT", "name": "Phường Tân Thịnh", "short_name": ""}
    values[key] = "x" * limit
    ok = row(values["code"], "T19", values["name"])
    ok[3] = values["short_name"]
    assert not preview(admin_client, xlsx_file([ok])).context["result"].has_validation_errors()
    values[key] = "x" * (limit + 1)
    too_long = row(values["code"], "T19", values["name"])
    too_long[3] = values["short_name"]
    response = preview(admin_client, xlsx_file([too_long]))
    assert response.context["result"].has_validation_errors()
    assert f"{COLUMNS[key].lower()}" in response.content.decode()


# --- a confirmation that fails says so, writes nothing and logs nothing ------------------------


def test_a_confirmation_that_fails_in_the_database_writes_and_logs_nothing(admin_client, tree):
    response = preview(admin_client, two_new_units())
    data = confirmation(response)
    # The database refuses the second unit at confirmation (as a too long value would).
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE organisations_organisation ADD CONSTRAINT import_test_refuses "
            "CHECK (code <> 'T19-TL')"
        )
    before, logs = snapshot(), LogEntry.objects.count()
    response = admin_client.post(PROCESS_URL, data, follow=True)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Đã nhập xong" not in text and "Import finished" not in text
    assert "Không nhập được tệp" in text and "chưa có dữ liệu nào được ghi" in text
    assert snapshot() == before
    assert LogEntry.objects.count() == logs


def test_a_successful_confirmation_logs_the_units_it_wrote(admin_client, tree):
    confirm(admin_client, preview(admin_client, two_new_units()))
    units = Organisation.objects.filter(code__in=["T19-TT", "T19-TL"])
    assert units.count() == 2
    logged = set(LogEntry.objects.values_list("object_id", flat=True))
    assert {str(unit.pk) for unit in units} <= logged
    assert None not in logged and "None" not in logged


# --- an empty relation cell keeps what is stored -----------------------------------------------


def test_an_empty_merged_from_cell_keeps_the_stored_predecessors(admin_client, tree):
    province = Organisation.objects.get(code="T19")
    before = sorted(province.merged_from.values_list("code", flat=True))
    assert before, "the tree's province has a predecessor"
    values = row("T19", "", province.name, level=province.get_level_display())
    response = preview(admin_client, xlsx_file([values]))
    assert not response.context["result"].has_validation_errors(), response.content.decode()
    confirm(admin_client, response)
    assert sorted(province.merged_from.values_list("code", flat=True)) == before


# --- forged and replayed confirmations ---------------------------------------------------------


def refused(response) -> str:
    assert response.status_code == 200
    text = response.content.decode()
    assert "Traceback" not in text
    return text


def test_a_second_post_of_the_same_confirmation_gets_a_clear_message(admin_client, tree):
    data = confirmation(preview(admin_client, two_new_units()))
    assert admin_client.post(PROCESS_URL, data).status_code == 302
    after, logs = snapshot(), LogEntry.objects.count()
    text = refused(admin_client.post(PROCESS_URL, data))
    assert "đã được xác nhận hoặc đã hết hạn" in text
    assert snapshot() == after
    assert LogEntry.objects.count() == logs
    assert Organisation.objects.filter(code="T19-TT").count() == 1


@pytest.mark.parametrize(
    "forged",
    [
        {"format": "7"},
        {"format": "-1"},
        {"format": "xlsx"},
        {"format": ""},
        {"resource": "3"},
        {"resource": "một"},
        {"import_file_name": "../../etc/passwd"},
        {"import_file_name": "/etc/passwd"},
        {"import_file_name": ""},
        {"import_file_name": "..%2F..%2Fetc%2Fpasswd"},
    ],
    ids=lambda forged: repr(forged),
)
def test_forged_hidden_fields_get_a_clear_message_and_write_nothing(admin_client, tree, forged):
    data = confirmation(preview(admin_client, two_new_units()))
    data.update(forged)
    before, logs = snapshot(), LogEntry.objects.count()
    text = refused(admin_client.post(PROCESS_URL, data))
    assert "Không thể xác nhận" in text
    assert snapshot() == before
    assert LogEntry.objects.count() == logs
    # The genuine confirmation still works afterwards.
    genuine = confirmation(preview(admin_client, two_new_units()))
    assert admin_client.post(PROCESS_URL, genuine).status_code == 302
    assert Organisation.objects.filter(code__in=["T19-TT", "T19-TL"]).count() == 2


def test_a_confirmation_may_not_name_another_users_file(tree, superuser, admin_user):
    them, me = Client(), Client()
    them.force_login(admin_user)
    theirs = confirmation(preview(them, two_new_units()))
    me.force_login(superuser)
    mine = confirmation(preview(me, xlsx_file([row("T19-X", "T19", "Phường X")])))
    before, logs = snapshot(), LogEntry.objects.count()
    text = refused(me.post(PROCESS_URL, {**mine, "import_file_name": theirs["import_file_name"]}))
    assert "Không thể xác nhận" in text
    assert snapshot() == before and LogEntry.objects.count() == logs
    # Their file is still theirs to confirm.
    assert them.post(PROCESS_URL, theirs).status_code == 302
    assert Organisation.objects.filter(code="T19-TT").exists()


def test_a_file_in_the_temporary_folder_not_issued_by_a_preview_is_not_read(admin_client, tree):
    data = confirmation(preview(admin_client, two_new_units()))
    with tempfile.NamedTemporaryFile(delete=False, dir=tempfile.gettempdir()) as planted:
        planted.write(two_new_units().read())
    try:
        before = snapshot()
        text = refused(
            admin_client.post(
                PROCESS_URL, {**data, "import_file_name": os.path.basename(planted.name)}
            )
        )
        assert "Không thể xác nhận" in text
        assert snapshot() == before
    finally:
        os.remove(planted.name)


# --- exports speak Vietnamese only -------------------------------------------------------------


def test_the_export_form_and_file_are_in_vietnamese_only(admin_client, tree):
    page = admin_client.get(EXPORT_URL).content.decode()
    labels = re.findall(r'<label for="id_organisationresource_\w+"[^>]*>([^<]*)</label>', page)
    assert sorted(label.strip() for label in labels) == sorted(COLUMNS.values())

    data = {"format": "0", "resource": "0", **{f"organisationresource_{n}": "on" for n in COLUMNS}}
    response = admin_client.post(EXPORT_URL, data)
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [OrganisationResource.sheet_title]
    headers = [cell.value for cell in workbook.active[1]]
    assert headers == list(COLUMNS.values())


def test_a_refusal_offers_the_upload_form_again(admin_client, tree):
    data = confirmation(preview(admin_client, two_new_units()))
    text = refused(admin_client.post(PROCESS_URL, {**data, "format": "9"}))
    assert "Tệp cần nhập" in text and 'name="import_file"' in text
