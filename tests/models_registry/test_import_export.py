"""Import and export of models through the admin: preview, all-or-nothing, every error, audit."""

import csv
import io
import re
import unicodedata
import zipfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import tablib
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.spreadsheets import lookup_key
from models_registry.choices import EventAction, Status
from models_registry.history import model_history
from models_registry.models import DanVanModel, Theme, WorkflowEvent
from models_registry.resources import (
    COLUMNS,
    EXPORT_ONLY,
    SHEET_TITLE,
    DanVanModelResource,
    split_theme_names,
)
from tests.factories import DanVanModelFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:models_registry_danvanmodel_import")
PROCESS_URL = reverse("admin:models_registry_danvanmodel_process_import")
EXPORT_URL = reverse("admin:models_registry_danvanmodel_export")
TEMPLATE_URL = reverse("admin:models_registry_danvanmodel_import_template")
XLSX, CSV = "0", "1"  # positions of the import formats in the admin

HEADERS = list(COLUMNS.values())
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
NONG_THON_MOI = "Xây dựng nông thôn mới, đô thị văn minh"
GIAM_NGHEO = "Giảm nghèo bền vững"


def values(**given) -> list:
    """A valid row (an accepted model of the ward), changed by ``given`` (keys of COLUMNS)."""
    row = {
        "owning_unit": "T19-CH",
        "name": "Hiến đất làm đường",
        "field": "Kinh tế",
        "start_date": "01/03/2023",
        "status": "Đã duyệt đăng ký",
    }
    row.update(given)
    return [row.get(key, "") for key in COLUMNS]


def xlsx_file(rows, headers=HEADERS, sheet_title=SHEET_TITLE, extra_first_sheet=False, name=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if extra_first_sheet:
        sheet.title = "Ghi chú"
        sheet.append(["Tệp này có nhiều trang"])
        sheet = workbook.create_sheet(sheet_title)
    else:
        sheet.title = sheet_title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name or "mo-hinh.xlsx", buffer.getvalue())


def csv_file(rows, encoding="utf-8-sig", delimiter=","):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    text = buffer.getvalue()
    if encoding == "cp1258":  # the Vietnamese Windows code page writes tone marks apart
        text = unicodedata.normalize("NFD", text)
    return SimpleUploadedFile("mo-hinh.csv", text.encode(encoding, errors="replace"))


def preview(client, upload, file_format=XLSX):
    return client.post(IMPORT_URL, {"format": file_format, "import_file": upload})


def confirm(client, response):
    form = response.context["confirm_form"]
    assert form is not None, "the preview offered no confirmation"
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(PROCESS_URL, data)


def page(response) -> str:
    return response.content.decode()


def history_model():
    return DanVanModel.history.rel.related_model


def snapshot():
    """Everything an import may write: models, their themes, events and history rows."""
    return (
        list(DanVanModel.objects.order_by("pk").values_list("pk", "code", "name", "updated_at")),
        list(DanVanModel.themes.through.objects.order_by("pk").values_list("pk")),
        list(WorkflowEvent.objects.order_by("pk").values_list("pk")),
        history_model().objects.count(),
    )


@pytest.fixture
def admin_client(client, registry_admin):
    client.force_login(registry_admin)
    return client


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


# --- the happy path ---------------------------------------------------------------------------


