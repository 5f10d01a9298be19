"""Historical records through the admin import: accepted, recognised and discontinued models with
their days, "replicated from" links to stored models and to rows of the same file, and starts
known only to the month or the year."""

import datetime
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.partial_dates import DatePrecision
from models_registry.choices import EventAction, Status
from models_registry.models import DanVanModel
from models_registry.resources import COLUMNS, SHEET_TITLE
from tests.factories import DanVanModelFactory
from tests.models_registry.test_import_export import (
    EXPORT_URL,
    confirm,
    page,
    preview,
    snapshot,
    values,
    xlsx_file,
)

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
LIST_EXPORT = "/mo-hinh/xuat/"


def midnight(day, month, year):
    return datetime.datetime(year, month, day, tzinfo=VN)


@pytest.fixture
def admin_client(client, registry_admin):
    client.force_login(registry_admin)
    return client


@pytest.fixture
def stored_origin(tree):
    """A model carried out in the ward, named as an origin by its code."""
    return DanVanModelFactory(
        owning_unit=tree.ward, code="GOC-01", name="Mô hình gốc", status=Status.ACCEPTED
    )


def history_rows() -> list[list]:
    return [
        values(  # row 2: accepted on a day typed
            code="LS-01",
            name="Camera an ninh tổ 9",
            start_date="15/03/2019",
            accepted_at="20/03/2019",
        ),
        values(  # row 3: recognised; start known to the month, days left to their defaults
            code="LS-02",
            name="Đường hoa thanh niên",
            start_date="03/2019",
            status="Đã công nhận",
            decision_number="12/QĐ-UBND",
            decision_date="10/12/2019",
        ),
        values(  # row 4: discontinued; start known to the year; origin on a later row
            code="LS-03",
            name="Nuôi Dê sinh sản",
            start_date="2019",
            status="Dừng thực hiện",
            accepted_at="01/02/2019",
            discontinued_at="15/03/2022",
            status_reason="Địa bàn sáp nhập, các hộ chuyển nghề.",
            replicated_from="LS-05",
        ),
        values(  # row 5: recognised, then discontinued; origin stored in the database
            code="LS-04",
            name="Hòm thư góp ý",
            start_date="01/01/2020",
            status="Dừng thực hiện",
            decision_number="5/QĐ-UBND",
            decision_date="01/06/2020",
            recognised_at="05/06/2020",
            discontinued_at="01/01/2021",
            status_reason="Chuyển sang hòm thư điện tử.",
            replicated_from="goc-01",  # a code typed in another case
        ),
        values(  # row 6: a month without its leading zero; origin on an earlier row
            code="LS-05",
            name="Nuôi Dê",
            start_date="3/2018",
            replicated_from="LS-01",
        ),
        values(  # row 7: a year typed into a number cell
            code="LS-06",
            name="Tự quản an ninh trật tự",
            start_date=2017,
        ),
    ]


def stored(code) -> DanVanModel:
    return DanVanModel.objects.get(code=code)


