"""Accounts from a spreadsheet: the template, the reading of every row, the passwords file.

The whole file is checked before anything is written and every error names its row; the
accounts are then created by ``services.accounts_import`` in one transaction, so a file makes
all of its accounts or none.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction

from accounts.selectors import manageable_units
from accounts.services import taken_emails, taken_usernames
from core.background_imports import ImportRefused, importer
from core.spreadsheets import (
    SpreadsheetError,
    check_columns,
    code_text,
    data_rows,
    line_text,
    name_columns,
    parse_choice,
    read_csv,
    read_xlsx,
    safe_cell_text,
    same_codes,
    template_workbook,
)
from organisations.choices import Role

SHEET_TITLE = "Tài khoản"
BACKGROUND_KIND = "accounts"  # a large file's background import (core.background_imports)
MAX_ACCOUNTS = 5000
COLUMNS = {
    "full_name": "Họ và tên",
    "username": "Tên đăng nhập",
    "email": "E-mail",
    "phone": "Số điện thoại",
    "unit": "Đơn vị",
    "role": "Vai trò",
}
REQUIRED = ("full_name", "unit", "role")
COLUMN_HELP = {
    "full_name": "Bắt buộc. Họ và tên đầy đủ, có dấu.",
    "username": "Không bắt buộc. Để trống: tạo từ họ tên không dấu (nguyen.van.an). "
    "Chỉ dùng chữ không dấu, chữ số và các ký tự . @ + - _",
    "email": "Không bắt buộc. Mỗi e-mail chỉ dùng cho một tài khoản.",
    "phone": "Không bắt buộc.",
    "unit": "Bắt buộc. Chọn trong danh sách (mã — tên) hoặc gõ mã đơn vị; chỉ các đơn vị "
    "bạn quản trị và đơn vị trực thuộc.",
    "role": "Bắt buộc. Chọn trong danh sách: " + ", ".join(label for _, label in Role.choices),
}
_USERNAME = re.compile(r"^[\w.@+-]+$")
_UNIT_SEPARATOR = " — "


@dataclass
class AccountRow:
    sheet_row: int
    full_name: str
    username: str
    email: str
    phone: str
    unit: object
    role: str


def _unit_label(unit) -> str:
    return f"{unit.code}{_UNIT_SEPARATOR}{unit.name}"


def accounts_template(by) -> bytes:
    """The empty file, its unit list limited to ``by``'s admin subtree (units with a code)."""
    units = manageable_units(by).exclude(code=None).order_by("path").only("code", "name")[:5000]
    return template_workbook(
        sheet_title=SHEET_TITLE,
        columns=COLUMNS,
        column_help=COLUMN_HELP,
        examples=[],
        widths={"full_name": 28, "username": 20, "email": 28, "phone": 16, "unit": 40, "role": 20},
        lists={
            "unit": ("Đơn vị", [_unit_label(unit) for unit in units]),
            "role": ("Vai trò", [label for _, label in Role.choices]),
        },
    )


def account_rows(dataset) -> list[tuple[int, dict]]:
    """The non-blank rows of ``dataset`` by sheet row, once its columns and size are accepted
    (a file-level problem raises ``SpreadsheetError``)."""
    name_columns(dataset, COLUMNS)
    check_columns(dataset, COLUMNS, REQUIRED, SHEET_TITLE)
    raw_rows = list(data_rows(dataset, COLUMNS))
    if len(raw_rows) > MAX_ACCOUNTS:
        raise SpreadsheetError(f"Mỗi tệp nhập tối đa {MAX_ACCOUNTS} tài khoản.")
    if not raw_rows:
        raise SpreadsheetError("Tệp không có dòng dữ liệu nào.")
    return raw_rows