def test_preview_writes_nothing_then_confirm_imports_with_events_and_audit(
    admin_client, tree, registry_admin
):
    rows = [
        values(
            code="CH-01",
            themes=f"{NONG_THON_MOI}; {GIAM_NGHEO}",
            funds=150_000_000,
            workdays="1.200",
            socialised_funds="25.000.000",
            evaluation_date="01/12/2023",
            situation="Đường lầy lội.",
            contact_phone=912345678,  # a number cell: the leading zero comes back
        ),
        values(
            name="Ông Nông Văn Hạnh",
            kind="Điển hình",
            actor="individual",
            person_name="Nông Văn Hạnh",
            person_position="Trưởng Ban công tác Mặt trận tổ 15",
            field="political_system",
            owning_unit="T06-DX",  # the former province, merged into the admin's province
            start_date=datetime(2022, 1, 10),  # a real Excel date
            status="Đã công nhận",
            decision_number="125/QĐ-UBND",
            decision_date="15/12/2022",
        ),
    ]
    before = snapshot()
    response = preview(admin_client, xlsx_file(rows))
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors(), page(response)
    assert [row.import_type for row in result.valid_rows()] == ["new", "new"]
    assert "Hiến đất làm đường" in page(response) and "Thêm mới" in page(response)
    assert snapshot() == before  # the preview wrote nothing

    response = confirm(admin_client, response)
    assert response.status_code == 302
    road = DanVanModel.objects.get(code="CH-01")
    assert (road.owning_unit.code, road.field, road.kind, road.actor) == (
        "T19-CH",
        "economy",
        "model",
        "collective",
    )
    assert (road.funds, road.workdays, road.socialised_funds) == (150_000_000, 1200, 25_000_000)
    assert road.contact_phone == "0912345678"
    assert road.status == Status.ACCEPTED
    # No decision: submitted and accepted on the start date at midnight, Vietnam time.
    start = datetime(2023, 3, 1, tzinfo=VIETNAM)
    assert road.submitted_at == road.accepted_at == start
    assert road.recognised_at is None and road.proposed_at is None
    assert sorted(road.themes.values_list("name", flat=True)) == [GIAM_NGHEO, NONG_THON_MOI]
    assert road.created_by == registry_admin

    person = DanVanModel.objects.get(name="Ông Nông Văn Hạnh")
    assert (person.kind, person.actor, person.person_name) == (
        "exemplar",
        "individual",
        "Nông Văn Hạnh",
    )
    assert person.status == Status.RECOGNISED
    assert person.start_date == date(2022, 1, 10)
    assert (person.decision_number, person.decision_date) == ("125/QĐ-UBND", date(2022, 12, 15))
    # The whole path is stamped, so the reports (which start from accepted_at) count it:
    # submitted and accepted on the start date, proposed and recognised on the decision date.
    assert person.submitted_at == person.accepted_at == datetime(2022, 1, 10, tzinfo=VIETNAM)
    assert person.proposed_at == person.recognised_at == datetime(2022, 12, 15, tzinfo=VIETNAM)

    for model, status in ((road, "accepted"), (person, "recognised")):
        event = model.events.get()
        assert (event.action, event.from_status, event.to_status) == (
            EventAction.IMPORTED,
            "",
            status,
        )
        assert (event.actor, event.source) == (registry_admin, "mo-hinh.xlsx")
    assert person.events.get().reason == "Quyết định số 125/QĐ-UBND ngày 15/12/2022"

    for model in (road, person):
        history = model.history.get()
        assert history.pgh_label == "insert"
        metadata = history.pgh_context.metadata
        assert metadata["source"] == "import"
        assert metadata["file"] == "mo-hinh.xlsx"
        assert metadata["user"] == registry_admin.pk


def test_reimporting_the_same_file_changes_nothing(admin_client, tree):
    rows = [
        values(code="CH-01", themes=NONG_THON_MOI),
        values(name="Camera an ninh", themes=GIAM_NGHEO, funds=20_000_000),
        values(
            name="Hòm thư góp ý",
            status="recognised",
            decision_number="7/QĐ",
            decision_date="20/12/2023",
        ),
    ]
    confirm(admin_client, preview(admin_client, xlsx_file(rows)))
    assert DanVanModel.objects.count() == 3
    before = snapshot()

    response = preview(admin_client, xlsx_file(rows))
    assert [r.import_type for r in response.context["result"].valid_rows()] == ["skip"] * 3
    assert "Không đổi" in page(response)
    confirm(admin_client, response)
    assert snapshot() == before


def test_a_changed_row_updates_the_stored_model_but_not_its_status(admin_client, tree):
    confirm(admin_client, preview(admin_client, xlsx_file([values(themes=NONG_THON_MOI)])))
    model = DanVanModel.objects.get()
    events = list(WorkflowEvent.objects.values_list("pk", flat=True))
    link_history = apps.get_model("models_registry", "ThemeLinkHistory")
    assert not link_history.objects.exists()  # a new model's themes are part of its creation

    changed = values(themes=GIAM_NGHEO, content="Vận động hiến đất.", funds=5_000_000)
    response = preview(admin_client, xlsx_file([changed], name="sua.xlsx"))
    result = response.context["result"]
    assert [r.import_type for r in result.valid_rows()] == ["update"]
    assert "Nội dung, cách làm" in page(response)  # the preview names what changes
    confirm(admin_client, response)

    model.refresh_from_db()
    assert model.content == "Vận động hiến đất." and model.funds == 5_000_000
    assert list(model.themes.values_list("name", flat=True)) == [GIAM_NGHEO]
    assert list(WorkflowEvent.objects.values_list("pk", flat=True)) == events
    update = model.history.get(pgh_label="update")
    assert update.pgh_context.metadata["file"] == "sua.xlsx"
    assert update.content == "Vận động hiến đất."
    # The history tells the change of themes too; the first file's themes were its creation.
    entries = model_history(model)
    change, creation = entries[0], entries[-1]
    assert "sua.xlsx" in change.who
    assert ("Chủ đề", NONG_THON_MOI, GIAM_NGHEO) in change.changes
    assert sorted(link_history.objects.values_list("pgh_label", flat=True)) == ["add", "remove"]
    assert creation.what == "Thêm mô hình" and creation.changes == []