def test_historical_records_import_with_their_days_links_and_precisions(
    admin_client, tree, stored_origin
):
    response = preview(admin_client, xlsx_file(history_rows()))
    result = response.context["result"]
    assert not result.has_validation_errors(), page(response)
    assert [row.import_type for row in result.valid_rows()] == ["new"] * 6
    text = page(response)
    for shown in ("15/03/2019", "03/2019", "<td>2019</td>", "<td>2017</td>"):
        assert shown in text
    assert not DanVanModel.objects.exclude(pk=stored_origin.pk).exists()  # preview only
    confirm(admin_client, response)

    accepted = stored("LS-01")
    assert (accepted.status, accepted.start_date, accepted.start_precision) == (
        Status.ACCEPTED,
        datetime.date(2019, 3, 15),
        DatePrecision.DAY,
    )
    assert accepted.submitted_at == accepted.accepted_at == midnight(20, 3, 2019)
    assert accepted.recognised_at is None and accepted.discontinued_at is None

    recognised = stored("LS-02")
    assert (recognised.start_date, recognised.start_precision) == (
        datetime.date(2019, 3, 1),
        DatePrecision.MONTH,
    )
    assert recognised.accepted_at == midnight(1, 3, 2019)  # the start, by default
    assert recognised.recognised_at == recognised.proposed_at == midnight(10, 12, 2019)

    stopped = stored("LS-03")
    assert (stopped.status, stopped.start_date, stopped.start_precision) == (
        Status.DISCONTINUED,
        datetime.date(2019, 1, 1),
        DatePrecision.YEAR,
    )
    assert stopped.accepted_at == midnight(1, 2, 2019)
    assert stopped.discontinued_at == midnight(15, 3, 2022)
    assert stopped.recognised_at is None
    assert stopped.status_reason == "Địa bàn sáp nhập, các hộ chuyển nghề."
    assert stopped.replicated_from == stored("LS-05")  # a later row of the same file
    event = stopped.events.get()
    assert (event.action, event.to_status) == (EventAction.IMPORTED, Status.DISCONTINUED)
    assert event.effective_date == datetime.date(2022, 3, 15)
    assert "Lý do dừng thực hiện: Địa bàn sáp nhập, các hộ chuyển nghề." in event.reason

    recognised_then_stopped = stored("LS-04")
    assert recognised_then_stopped.accepted_at == midnight(1, 1, 2020)
    assert recognised_then_stopped.recognised_at == midnight(5, 6, 2020)
    assert recognised_then_stopped.discontinued_at == midnight(1, 1, 2021)
    assert recognised_then_stopped.decision_number == "5/QĐ-UBND"
    assert recognised_then_stopped.replicated_from == stored_origin

    replica = stored("LS-05")
    assert (replica.start_date, replica.start_precision) == (
        datetime.date(2018, 3, 1),
        DatePrecision.MONTH,
    )
    assert replica.replicated_from == accepted  # an earlier row of the same file
    assert (stored("LS-06").start_date, stored("LS-06").start_precision) == (
        datetime.date(2017, 1, 1),
        DatePrecision.YEAR,
    )

    # The pages show each start as it was given, and the day a model stopped.
    detail = admin_client.get(stopped.get_absolute_url()).content.decode()
    assert '<dt class="col-sm-4">Ngày bắt đầu</dt>' in detail
    assert '<dd class="col-sm-8 preserve-lines">2019</dd>' in detail
    assert 'Dừng thực hiện</dt><dd class="col-6">15/03/2022</dd>' in detail
    assert "Địa bàn sáp nhập, các hộ chuyển nghề." in detail
    assert f'<a href="{replica.get_absolute_url()}">Nuôi Dê</a>' in detail
    detail = admin_client.get(recognised.get_absolute_url()).content.decode()
    assert '<dd class="col-sm-8 preserve-lines">03/2019</dd>' in detail
    listing = admin_client.get("/mo-hinh/", {"q": "Đường hoa"}).content.decode()
    assert '<td data-label="Bắt đầu">03/2019</td>' in listing

    # Importing the same file again changes nothing.
    before = snapshot()
    response = preview(admin_client, xlsx_file(history_rows()))
    assert [row.import_type for row in response.context["result"].valid_rows()] == ["skip"] * 6
    confirm(admin_client, response)
    assert snapshot() == before


