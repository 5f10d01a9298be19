"""Accounts from a spreadsheet: the template, all-or-nothing import, the passwords file."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.models import Account
from organisations.choices import Role
from organisations.services import ADMIN_GROUP_NAME
from tests.factories import user_with_role

User = get_user_model()
HEADERS = ["Họ và tên", "Tên đăng nhập", "E-mail", "Số điện thoại", "Đơn vị", "Vai trò"]


@pytest.fixture
def ward_admin(tree):
    return user_with_role(tree.ward, Role.ADMIN, username="quantri.chuahang")


def workbook_file(rows, headers=HEADERS) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Tài khoản"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("tai-khoan.xlsx", buffer.getvalue())


def test_template_lists_only_the_admins_units_and_the_roles(client_for, ward_admin):
    response = client_for(ward_admin).get(reverse("accounts:account_import_template"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Tài khoản"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    catalogue = workbook["Danh mục"]
    units = [row[0] for row in catalogue.iter_rows(min_row=2, values_only=True) if row[0]]
    roles = [row[1] for row in catalogue.iter_rows(min_row=2, values_only=True) if row[1]]
    assert units == ["T19-CH — Phường Chùa Hang", "T19-CH-9 — Tổ dân phố 9"]
    assert roles == [label for _, label in Role.choices]
    validated = {str(rule.sqref) for rule in sheet.data_validations.dataValidation}
    assert validated == {"E2:E5000", "F2:F5000"}


def test_import_creates_every_account_and_hands_the_passwords_once(client_for, tree, ward_admin):
    client = client_for(ward_admin)
    upload = workbook_file(
        [
            [
                "Nguyễn Văn An",
                "",
                "an@example.vn",
                "0912 345 678",
                "T19-CH — Phường Chùa Hang",
                "Cán bộ cơ sở",
            ],
            ["Trần Thị Bình", "binh.tt", "", "", "t19-ch-9", "cán bộ thẩm định"],
        ]
    )
    response = client.post(reverse("accounts:account_import"), {"file": upload})
    assert response.status_code == 200
    assert "Đã tạo 2 tài khoản" in response.content.decode()
    an = User.objects.get(username="nguyen.van.an")
    assert an.memberships.get().organisation == tree.ward
    binh = User.objects.get(username="binh.tt")
    assert binh.memberships.get().role == Role.REVIEWER
    assert binh.memberships.get().organisation == tree.residential

    someone_else = Client()
    someone_else.force_login(user_with_role(tree.ward, Role.ADMIN, username="quantri.khac"))
    assert someone_else.get(reverse("accounts:account_import_passwords")).status_code == 404

    response = client.get(reverse("accounts:account_import_passwords"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[:2] for row in rows] == [
        ("Nguyễn Văn An", "nguyen.van.an"),
        ("Trần Thị Bình", "binh.tt"),
    ]
    assert client.get(reverse("accounts:account_import_passwords")).status_code == 404

    person = Client()
    response = person.post(reverse("login"), {"username": "binh.tt", "password": rows[1][2]})
    assert response.status_code == 302
    assert person.get(reverse("home"))["Location"] == reverse("password_change")


def test_a_file_with_errors_creates_nothing_and_names_every_row(client_for, tree, ward_admin):
    User.objects.create_user(username="da.co", email="daco@example.vn")
    client = client_for(ward_admin)
    upload = workbook_file(
        [
            ["Hợp lệ Một", "", "mot@example.vn", "", "T19-CH", "Cán bộ cơ sở"],
            ["Trùng Tệp", "", "MOT@example.vn", "", "T19-CH", "Cán bộ cơ sở"],
            ["Trùng Cơ Sở", "", "daco@example.vn", "", "T19-CH", "Cán bộ cơ sở"],
            ["Ngoài Phạm Vi", "", "", "", "T19-GS", "Cán bộ cơ sở"],
            ["Cao Hơn", "", "", "", "T19", "Quản trị"],
            ["", "da.co", "", "", "T19-CH", "Giám đốc"],
        ]
    )
    before = User.objects.count()
    response = client.post(reverse("accounts:account_import"), {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "không có tài khoản nào được tạo" in page
    assert "Dòng 3: e-mail “mot@example.vn” trùng với dòng 2." in page
    assert "Dòng 4: e-mail “daco@example.vn” đã được dùng cho một tài khoản khác." in page
    assert "Dòng 5: đơn vị “T19-GS” không có hoặc không thuộc phạm vi quản trị của bạn." in page
    assert "Dòng 6: đơn vị “T19” không có hoặc không thuộc phạm vi quản trị của bạn." in page
    assert "Dòng 7: thiếu họ và tên; tên đăng nhập “da.co” đã có người dùng; " in page
    assert "vai trò “Giám đốc” không hợp lệ." in page
    assert "Dòng 2" not in page
    assert User.objects.count() == before
    assert client.get(reverse("accounts:account_import_passwords")).status_code == 404


def test_a_file_without_the_required_columns_is_refused(client_for, ward_admin):
    upload = workbook_file([["Ai đó"]], headers=["Họ và tên"])
    response = client_for(ward_admin).post(reverse("accounts:account_import"), {"file": upload})
    assert response.status_code == 400
    assert "thiếu cột bắt buộc: Đơn vị, Vai trò" in response.content.decode()


def test_only_admins_import(client_for, cadre):
    client = client_for(cadre)
    assert client.get(reverse("accounts:account_import")).status_code == 404
    assert client.get(reverse("accounts:account_import_template")).status_code == 404


def test_namesakes_get_their_own_usernames_around_stored_and_typed_ones(
    client_for, tree, ward_admin
):
    User.objects.create_user(username="nguyen.van.an")
    client = client_for(ward_admin)
    upload = workbook_file(
        [
            ["Nguyễn Văn An", "", "", "", "T19-CH", "Cán bộ cơ sở"],
            ["Nguyễn Văn An", "nguyen.van.an3", "", "", "T19-CH", "Cán bộ cơ sở"],
            ["nguyễn văn an", "", "", "", "T19-CH-9", "Cán bộ cơ sở"],
        ]
    )
    response = client.post(reverse("accounts:account_import"), {"file": upload})
    assert response.status_code == 200, response.content.decode()
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("accounts:account_import_passwords")).content)
    ).active
    usernames = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert usernames == ["nguyen.van.an2", "nguyen.van.an3", "nguyen.van.an4"]
    for username in usernames:
        person = Account.objects.get(username=username)
        assert person.account_profile.must_change_password
        # The bulk inserts are in the audit trail, as the admin's.
        for history in (
            person.account_history.all(),
            person.account_profile.history.all(),
            person.memberships.get().history.all(),
        ):
            created = history.get()
            assert created.pgh_label == "insert"
            assert created.pgh_context.metadata["user"] == ward_admin.pk


def test_an_admin_row_opens_the_admin_site_like_a_granted_role(client_for, tree, ward_admin):
    client = client_for(ward_admin)
    upload = workbook_file([["Lê Thị Quản", "", "", "", "T19-CH-9", "Quản trị"]])
    response = client.post(reverse("accounts:account_import"), {"file": upload})
    assert response.status_code == 200, response.content.decode()
    person = User.objects.get(username="le.thi.quan")
    assert person.is_staff
    assert list(person.groups.values_list("name", flat=True)) == [ADMIN_GROUP_NAME]
    assert person.memberships.get().role == Role.ADMIN
    assert person.memberships.get().organisation == tree.residential


def test_the_queries_of_an_import_do_not_grow_with_its_rows(client_for, tree, ward_admin):
    client = client_for(ward_admin)

    def queries_to_import(names):
        upload = workbook_file(
            [
                [name, "", f"{index}.{len(names)}@example.vn", "", "T19-CH", "Cán bộ cơ sở"]
                for index, name in enumerate(names)
            ]
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.post(reverse("accounts:account_import"), {"file": upload})
        assert response.status_code == 200, response.content.decode()
        return len(queries)

    queries_to_import(["Lê Văn Một"])  # what is read once a process (content types, …)
    two = queries_to_import(["Phạm Văn Hai", "Phạm Thị Hai"])
    eight = queries_to_import([f"Đỗ Văn Tám {chr(ord('A') + index)}" for index in range(8)])
    assert User.objects.filter(username__startswith="do.van.tam.").count() == 8
    assert eight == two


def test_a_file_of_more_than_five_thousand_accounts_is_refused(client_for, tree, ward_admin):
    rows = [[f"Người {index}", "", "", "", "T19-CH", "Cán bộ cơ sở"] for index in range(5001)]
    before = User.objects.count()
    response = client_for(ward_admin).post(
        reverse("accounts:account_import"), {"file": workbook_file(rows)}
    )
    assert response.status_code == 400
    assert "Mỗi tệp nhập tối đa 5000 tài khoản." in response.content.decode()
    assert User.objects.count() == before


def test_imported_passwords_are_hashed_lightly_then_rehashed_at_log_in(
    production_password_hashers, client_for, tree, ward_admin
):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    client = client_for(ward_admin)
    upload = workbook_file(
        [
            ["Hồ Thu Ba", "", "", "", "T19-CH", "Cán bộ cơ sở"],
            ["Ngô Đức Bốn", "", "", "", "T19-CH-9", "Cán bộ cơ sở"],
            ["Vũ Hoài Năm", "", "", "", "T19-CH-9", "Cán bộ thẩm định"],
        ]
    )
    assert client.post(reverse("accounts:account_import"), {"file": upload}).status_code == 200
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("accounts:account_import_passwords")).content)
    ).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in rows] == ["ho.thu.ba", "ngo.duc.bon", "vu.hoai.nam"]
    for _, username, password, *_ in rows:
        person = User.objects.get(username=username)
        assert person.password.startswith("pbkdf2_sha256$50000$")
        assert person.check_password(password)  # each hash belongs to its own row
        person.refresh_from_db()
        assert person.password.startswith(f"pbkdf2_sha256${PBKDF2PasswordHasher.iterations}$")