def test_an_accepted_row_with_a_decision_is_stamped_on_the_decision_date(admin_client, tree):
    rows = [values(decision_number="7/QĐ-BDV", decision_date="20/04/2023")]
    response = confirm(admin_client, preview(admin_client, xlsx_file(rows)))
    assert response.status_code == 302
    model = DanVanModel.objects.get()
    decided = datetime(2023, 4, 20, tzinfo=VIETNAM)
    assert model.submitted_at == model.accepted_at == decided
    assert model.proposed_at is None and model.recognised_at is None


def test_a_filled_code_is_the_key(admin_client, tree):
    confirm(admin_client, preview(admin_client, xlsx_file([values(code="CH-01")])))
    renamed = values(code="CH-01", name="Hiến đất mở rộng đường", start_date="02/03/2023")
    response = preview(admin_client, xlsx_file([renamed]))
    assert [r.import_type for r in response.context["result"].valid_rows()] == ["update"]
    confirm(admin_client, response)
    assert list(DanVanModel.objects.values_list("code", "name", "start_date")) == [
        ("CH-01", "Hiến đất mở rộng đường", date(2023, 3, 2))
    ]


def test_an_empty_code_cell_matches_by_key_and_keeps_the_stored_code(admin_client, tree):
    DanVanModelFactory(owning_unit=tree.ward, code="CU-9", status=Status.ACCEPTED, **key_of())
    before = snapshot()
    response = preview(admin_client, xlsx_file([values()]))
    assert [r.import_type for r in response.context["result"].valid_rows()] == ["update"]
    confirm(admin_client, response)
    assert DanVanModel.objects.get().code == "CU-9"
    assert snapshot()[0][0][:3] == before[0][0][:3]


def key_of(**given):
    return {"name": "Hiến đất làm đường", "start_date": date(2023, 3, 1), **given}


def test_csv_import_with_semicolons(admin_client, tree):
    upload = csv_file([values(themes=f"{NONG_THON_MOI}, {GIAM_NGHEO}")], delimiter=";")
    response = preview(admin_client, upload, CSV)
    assert not response.context["result"].has_validation_errors(), page(response)
    confirm(admin_client, response)
    model = DanVanModel.objects.get()
    assert model.themes.count() == 2


def test_data_sheet_is_found_by_name_even_when_not_first(admin_client, tree):
    response = preview(admin_client, xlsx_file([values()], extra_first_sheet=True))
    assert not response.context["result"].has_validation_errors(), page(response)


def test_labels_are_matched_whatever_the_accents_dashes_or_case(admin_client, tree):
    rows = [
        values(name="A", field="Văn hoá - Xã hội", kind="ĐIỂN HÌNH", actor="tap the"),
        values(
            name="B",
            field="van hoa – xa hoi",
            status="da cong nhan",
            decision_number="1",
            decision_date="02/03/2023",
        ),
        values(name="C", field="security_defence", themes="giam ngheo ben vung"),
    ]
    response = preview(admin_client, xlsx_file(rows))
    assert not response.context["result"].has_validation_errors(), page(response)
    confirm(admin_client, response)
    assert dict(DanVanModel.objects.values_list("name", "field")) == {
        "A": "culture_society",
        "B": "culture_society",
        "C": "security_defence",
    }
    assert DanVanModel.objects.get(name="A").kind == "exemplar"


def test_theme_names_holding_commas_are_split_correctly(tree):
    ids = dict(Theme.objects.values_list("name", "pk"))
    known = {lookup_key(name): pk for name, pk in ids.items()}
    found, unknown = split_theme_names(
        "Xây dựng nông thôn mới, đô thị văn minh, Giảm nghèo bền vững; Tôn giáo, Bóng đá", known
    )
    assert found == [ids[NONG_THON_MOI], ids[GIAM_NGHEO], ids["Tôn giáo"]]
    assert unknown == ["Bóng đá"]


# --- every error: a Vietnamese message naming the row, and nothing written -------------------


# A future date within the accepted range (2999 is refused as out of range before that).
NEXT_YEAR = f"01/01/{timezone.localdate().year + 1}"