def test_the_exports_write_the_start_as_given_and_reimport_unchanged(
    admin_client, tree, stored_origin, cadre, client_for
):
    confirm(admin_client, preview(admin_client, xlsx_file(history_rows())))
    data = {"format": "0", "resource": "0"}
    data.update({f"danvanmodelresource_{name}": "on" for name in ["owning_unit_name", *COLUMNS]})
    content = admin_client.post(EXPORT_URL, data).content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    records = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert records["LS-03"][COLUMNS["start_date"]] == "2019"
    assert records["LS-02"][COLUMNS["start_date"]] == "03/2019"
    assert records["LS-01"][COLUMNS["start_date"]] == datetime.datetime(2019, 3, 15)
    assert records["LS-03"][COLUMNS["discontinued_at"]] == datetime.datetime(2022, 3, 15)
    assert records["LS-03"][COLUMNS["status_reason"]] == "Địa bàn sáp nhập, các hộ chuyển nghề."
    assert records["LS-03"][COLUMNS["replicated_from"]] == "LS-05"
    assert records["LS-04"][COLUMNS["replicated_from"]] == "GOC-01"
    assert records["LS-04"][COLUMNS["recognised_at"]] == datetime.datetime(2020, 6, 5)
    before = snapshot()
    response = preview(admin_client, SimpleUploadedFile("xuat.xlsx", content))
    assert not response.context["result"].has_validation_errors(), page(response)
    assert {row.import_type for row in response.context["result"].valid_rows()} == {"skip"}
    assert snapshot() == before

    # The list export (the cadre of the ward sees them all) writes them the same way.
    listed = client_for(cadre).get(LIST_EXPORT, {"format": "xlsx"})
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(listed.streaming_content)))
    rows = list(workbook[SHEET_TITLE].iter_rows(values_only=True))
    start = rows[0].index("Ngày bắt đầu")
    code = rows[0].index(COLUMNS["code"])
    by_code = {row[code]: row for row in rows[1:]}
    assert by_code["LS-03"][start] == "2019"
    assert by_code["LS-05"][start] == "03/2018"
    assert by_code["LS-01"][start] == datetime.datetime(2019, 3, 15)


def test_a_stored_models_days_and_reason_cannot_be_changed_by_a_file(admin_client, tree):
    rows = history_rows()[2:3]  # LS-03, discontinued, citing LS-05
    rows.append(history_rows()[4])
    rows.append(history_rows()[0])
    confirm(admin_client, preview(admin_client, xlsx_file(rows)))
    before = snapshot()
    for changed, message in (
        ({"discontinued_at": "16/03/2022"}, "ngày dừng thực hiện “16/03/2022” khác với đã lưu"),
        ({"accepted_at": "02/02/2019"}, "ngày duyệt đăng ký “02/02/2019” khác với đã lưu"),
        ({"status_reason": "Lý do khác."}, "lý do dừng “Lý do khác.” khác với đã lưu"),
    ):
        row = history_rows()[2]
        row[list(COLUMNS).index(next(iter(changed)))] = next(iter(changed.values()))
        response = preview(admin_client, xlsx_file([row, *rows[1:]]))
        assert response.context.get("confirm_form") is None
        assert f"Dòng 2: {message}" in page(response), page(response)
        assert snapshot() == before
    # Empty days keep what is stored; the reason is still required for a discontinued row.
    row = values(
        code="LS-03",
        name="Nuôi Dê sinh sản",
        start_date="2019",
        status="Dừng thực hiện",
        discontinued_at="15/03/2022",
        status_reason="Địa bàn sáp nhập, các hộ chuyển nghề.",
    )
    response = preview(admin_client, xlsx_file([row]))
    assert [r.import_type for r in response.context["result"].valid_rows()] == ["skip"]


def test_a_changed_start_precision_and_a_new_origin_show_in_the_preview(
    admin_client, tree, stored_origin
):
    confirm(admin_client, preview(admin_client, xlsx_file([values(code="LS-09")])))
    changed = values(code="LS-09", start_date="03/2023", replicated_from="GOC-01")
    response = preview(admin_client, xlsx_file([changed]))
    text = page(response)
    assert "Ngày bắt đầu: 01/03/2023 → 03/2023" in text
    assert "Nhân rộng từ mô hình: (trống) → GOC-01" in text
    confirm(admin_client, response)
    model = stored("LS-09")
    assert model.start_precision == DatePrecision.MONTH
    assert model.replicated_from == stored_origin


def next_year() -> str:
    return f"01/01/{timezone.localdate().year + 1}"


def tomorrow() -> str:
    return f"{timezone.localdate() + datetime.timedelta(days=1):%d/%m/%Y}"


STOPPED = {
    "status": "Dừng thực hiện",
    "discontinued_at": "15/03/2022",
    "status_reason": "Hết kinh phí.",
    "start_date": "01/03/2021",
}

