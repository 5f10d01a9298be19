"""Import and export of organisations through the admin: preview, all-or-nothing, every error."""

import csv
import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organisations.models import Organisation
from organisations.resources import COLUMNS, SHEET_TITLE

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:organisations_organisation_import")
PROCESS_URL = reverse("admin:organisations_organisation_process_import")
EXPORT_URL = reverse("admin:organisations_organisation_export")
TEMPLATE_URL = reverse("admin:organisations_organisation_import_template")
XLSX, CSV = "0", "1"  # positions of the import formats in the admin

HEADERS = list(COLUMNS.values())


def row(code, parent, name, level="Xã, phường, đặc khu", kind="", start="", end="", merged=""):
    return [code, parent, name, "", kind, level, start, end, merged]


def xlsx_file(rows, headers=HEADERS, sheet_title=SHEET_TITLE, extra_first_sheet=False):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if extra_first_sheet:
        sheet.title = "Ghi chú"
        sheet.append(["Tệp này có nhiều trang"])
        sheet = workbook.create_sheet(sheet_title)
    else:
        sheet.title = sheet_title
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("don-vi.xlsx", buffer.getvalue())


def csv_file(rows, encoding="utf-8-sig"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return SimpleUploadedFile("don-vi.csv", buffer.getvalue().encode(encoding))


def preview(client, upload, file_format=XLSX):
    return client.post(IMPORT_URL, {"format": file_format, "import_file": upload})


def confirm(client, response):
    form = response.context["confirm_form"]
    assert form is not None, "the preview offered no confirmation"
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(PROCESS_URL, data)


def page_errors(response) -> str:
    return response.content.decode()


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def snapshot():
    return list(
        Organisation.objects.order_by("pk").values_list(
            "pk", "path", "name", "code", "valid_from", "valid_to", "updated_at"
        )
    )


# --- the happy path ---------------------------------------------------------------------------


def test_preview_then_confirm_creates_the_tree_children_listed_first(admin_client, tree):
    before = Organisation.objects.count()
    upload = xlsx_file(
        [
            row(
                "T19-CH-10",
                "T19-CH",
                "Tổ dân phố 10",
                level="Thôn, tổ dân phố, khu dân cư",
                kind="residential_area",
            ),
            row(
                "T19-TT",
                "T19",
                "Phường Tân Thịnh",
                kind="Chính quyền (Ủy ban nhân dân)",
                start="01/07/2025",
                merged="T19-GS",
            ),
            row("T19-TT-5", "T19-TT", "Tổ 5", level="residential"),
        ]
    )
    response = preview(admin_client, upload)
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert [r.import_type for r in result.valid_rows()] == ["new", "new", "new"]
    assert Organisation.objects.count() == before  # the preview wrote nothing

    response = confirm(admin_client, response)
    assert response.status_code == 302
    assert Organisation.objects.count() == before + 3
    tan_thinh = Organisation.objects.get(code="T19-TT")
    assert Organisation.objects.get_parent(tan_thinh).code == "T19"
    assert Organisation.objects.get_parent(Organisation.objects.get(code="T19-TT-5")) == tan_thinh
    assert tan_thinh.valid_from.isoformat() == "2025-07-01"
    assert tan_thinh.kind == "peoples_committee"
    assert list(tan_thinh.merged_from.values_list("code", flat=True)) == ["T19-GS"]
    assert Organisation.objects.get(code="T19-CH-10").level == "residential"


def test_reimporting_the_same_file_changes_nothing(admin_client, tree):
    rows = [row("T19-TT", "T19", "Phường Tân Thịnh"), row("T19-TT-5", "T19-TT", "Tổ 5")]
    confirm(admin_client, preview(admin_client, xlsx_file(rows)))
    before = snapshot()

    response = preview(admin_client, xlsx_file(rows))
    assert [r.import_type for r in response.context["result"].valid_rows()] == ["skip", "skip"]
    confirm(admin_client, response)
    assert snapshot() == before


def test_import_updates_and_moves_existing_units(admin_client, tree):
    upload = xlsx_file([row("T19-CH-9", "T19-GS", "Tổ dân phố số 9", level="residential")])
    response = preview(admin_client, upload)
    assert [r.import_type for r in response.context["result"].valid_rows()] == ["update"]
    confirm(admin_client, response)
    unit = Organisation.objects.get(code="T19-CH-9")
    assert unit.name == "Tổ dân phố số 9"
    assert Organisation.objects.get_parent(unit).code == "T19-GS"


def test_csv_import(admin_client, tree):
    response = preview(admin_client, csv_file([row("T19-TT", "T19", "Phường Tân Thịnh")]), CSV)
    assert not response.context["result"].has_validation_errors()
    confirm(admin_client, response)
    assert Organisation.objects.filter(code="T19-TT", name="Phường Tân Thịnh").exists()


def test_data_sheet_is_found_by_name_even_when_not_first(admin_client, tree):
    upload = xlsx_file([row("T19-TT", "T19", "Phường Tân Thịnh")], extra_first_sheet=True)
    response = preview(admin_client, upload)
    assert not response.context["result"].has_validation_errors()


# --- every error: a Vietnamese message naming the row, and nothing written -------------------


ROW_ERRORS = {
    "unknown parent": (
        [row("T19-TT", "KHONG-CO", "Phường Tân Thịnh")],
        "Dòng 2: mã đơn vị cấp trên “KHONG-CO” không tồn tại",
    ),
    "duplicate code": (
        [row("T19-TT", "T19", "Phường Tân Thịnh"), row("T19-TT", "T19", "Phường Tân Lập")],
        "Dòng 3: mã đơn vị “T19-TT” bị trùng với dòng 2",
    ),
    "cycle inside the file": (
        [row("A-1", "B-1", "Đơn vị A"), row("B-1", "A-1", "Đơn vị B")],
        "Dòng 2: quan hệ cấp trên tạo thành vòng lặp (A-1 → B-1 → A-1)",
    ),
    "a unit moved under its own descendant": (
        [row("T19", "T19-CH-9", "Tỉnh Thái Nguyên", level="province")],
        "Dòng 2: quan hệ cấp trên tạo thành vòng lặp",
    ),
    "its own parent": (
        [row("T19-TT", "T19-TT", "Phường Tân Thịnh")],
        "Dòng 2: một đơn vị không thể là cấp trên của chính nó",
    ),
    "empty name": (
        [row("T19-TT", "T19", "Phường Tân Thịnh"), row("T19-TL", "T19", "  ")],
        "Dòng 3: tên đơn vị không được để trống",
    ),
    "valid_to before valid_from": (
        [row("T19-TT", "T19", "Phường Tân Thịnh", start="01/07/2025", end="30/06/2025")],
        "Dòng 2: ngày hết hiệu lực 30/06/2025 trước ngày bắt đầu hiệu lực 01/07/2025",
    ),
    "a date that is not a date": (
        [row("T19-TT", "T19", "Phường Tân Thịnh", start="31/02/2025")],
        "Dòng 2: hiệu lực từ ngày “31/02/2025” không phải ngày hợp lệ",
    ),
    "a date before the accepted range": (
        [row("T19-TT", "T19", "Phường Tân Thịnh", start="01/01/0001")],
        "Dòng 2: hiệu lực từ ngày 01/01/0001 không hợp lệ: ngày phải nằm trong khoảng từ "
        "01/01/1990",
    ),
    "a date after the accepted range": (
        [row("T19-TT", "T19", "Phường Tân Thịnh", end="31/12/9999")],
        "Dòng 2: hiệu lực đến ngày 31/12/9999 không hợp lệ",
    ),
    "unknown level": (
        [row("T19-TT", "T19", "Phường Tân Thịnh", level="Huyện đảo")],
        "Dòng 2: cấp “Huyện đảo” không có trong danh mục",
    ),
    "unknown kind": (
        [row("T19-TT", "T19", "Phường Tân Thịnh", kind="Câu lạc bộ")],
        "Dòng 2: loại hình “Câu lạc bộ” không có trong danh mục",
    ),
    "missing code": (
        [row("", "T19", "Phường Tân Thịnh")],
        "Dòng 2: thiếu mã đơn vị",
    ),
    "unknown predecessor": (
        [row("T19-TT", "T19", "Phường Tân Thịnh", merged="XA-CU")],
        "Dòng 2: mã đơn vị sáp nhập “XA-CU” không tồn tại",
    ),
}


@pytest.mark.parametrize("case", list(ROW_ERRORS))
def test_each_row_error_is_reported_and_nothing_is_written(admin_client, tree, case):
    rows, message = ROW_ERRORS[case]
    before = snapshot()
    response = preview(admin_client, xlsx_file(rows))
    assert message in page_errors(response)
    assert "chưa có dữ liệu nào được ghi" in page_errors(response)
    assert response.context.get("confirm_form") is None
    assert snapshot() == before


def test_every_invalid_row_is_listed_at_once(admin_client, tree):
    rows = [
        row("T19-TT", "T19", "Phường Tân Thịnh"),
        row("T19-X1", "KHONG-CO", "Phường X"),
        row("T19-X2", "T19", ""),
        row("T19-X3", "T19", "Phường Y", start="01/07/2025", end="01/01/2025"),
    ]
    page = page_errors(preview(admin_client, xlsx_file(rows)))
    assert "Có 3 dòng không hợp lệ" in page
    for expected in ("Dòng 3:", "Dòng 4:", "Dòng 5:"):
        assert expected in page


def test_a_valid_file_that_fails_while_writing_is_rolled_back_whole(
    admin_client, tree, monkeypatch
):
    from organisations import services

    upload = xlsx_file([row("T19-TT", "T19", "Phường Tân Thịnh"), row("T19-TL", "T19", "Phường L")])
    response = preview(admin_client, upload)
    before = snapshot()
    original = services.organisation_create
    calls = []

    def fail_on_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("ổ đĩa đầy")
        return original(**kwargs)

    monkeypatch.setattr(services, "organisation_create", fail_on_second)
    confirm(admin_client, response)
    assert snapshot() == before


FILE_ERRORS = {
    "malformed xlsx": (
        SimpleUploadedFile("don-vi.xlsx", b"PK\x03\x04 not really a workbook"),
        XLSX,
        "không phải là bảng tính Excel (.xlsx) hợp lệ",
    ),
    "a renamed text file": (
        SimpleUploadedFile("don-vi.xlsx", "Mã đơn vị;Tên".encode()),
        XLSX,
        "không phải là bảng tính Excel (.xlsx) hợp lệ",
    ),
    "csv not in utf-8": (
        csv_file([row("T19-TT", "T19", "Phường Tân Thịnh")], encoding="utf-16"),
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
    assert message in page_errors(response)
    assert snapshot() == before


def test_wrong_sheet_names_the_missing_columns(admin_client, tree):
    upload = xlsx_file([["x", "y"]], headers=["Họ tên", "Ghi chú"], sheet_title="Sheet1")
    before = snapshot()
    page = page_errors(preview(admin_client, upload))
    assert (
        "Trang tính “Sheet1” thiếu cột bắt buộc: Mã đơn vị, Mã đơn vị cấp trên, Tên đơn vị, Cấp"
        in page
    )
    assert snapshot() == before


def test_a_zip_bomb_is_refused_before_it_is_unpacked(admin_client, tree):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))
    upload = SimpleUploadedFile("don-vi.xlsx", buffer.getvalue())
    assert "dấu hiệu bất thường" in page_errors(preview(admin_client, upload))


# --- scope ------------------------------------------------------------------------------------


def test_a_province_admin_imports_only_inside_the_province(client, tree, admin_user):
    client.force_login(admin_user)
    rows = [
        row("T01-MOI", "T01", "Phường Mới ở Hà Nội"),  # parent outside the admin's scope
        row("GOC-MOI", "", "Đơn vị gốc mới", level="province"),  # a new root
        row("T01-QH", "T19", "Phường Quan Hoa"),  # a code that belongs to another province
    ]
    before = snapshot()
    page = page_errors(preview(client, xlsx_file(rows)))
    assert "Dòng 2: mã đơn vị cấp trên “T01” không tồn tại" in page
    assert "Dòng 3: thiếu mã đơn vị cấp trên" in page
    assert "Dòng 4: mã đơn vị “T01-QH” đã được dùng cho đơn vị khác" in page
    assert snapshot() == before


def test_export_contains_only_the_admins_scope_and_reimports_cleanly(client, tree, admin_user):
    client.force_login(admin_user)
    response = client.post(
        EXPORT_URL,
        {
            "format": "0",
            "resource": "0",
            **{f"organisationresource_{name}": "on" for name in COLUMNS},
        },
    )
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    codes = {values[0] for values in rows[1:]}
    assert {"T19", "T19-CH", "T19-CH-9", "T06", "T06-DX"} <= codes  # merged province included
    assert not codes & {"T01", "T01-QH"}
    by_code = {values[0]: values for values in rows[1:]}
    assert by_code["T19-CH"][1] == "T19"
    assert by_code["T19"][8] == "T06"

    # The export is a valid import file: re-importing it changes nothing.
    before = snapshot()
    upload = SimpleUploadedFile("xuat.xlsx", response.content)
    response = preview(client, upload)
    assert not response.context["result"].has_validation_errors(), page_errors(response)
    confirm(client, response)
    assert snapshot() == before


def test_template_file_documents_the_columns(admin_client):
    response = admin_client.get(TEMPLATE_URL)
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [SHEET_TITLE, "Hướng dẫn", "Danh mục"]
    assert [cell.value for cell in workbook[SHEET_TITLE][1]] == HEADERS
    guide = {values[0]: values[1] for values in workbook["Hướng dẫn"].iter_rows(values_only=True)}
    assert "dd/mm/yyyy" in guide[COLUMNS["valid_from"]]


def test_the_templates_example_of_a_former_unit_imports_as_written(admin_client, superuser):
    """The template's examples are a working import: a former district and ward ended on
    30/06/2025 under their official codes, and the ward of today they were merged into."""
    from organisations.services import organisation_create

    organisation_create(
        parent=None,
        organisation=Organisation(
            code="19", name="Tỉnh Thái Nguyên", level="province", kind="peoples_committee"
        ),
        by=superuser,
    )
    workbook = openpyxl.load_workbook(io.BytesIO(admin_client.get(TEMPLATE_URL).content))
    examples = [
        list(values) for values in workbook[SHEET_TITLE].iter_rows(min_row=2, values_only=True)
    ]
    assert {values[0] for values in examples} >= {"058", "01834", "01840"}
    response = confirm(admin_client, preview(admin_client, xlsx_file(examples)))
    assert response.status_code == 302, page_errors(response)
    former = Organisation.objects.get(code="01834")
    assert former.valid_to == datetime.date(2025, 6, 30) and former.name.endswith("(cũ)")
    assert former.get_parent().code == "058"
    today = Organisation.objects.get(code="01840")
    assert today.valid_from == datetime.date(2025, 7, 1)
    assert list(today.merged_from.values_list("code", flat=True)) == ["01834"]


def test_import_page_is_vietnamese_and_links_the_template(admin_client):
    page = admin_client.get(IMPORT_URL).content.decode()
    assert TEMPLATE_URL in page
    assert "Tệp cần nhập" in page and "Các cột sẽ được nhập" in page


def test_import_pages_are_closed_to_cadres(client, tree, cadre):
    client.force_login(cadre)
    response = client.get(IMPORT_URL)
    assert response.status_code == 302  # the admin site sends non-staff users to its log-in
    assert client.get(TEMPLATE_URL).status_code == 302


def test_the_resource_itself_writes_nothing_when_any_row_is_invalid(tree, superuser):
    """Outside the admin too (no dry run, no preview) a partly invalid file writes no row."""
    import tablib

    from organisations.resources import OrganisationResource

    dataset = tablib.Dataset(headers=HEADERS)
    dataset.append(row("T19-TT", "T19", "Phường Tân Thịnh"))
    # A bad date leaves a row the database would accept: only the validation stops it.
    dataset.append(row("T19-TL", "T19", "Phường Tân Lập", start="31/02/2025"))
    before = snapshot()
    result = OrganisationResource(user=superuser).import_data(
        dataset, dry_run=False, use_transactions=False, rollback_on_validation_errors=False
    )
    assert result.has_validation_errors()
    assert snapshot() == before

    dataset = tablib.Dataset(headers=HEADERS)
    dataset.append(row("T19-TT", "T19", "Phường Tân Thịnh"))
    result = OrganisationResource(user=superuser).import_data(dataset, dry_run=False)
    assert not result.has_validation_errors()
    assert Organisation.objects.filter(code="T19-TT").exists()


def test_export_query_count_does_not_grow_with_the_number_of_units(client, tree, superuser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import OrganisationFactory

    client.force_login(superuser)
    data = {"format": "0", "resource": "0", **{f"organisationresource_{n}": "on" for n in COLUMNS}}

    def export_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.post(EXPORT_URL, data).status_code == 200
        return len(queries)

    before = export_queries()
    for index in range(25):
        OrganisationFactory(name=f"Thôn {index}", parent=tree.residential)
    assert export_queries() == before


def test_xml_entity_expansion_is_refused(admin_client, tree):
    source = io.BytesIO(xlsx_file([row("T19-TT", "T19", "Phường Tân Thịnh")]).read())
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
                text = (
                    laughs + text[text.index("?>") + 2 :]
                    if text.startswith("<?xml")
                    else laughs + text
                )
                text = text.replace("Phường Tân Thịnh", "&lol9;")
                content = text.encode()
            rebuilt.writestr(entry, content)
    before = snapshot()
    page = page_errors(preview(admin_client, SimpleUploadedFile("don-vi.xlsx", bomb.getvalue())))
    # Refused while opening (defusedxml forbids entity declarations), never expanded.
    assert "Không đọc được bảng tính" in page
    assert snapshot() == before


def test_a_sheet_over_the_row_limit_is_refused_while_reading(admin_client, tree, monkeypatch):
    from core.spreadsheets import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    rows = [row(f"T19-{n}", "T19", f"Phường {n}") for n in range(5)]
    page = page_errors(preview(admin_client, xlsx_file(rows)))
    assert "Tệp có hơn 3 dòng dữ liệu" in page


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_exported_formulas_are_neutralised_and_import_back_unchanged(admin_client, tree, name):
    Organisation.objects.filter(pk=tree.other_ward.pk).update(name=name)
    data = {"format": "0", "resource": "0", **{f"organisationresource_{n}": "on" for n in COLUMNS}}
    response = admin_client.post(EXPORT_URL, data)
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = {r[0]: r for r in workbook.active.iter_rows(values_only=True)}
    assert cells["T19-GS"][2] == "'" + name  # text, never a formula

    before = snapshot()
    response = preview(admin_client, SimpleUploadedFile("xuat.xlsx", response.content))
    assert not response.context["result"].has_validation_errors()
    confirm(admin_client, response)
    assert snapshot() == before
    assert Organisation.objects.get(pk=tree.other_ward.pk).name == name


def test_import_preview_query_count_does_not_grow_with_the_rows(admin_client, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import OrganisationFactory

    def preview_queries(rows):
        with CaptureQueriesContext(connection) as queries:
            response = preview(admin_client, xlsx_file(rows))
        assert not response.context["result"].has_validation_errors()
        # import-export wraps each row in a savepoint of its own: round trips that read and
        # write no table. Counted here: the statements that do.
        return sum("SAVEPOINT" not in query["sql"] for query in queries.captured_queries)

    def existing_rows():
        units = Organisation.objects.filter(code__startswith="T19-CH-").order_by("path")
        return [
            row(unit.code, "T19-CH", unit.name, level="residential", kind="residential_area")
            for unit in units
        ]

    few = preview_queries(existing_rows())
    for index in range(30):
        OrganisationFactory(
            name=f"Tổ {index}",
            code=f"T19-CH-{index + 100}",
            parent=tree.ward,
            level="residential",
            kind="residential_area",
        )
    assert preview_queries(existing_rows()) == few