ROW_ERRORS = {
    "unknown organisation": (
        [values(owning_unit="KHONG-CO")],
        "Dòng 2: mã đơn vị chủ trì “KHONG-CO” không tồn tại hoặc không thuộc phạm vi quản lý",
    ),
    "organisation outside the admin's scope": (
        [values(), values(name="Khác", owning_unit="T01-QH")],
        "Dòng 3: mã đơn vị chủ trì “T01-QH” không tồn tại hoặc không thuộc phạm vi quản lý",
    ),
    "missing organisation": ([values(owning_unit="")], "Dòng 2: thiếu mã đơn vị chủ trì."),
    "unknown field": (
        [values(field="Thể thao")],
        "Dòng 2: lĩnh vực “Thể thao” không có trong danh mục",
    ),
    "missing field": ([values(field="")], "Dòng 2: thiếu lĩnh vực"),
    "unknown kind": ([values(kind="Phong trào")], "Dòng 2: loại “Phong trào” không có trong danh"),
    "unknown actor": ([values(actor="Hộ gia đình")], "Dòng 2: chủ thể “Hộ gia đình” không có"),
    "unknown theme": (
        [values(themes=f"{GIAM_NGHEO}; Bóng đá")],
        "Dòng 2: chủ đề “Bóng đá” không có trong danh mục chủ đề.",
    ),
    "impossible date": (
        [values(start_date="31/02/2023")],
        "Dòng 2: ngày bắt đầu “31/02/2023” không phải ngày hợp lệ (dạng dd/mm/yyyy, mm/yyyy "
        "hoặc yyyy).",
    ),
    "a start date before the accepted range": (
        [values(start_date="01/01/0001")],
        "Dòng 2: ngày bắt đầu 01/01/0001 không hợp lệ: ngày phải nằm trong khoảng từ 01/01/1990",
    ),
    "a decision date after the accepted range": (
        [values(decision_number="12-QĐ/BDV", decision_date="31/12/9999")],
        "31/12/9999 không hợp lệ: ngày phải nằm trong khoảng từ 01/01/1990",
    ),
    "text that is not a date": (
        [values(evaluation_date="cuối năm")],
        "Dòng 2: ngày đánh giá “cuối năm” không phải ngày hợp lệ",
    ),
    "missing start date": ([values(start_date="")], "Dòng 2: thiếu ngày bắt đầu."),
    "evaluation before start": (
        [values(evaluation_date="01/01/2023")],
        "Dòng 2: ngày đánh giá 01/01/2023 trước ngày bắt đầu 01/03/2023.",
    ),
    "decision in the future": (
        [values(decision_number="1", decision_date=NEXT_YEAR)],
        f"Dòng 2: ngày quyết định {NEXT_YEAR} sau ngày hôm nay.",
    ),
    "status draft": (
        [values(status="Nháp")],
        "Dòng 2: trạng thái “Nháp” không nhập được từ tệp: chỉ nhận “Đã duyệt đăng ký”, "
        "“Đã công nhận” hoặc “Dừng thực hiện”",
    ),
    "status submitted by code": (
        [values(status="submitted")],
        "Dòng 2: trạng thái “Chờ duyệt đăng ký” không nhập được từ tệp",
    ),
    "unknown status": ([values(status="Xuất sắc")], "Dòng 2: trạng thái “Xuất sắc” không có"),
    "missing status": ([values(status="")], "Dòng 2: thiếu trạng thái"),
    "recognised without decision number": (
        [values(status="Đã công nhận", decision_date="15/12/2023")],
        "Dòng 2: mô hình đã công nhận phải có số quyết định công nhận.",
    ),
    "recognised without decision date": (
        [values(status="Đã công nhận", decision_number="12/QĐ")],
        "Dòng 2: mô hình đã công nhận phải có ngày quyết định công nhận.",
    ),
    "recognised before it started": (
        [values(status="Đã công nhận", decision_number="12/QĐ", decision_date="01/01/2023")],
        "Dòng 2: ngày quyết định công nhận 01/01/2023 trước ngày bắt đầu 01/03/2023.",
    ),
    "duplicate key inside the file": (
        [values(), values(name="Khác"), values(themes=GIAM_NGHEO)],
        "Dòng 4: trùng đơn vị chủ trì, tên và ngày bắt đầu với dòng 2.",
    ),
    "duplicate code inside the file": (
        [values(code="CH-01"), values(code="CH-01", name="Khác")],
        "Dòng 3: trùng mã mô hình “CH-01” với dòng 2.",
    ),
    "empty name": ([values(), values(name="   ")], "Dòng 3: tên mô hình, điển hình không được"),
    "individual without a name": (
        [values(kind="Điển hình", actor="Cá nhân")],
        "Dòng 2: chủ thể là cá nhân thì phải ghi họ và tên cá nhân.",
    ),
    "negative funds": (
        [values(funds=-5_000_000)],
        "Dòng 2: kinh phí (đồng) “-5000000” phải là số nguyên không âm",
    ),
    "funds in words": (
        [values(funds="năm triệu")],
        "Dòng 2: kinh phí (đồng) “năm triệu” phải là số nguyên không âm",
    ),
    "fractional workdays": ([values(workdays=2.5)], "Dòng 2: ngày công “2.5” phải là số nguyên"),
    "phone with letters": (
        [values(contact_phone="gọi anh An")],
        "Dòng 2: số điện thoại liên hệ “gọi anh An” không hợp lệ",
    ),
    "name too long": ([values(name="x" * 501)], "Dòng 2: tên mô hình, điển hình dài quá 500"),
}