BAD_ROWS = {
    "discontinued without a reason": (
        {**STOPPED, "status_reason": ""},
        "Dòng 2: mô hình dừng thực hiện phải có lý do dừng.",
    ),
    "discontinued without a day": (
        {**STOPPED, "discontinued_at": ""},
        "Dòng 2: mô hình dừng thực hiện phải có ngày dừng thực hiện.",
    ),
    "discontinued tomorrow": (
        {**STOPPED, "discontinued_at": "tomorrow"},
        "Dòng 2: ngày dừng thực hiện {tomorrow} sau ngày hôm nay.",
    ),
    "accepted next year": (
        {"accepted_at": "next year"},
        "Dòng 2: ngày duyệt đăng ký {next_year} sau ngày hôm nay.",
    ),
    "discontinued before it started": (
        {**STOPPED, "discontinued_at": "15/02/2021"},
        "Dòng 2: ngày dừng thực hiện 15/02/2021 trước ngày duyệt đăng ký (ô để trống nên lấy "
        "theo mặc định) 01/03/2021.",
    ),
    "discontinued before its acceptance": (
        {**STOPPED, "accepted_at": "01/04/2022"},
        "Dòng 2: ngày dừng thực hiện 15/03/2022 trước ngày duyệt đăng ký 01/04/2022.",
    ),
    "accepted before it started": (
        {"accepted_at": "01/02/2023"},
        "Dòng 2: ngày duyệt đăng ký 01/02/2023 trước ngày bắt đầu 01/03/2023.",
    ),
    "recognised before its acceptance": (
        {
            "status": "Đã công nhận",
            "decision_number": "7/QĐ",
            "decision_date": "20/12/2023",
            "accepted_at": "01/06/2023",
            "recognised_at": "01/05/2023",
        },
        "Dòng 2: ngày công nhận 01/05/2023 trước ngày duyệt đăng ký 01/06/2023.",
    ),
    "discontinued before its recognition": (
        {
            **STOPPED,
            "decision_number": "7/QĐ",
            "decision_date": "20/12/2022",
            "start_date": "01/03/2021",
        },
        "Dòng 2: ngày dừng thực hiện 15/03/2022 trước ngày công nhận (ô để trống nên lấy theo "
        "mặc định) 20/12/2022.",
    ),
    "recognised day on an accepted row": (
        {"recognised_at": "01/06/2023"},
        "Dòng 2: ngày công nhận chỉ ghi cho mô hình đã công nhận",
    ),
    "stop day on an accepted row": (
        {"discontinued_at": "01/06/2023", "status_reason": "Hết kinh phí."},
        "Dòng 2: ngày dừng thực hiện và lý do dừng chỉ ghi cho mô hình có trạng thái "
        "“Dừng thực hiện”.",
    ),
    "unknown origin": (
        {"replicated_from": "KHONG-CO"},
        "Dòng 2: nhân rộng từ mô hình “KHONG-CO”: không có mô hình nào mang mã này trong tệp",
    ),
    "an origin outside the admin's scope": (
        {"replicated_from": "HN-01"},
        "Dòng 2: nhân rộng từ mô hình “HN-01”: không có mô hình nào mang mã này trong tệp",
    ),
    "an origin still a draft": (
        {"replicated_from": "NHAP-01"},
        "Dòng 2: nhân rộng từ mô hình “NHAP-01”: không có mô hình nào mang mã này",
    ),
    "replicated from itself": (
        {"code": "LS-01", "replicated_from": "LS-01"},
        "Dòng 2: mô hình không thể nhân rộng từ chính nó (“LS-01”).",
    ),
    "month 13": (
        {"start_date": "13/2019"},
        "Dòng 2: ngày bắt đầu “13/2019” không phải ngày hợp lệ (dạng dd/mm/yyyy, mm/yyyy hoặc "
        "yyyy).",
    ),
    "year then month 13": (
        {"start_date": "2019-13"},
        "Dòng 2: ngày bắt đầu “2019-13” không phải ngày hợp lệ",
    ),
    "a year in words": (
        {"start_date": "năm 2019"},
        "Dòng 2: ngày bắt đầu “năm 2019” không phải ngày hợp lệ",
    ),
    "a year before the accepted range": (
        {"start_date": "1985"},
        "Dòng 2: ngày bắt đầu 1985 không hợp lệ: ngày phải nằm trong khoảng từ 01/01/1990",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_each_bad_historical_row_is_named_and_nothing_is_written(admin_client, tree, case):
    DanVanModelFactory(owning_unit=tree.other_province_ward, code="HN-01", status="accepted")
    DanVanModelFactory(owning_unit=tree.ward, code="NHAP-01", status=Status.DRAFT)
    given, message = BAD_ROWS[case]
    given = {
        key: {"tomorrow": tomorrow(), "next year": next_year()}.get(value, value)
        for key, value in given.items()
    }
    message = message.format(tomorrow=tomorrow(), next_year=next_year())
    # One bad row among good ones: the good rows are not written either.
    rows = [values(**given), *history_rows()[4:]]
    rows[1] = values(code="LS-05", name="Nuôi Dê", start_date="3/2018")
    before = snapshot()
    response = preview(admin_client, xlsx_file(rows))
    text = page(response)
    assert message in text, text[text.find("Dòng 2") - 200 : text.find("Dòng 2") + 400]
    assert "chưa có dữ liệu nào được ghi" in text
    assert response.context.get("confirm_form") is None
    assert snapshot() == before


def test_rows_replicating_each_other_in_a_ring_are_refused(admin_client, tree):
    rows = [
        values(code="A-1", name="Một", replicated_from="A-2"),
        values(code="A-2", name="Hai", replicated_from="A-1"),
    ]
    text = page(preview(admin_client, xlsx_file(rows)))
    assert "Dòng 2: các dòng nhân rộng từ nhau thành vòng (dòng 2, 3)." in text
    assert not DanVanModel.objects.exists()


def test_the_template_documents_every_new_column_with_an_example(admin_client, tree):
    from tests.models_registry.test_import_export import TEMPLATE_URL

    workbook = openpyxl.load_workbook(io.BytesIO(admin_client.get(TEMPLATE_URL).content))
    guide = {row[0]: row[1] for row in workbook["Hướng dẫn"].iter_rows(values_only=True)}
    assert "mm/yyyy" in guide[COLUMNS["start_date"]] and "2019" in guide[COLUMNS["start_date"]]
    for key in ("accepted_at", "recognised_at", "discontinued_at", "status_reason"):
        assert "Ví dụ" in guide[COLUMNS[key]], key
    assert "cùng tệp" in guide[COLUMNS["replicated_from"]]
    assert "Dừng thực hiện" in guide[COLUMNS["status"]]
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    examples = [
        dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(2, 4, values_only=True)
    ]
    stopped = examples[2]
    assert stopped[COLUMNS["status"]] == "Dừng thực hiện"
    assert stopped[COLUMNS["start_date"]] == "06/2023"
    assert stopped[COLUMNS["replicated_from"]] == examples[0][COLUMNS["code"]]


def test_the_reports_data_sheet_writes_the_start_as_given(
    admin_client, tree, registry_admin, stored_origin
):
    from reports.periods import year_period
    from reports.selectors import MODEL_ROW_HEADERS, report_model_rows

    confirm(admin_client, preview(admin_client, xlsx_file(history_rows())))
    start = MODEL_ROW_HEADERS.index("Ngày bắt đầu")
    rows = {row[0]: row for row in report_model_rows(registry_admin, tree.ward, year_period(2019))}
    assert rows["LS-03"][start] == "2019"
    assert rows["LS-05"][start] == "03/2018"
    assert rows["LS-01"][start] == datetime.date(2019, 3, 15)


def test_a_start_typed_in_the_registration_form_is_a_whole_day_again(client_for, tree, cadre):
    draft = DanVanModelFactory(
        owning_unit=tree.ward,
        created_by=cadre,
        start_date=datetime.date(2019, 3, 1),
        start_precision=DatePrecision.MONTH,
        evaluation_date=datetime.date(2019, 12, 1),
    )
    form = client_for(cadre).get(f"/mo-hinh/{draft.pk}/sua/").context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("themes", "territory", "coordinating_units")
    }
    data.update(start_date="2019-03-15", evaluation_date="2019-12-01", action="save")
    response = client_for(cadre).post(f"/mo-hinh/{draft.pk}/sua/", data)
    assert response.status_code == 302, response.context["form"].errors
    draft.refresh_from_db()
    assert (draft.start_date, draft.start_precision) == (
        datetime.date(2019, 3, 15),
        DatePrecision.DAY,
    )