def read_account_rows(raw_rows, *, by) -> tuple[list[AccountRow], list[str]]:
    """Every row of ``account_rows`` checked: the rows ready to create, or every error by
    row."""
    codes = {
        code_text(str(raw.get("unit") or "")).split(_UNIT_SEPARATOR.strip())[0].strip()
        for _, raw in raw_rows
    }
    scope = manageable_units(by)
    meant = same_codes(codes - {""}, scope)
    units = {unit.code: unit for unit in scope.filter(code__in=set(meant.values()))}
    # What the file's usernames and e-mails meet in the database, read once for the whole file.
    stored_usernames = taken_usernames(
        {line_text(raw.get("username")).lower() for _, raw in raw_rows} - {""}
    )
    stored_emails = taken_emails(
        {line_text(raw.get("email")).lower() for _, raw in raw_rows} - {""}
    )
    errors: list[str] = []
    rows: list[AccountRow] = []
    seen_emails: dict[str, int] = {}
    seen_usernames: dict[str, int] = {}
    for number, raw in raw_rows:
        sheet_row = number + 1
        problems = []
        full_name = line_text(raw.get("full_name"))
        if not full_name:
            problems.append("thiếu họ và tên")
        elif len(full_name) > 150:
            problems.append("họ và tên dài quá 150 ký tự")
        username = line_text(raw.get("username"))
        if username and (len(username) > 150 or not _USERNAME.match(username)):
            problems.append(f"tên đăng nhập “{username}” không hợp lệ")
        elif username:
            key = username.lower()
            if key in seen_usernames:
                problems.append(f"tên đăng nhập “{username}” trùng với dòng {seen_usernames[key]}")
            elif key in stored_usernames:
                problems.append(f"tên đăng nhập “{username}” đã có người dùng")
            seen_usernames.setdefault(key, sheet_row)
        email = line_text(raw.get("email")).lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(f"e-mail “{email}” không hợp lệ")
            else:
                if email in seen_emails:
                    problems.append(f"e-mail “{email}” trùng với dòng {seen_emails[email]}")
                elif email in stored_emails:
                    problems.append(f"e-mail “{email}” đã được dùng cho một tài khoản khác")
                seen_emails.setdefault(email, sheet_row)
        phone = line_text(raw.get("phone"))[:32]
        typed_unit = code_text(str(raw.get("unit") or ""))
        code = typed_unit.split(_UNIT_SEPARATOR.strip())[0].strip()
        unit = units.get(meant.get(code, code)) if code else None
        if not code:
            problems.append("thiếu đơn vị")
        elif unit is None:
            problems.append(
                f"đơn vị “{typed_unit}” không có hoặc không thuộc phạm vi quản trị của bạn"
            )
        role = parse_choice(raw.get("role"), Role)
        if role is None:
            problems.append(f"vai trò “{line_text(raw.get('role'))}” không hợp lệ")
        if problems:
            errors.append(f"Dòng {sheet_row}: " + "; ".join(problems) + ".")
        else:
            rows.append(AccountRow(sheet_row, full_name, username, email, phone, unit, role))
    return rows, errors


def passwords_workbook(created: list[dict]) -> bytes:
    """The one-time passwords of an import, as the admin downloads them once."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Mật khẩu dùng một lần"
    sheet.append(["Họ và tên", "Tên đăng nhập", "Mật khẩu dùng một lần", "Đơn vị", "Vai trò"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in created:
        sheet.append(
            [
                safe_cell_text(value)
                for value in (
                    row["full_name"],
                    row["username"],
                    row["password"],
                    row["unit"],
                    row["role"],
                )
            ]
        )
    for letter, width in zip("ABCDE", (28, 22, 24, 36, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@importer(BACKGROUND_KIND)
def import_accounts_in_background(job, data: bytes, progress) -> dict:
    """Create the accounts of a large file for the admin who confirmed it, all or none, with
    the one-time passwords in a file only they may download, once."""
    from accounts.services import accounts_import

    by = job.requested_by
    try:
        dataset = read_csv(data) if job.options.get("csv") else read_xlsx(data, SHEET_TITLE)
        raw_rows = account_rows(dataset)
    except SpreadsheetError as error:
        raise ImportRefused([str(error)]) from error
    progress.start(len(raw_rows))
    rows, errors = read_account_rows(raw_rows, by=by)
    if errors:
        raise ImportRefused(errors)
    try:
        with progress.deferred(), transaction.atomic():
            created = accounts_import(rows=rows, by=by, progress=progress)
            job.result.save(
                f"{job.pk}-mat-khau.xlsx",
                ContentFile(passwords_workbook(imported_passwords(rows, created))),
                save=False,
            )
            progress.finish(
                result=job.result.name,
                summary=f"Đã tạo {len(created)} tài khoản.",
                done_rows=len(raw_rows),
                total_rows=len(raw_rows),
            )
    except ValidationError as error:
        raise ImportRefused(list(error.messages)) from error
    return {"result": job.result.name}


def imported_passwords(rows: list[AccountRow], created) -> list[dict]:
    """The rows of the passwords file: who, their username and one-time password, unit, role."""
    return [
        {
            "full_name": person.get_full_name(),
            "username": person.username,
            "password": password,
            "unit": row.unit.name,
            "role": Role(row.role).label,
        }
        for row, (person, password) in zip(rows, created, strict=True)
    ]