@pytest.mark.parametrize("case", list(ROW_ERRORS))
def test_each_row_error_is_reported_and_nothing_is_written(admin_client, tree, case):
    rows, message = ROW_ERRORS[case]
    before = snapshot()
    response = preview(admin_client, xlsx_file(rows))
    assert message in page(response)
    assert "chưa có dữ liệu nào được ghi" in page(response)
    assert response.context.get("confirm_form") is None
    assert snapshot() == before


def test_every_invalid_row_is_listed_at_once(admin_client, tree):
    rows = [
        values(),
        values(name="B", owning_unit="KHONG-CO"),
        values(name="C", field="Thể thao", start_date="32/01/2023"),
        values(name="D"),
        values(name="E", status="Nháp"),
    ]
    text = page(preview(admin_client, xlsx_file(rows)))
    assert "Có 3 dòng không hợp lệ" in text
    for expected in ("Dòng 3: mã đơn vị", "Dòng 4: lĩnh vực", "Dòng 4: ngày bắt đầu", "Dòng 6:"):
        assert expected in text
    assert "Dòng 2:" not in text and "Dòng 5:" not in text


def test_row_numbers_are_the_sheets_even_after_blank_lines(admin_client, tree):
    rows = [values(), [None] * len(HEADERS), values(name="Khác", field="Thể thao")]
    text = page(preview(admin_client, xlsx_file(rows)))
    assert "Dòng 4: lĩnh vực “Thể thao” không có trong danh mục" in text


