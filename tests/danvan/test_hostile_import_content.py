"""Hostile content in well-formed files: the template filled the way a careless office fills it.

Each case is built here with openpyxl, posted to the real admin import (preview, then confirm)
as a province admin and as a superuser. A refused file shows a Vietnamese message naming the row
(and the cell where there is one) and writes nothing, admin log included; an accepted one writes
exactly the rows it means.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import date, datetime

import openpyxl
import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from models_registry.models import DanVanModel
from models_registry.resources import COLUMNS as MODEL_COLUMNS
from models_registry.resources import SHEET_TITLE as MODEL_SHEET
from organisations.models import Organisation
from organisations.resources import COLUMNS as UNIT_COLUMNS
from organisations.resources import SHEET_TITLE as UNIT_SHEET
from tests.factories import DanVanModelFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

IMPORTERS = {
    "units": (
        reverse("admin:organisations_organisation_import"),
        reverse("admin:organisations_organisation_process_import"),
        UNIT_SHEET,
        list(UNIT_COLUMNS.values()),
    ),
    "models": (
        reverse("admin:models_registry_danvanmodel_import"),
        reverse("admin:models_registry_danvanmodel_process_import"),
        MODEL_SHEET,
        list(MODEL_COLUMNS.values()),
    ),
}


def unit(code, parent="T19", name="Phường Tân Thịnh", level="Xã, phường, đặc khu", **given):
    values = {"code": code, "parent_code": parent, "name": name, "level": level, **given}
    return [values.get(key, "") for key in UNIT_COLUMNS]


def model(**given):
    values = {
        "owning_unit": "T19-CH",
        "name": "Hiến đất làm đường",
        "field": "Kinh tế",
        "start_date": "01/03/2023",
        "status": "Đã duyệt đăng ký",
        **given,
    }
    return [values.get(key, "") for key in MODEL_COLUMNS]


def workbook(importer: str, rows) -> SimpleUploadedFile:
    _, _, title, headers = IMPORTERS[importer]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("tep.xlsx", buffer.getvalue())


def error_cell(importer: str, rows, cell: str, error: str) -> SimpleUploadedFile:
    """``workbook`` with ``cell`` holding a spreadsheet error, as Excel saves one."""
    _, _, title, headers = IMPORTERS[importer]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    sheet[cell] = error
    sheet[cell].data_type = "e"
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("tep.xlsx", buffer.getvalue())


def stored() -> tuple:
    return (
        list(Organisation.objects.order_by("pk").values_list("pk", "code", "name", "updated_at")),
        list(DanVanModel.objects.order_by("pk").values_list("pk", "code", "name", "updated_at")),
        LogEntry.objects.count(),
    )


@pytest.fixture(params=["province admin", "superuser"])
def importing_client(request, client, tree):
    user = (
        request.getfixturevalue("admin_user")
        if request.param == "province admin"
        else request.getfixturevalue("superuser")
    )
    client.force_login(user)
    return client


def refused(client, importer: str, upload, *fragments: str) -> None:
    """The preview refuses ``upload`` with every message fragment, and nothing is written."""
    before = stored()
    response = client.post(IMPORTERS[importer][0], {"format": "0", "import_file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    for fragment in fragments:
        assert fragment in page
    assert response.context.get("confirm_form") is None
    assert stored() == before


def imported(client, importer: str, upload) -> None:
    """The preview accepts ``upload`` and its confirmation writes it."""
    response = client.post(IMPORTERS[importer][0], {"format": "0", "import_file": upload})
    assert response.status_code == 200
    form = response.context.get("confirm_form")
    assert form is not None, response.content.decode()
    data = {name: form.initial.get(name, "") for name in form.fields}
    assert client.post(IMPORTERS[importer][1], data).status_code == 302


# --- error cells (#N/A, #REF!) are refused by their cell, in any column ----------------------

ERROR_CELLS = {
    "a unit's code": ("units", [unit("X")], "A2", "#N/A", "Mã đơn vị"),
    "a unit's name": ("units", [unit("T19-TT")], "C2", "#REF!", "Tên đơn vị"),
    "a model's code": ("models", [model()], "A2", "#N/A", "Mã mô hình"),
    "a model's content": ("models", [model()], "M2", "#VALUE!", "Nội dung, cách làm"),
    "a model's required field": ("models", [model()], "H2", "#N/A", "Lĩnh vực"),
}


@pytest.mark.parametrize("case", list(ERROR_CELLS))
def test_an_error_cell_is_refused_by_its_cell(importing_client, case):
    importer, rows, cell, error, column = ERROR_CELLS[case]
    refused(
        importing_client,
        importer,
        error_cell(importer, rows, cell, error),
        f"Ô {cell} (cột “{column}”) chứa lỗi {error}",
    )


# --- mergers: no unit is merged, however indirectly, from itself ------------------------------

MERGER_CYCLES = {
    "each from the other": (
        [unit("A-1", merged_from="B-1"), unit("B-1", name="Phường B", merged_from="A-1")],
        ["Dòng 2: quan hệ sáp nhập tạo thành vòng lặp (A-1 ← B-1 ← A-1)", "Dòng 3:"],
    ),
    "three in a ring": (
        [
            unit("A-1", merged_from="B-1"),
            unit("B-1", name="Phường B", merged_from="C-1"),
            unit("C-1", name="Phường C", merged_from="A-1"),
        ],
        ["Dòng 2: quan hệ sáp nhập tạo thành vòng lặp (A-1 ← B-1 ← C-1 ← A-1)"],
    ),
    "back onto a stored merger": (
        # The province is stored as merged from the former province.
        [unit("T06", parent="", name="Tỉnh Bắc Kạn (cũ)", level="province", merged_from="T19")],
        ["Dòng 2: quan hệ sáp nhập tạo thành vòng lặp (T06 ← T19 ← T06)"],
    ),
    "a ring longer than Python's recursion limit": (
        [unit(f"U-{n}", merged_from=f"U-{(n + 1) % 1500}") for n in range(1500)],
        ["Dòng 2: quan hệ sáp nhập tạo thành vòng lặp (U-0 ← U-1 ← U-2 ←", "Dòng 1501:"],
    ),
    "from itself": ([unit("A-1", merged_from="A-1")], ["Dòng 2: một đơn vị không thể sáp nhập"]),
}


@pytest.mark.parametrize("case", list(MERGER_CYCLES))
def test_a_merger_cycle_is_refused(importing_client, case):
    rows, messages = MERGER_CYCLES[case]
    refused(importing_client, "units", workbook("units", rows), *messages)


def test_a_merger_chain_without_a_cycle_is_imported(importing_client):
    imported(
        importing_client,
        "units",
        workbook(
            "units",
            [unit("A-1", merged_from="B-1, T19-GS"), unit("B-1", name="Phường B")],
        ),
    )
    merged = Organisation.objects.get(code="A-1").merged_from.values_list("code", flat=True)
    assert sorted(merged) == ["B-1", "T19-GS"]


# --- codes: case, full-width characters and stray spaces do not make another code -------------

CODE_CLASHES = {
    "units: one code twice, in two cases": (
        "units",
        [unit("T19-TT"), unit("t19-tt", name="Phường Tân Lập")],
        "Dòng 3: mã đơn vị “t19-tt” bị trùng với dòng 2",
    ),
    "units: one code twice, once in full-width digits": (
        "units",
        [unit("T19-TT"), unit("T１９-TT", name="Phường Tân Lập")],
        "Dòng 3: mã đơn vị “T19-TT” bị trùng với dòng 2",
    ),
    "models: one code twice, in two cases": (
        "models",
        [model(code="CH-01"), model(code="ch-01", name="Khác")],
        "Dòng 3: trùng mã mô hình “CH-01” với dòng 2",
    ),
}


@pytest.mark.parametrize("case", list(CODE_CLASHES))
def test_codes_differing_only_in_case_or_width_are_one_code(importing_client, case):
    importer, rows, message = CODE_CLASHES[case]
    refused(importing_client, importer, workbook(importer, rows), message)


@pytest.mark.parametrize("typed", ["t19", "T１９", "\u00a0T19\u00a0", "T19\u200b"])
def test_a_parent_code_typed_loosely_names_the_stored_unit(importing_client, typed):
    imported(importing_client, "units", workbook("units", [unit("T19-TT", parent=typed)]))
    created = Organisation.objects.get(code="T19-TT")
    assert Organisation.objects.get_parent(created).code == "T19"


def test_a_stored_code_typed_in_lower_case_updates_that_unit(importing_client, tree):
    count = Organisation.objects.count()
    imported(
        importing_client, "units", workbook("units", [unit("t19-gs", name="Phường Gia Sàng 2")])
    )
    assert Organisation.objects.count() == count
    assert Organisation.objects.get(code="T19-GS").name == "Phường Gia Sàng 2"


@pytest.mark.parametrize("typed", ["t19-ch", "T１９-CH", "\u00a0T19-CH ", "T19-CH\u200b"])
def test_an_owning_unit_code_typed_loosely_names_the_stored_unit(importing_client, tree, typed):
    imported(importing_client, "models", workbook("models", [model(owning_unit=typed)]))
    assert list(DanVanModel.objects.values_list("owning_unit__code", flat=True)) == ["T19-CH"]


def test_a_stored_model_code_typed_in_lower_case_matches_that_model(importing_client, tree):
    imported(importing_client, "models", workbook("models", [model(code="CH-01")]))
    imported(importing_client, "models", workbook("models", [model(code="ch-01", workdays=300)]))
    assert list(DanVanModel.objects.values_list("code", "workdays")) == [("CH-01", 300)]


# --- text: one spelling of a Vietnamese letter, one space between words -----------------------

HOA_BINH = "Mô hình Hòa Bình"
DECOMPOSED = unicodedata.normalize("NFD", HOA_BINH)  # as typed with combining tone marks


@pytest.mark.parametrize(
    "typed", [DECOMPOSED, "Mô hình\u00a0Hòa Bình", "Mô  hình Hòa\u200b Bình", f" {HOA_BINH}\t"]
)
def test_a_name_is_stored_as_one_spelling(importing_client, tree, typed):
    imported(importing_client, "units", workbook("units", [unit("T19-TT", name=typed)]))
    imported(importing_client, "models", workbook("models", [model(name=typed)]))
    assert Organisation.objects.get(code="T19-TT").name == HOA_BINH
    assert list(DanVanModel.objects.values_list("name", flat=True)) == [HOA_BINH]


def test_the_same_name_in_two_spellings_is_one_model(importing_client, tree):
    refused(
        importing_client,
        "models",
        workbook("models", [model(name=HOA_BINH), model(name=DECOMPOSED)]),
        "Dòng 3: trùng đơn vị chủ trì, tên và ngày bắt đầu với dòng 2.",
    )


def test_a_stored_model_imported_again_in_another_spelling_is_matched(importing_client, tree):
    imported(importing_client, "models", workbook("models", [model(name=HOA_BINH)]))
    imported(importing_client, "models", workbook("models", [model(name=DECOMPOSED, workdays=12)]))
    assert list(DanVanModel.objects.values_list("name", "workdays")) == [(HOA_BINH, 12)]


# --- headers typed loosely name their columns; an unknown column is ignored ---------------------


def loosely(title: str, how: str) -> str:
    if how == "lower case":
        return title.lower()
    if how == "without diacritics":
        plain = title.replace("đ", "d").replace("Đ", "D")
        return unicodedata.normalize("NFD", plain).encode("ascii", "ignore").decode()
    if how == "no-break spaces":
        return title.replace(" ", "\u00a0")
    return f" {title}  "  # "spaces around"


@pytest.mark.parametrize(
    "how", ["lower case", "without diacritics", "no-break spaces", "spaces around"]
)
def test_headers_typed_loosely_name_their_columns(importing_client, tree, how):
    for importer, rows in (("units", [unit("T19-TT")]), ("models", [model(workdays=7)])):
        _, _, title, headers = IMPORTERS[importer]
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = title
        sheet.append([loosely(header, how) for header in headers] + ["Ghi chú riêng"])
        for values in rows:
            sheet.append([*values, "không nhập"])
        buffer = io.BytesIO()
        book.save(buffer)
        imported(importing_client, importer, SimpleUploadedFile("tep.xlsx", buffer.getvalue()))
    assert Organisation.objects.filter(code="T19-TT").exists()
    assert list(DanVanModel.objects.values_list("workdays", flat=True)) == [7]


def test_a_column_given_twice_is_refused(importing_client, tree):
    _, _, title, headers = IMPORTERS["models"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append([*headers, "Ngày công"])
    sheet.append([*model(workdays=7), 70])
    buffer = io.BytesIO()
    book.save(buffer)
    refused(
        importing_client,
        "models",
        SimpleUploadedFile("tep.xlsx", buffer.getvalue()),
        "có nhiều cột “Ngày công”",
    )


# --- dates: what a date cell may hold --------------------------------------------------------

NOT_A_DATE = "không phải ngày hợp lệ (dạng dd/mm/yyyy"  # models also take mm/yyyy, yyyy
OUT_OF_RANGE = "ngày phải nằm trong khoảng từ 01/01/1990"
DATES = {
    "a date cell": (datetime(2023, 1, 5), date(2023, 1, 5)),
    "a date cell with a time": (datetime(2023, 1, 5, 23, 30), date(2023, 1, 5)),
    "dd/mm/yyyy": ("05/01/2023", date(2023, 1, 5)),
    "dd-mm-yyyy": ("05-01-2023", date(2023, 1, 5)),
    "yyyy-mm-dd": ("2023-01-05", date(2023, 1, 5)),
    "a serial number in a number cell": (45000, NOT_A_DATE),
    "a two-digit year": ("5/1/23", NOT_A_DATE),
    "31 February": ("31/02/2024", NOT_A_DATE),
    "TRUE": (True, NOT_A_DATE),
    "before 1990": ("31/12/1989", OUT_OF_RANGE),
    "beyond ten years ahead": (f"01/01/{date.today().year + 11}", OUT_OF_RANGE),
}


@pytest.mark.parametrize("case", list(DATES))
@pytest.mark.parametrize("importer", ["units", "models"])
def test_a_date_cell(importing_client, tree, importer, case):
    typed, expected = DATES[case]
    if importer == "units":
        rows, column = [unit("T19-TT", valid_from=typed)], "Dòng 2: hiệu lực từ ngày"
    else:
        rows, column = [model(start_date=typed)], "Dòng 2: ngày bắt đầu"
    if isinstance(expected, str):
        refused(importing_client, importer, workbook(importer, rows), column, expected)
        return
    imported(importing_client, importer, workbook(importer, rows))
    if importer == "units":
        assert Organisation.objects.get(code="T19-TT").valid_from == expected
    else:
        assert list(DanVanModel.objects.values_list("start_date", flat=True)) == [expected]


# --- amounts and counts ------------------------------------------------------------------------

NOT_A_COUNT = "phải là số nguyên không âm"
AMOUNTS = {
    "grouped with dots": ("1.234.567", 1_234_567),
    "grouped with commas": ("1,234,567", 1_234_567),
    "grouped with spaces": ("1 234 567", 1_234_567),
    "grouped with no-break spaces": ("1\u00a0234\u00a0567", 1_234_567),
    "a whole number cell": (1_234_567, 1_234_567),
    "a whole number saved as 1E3": (1e3, 1000),
    "negative": (-5, NOT_A_COUNT),
    "negative text": ("-5", NOT_A_COUNT),
    "a decimal": (2.5, NOT_A_COUNT),
    "a decimal comma": ("2,5", NOT_A_COUNT),
    "an exponent as text": ("1e3", NOT_A_COUNT),
    "TRUE": (True, NOT_A_COUNT),
    "badly grouped": ("1.23.4567", NOT_A_COUNT),
}


@pytest.mark.parametrize("case", list(AMOUNTS))
def test_an_amount_cell(importing_client, tree, case):
    typed, expected = AMOUNTS[case]
    upload = workbook("models", [model(funds=typed)])
    if isinstance(expected, str):
        refused(importing_client, "models", upload, "Dòng 2: kinh phí (đồng)", expected)
        return
    imported(importing_client, "models", upload)
    assert list(DanVanModel.objects.values_list("funds", flat=True)) == [expected]


# --- list columns typed without diacritics, in another case, with spaces -----------------------


def test_list_columns_typed_loosely_take_their_codes(importing_client, tree):
    imported(
        importing_client,
        "models",
        workbook(
            "models",
            [
                model(
                    field="  KINH TE ",
                    kind="mo hinh",
                    actor=unicodedata.normalize("NFD", "TẬP THỂ "),
                    status="da duyet dang ky",
                )
            ],
        ),
    )
    imported(
        importing_client,
        "units",
        workbook(
            "units",
            [unit("T19-TT", level="xa, phuong, dac khu", kind="mat tran to quoc viet nam ")],
        ),
    )
    assert list(DanVanModel.objects.values_list("field", "kind", "actor", "status")) == [
        ("economy", "model", "collective", "accepted")
    ]
    assert Organisation.objects.filter(
        code="T19-TT", level="commune", kind="fatherland_front"
    ).exists()


# --- scope: what lies outside the admin's units is neither reached nor revealed ---------------


@pytest.fixture
def province_admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_a_parent_outside_the_admins_scope_is_refused_neutrally(province_admin_client):
    refused(
        province_admin_client,
        "units",
        workbook("units", [unit("T19-TT"), unit("T01-X", parent="t01-qh", name="Tổ X")]),
        "Dòng 3: mã đơn vị cấp trên “T01-QH” không tồn tại (trong tệp và trong phạm vi quản lý",
    )


def test_a_model_of_another_province_is_neither_changed_nor_revealed(province_admin_client, tree):
    other = DanVanModelFactory(
        code="QH-07", name="Camera an ninh Quan Hoa", owning_unit=tree.other_province_ward
    )
    before = DanVanModel.objects.filter(pk=other.pk).values_list("name", "updated_at").get()
    response = province_admin_client.post(
        IMPORTERS["models"][0],
        {"format": "0", "import_file": workbook("models", [model(code="qh-07")])},
    )
    page = response.content.decode()
    assert "Dòng 2: mã mô hình “QH-07” đã được dùng cho mô hình khác." in page
    assert other.name not in page and "T01-QH" not in page
    assert response.context.get("confirm_form") is None
    assert DanVanModel.objects.filter(pk=other.pk).values_list("name", "updated_at").get() == before
    assert DanVanModel.objects.count() == 1


# --- order and size of the file ----------------------------------------------------------------


def test_a_unit_may_come_before_its_parent_in_the_file(importing_client):
    imported(
        importing_client,
        "units",
        workbook(
            "units",
            [
                unit("T19-TT-5", parent="T19-TT", name="Tổ 5", level="residential"),
                unit("T19-TT"),
            ],
        ),
    )
    child = Organisation.objects.get(code="T19-TT-5")
    assert Organisation.objects.get_parent(child).code == "T19-TT"


def test_ten_thousand_units_with_one_bad_last_row_are_refused_whole(province_admin_client):
    rows = [unit(f"T19-N{n}", name=f"Tổ {n}", level="residential") for n in range(9_999)]
    rows.append(unit("T19-N9999", parent="KHONG-CO", name="Tổ cuối", level="residential"))
    refused(
        province_admin_client,
        "units",
        workbook("units", rows),
        "Dòng 10001: mã đơn vị cấp trên “KHONG-CO” không tồn tại",
    )


# --- the workbook's layout: hidden and active sheets, merged cells ------------------------------


def test_the_data_sheet_is_read_hidden_and_not_active(importing_client):
    _, _, title, headers = IMPORTERS["models"]
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Ghi chú"
    notes.append(["Mã đơn vị chủ trì", "Tên mô hình, điển hình"])
    notes.append(["T19-GS", "Không phải dữ liệu"])
    sheet = book.create_sheet(title)
    sheet.append(headers)
    sheet.append(model())
    sheet.sheet_state = "hidden"
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    imported(importing_client, "models", SimpleUploadedFile("tep.xlsx", buffer.getvalue()))
    assert list(DanVanModel.objects.values_list("name", "owning_unit__code")) == [
        ("Hiến đất làm đường", "T19-CH")
    ]


def test_a_cell_merged_across_rows_fills_only_its_first_row(importing_client):
    _, _, title, headers = IMPORTERS["models"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(headers)
    for name in ("Mô hình A", "Mô hình B", "Mô hình C"):
        sheet.append(model(name=name))
    sheet.merge_cells("B2:B4")  # the owning unit typed once for three rows
    buffer = io.BytesIO()
    book.save(buffer)
    refused(
        importing_client,
        "models",
        SimpleUploadedFile("tep.xlsx", buffer.getvalue()),
        "Dòng 3: thiếu mã đơn vị chủ trì.",
        "Dòng 4: thiếu mã đơn vị chủ trì.",
    )


# --- official codes with leading zeros typed into number cells ---------------------------------


@pytest.fixture
def zero_coded(tree):
    """A unit in the province whose official code starts with zeros, as "06" or "00004" do."""
    return OrganisationFactory(name="Phường Tân Thịnh", code="0043", parent=tree.province)


def test_an_official_code_that_lost_its_zeros_in_a_number_cell_names_its_unit(
    importing_client, zero_coded
):
    count = Organisation.objects.count()
    imported(
        importing_client,
        "units",
        workbook(
            "units",
            [
                unit(43, name="Phường Tân Thịnh mới"),
                unit("T19-TT-1", parent=43, name="Tổ 1", level="residential"),
            ],
        ),
    )
    assert Organisation.objects.count() == count + 1
    zero_coded.refresh_from_db()
    assert zero_coded.name == "Phường Tân Thịnh mới"
    child = Organisation.objects.get(code="T19-TT-1")
    assert Organisation.objects.get_parent(child) == zero_coded
    # A CSV file saved again by Excel holds the same code as text.
    imported(importing_client, "models", workbook("models", [model(owning_unit="43")]))
    assert list(DanVanModel.objects.values_list("owning_unit__code", flat=True)) == ["0043"]
