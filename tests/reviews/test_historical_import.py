"""A commendation round of earlier years imported from its annex, over HTTP: the 2017 example
(22 collectives and 16 individuals), the preview, the confirmation, the report, the refusals."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from openpyxl import Workbook, load_workbook

from models_registry.choices import Actor, EventAction, ModelKind, Status
from models_registry.models import DanVanModel, WorkflowEvent
from organisations.choices import Role
from reports.periods import year_period
from reports.selectors import report_figures
from reviews.choices import CommendationForm, RoundAction, RoundStatus
from reviews.models import Commendation, CommendationRound, RoundEvent
from reviews.resources import COLUMNS, SHEET_TITLE
from tests.factories import DanVanModelFactory, user_with_role

IMPORT_URL = reverse("reviews:round_import")
HISTORICAL_NOTE = "Vòng khen thưởng lịch sử — không có tệp quyết định đã ký"
ROUND_FORM = {
    "title": "Sơ kết phong trào thi đua “Dân vận khéo” năm 2017",
    "kind": "interim",
    "period_start": "01/01/2017",
    "period_end": "31/12/2017",
    "held_on": "",
    "number": "125-QĐ/TU",
    "decided_on": "15/12/2017",
    "signer": "Nguyễn Văn Bình",
    "authority": "Ban Thường vụ Tỉnh ủy Thái Nguyên",
}
DECIDED = datetime.date(2017, 12, 15)


def annex_file(rows: list[dict], name: str = "danh-sach-2017.xlsx") -> SimpleUploadedFile:
    """An annex workbook as an office fills the template: headers, then one row per line."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(list(COLUMNS.values()))
    for row in rows:
        sheet.append([row.get(key, "") for key in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def existing(unit, code, actor=Actor.COLLECTIVE, **kwargs):
    """A model already in the portal, recognised before the round."""
    if actor == Actor.INDIVIDUAL:
        kwargs.setdefault("person_name", f"Người {code}")
    return DanVanModelFactory(
        owning_unit=unit, code=code, actor=actor, status=Status.RECOGNISED, **kwargs
    )


@pytest.fixture
def stored_models(tree):
    """Four collectives and two individuals of the province already in the portal."""
    collectives = [existing(tree.ward, f"CH-2016-0{i}") for i in range(1, 5)]
    individuals = [
        existing(tree.ward, f"CH-2016-C{i}", Actor.INDIVIDUAL, kind=ModelKind.EXEMPLAR)
        for i in (1, 2)
    ]
    return collectives + individuals


def rows_2017(tree) -> list[dict]:
    """The 2017 annex: 22 collectives (4 by code) and 16 individuals (2 by code)."""
    units = [tree.ward.code, tree.residential.code, tree.other_ward.code]
    fields = ["Kinh tế", "Văn hóa – xã hội", "Quốc phòng – an ninh", "Xây dựng hệ thống chính trị"]
    rows = [
        # A code typed in another case names the stored model.
        {"code": f"ch-2016-0{i}", "form": "Bằng khen", "citation": "Thành tích xuất sắc."}
        for i in range(1, 5)
    ]
    rows += [
        {
            "form": "Giấy khen",
            "actor": "Tập thể",
            "name": f"Chi hội Phụ nữ tổ dân phố {i}",
            "owning_unit": units[i % 3],
            "field": fields[i % 4],
            "citation": "Vận động hội viên giữ gìn vệ sinh môi trường.",
        }
        for i in range(1, 19)
    ]
    rows += [{"code": f"CH-2016-C{i}", "form": "Bằng khen"} for i in (1, 2)]
    rows += [
        {
            "form": "Biểu dương",
            "actor": "Cá nhân",
            "name": f"Bà Hoàng Thị Mai {i} – Tổ trưởng tổ dân phố {i}",
            "person_name": f"Hoàng Thị Mai {i}",
            "person_position": f"Tổ trưởng tổ dân phố {i}",
            "owning_unit": units[i % 3],
            "field": fields[i % 4],
        }
        for i in range(1, 15)
    ]
    return rows


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def preview(client, rows, unit, **overrides):
    data = {**ROUND_FORM, "organising_unit": unit.pk, "xem_truoc": "", **overrides}
    return client.post(IMPORT_URL, {**data, "annex": annex_file(rows)})


def confirm(client, token, unit, **overrides):
    data = {**ROUND_FORM, "organising_unit": unit.pk, "xac_nhan": "", "token": token}
    return client.post(IMPORT_URL, {**data, **overrides})


def written() -> tuple[int, int, int]:
    return (
        CommendationRound.objects.count(),
        Commendation.objects.count(),
        DanVanModel.objects.count(),
    )


def test_the_2017_annex_is_previewed_then_imported_and_published(
    admin_client, admin_user, tree, stored_models
):
    before = written()
    response = preview(admin_client, rows_2017(tree), tree.province)
    assert response.status_code == 200
    page = response.content.decode()
    assert "38 dòng — 22 tập thể, 16 cá nhân; 32 bản ghi sẽ được tạo mới" in page
    assert written() == before  # a preview writes nothing
    token = response.context["token"]

    response = confirm(admin_client, token, tree.province)
    commendation_round = CommendationRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == commendation_round.get_absolute_url()

    assert commendation_round.status == RoundStatus.PUBLISHED
    assert commendation_round.is_historical
    assert not commendation_round.decision_file
    assert commendation_round.decision_date == DECIDED
    assert commendation_round.held_on == DECIDED  # left blank: the decision's date
    assert commendation_round.decision_number == "125-QĐ/TU"
    assert commendation_round.decision_signer == "Nguyễn Văn Bình"
    assert commendation_round.organising_unit == tree.province

    lines = list(commendation_round.commendations.select_related("model").order_by("position"))
    assert len(lines) == 38
    assert sum(line.model.actor == Actor.COLLECTIVE for line in lines) == 22
    assert sum(line.model.actor == Actor.INDIVIDUAL for line in lines) == 16
    assert [line.model for line in lines[:4]] == stored_models[:4]  # the file's order
    assert lines[0].form == CommendationForm.MERIT
    assert lines[0].citation == "Thành tích xuất sắc."
    assert lines[4].form == CommendationForm.CERTIFICATE

    created = DanVanModel.objects.exclude(pk__in=[model.pk for model in stored_models])
    assert created.count() == 32
    assert set(created.values_list("status", flat=True)) == {Status.RECOGNISED}
    assert set(created.values_list("kind", flat=True)) == {ModelKind.EXEMPLAR}
    assert set(created.values_list("decision_number", flat=True)) == {"125-QĐ/TU"}
    assert set(created.values_list("start_date", flat=True)) == {datetime.date(2017, 1, 1)}
    mai = created.get(person_name="Hoàng Thị Mai 3")
    assert mai.actor == Actor.INDIVIDUAL
    assert mai.person_position == "Tổ trưởng tổ dân phố 3"
    assert mai.owning_unit == tree.ward
    assert mai.field == "political_system"
    assert WorkflowEvent.objects.filter(action=EventAction.IMPORTED).count() == 32
    assert WorkflowEvent.objects.filter(action=EventAction.COMMENDED).count() == 38

    actions = list(commendation_round.events.values_list("action", flat=True))
    assert actions.count(RoundAction.NOMINATED) == 38
    for action in (RoundAction.CREATED, RoundAction.DECISION, RoundAction.PUBLISHED):
        assert actions.count(action) == 1
    assert set(RoundEvent.objects.values_list("actor", flat=True)) == {admin_user.pk}

    page = admin_client.get(commendation_round.get_absolute_url()).content.decode()
    assert HISTORICAL_NOTE in page
    assert "Hoàng Thị Mai 3" in page

    # The report of 2017 counts the round by its decision's date.
    figures = report_figures(admin_user, tree.province, year_period(2017))
    assert figures["total"]["commended_collectives"] == 22
    assert figures["total"]["commended_individuals"] == 16
    figures_2018 = report_figures(admin_user, tree.province, year_period(2018))
    assert figures_2018["total"]["commended_collectives"] == 0


def test_the_same_file_again_is_refused_and_writes_nothing(admin_client, tree, stored_models):
    token = preview(admin_client, rows_2017(tree), tree.province).context["token"]
    assert confirm(admin_client, token, tree.province).status_code == 302
    before = written()

    # The same confirmation again (a double click): used up.
    response = confirm(admin_client, token, tree.province)
    assert response.status_code == 400
    assert "đã được xác nhận hoặc đã hết hạn" in response.content.decode()

    # The same file again: the decision was imported already.
    response = preview(admin_client, rows_2017(tree), tree.province)
    assert response.status_code == 400
    assert "Quyết định số 125-QĐ/TU ngày 15/12/2017 của Tỉnh Thái Nguyên đã được nhập" in (
        response.content.decode()
    )
    assert "token" not in response.context or not response.context["token"]
    assert written() == before

    # The same decision with the words "Quyết định số" typed before its number: the same one.
    response = preview(
        admin_client, rows_2017(tree), tree.province, number="Quyết định số 125-QĐ/TU"
    )
    assert response.status_code == 400
    assert "Quyết định số 125-QĐ/TU ngày 15/12/2017 của Tỉnh Thái Nguyên đã được nhập" in (
        response.content.decode()
    )
    assert written() == before


def test_every_error_is_named_by_its_row_and_nothing_is_written(admin_client, tree):
    existing(tree.ward, "CH-01")
    existing(tree.other_province_ward, "QH-01")  # another province: out of scope
    rows = [
        {"code": "KHONG-CO-01", "form": "Bằng khen"},
        {"code": "QH-01", "form": "Bằng khen"},
        {
            "form": "Giấy khen",
            "actor": "Tập thể",
            "owning_unit": tree.ward.code,
            "field": "Kinh tế",
        },
        {"code": "CH-01", "form": "Huân chương"},
        {"code": "CH-01", "form": "Giấy khen"},
        {
            "form": "Giấy khen",
            "name": "Tổ tự quản",
            "owning_unit": tree.other_province_ward.code,
            "field": "Kinh tế",
        },
    ]
    before = written()
    response = preview(admin_client, rows, tree.province)
    assert response.status_code == 400
    errors = response.context["errors"]
    assert "Dòng 2: không tìm thấy mã mô hình “KHONG-CO-01” trong phạm vi của bạn." in errors
    # Out of scope reads as unknown: nothing says the code exists elsewhere.
    assert "Dòng 3: không tìm thấy mã mô hình “QH-01” trong phạm vi của bạn." in errors
    assert "Dòng 4: tên mô hình, điển hình không được để trống." in errors
    assert any(e.startswith("Dòng 5: hình thức khen “Huân chương” không có") for e in errors)
    assert "Dòng 6: trùng mã mô hình “CH-01” với dòng 5." in errors
    assert any(
        e.startswith("Dòng 7: mã đơn vị chủ trì “T01-QH” không tồn tại hoặc không thuộc phạm vi")
        for e in errors
    )
    page = response.content.decode()
    for error in errors:
        assert escape(error) in page
    assert not response.context.get("token")
    assert written() == before


def test_a_confirmation_refused_when_the_data_changed_writes_nothing(admin_client, tree):
    model = existing(tree.ward, "CH-01")
    rows = [
        {"code": "CH-01", "form": "Bằng khen"},
        {
            "form": "Giấy khen",
            "name": "Tổ tự quản",
            "owning_unit": tree.ward.code,
            "field": "Kinh tế",
        },
    ]
    token = preview(admin_client, rows, tree.province).context["token"]
    DanVanModel.objects.filter(pk=model.pk).update(status=Status.DISCONTINUED)
    before = written()
    response = confirm(admin_client, token, tree.province)
    assert response.status_code == 400
    assert any("chưa được công nhận" in error for error in response.context["errors"])
    assert written() == before  # the new record of row 3 was not created either


def test_models_of_another_unit_than_the_organising_one_are_refused(admin_client, tree):
    existing(tree.other_ward, "GS-01")
    rows = [
        {"code": "GS-01", "form": "Bằng khen"},
        {"form": "Giấy khen", "name": "Tổ tự quản", "owning_unit": "T19-GS", "field": "Kinh tế"},
    ]
    response = preview(admin_client, rows, tree.ward)
    errors = response.context["errors"]
    assert response.status_code == 400
    assert any(
        e.startswith("Dòng 2: ") and "không thuộc phạm vi của Phường Chùa Hang" in e for e in errors
    )
    assert any(
        e.startswith("Dòng 3: ") and "không thuộc phạm vi của Phường Chùa Hang" in e for e in errors
    )


def test_the_import_is_for_admins_only(client, tree, reviewer, admin_user):
    client.force_login(admin_user)
    assert client.get(IMPORT_URL).status_code == 200
    assert IMPORT_URL in client.get(reverse("reviews:round_list")).content.decode()
    client.force_login(reviewer)
    assert IMPORT_URL not in client.get(reverse("reviews:round_list")).content.decode()
    assert client.get(IMPORT_URL).status_code == 403
    assert client.get(reverse("reviews:round_import_template")).status_code == 403
    client.logout()
    response = client.get(IMPORT_URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_an_admin_cannot_import_a_round_of_another_province(admin_client, tree):
    response = preview(admin_client, [], tree.other_province)
    assert response.status_code == 400
    assert "organising_unit" in response.context["form"].errors
    assert CommendationRound.objects.count() == 0


def test_the_template_has_the_columns_lists_and_guide(admin_client):
    response = admin_client.get(reverse("reviews:round_import_template"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [SHEET_TITLE, "Hướng dẫn", "Danh mục"]
    sheet = workbook[SHEET_TITLE]
    assert [cell.value for cell in sheet[1]] == list(COLUMNS.values())
    catalogue = workbook["Danh mục"]
    assert [cell.value for cell in catalogue[1]][:2] == ["Hình thức khen", "Chủ thể"]
    forms = [row[0] for row in catalogue.iter_rows(min_row=2, values_only=True) if row[0]]
    assert forms == [label for _, label in CommendationForm.choices]
    ranges = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert ranges["B2:B5000"] == "='Danh mục'!$A$2:$A$5"  # "Hình thức khen"
    guide = list(workbook["Hướng dẫn"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in guide[: len(COLUMNS)]] == list(COLUMNS.values())
    notes = " ".join(row[1] or "" for row in guide[len(COLUMNS) :])
    assert "ghi một lần ở trang nhập đợt lịch sử" in notes


def test_the_template_imports_as_it_is(admin_client, tree):
    """The template's example rows are a valid annex for a province with those codes."""
    existing(tree.ward, "CH-2017-03")
    template = admin_client.get(reverse("reviews:round_import_template")).content
    data = {**ROUND_FORM, "organising_unit": tree.province.pk, "xem_truoc": ""}
    response = admin_client.post(
        IMPORT_URL, {**data, "annex": SimpleUploadedFile("mau.xlsx", template)}
    )
    assert response.status_code == 200, response.context.get("errors")
    assert len(response.context["rows"]) == 3


def test_a_ward_admin_sees_the_province_models_as_unknown(client, tree):
    existing(tree.ward, "CH-01")
    existing(tree.other_ward, "GS-01")
    client.force_login(user_with_role(tree.ward, Role.ADMIN))
    response = preview(client, [{"code": "GS-01", "form": "Bằng khen"}], tree.ward)
    assert response.context["errors"] == [
        "Dòng 2: không tìm thấy mã mô hình “GS-01” trong phạm vi của bạn."
    ]