def test_real_imports_of_models_take_turns(admin_client, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = preview(admin_client, xlsx_file([values()]))
    assert not any("pg_advisory_xact_lock" in q["sql"] for q in queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:
        confirm(admin_client, response)
    locks = [q["sql"] for q in queries.captured_queries if "pg_advisory_xact_lock" in q["sql"]]
    # The staged file's claim (core.staging), then the import's own lock, once.
    assert len(locks) == 2 and "stage:imports/admin/" in locks[0]


def test_stored_models_in_another_state_or_scope_are_refused(admin_client, tree):
    DanVanModelFactory(owning_unit=tree.ward, status=Status.SUBMITTED, **key_of())
    DanVanModelFactory(owning_unit=tree.other_province_ward, code="QH-01", status="accepted")
    rows = [values(), values(name="Khác", code="QH-01")]
    before = snapshot()
    text = page(preview(admin_client, xlsx_file(rows)))
    assert (
        "Dòng 2: mô hình “Hiến đất làm đường” đã có với trạng thái “Chờ duyệt đăng ký”; "
        "nhập từ tệp không đổi được trạng thái." in text
    )
    assert "Dòng 3: mã mô hình “QH-01” đã được dùng cho mô hình khác." in text
    assert snapshot() == before


def test_a_valid_file_that_fails_while_writing_is_rolled_back_whole(
    admin_client, tree, monkeypatch
):
    response = preview(admin_client, xlsx_file([values(), values(name="B")]))
    before = snapshot()

    def fail(*args, **kwargs):
        raise RuntimeError("ổ đĩa đầy")

    monkeypatch.setattr(WorkflowEvent.objects, "bulk_create", fail)
    confirm(admin_client, response)
    assert snapshot() == before


def test_the_resource_itself_writes_nothing_when_any_row_is_invalid(tree, superuser):
    """Outside the admin too (no dry run, no preview) a partly invalid file writes no row."""
    dataset = tablib.Dataset(headers=HEADERS)
    dataset.append(values())
    dataset.append(values(name="Khác", start_date="31/02/2023"))
    before = snapshot()
    result = DanVanModelResource(user=superuser).import_data(
        dataset, dry_run=False, use_transactions=False, rollback_on_validation_errors=False
    )
    assert result.has_validation_errors()
    assert snapshot() == before

    dataset = tablib.Dataset(headers=HEADERS)
    dataset.append(values())
    result = DanVanModelResource(user=superuser).import_data(
        dataset, dry_run=False, file_name="/tmp/tai-len/nhap.xlsx"
    )
    assert not result.has_validation_errors() and not result.has_errors()
    model = DanVanModel.objects.get()
    assert model.events.get().source == "nhap.xlsx"  # the name, never a server path
    assert model.history.get().pgh_context.metadata == {
        "source": "import",
        "file": "nhap.xlsx",
        "user": superuser.pk,
    }


FILE_ERRORS = {
    "malformed xlsx": (
        SimpleUploadedFile("mo-hinh.xlsx", b"PK\x03\x04 not really a workbook"),
        XLSX,
        "không phải là bảng tính Excel (.xlsx) hợp lệ",
    ),
    "a renamed text file": (
        SimpleUploadedFile("mo-hinh.xlsx", "Mã đơn vị chủ trì;Tên".encode()),
        XLSX,
        "không phải là bảng tính Excel (.xlsx) hợp lệ",
    ),
    "csv not in utf-8": (csv_file([values()], encoding="utf-16"), CSV, "bảng mã UTF-8"),
    "csv in a legacy code page": (
        csv_file([values(name="Mô hình")], encoding="cp1258"),
        CSV,
        "bảng mã UTF-8",
    ),
}


@pytest.mark.parametrize("case", list(FILE_ERRORS))
def test_unreadable_files_are_refused_with_a_clear_message(admin_client, tree, case):
    upload, file_format, message = FILE_ERRORS[case]
    before = snapshot()
    response = preview(admin_client, upload, file_format)
    assert response.status_code == 200
    assert message in page(response)
    assert snapshot() == before


def test_wrong_sheet_names_the_missing_columns(admin_client, tree):
    upload = xlsx_file([["x", "y"]], headers=["Họ tên", "Ghi chú"], sheet_title="Sheet1")
    before = snapshot()
    text = page(preview(admin_client, upload))
    assert (
        "Trang tính “Sheet1” thiếu cột bắt buộc: Mã đơn vị chủ trì, Tên mô hình, điển hình, "
        "Lĩnh vực, Ngày bắt đầu, Trạng thái" in text
    )
    assert snapshot() == before


def test_a_missing_optional_column_leaves_stored_values_alone(admin_client, tree):
    confirm(admin_client, preview(admin_client, xlsx_file([values(content="Nội dung cũ")])))
    headers = [h for h in HEADERS if h != COLUMNS["content"]]
    row = [v for h, v in zip(HEADERS, values(funds=7), strict=True) if h != COLUMNS["content"]]
    confirm(admin_client, preview(admin_client, xlsx_file([row], headers=headers)))
    model = DanVanModel.objects.get()
    assert (model.content, model.funds) == ("Nội dung cũ", 7)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(admin_client, tree):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))
    before = snapshot()
    upload = SimpleUploadedFile("mo-hinh.xlsx", buffer.getvalue())
    assert "dấu hiệu bất thường" in page(preview(admin_client, upload))
    assert snapshot() == before


def test_xml_entity_expansion_is_refused(admin_client, tree):
    source = io.BytesIO(xlsx_file([values(name="Tên thật")]).read())
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
            for n in range(1, 10)
        )
        + "]>"
    )
    bomb = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(bomb, "w") as rebuilt:
        for entry in original.infolist():
            content = original.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                if text.startswith("<?xml"):
                    text = text[text.index("?>") + 2 :]
                content = (laughs + text.replace("Tên thật", "&lol9;")).encode()
            rebuilt.writestr(entry, content)
    before = snapshot()
    text = page(preview(admin_client, SimpleUploadedFile("mo-hinh.xlsx", bomb.getvalue())))
    assert "Không đọc được bảng tính" in text  # refused while opening, never expanded
    assert snapshot() == before


def test_a_sheet_over_the_row_limit_is_refused_while_reading(admin_client, tree, monkeypatch):
    from core.spreadsheets import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    rows = [values(name=f"Mô hình {n}") for n in range(5)]
    assert "Tệp có hơn 3 dòng dữ liệu" in page(preview(admin_client, xlsx_file(rows)))


def peak_memory_since_reset():
    """The process's peak resident memory (kB) since the last call; None where not measurable."""
    try:
        with open("/proc/self/status") as status:
            peak = int(re.search(r"VmHWM:\s+(\d+)", status.read()).group(1))
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # Linux: reset the peak to the current size
    except (OSError, AttributeError):
        return None
    return peak


def test_a_100000_row_sheet_with_one_bad_last_row_is_checked_whole_in_bounded_memory(
    admin_client, tree
):
    """The largest file allowed: read, checked and refused for its last row, in bounded memory."""
    from core.spreadsheets import MAX_ROWS

    required = ["owning_unit", "name", "field", "start_date", "status"]
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.append([COLUMNS[key] for key in required])
    for number in range(MAX_ROWS - 1):
        sheet.append(["T19-CH", f"Mô hình {number}", "Kinh tế", "01/03/2023", "accepted"])
    sheet.append(["T19-CH", "Mô hình cuối", "Kinh tế", "31/02/2023", "accepted"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("lon.xlsx", buffer.getvalue())
    del workbook, buffer

    before = snapshot()
    peak_memory_since_reset()
    with open("/proc/self/status") as status:
        resident = int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1))
    response = preview(admin_client, upload)
    peak = peak_memory_since_reset()
    text = page(response)
    assert "Có 1 dòng không hợp lệ" in text
    assert f"Dòng {MAX_ROWS + 1}: ngày bắt đầu “31/02/2023” không phải ngày hợp lệ" in text
    assert snapshot() == before
    if peak is not None:
        grown = (peak - resident) / 1024
        assert grown < 300, f"the preview took {grown:.0f} MB more memory"


# --- scope ------------------------------------------------------------------------------------


def test_a_province_admin_imports_only_inside_the_province(client, tree, registry_admin):
    client.force_login(registry_admin)
    before = snapshot()
    rows = [
        values(owning_unit="T19-CH-9"),  # a residential area of the province
        values(name="Của Hà Nội", owning_unit="T01"),
        values(name="Của phường Quan Hoa", owning_unit="T01-QH"),
    ]
    text = page(preview(client, xlsx_file(rows)))
    assert "Dòng 2:" not in text
    assert "Dòng 3: mã đơn vị chủ trì “T01” không tồn tại hoặc không thuộc phạm vi" in text
    assert "Dòng 4: mã đơn vị chủ trì “T01-QH” không tồn tại hoặc không thuộc phạm vi" in text
    assert snapshot() == before


def test_import_pages_are_closed_to_cadres_and_open_to_province_admins(
    client, tree, cadre, admin_user
):
    client.force_login(cadre)
    assert client.get(IMPORT_URL).status_code == 302  # the admin site's log-in
    assert client.get(TEMPLATE_URL).status_code == 302
    client.force_login(admin_user)  # the admin role's group carries the registry's pages
    assert client.get(IMPORT_URL).status_code == 200
    assert client.get(TEMPLATE_URL).status_code == 200


# --- template and export ----------------------------------------------------------------------


def test_template_file_documents_the_columns_and_imports_as_it_is(superuser_client, tree):
    response = superuser_client.get(TEMPLATE_URL)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="mau-nhap-mo-hinh.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [SHEET_TITLE, "Hướng dẫn", "Danh mục"]
    sheet = workbook[SHEET_TITLE]
    assert [cell.value for cell in sheet[1]] == HEADERS
    guide = {row[0]: row[1] for row in workbook["Hướng dẫn"].iter_rows(values_only=True)}
    assert set(HEADERS) <= set(guide)
    assert "dd/mm/yyyy" in guide[COLUMNS["start_date"]]
    assert "Đã công nhận" in guide[COLUMNS["status"]]
    catalogue = list(workbook["Danh mục"].iter_cols(values_only=True))
    assert catalogue[2][:3] == ("Lĩnh vực", "Kinh tế", "Văn hóa – xã hội")
    assert catalogue[3][:3] == ("Trạng thái", "Đã duyệt đăng ký", "Đã công nhận")
    assert NONG_THON_MOI in catalogue[4]
    assert len(sheet.data_validations.dataValidation) == 5

    # Its three examples are valid rows for the demo ward.
    response = preview(superuser_client, SimpleUploadedFile("mau.xlsx", response.content))
    assert [r.import_type for r in response.context["result"].valid_rows()] == ["new"] * 3


def export(client, file_format="0"):
    names = ["owning_unit_name", *COLUMNS]
    data = {"format": file_format, "resource": "0"}
    data.update({f"danvanmodelresource_{name}": "on" for name in names})
    response = client.post(EXPORT_URL, data)
    assert response.status_code == 200
    return response


def test_export_is_typed_vietnamese_scoped_and_reimports_cleanly(admin_client, tree):
    themes = list(Theme.objects.filter(name__in=[NONG_THON_MOI, GIAM_NGHEO]))
    DanVanModelFactory(
        owning_unit=tree.ward,
        name="Hiến đất làm đường",
        code="CH-01",
        start_date=date(2024, 3, 1),
        evaluation_date=date(2024, 12, 1),
        status=Status.RECOGNISED,
        decision_number="12/QĐ",
        decision_date=date(2024, 12, 20),
        themes=themes,
    )
    DanVanModelFactory(owning_unit=tree.former_ward, name="Nuôi Dê", status=Status.ACCEPTED)
    DanVanModelFactory(owning_unit=tree.other_province_ward, name="Của Hà Nội", status="accepted")

    response = export(admin_client)
    assert response["Content-Disposition"].endswith('filename="mo-hinh-dien-hinh.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    headers = list(rows[0])
    assert headers[:3] == [COLUMNS["code"], COLUMNS["owning_unit"], EXPORT_ONLY["owning_unit_name"]]
    assert set(headers) == set(HEADERS) | set(EXPORT_ONLY.values())
    records = [dict(zip(headers, row, strict=True)) for row in rows[1:]]
    by_name = {record[COLUMNS["name"]]: record for record in records}
    assert set(by_name) == {"Hiến đất làm đường", "Nuôi Dê"}  # the merged province's included
    road = by_name["Hiến đất làm đường"]
    assert road[COLUMNS["owning_unit"]] == "T19-CH"
    assert road[EXPORT_ONLY["owning_unit_name"]] == "Phường Chùa Hang"
    assert road[COLUMNS["field"]] == "Kinh tế" and road[COLUMNS["kind"]] == "Mô hình"
    assert road[COLUMNS["status"]] == "Đã công nhận"
    assert road[COLUMNS["themes"]] == f"{GIAM_NGHEO}; {NONG_THON_MOI}"
    assert road[COLUMNS["start_date"]] == datetime(2024, 3, 1)  # a real date cell
    assert road[COLUMNS["decision_date"]] == datetime(2024, 12, 20)
    assert road[COLUMNS["funds"]] == 150_000_000  # a real number
    row_number = 2 + records.index(road)
    date_cell = sheet.cell(row=row_number, column=headers.index(COLUMNS["start_date"]) + 1)
    assert date_cell.is_date and date_cell.number_format == "dd/mm/yyyy"

    # The export is a valid import file: importing it back changes nothing.
    before = snapshot()
    response = preview(admin_client, SimpleUploadedFile("xuat.xlsx", response.content))
    assert not response.context["result"].has_validation_errors(), page(response)
    assert [r.import_type for r in response.context["result"].valid_rows()] == ["skip", "skip"]
    confirm(admin_client, response)
    assert snapshot() == before


def test_csv_export_writes_dates_as_text(superuser_client, tree):
    DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED)
    response = export(superuser_client, file_format="1")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record[COLUMNS["start_date"]] == "01/03/2025"
    assert record[COLUMNS["funds"]] == "150000000"


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_exported_formulas_are_neutralised_and_import_back_unchanged(superuser_client, tree, name):
    DanVanModelFactory(owning_unit=tree.ward, name=name, content=name, status=Status.ACCEPTED)
    response = export(superuser_client)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[1]]
    row = [cell for cell in sheet[2]]
    for column in (COLUMNS["name"], COLUMNS["content"]):
        cell = row[headers.index(column)]
        assert cell.value == "'" + name and cell.data_type == "s"  # text, never a formula

    before = snapshot()
    response = preview(superuser_client, SimpleUploadedFile("xuat.xlsx", response.content))
    assert [r.import_type for r in response.context["result"].valid_rows()] == ["skip"]
    confirm(superuser_client, response)
    assert snapshot() == before
    assert DanVanModel.objects.get().name == name


def test_export_query_count_does_not_grow_with_the_rows(superuser_client, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    themes = list(Theme.objects.all()[:2])

    def export_queries():
        with CaptureQueriesContext(connection) as queries:
            export(superuser_client)
        return len(queries)

    DanVanModelFactory(owning_unit=tree.ward, status="accepted", themes=themes)
    few = export_queries()
    for _ in range(20):
        DanVanModelFactory(owning_unit=tree.residential, status="accepted", themes=themes)
    assert export_queries() == few


def test_import_query_count_does_not_grow_with_the_rows(admin_client, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def import_queries(count):
        rows = [values(name=f"Mô hình {n}", themes=GIAM_NGHEO) for n in range(count)]
        response = preview(admin_client, xlsx_file(rows))
        with CaptureQueriesContext(connection) as queries:
            confirm(admin_client, response)
        # The admin's change log writes one row per model; the import itself must not.
        return sum("django_admin_log" not in q["sql"] for q in queries.captured_queries)

    few = import_queries(2)
    DanVanModel.objects.all().delete()
    assert import_queries(40) == few
