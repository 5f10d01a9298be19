"""The import of registered models and exemplars: what a file means and what it writes.

The import brings in records of earlier years that were registered and accepted, recognised, or
discontinued (recognised before or not), before the portal existed, each with its dates. The
whole file is checked first (``PlannedImportMixin``): units by code within the importing admin's
scope, fields, kinds, actors and themes from their lists, dates, amounts, statuses with their
decisions and days, origins, duplicates. Every error names its spreadsheet row;
one bad row and nothing is written. A valid file is written in bulk in one transaction: the
models, their theme links and one ``WorkflowEvent`` (``IMPORTED``) each, under a
``pghistory.context`` naming the file and the user, so the audit trail says where rows came from.

A row is matched with what is stored by its ``Mã mô hình`` when that cell is filled, otherwise
by unit code + name + start date, so importing the same file again changes nothing. A matched
model takes the file's values (only for the columns the file has), but never what the workflow
writes (``WORKFLOW_FIELDS``, read-only in the admin form too): an empty cell keeps it, another
value is refused, since the workflow moves only through its services. An empty themes cell keeps
the stored themes (they are cleared in the model's form).

An imported model carries the dates of the whole path to its status (00:00 Vietnam time), as if
it had gone through the workflow, so that the reports, which start from ``accepted_at``, count
it. The days typed in "Ngày duyệt đăng ký", "Ngày công nhận" and "Ngày dừng thực hiện" are
used; an empty cell takes the default: an accepted model (or one discontinued without having
been recognised) was submitted and accepted on its decision date, or on its start date when it
has none; a recognised one (or one discontinued after it was recognised: it names its
recognition decision) was submitted and accepted on its start date, then proposed and
recognised on the date of its recognition decision. A discontinued model stopped on its
"Ngày dừng thực hiện", for the "Lý do dừng" (both required). The days are in order: start ≤
accepted ≤ recognised ≤ discontinued, none after today (an acceptance day left to its default,
the acceptance decision, may predate the start). These columns belong to the workflow: a stored
model's are kept as they are (see above).

The start may be given as a month ("03/2019") or a year ("2019"): it is stored as the first day
with ``start_precision`` saying how it was given. "Nhân rộng từ mô hình" names the origin by its
code: another row of the file (linked once both are written, since a new row has no id before
the bulk insert) or a model in the importing admin's scope that was carried out; an empty cell
keeps a stored model's origin.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

import pghistory
import pgtrigger
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Prefetch
from django.utils import timezone

from core.date_range import day_start
from core.numbers import vn_number
from core.partial_dates import partial_date_text
from core.spreadsheets import (
    DateOutOfRange,
    ImportPlan,
    cell_text,
    code_text,
    column_limits,
    largest_count,
    line_text,
    lookup_key,
    parse_choice,
    parse_count,
    parse_date,
    parse_partial_date,
    same_codes,
    template_workbook,
)
from core.text import bare_document_number
from models_registry.choices import (
    STATUS_DATE_FIELDS,
    WORKFLOW_FIELDS,
    Actor,
    EventAction,
    Field,
    ModelKind,
    Status,
)
from models_registry.models import DanVanModel, Theme, WorkflowEvent, phone_validator
from organisations.models import Organisation

SHEET_TITLE = "Mô hình, điển hình"

COLUMNS = {
    "code": "Mã mô hình",
    "owning_unit": "Mã đơn vị chủ trì",
    "name": "Tên mô hình, điển hình",
    "kind": "Loại",
    "actor": "Chủ thể",
    "person_name": "Họ và tên cá nhân",
    "person_position": "Chức vụ, nơi công tác",
    "field": "Lĩnh vực",
    "themes": "Chủ đề",
    "territory_note": "Địa bàn thực hiện",
    "situation": "Thực trạng, lý do xây dựng",
    "goals": "Mục tiêu, tiêu chí đánh giá",
    "content": "Nội dung, cách làm",
    "target_group": "Đối tượng tác động",
    "forces": "Lực lượng thực hiện và vai trò",
    "funds": "Kinh phí (đồng)",
    "workdays": "Ngày công",
    "socialised_funds": "Nguồn xã hội hóa (đồng)",
    "resources_note": "Nguồn lực khác",
    "start_date": "Ngày bắt đầu",
    "schedule": "Lộ trình thực hiện",
    "evaluation_date": "Ngày đánh giá",
    "outputs": "Sản phẩm, kết quả kiểm chứng được",
    "sustainability": "Tính bền vững, khả năng nhân rộng",
    "contact_name": "Người liên hệ",
    "contact_phone": "Số điện thoại liên hệ",
    "status": "Trạng thái",
    "decision_number": "Số quyết định",
    "decision_date": "Ngày quyết định",
    "accepted_at": "Ngày duyệt đăng ký",
    "recognised_at": "Ngày công nhận",
    "discontinued_at": "Ngày dừng thực hiện",
    "status_reason": "Lý do dừng",
    "replicated_from": "Nhân rộng từ mô hình",
}
REQUIRED_COLUMNS = ("owning_unit", "name", "field", "start_date", "status")
EXPORT_ONLY = {"owning_unit_name": "Tên đơn vị chủ trì"}  # a reader's aid; imports ignore it
IMPORTABLE_STATUSES = (Status.ACCEPTED, Status.RECOGNISED, Status.DISCONTINUED)
TEXT_FIELDS = (
    "person_name",
    "person_position",
    "territory_note",
    "situation",
    "goals",
    "content",
    "target_group",
    "forces",
    "resources_note",
    "schedule",
    "outputs",
    "sustainability",
    "contact_name",
    "decision_number",
    "status_reason",
)
MAX_LENGTHS = column_limits(DanVanModel, COLUMNS)
# The columns the workflow writes: read-only for a stored model, as in the admin form.
WORKFLOW_COLUMNS = tuple(key for key in COLUMNS if key in WORKFLOW_FIELDS)
MODEL_ATTNAMES = [f.attname for f in DanVanModel._meta.concrete_fields]
NEW_MODEL_DEFAULTS = {
    f.attname: None if f.generated else f.get_default() for f in DanVanModel._meta.concrete_fields
}
COUNT_FIELDS = {
    key: largest_count(DanVanModel, key) for key in ("funds", "workdays", "socialised_funds")
}
DATE_FIELDS = ("start_date", "evaluation_date", "decision_date")
# The days a record reached its statuses, typed as dates, stored as 00:00 Vietnam time of them.
STATUS_DAY_FIELDS = ("accepted_at", "recognised_at", "discontinued_at")
CHOICES = {"kind": ModelKind, "actor": Actor, "field": Field, "status": Status}
# The column a stored model's changed field is shown under in the preview.
CHANGED_COLUMN = {
    "owning_unit_id": "owning_unit",
    "replicated_from_id": "replicated_from",
    "start_precision": "start_date",
}
SHOWN_LENGTH = 80  # a long text is cut short in the preview's list of changes
PREVIEW_ROWS = 500  # the preview page shows the first rows of a large file
PREVIEW_COLUMNS = ("code", "owning_unit", "name", "field", "start_date", "status")
BATCH_SIZE = 2000
# The audit trigger on new theme links, skipped for the models an import creates (see write).
NEW_THEME_LINK_TRIGGER = "models_registry.ThemeLink:add_insert"
IMPORT_LOCK = 0x44564D49  # "DVMI": one real import of models at a time


def _labels(choices) -> str:
    return "; ".join(label for _, label in choices.choices)


_STATUS_NAMES = [f"“{Status(status).label}”" for status in IMPORTABLE_STATUSES]
_STATUS_LABELS = ", ".join(_STATUS_NAMES[:-1]) + " hoặc " + _STATUS_NAMES[-1]
COLUMN_HELP = {
    "code": "Không bắt buộc, duy nhất. Khi có mã, dòng được đối chiếu theo mã; khi không có, "
    "theo mã đơn vị chủ trì + tên + ngày bắt đầu (nhập lại cùng một tệp không tạo bản ghi mới).",
    "owning_unit": "Bắt buộc. Mã của đơn vị chủ trì (cột “Mã đơn vị” trong danh mục đơn vị), "
    "thuộc phạm vi quản lý của bạn.",
    "name": "Bắt buộc.",
    "kind": "Mã hoặc tên: " + _labels(ModelKind) + ". Để trống: Mô hình.",
    "actor": "Mã hoặc tên: " + _labels(Actor) + ". Để trống: Tập thể.",
    "person_name": "Bắt buộc khi chủ thể là cá nhân.",
    "person_position": "Dành cho cá nhân.",
    "field": "Bắt buộc, mã hoặc tên: " + _labels(Field) + ".",
    "themes": "Tên các chủ đề đã có trong danh mục chủ đề, cách nhau bởi dấu chấm phẩy (;) "
    "hoặc dấu phẩy. Với mô hình đã có, để trống là giữ nguyên các chủ đề đã lưu; muốn bỏ hết "
    "chủ đề, sửa trong biểu mẫu của mô hình.",
    "territory_note": "Thôn, tổ dân phố, xã, phường nơi thực hiện.",
    "situation": "Không bắt buộc.",
    "goals": "Không bắt buộc.",
    "content": "Không bắt buộc.",
    "target_group": "Không bắt buộc.",
    "forces": "Không bắt buộc.",
    "funds": "Số nguyên không âm, ví dụ 150000000 hoặc 150.000.000.",
    "workdays": "Số nguyên không âm.",
    "socialised_funds": "Số nguyên không âm (đồng).",
    "resources_note": "Vật tư, đất, công sức nhân dân đóng góp, …",
    "start_date": "Bắt buộc: ngày dạng dd/mm/yyyy (15/03/2019); hồ sơ cũ chỉ biết tháng thì "
    "ghi mm/yyyy (03/2019 hoặc 3/2019), chỉ biết năm thì ghi yyyy (2019). Ngày được lưu là "
    "ngày đầu tháng, đầu năm và hiển thị đúng như đã ghi (03/2019, 2019).",
    "schedule": "Không bắt buộc.",
    "evaluation_date": "Ngày dạng dd/mm/yyyy, không trước ngày bắt đầu.",
    "outputs": "Không bắt buộc.",
    "sustainability": "Không bắt buộc.",
    "contact_name": "Không bắt buộc.",
    "contact_phone": "Chỉ gồm chữ số, ví dụ 0912 345 678 (nên định dạng ô là văn bản để giữ "
    "số 0 ở đầu).",
    "status": f"Bắt buộc, mã hoặc tên: {_STATUS_LABELS}. Chỉ nhập hồ sơ đã được duyệt đăng ký, "
    "đã công nhận hoặc đã dừng thực hiện; các bước khác đi qua quy trình trên Cổng. Các mốc "
    "thời gian ghi theo các cột “Ngày duyệt đăng ký”, “Ngày công nhận”, “Ngày dừng thực hiện”; "
    "phải theo thứ tự: ngày bắt đầu ≤ ngày duyệt đăng ký ≤ ngày công nhận ≤ ngày dừng thực hiện.",
    "decision_number": "Bắt buộc khi đã công nhận (số quyết định công nhận). Với mô hình dừng "
    "thực hiện: ghi số quyết định công nhận nếu mô hình đã được công nhận trước khi dừng.",
    "decision_date": "Bắt buộc khi có số quyết định công nhận; dạng dd/mm/yyyy, không sau ngày "
    "hôm nay.",
    "accepted_at": "Không bắt buộc, dạng dd/mm/yyyy, không sau ngày hôm nay, không trước ngày "
    "bắt đầu. Để trống: mô hình đã duyệt đăng ký (hoặc dừng khi chưa công nhận) lấy ngày quyết "
    "định, không có thì ngày bắt đầu; mô hình đã công nhận lấy ngày bắt đầu. Ví dụ 20/03/2019.",
    "recognised_at": "Chỉ ghi cho mô hình đã công nhận (kể cả đã công nhận rồi dừng thực hiện); "
    "dạng dd/mm/yyyy, không sau ngày hôm nay, không trước ngày duyệt đăng ký. Để trống: lấy "
    "ngày quyết định công nhận. Ví dụ 15/12/2023.",
    "discontinued_at": "Bắt buộc khi trạng thái là “Dừng thực hiện”, chỉ ghi cho trạng thái "
    "đó; dạng dd/mm/yyyy, không sau ngày hôm nay, không trước ngày bắt đầu, ngày duyệt đăng ký "
    "và ngày công nhận. Ví dụ 15/03/2022.",
    "status_reason": "Bắt buộc khi trạng thái là “Dừng thực hiện”, chỉ ghi cho trạng thái đó. "
    "Ví dụ: Địa bàn sáp nhập, nhân dân không còn nhu cầu.",
    "replicated_from": "Không bắt buộc. Mã mô hình (cột “Mã mô hình”) của mô hình gốc mà mô "
    "hình này nhân rộng: một mô hình đã có trên Cổng thuộc phạm vi quản lý của bạn (đã duyệt "
    "đăng ký), hoặc một dòng khác của cùng tệp (ở trên hay ở dưới đều được). Ví dụ CH-2024-07. "
    "Với mô hình đã có, để trống là giữ nguyên mô hình gốc đã lưu.",
}
for _key in WORKFLOW_COLUMNS:
    COLUMN_HELP[_key] += (
        " Với mô hình đã có: không sửa được bằng nhập tệp (do quy trình duyệt, công nhận ghi); "
        "giá trị khác với đã lưu bị báo lỗi"
        + ("." if _key in REQUIRED_COLUMNS else ", ô để trống giữ nguyên giá trị đã lưu.")
    )


_status_date = lru_cache(maxsize=4096)(day_start)  # a file repeats the same few dates


def _was_recognised(fields: dict) -> bool:
    """A recognised row, or a discontinued one recognised before it stopped (it names its
    recognition decision or day)."""
    status = fields["status"]
    return status == Status.RECOGNISED or (
        status == Status.DISCONTINUED
        and bool(fields.get("decision_number") or fields.get("recognised_at"))
    )


def _path_days(fields: dict) -> dict[str, date]:
    """The day of every step an imported model went through to reach its status (see the
    module's docstring): the days typed, or the defaults when their cells are empty."""
    start, decided = fields["start_date"], fields.get("decision_date")
    if _was_recognised(fields):
        accepted = fields.get("accepted_at") or start
        recognised = fields.get("recognised_at") or decided or start
        steps = {
            Status.SUBMITTED: accepted,
            Status.ACCEPTED: accepted,
            Status.PROPOSED: recognised,
            Status.RECOGNISED: recognised,
        }
    else:
        accepted = fields.get("accepted_at") or decided or start
        steps = {Status.SUBMITTED: accepted, Status.ACCEPTED: accepted}
    if fields["status"] == Status.DISCONTINUED:
        steps[Status.DISCONTINUED] = fields["discontinued_at"]
    return {STATUS_DATE_FIELDS[status]: day for status, day in steps.items()}


def _path_dates(fields: dict) -> dict[str, datetime]:
    """``_path_days`` as the stored timestamps (00:00 Vietnam time); the reports filter on
    these, not on the status alone."""
    return {name: _status_date(day) for name, day in _path_days(fields).items()}


def _stored_value(model: DanVanModel, name: str):
    """A stored model's value as a file gives it: a status timestamp as its day in Vietnam."""
    value = getattr(model, name)
    return timezone.localdate(value) if isinstance(value, datetime) else value


def _day_named(key: str, fields: dict) -> str:
    """A day's column as an error names it, saying when its empty cell took the default."""
    name = COLUMNS[key].lower()
    if key == "start_date" or fields.get(key):
        return name
    return f"{name} (ô để trống nên lấy theo mặc định)"


def split_theme_names(text: str, known: dict[str, int]) -> tuple[list[int], list[str]]:
    """Theme ids named in ``text`` and the names not found.

    Names are separated by semicolons or commas, but a theme's own name may hold a comma
    ("Xây dựng nông thôn mới, đô thị văn minh"): the longest run of comma-separated pieces that
    names a theme wins.
    """
    found: list[int] = []
    unknown: list[str] = []
    for part in text.replace("\n", ";").split(";"):
        pieces = [piece.strip() for piece in part.split(",")]
        start = 0
        while start < len(pieces):
            for end in range(len(pieces), start, -1):
                theme = known.get(lookup_key(", ".join(pieces[start:end])))
                if theme is not None:
                    if theme not in found:
                        found.append(theme)
                    start = end
                    break
            else:
                if pieces[start]:
                    unknown.append(pieces[start])
                start += 1
    return found, unknown


@dataclass
class PlannedModel:
    """One valid row, cleaned: the values it sets and what it will do with the stored model."""

    sheet_row: int
    fields: dict | None  # None once the instance holds the values
    unit_code: str
    theme_ids: list[int] | None  # None: the file has no theme column
    origin_code: str | None = None  # the code typed in "Nhân rộng từ mô hình"
    origin_row: int | None = None  # that origin, when it is a new model of the same file
    instance: DanVanModel | None = None
    existing: DanVanModel | None = None
    action: str = "new"  # new | update | skip
    changes: list[str] = field(default_factory=list)


class ModelImportPlanner:
    """Works out what a file of models will do (``plan_import``) and writes it (``write``)."""

    def __init__(self, user=None, dry_run: bool = True):
        self.user = user
        self.dry_run = dry_run
        self.plan = ImportPlan()
        self.theme_names: dict[int, str] = {}
        self.unit_codes: dict[int, str] = {}
        self.origin_codes: dict[int, str] = {}  # models named as origins, for the preview

    def plan_import(self, rows) -> ImportPlan:
        if not self.dry_run:
            # Two confirmations of one file at once: the second is planned after the first is
            # committed, so it finds the rows and adds nothing (the lock ends with the import).
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
        plan = self.plan = ImportPlan()
        self.theme_names = dict(Theme.objects.values_list("pk", "name"))
        themes = {lookup_key(name): pk for pk, name in self.theme_names.items()}
        theme_texts: dict[int, str] = {}
        for number, raw in rows:
            planned = self._clean_row(number, raw)
            plan.rows[number] = planned
            if planned.theme_ids is not None:
                theme_texts[number] = cell_text(raw["themes"])
        for number, text in theme_texts.items():
            found, unknown = split_theme_names(text, themes)
            plan.rows[number].theme_ids = found
            if unknown:
                names = ", ".join(f"“{name}”" for name in unknown)
                plan.add_error(
                    number, self._say(number) + f"chủ đề {names} không có trong danh mục chủ đề."
                )
        self._codes_as_meant()
        self._resolve_units()
        self._match_stored()
        return plan

    def _codes_as_meant(self) -> None:
        """Unit and model codes typed in another case name the stored ones (``same_codes``)."""
        rows = self.plan.rows.values()
        units = same_codes([row.unit_code for row in rows], Organisation.objects.all())
        models = same_codes(
            [code for row in rows for code in (row.fields.get("code"), row.origin_code)],
            DanVanModel.objects.all(),
        )
        for row in rows:
            row.unit_code = units.get(row.unit_code, row.unit_code)
            if row.fields.get("code"):
                row.fields["code"] = models[row.fields["code"]]
            if row.origin_code:
                row.origin_code = models.get(row.origin_code, row.origin_code)

    @staticmethod
    def _say(number: int) -> str:
        return f"Dòng {number + 1}: "  # line 1 of the sheet holds the headers

    def _clean_row(self, number: int, raw: dict) -> PlannedModel:
        plan, say = self.plan, self._say(number)

        def error(message: str) -> None:
            plan.add_error(number, say + message)

        fields: dict = {}
        for key in TEXT_FIELDS:
            if key in raw:
                limit = MAX_LENGTHS.get(key)
                # A CharField (it has a length limit) is single-line text, as in the forms.
                fields[key] = line_text(raw[key]) if limit else cell_text(raw[key])
                if limit and len(fields[key]) > limit:
                    error(f"{COLUMNS[key].lower()} dài quá {limit} ký tự.")
        if "decision_number" in fields:
            # "Quyết định số 7/QĐ" is decision 7/QĐ: the printouts write the lead words.
            fields["decision_number"] = bare_document_number(fields["decision_number"])
        if "code" in raw:
            fields["code"] = code_text(raw["code"]) or None
            if fields["code"] and len(fields["code"]) > MAX_LENGTHS["code"]:
                error(f"mã mô hình dài quá {MAX_LENGTHS['code']} ký tự.")
        fields["name"] = name = line_text(raw.get("name"))
        if not name:
            error("tên mô hình, điển hình không được để trống.")
        elif len(name) > MAX_LENGTHS["name"]:
            error(f"tên mô hình, điển hình dài quá {MAX_LENGTHS['name']} ký tự.")

        for key, choices, default in (
            ("kind", ModelKind, ModelKind.MODEL),
            ("actor", Actor, Actor.COLLECTIVE),
            ("field", Field, None),
        ):
            if key not in raw:
                continue
            text = cell_text(raw[key])
            fields[key] = parse_choice(text, choices) if text else default
            if not text and default is None:
                error(f"thiếu {COLUMNS[key].lower()} ({_labels(choices)}).")
            elif fields[key] is None:
                error(
                    f"{COLUMNS[key].lower()} “{text}” không có trong danh mục ({_labels(choices)})."
                )
        if fields.get("actor") == Actor.INDIVIDUAL and not fields.get("person_name"):
            error("chủ thể là cá nhân thì phải ghi họ và tên cá nhân.")

        for key, maximum in COUNT_FIELDS.items():
            if key in raw:
                try:
                    fields[key] = parse_count(raw[key], maximum)
                except ValueError:
                    error(
                        f"{COLUMNS[key].lower()} “{cell_text(raw[key])}” phải là số nguyên "
                        "không âm, ví dụ 1.500.000."
                    )
        if "contact_phone" in raw:
            phone = raw["contact_phone"]
            # A number typed into a number cell loses its leading zero: put it back.
            phone = f"0{phone:.0f}" if isinstance(phone, int | float) else cell_text(phone)
            fields["contact_phone"] = phone
            try:
                phone_validator(phone)
                valid = len(phone) <= MAX_LENGTHS["contact_phone"]
            except ValidationError:
                valid = False
            if phone and not valid:
                error(
                    f"số điện thoại liên hệ “{phone}” không hợp lệ (chỉ gồm chữ số, "
                    "ví dụ 0912 345 678)."
                )

        for key in (*DATE_FIELDS, *STATUS_DAY_FIELDS):
            if key not in raw:
                continue
            try:
                if key == "start_date":  # old records may give only the month or the year
                    fields[key], fields["start_precision"] = parse_partial_date(raw[key])
                else:
                    fields[key] = parse_date(raw[key])
            except DateOutOfRange as problem:
                fields[key] = None
                error(f"{COLUMNS[key].lower()} {problem}")
            except ValueError:
                fields[key] = None
                shape = "dd/mm/yyyy, mm/yyyy hoặc yyyy" if key == "start_date" else "dd/mm/yyyy"
                error(
                    f"{COLUMNS[key].lower()} “{cell_text(raw[key])}” không phải ngày hợp lệ "
                    f"(dạng {shape})."
                )
        start, evaluation = fields.get("start_date"), fields.get("evaluation_date")
        today = timezone.localdate()
        if start is None and not cell_text(raw.get("start_date")):
            error("thiếu ngày bắt đầu.")
        if start and evaluation and evaluation < start:
            error(f"ngày đánh giá {evaluation:%d/%m/%Y} trước ngày bắt đầu {start:%d/%m/%Y}.")
        for key in ("decision_date", *STATUS_DAY_FIELDS):
            day = fields.get(key)
            if day and day > today:
                error(f"{COLUMNS[key].lower()} {day:%d/%m/%Y} sau ngày hôm nay.")

        status_text = cell_text(raw.get("status"))
        status = parse_choice(status_text, Status) if status_text else None
        fields["status"] = status
        if not status_text:
            error(f"thiếu trạng thái ({_STATUS_LABELS}).")
        elif status is None:
            error(f"trạng thái “{status_text}” không có trong danh mục; chỉ nhận {_STATUS_LABELS}.")
        elif status not in IMPORTABLE_STATUSES:
            error(
                f"trạng thái “{Status(status).label}” không nhập được từ tệp: chỉ nhận "
                f"{_STATUS_LABELS}; các bước khác phải đi qua quy trình trên Cổng."
            )
        else:
            self._check_status_path(fields, raw, error)
        return PlannedModel(
            sheet_row=number + 1,
            fields=fields,
            unit_code=code_text(raw.get("owning_unit")),
            theme_ids=[] if "themes" in raw else None,
            origin_code=code_text(raw.get("replicated_from")) or None,
        )

    @staticmethod
    def _check_status_path(fields: dict, raw: dict, error) -> None:
        """The decision, days and reason a row's status needs, and its days in order."""
        status, start, decided = (
            fields["status"],
            fields.get("start_date"),
            fields.get("decision_date"),
        )
        recognised = _was_recognised(fields)
        if recognised:
            if not fields.get("decision_number"):
                error("mô hình đã công nhận phải có số quyết định công nhận.")
            if not decided and not cell_text(raw.get("decision_date")):
                error("mô hình đã công nhận phải có ngày quyết định công nhận.")
            elif decided and start and decided < start:
                error(
                    f"ngày quyết định công nhận {decided:%d/%m/%Y} trước ngày bắt đầu "
                    f"{start:%d/%m/%Y}."
                )
                return  # the days' order would say it again
        elif fields.get("recognised_at"):
            error(
                "ngày công nhận chỉ ghi cho mô hình đã công nhận (hoặc đã công nhận rồi dừng "
                "thực hiện, khi đó ghi cả số quyết định công nhận)."
            )
        stopped = status == Status.DISCONTINUED
        if stopped:
            if not fields.get("discontinued_at") and not cell_text(raw.get("discontinued_at")):
                error("mô hình dừng thực hiện phải có ngày dừng thực hiện.")
            if not fields.get("status_reason"):
                error("mô hình dừng thực hiện phải có lý do dừng.")
        elif fields.get("discontinued_at") or fields.get("status_reason"):
            error(
                "ngày dừng thực hiện và lý do dừng chỉ ghi cho mô hình có trạng thái "
                f"“{Status.DISCONTINUED.label}”."
            )
        # Every day in order, the defaults included (a typed day unreadable: checked already).
        if not start or any(
            cell_text(raw.get(key)) and fields.get(key) is None
            for key in ("decision_date", *STATUS_DAY_FIELDS)
        ):
            return
        if stopped and not fields.get("discontinued_at"):
            return
        days = _path_days(fields)
        steps = [("start_date", start), ("accepted_at", days["accepted_at"])]
        if recognised:
            steps.append(("recognised_at", days["recognised_at"]))
        if stopped:
            steps.append(("discontinued_at", days["discontinued_at"]))
        for (earlier, first), (later, second) in zip(steps, steps[1:], strict=False):
            # An accepted record's own acceptance decision may predate its start (it was
            # accepted, then started): only a typed acceptance day is held to the start.
            untyped_acceptance = later == "accepted_at" and not fields.get("accepted_at")
            if second < first and not untyped_acceptance:
                error(
                    f"{_day_named(later, fields)} {second:%d/%m/%Y} trước "
                    f"{_day_named(earlier, fields)} {first:%d/%m/%Y}."
                )

    def _resolve_units(self) -> None:
        """Owning units by code, within the user's scope (one query for the whole file)."""
        plan = self.plan
        codes = {row.unit_code for row in plan.rows.values() if row.unit_code}
        units = dict(
            Organisation.objects.visible_to(self.user)
            .filter(code__in=codes)
            .order_by()
            .values_list("code", "pk")
        )
        for number, row in plan.rows.items():
            if not row.unit_code:
                plan.add_error(number, self._say(number) + "thiếu mã đơn vị chủ trì.")
            elif row.unit_code not in units:
                plan.add_error(
                    number,
                    self._say(number) + f"mã đơn vị chủ trì “{row.unit_code}” không tồn tại "
                    "hoặc không thuộc phạm vi quản lý của bạn.",
                )
            else:
                row.fields["owning_unit_id"] = units[row.unit_code]

    def _match_stored(self) -> None:
        """Find each row's stored model (by code, else by natural key); refuse duplicates."""
        plan = self.plan
        rows = plan.rows
        codes = {row.fields["code"] for row in rows.values() if row.fields.get("code")}
        by_code = dict(DanVanModel.objects.filter(code__in=codes).values_list("code", "pk"))
        visible = set(
            DanVanModel.objects.visible_to(self.user)
            .filter(pk__in=by_code.values())
            .values_list("pk", flat=True)
        )
        uncoded = [row for row in rows.values() if not row.fields.get("code")]
        by_key: dict[tuple, list[int]] = {}
        stored_keys = DanVanModel.objects.filter(
            owning_unit_id__in={row.fields.get("owning_unit_id") for row in uncoded} - {None},
            name__in={row.fields["name"] for row in uncoded},
        ).values_list("pk", "owning_unit_id", "name", "start_date")
        for pk, *key in stored_keys.order_by("pk"):
            by_key.setdefault(tuple(key), []).append(pk)

        first_row_of: dict[tuple, int] = {}
        stored_pk: dict[int, int] = {}  # row number → stored model
        matched: dict[int, int] = {}  # stored model → sheet row
        for number, row in rows.items():
            say, fields = self._say(number), row.fields
            code = fields.get("code")
            key = (code,) if code else (row.unit_code, fields["name"], fields.get("start_date"))
            if key in first_row_of:
                what = f"mã mô hình “{code}”" if code else "đơn vị chủ trì, tên và ngày bắt đầu"
                plan.add_error(number, say + f"trùng {what} với dòng {first_row_of[key]}.")
                continue
            first_row_of[key] = row.sheet_row
            if code:
                pks = [by_code[code]] if code in by_code else []
                if pks and pks[0] not in visible:
                    plan.add_error(
                        number, say + f"mã mô hình “{code}” đã được dùng cho mô hình khác."
                    )
                    continue
            else:
                pks = by_key.get(
                    (fields.get("owning_unit_id"), fields["name"], fields.get("start_date")), []
                )
                if len(pks) > 1:
                    plan.add_error(
                        number,
                        say + "khớp với nhiều mô hình đã có (cùng đơn vị chủ "
                        "trì, tên và ngày bắt đầu); hãy ghi mã mô hình để phân biệt.",
                    )
                    continue
            if pks:
                if pks[0] in matched:
                    plan.add_error(
                        number, say + f"là cùng một mô hình đã có với dòng {matched[pks[0]]}."
                    )
                    continue
                matched[pks[0]] = row.sheet_row
                stored_pk[number] = pks[0]

        self._resolve_origins(stored_pk)
        stored = DanVanModel.objects.filter(pk__in=matched).prefetch_related(
            Prefetch("themes", queryset=Theme.objects.only("pk"))
        )
        stored_by_pk = {model.pk: model for model in stored}
        # The codes of the origins they name now, for the preview's "old → new".
        named = {model.replicated_from_id for model in stored_by_pk.values()} - {None}
        self.origin_codes.update(
            DanVanModel.objects.visible_to(self.user)
            .filter(pk__in=named - set(self.origin_codes), code__isnull=False)
            .values_list("pk", "code")
        )
        # The codes of the units involved, for the preview's "old → new".
        self.unit_codes = dict(
            Organisation.objects.filter(
                pk__in={model.owning_unit_id for model in stored_by_pk.values()}
                | {row.fields.get("owning_unit_id") for row in rows.values()}
            )
            .order_by()
            .values_list("pk", "code")
        )
        for number, pk in stored_pk.items():
            rows[number].existing = stored_by_pk[pk]
            if number not in plan.errors:
                self._compare(number, rows[number])
        if plan.errors:
            return  # the file is refused: no need to build what it would have written
        user = self.user if getattr(self.user, "pk", None) else None
        for row in rows.values():
            if row.existing is None:
                row.instance = self._new_model(row, user)
            row.fields = None  # held by the instance now; a large file is not kept twice

    def _resolve_origins(self, stored_pk: dict[int, int]) -> None:
        """The model each row says it replicates ("Nhân rộng từ mô hình"), by code: another
        row of the file (above or below), else a model in the user's scope that was carried
        out. An origin that is a new row of the file gets its id once written (``write``)."""
        plan, rows = self.plan, self.plan.rows
        citing = [number for number, row in rows.items() if row.origin_code]
        if not citing:
            return
        in_file = {
            row.fields["code"].upper(): number
            for number, row in rows.items()
            if row.fields.get("code")
        }
        asked = {rows[number].origin_code for number in citing}
        stored = dict(
            DanVanModel.objects.visible_to(self.user)
            .replicable()
            .filter(code__in=asked)
            .values_list("code", "pk")
        )
        self.origin_codes.update({pk: code for code, pk in stored.items()})
        for number in citing:
            row, code = rows[number], rows[number].origin_code
            origin_number = in_file.get(code.upper())
            if origin_number == number:
                plan.add_error(
                    number,
                    self._say(number) + f"mô hình không thể nhân rộng từ chính nó (“{code}”).",
                )
            elif origin_number is not None and origin_number in stored_pk:
                row.fields["replicated_from_id"] = stored_pk[origin_number]
                self.origin_codes[stored_pk[origin_number]] = code
            elif origin_number is not None:
                row.origin_row = origin_number
            elif code in stored:
                row.fields["replicated_from_id"] = stored[code]
            else:
                plan.add_error(
                    number,
                    self._say(number) + f"{COLUMNS['replicated_from'].lower()} “{code}”: không "
                    "có mô hình nào mang mã này trong tệp, hay trong phạm vi quản lý của bạn mà "
                    "đã được duyệt đăng ký.",
                )
            if stored_pk.get(number) and row.fields.get("replicated_from_id") == stored_pk[number]:
                plan.add_error(
                    number,
                    self._say(number) + f"mô hình không thể nhân rộng từ chính nó (“{code}”).",
                )
        # New rows citing each other in a ring (A from B, B from A) would make a loop.
        for number in citing:
            seen, current = {number}, rows[number].origin_row
            while current is not None and current not in seen:
                seen.add(current)
                current = rows[current].origin_row
            if current == number:
                plan.add_error(
                    number,
                    self._say(number) + "các dòng nhân rộng từ nhau thành vòng "
                    f"(dòng {', '.join(str(rows[n].sheet_row) for n in sorted(seen))}).",
                )

    def _new_model(self, row: PlannedModel, user) -> DanVanModel:
        fields = row.fields
        values = {**NEW_MODEL_DEFAULTS, **fields, "created_by_id": user and user.pk}
        values.update(_path_dates(fields))
        # Positional arguments: Django's fast path (as when loading rows), ten times quicker
        # than keywords, which counts at tens of thousands of rows.
        return DanVanModel(*(values[name] for name in MODEL_ATTNAMES))

    def _compare(self, number: int, row: PlannedModel) -> None:
        existing, fields, say = row.existing, row.fields, self._say(number)
        if existing.status != fields["status"]:
            self.plan.add_error(
                number,
                say + f"mô hình “{existing.name}” đã có với trạng thái "
                f"“{existing.get_status_display()}”; nhập từ tệp không đổi được trạng thái.",
            )
            return
        # What the workflow wrote is read-only here as in the admin form: an empty cell keeps
        # it, a different value is refused (it changes only through the review services).
        for name in WORKFLOW_COLUMNS:
            value, stored = fields.get(name), _stored_value(existing, name)
            if value not in (None, "") and stored != value:
                self.plan.add_error(
                    number,
                    say + f"{COLUMNS[name].lower()} “{self.shown(name, value)}” khác với đã lưu "
                    f"“{self.shown(name, stored)}”: thông tin do quy trình "
                    "duyệt, công nhận, dừng thực hiện ghi nên không sửa được bằng nhập tệp.",
                )
        if number in self.plan.errors:
            return
        changes = [
            name
            for name, value in fields.items()
            # An empty code cell leaves the stored code alone (the row matched by its key).
            if name not in WORKFLOW_FIELDS
            and not (name == "code" and value is None)
            and getattr(existing, name) != value
        ]
        stored_themes = sorted(theme.pk for theme in existing.themes.all())
        # An empty themes cell keeps the stored themes; they are cleared in the model's form.
        if row.theme_ids and sorted(row.theme_ids) != stored_themes:
            changes.append("themes")
        if row.origin_row is not None:  # an origin not written yet: a new link, surely
            changes.append("replicated_from_id")
        row.changes = changes
        if not changes:
            row.action, row.instance = "skip", existing
            return
        row.action = "update"
        row.instance = copy.copy(existing)
        for name in changes:
            if name in fields:  # not themes, nor an origin still to be written
                setattr(row.instance, name, fields[name])

    # --- what the preview shows -----------------------------------------------------------

    def shown(self, name: str, value) -> str:
        """A stored or planned value as the preview writes it."""
        if name == "owning_unit_id":
            return self.unit_codes.get(value, "")
        if name == "replicated_from_id" and value is not None:
            return self.origin_codes.get(value) or "(mô hình chưa có mã)"
        if name == "themes":
            return "; ".join(sorted(self.theme_names.get(pk, "") for pk in value)) or "(trống)"
        if value is None or value == "":
            return "(trống)"
        choices = CHOICES.get(name)
        if choices is not None:
            return choices(value).label
        if isinstance(value, date):
            return f"{value:%d/%m/%Y}"
        if isinstance(value, int):
            return vn_number(value)
        text = " ".join(str(value).split())
        return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"

    def changes_shown(self, row: PlannedModel) -> list[str]:
        """Each change of an updated row: “column: old → new”."""
        shown = []
        existing, instance = row.existing, row.instance
        for name in row.changes:
            column = CHANGED_COLUMN.get(name, name)
            label = COLUMNS[column]
            if column == "start_date":  # the day and its precision, shown as one change
                old = partial_date_text(existing.start_date, existing.start_precision)
                new = partial_date_text(instance.start_date, instance.start_precision)
                line = f"{label}: {old} → {new}"
                if line not in shown:
                    shown.append(line)
                continue
            if name == "themes":
                old = [theme.pk for theme in existing.themes.all()]
                new = row.theme_ids
            else:
                old, new = getattr(existing, name), getattr(instance, name)
            new_text = self.shown(name, new)
            if name == "replicated_from_id" and row.origin_row is not None:
                new_text = row.origin_code  # a row of this file, written with it
            shown.append(f"{label}: {self.shown(name, old)} → {new_text}")
        return shown

    def write(self, file_name: str = "") -> None:
        rows = list(self.plan.rows.values())
        created = [row for row in rows if row.action == "new"]
        updated = [row for row in rows if row.action == "update"]
        file_name = os.path.basename(str(file_name or ""))[:255]
        user = self.user if getattr(self.user, "pk", None) else None
        now = timezone.now()
        with pghistory.context(source="import", file=file_name, user=user and user.pk):
            DanVanModel.objects.bulk_create(
                [row.instance for row in created], batch_size=BATCH_SIZE
            )
            # Origins that are new rows of the file have ids only now: link their replicas.
            by_number = self.plan.rows
            linked = [row for row in rows if row.origin_row is not None]
            for row in linked:
                row.instance.replicated_from_id = by_number[row.origin_row].instance.pk
            DanVanModel.objects.bulk_update(
                [row.instance for row in linked if row.action == "new"],
                ["replicated_from_id"],
                batch_size=BATCH_SIZE,
            )
            # A change of themes alone also marks the model as updated (and so in its history).
            for row in updated:
                row.instance.updated_at = now
            changed_fields = {name for row in updated for name in row.changes} - {"themes"}
            DanVanModel.objects.bulk_update(
                [row.instance for row in updated],
                [*sorted(changed_fields), "updated_at"],
                batch_size=500,
            )
            links = DanVanModel.themes.through
            relinked = [row for row in updated if "themes" in row.changes]
            links.objects.filter(danvanmodel_id__in=[row.instance.pk for row in relinked]).delete()

            def link_rows(rows):
                return [
                    links(danvanmodel_id=row.instance.pk, theme_id=theme_id)
                    for row in rows
                    for theme_id in row.theme_ids or ()
                ]

            # A new model's themes are part of its creation (the history shows them as its
            # first values, worked back from the links it has), so their link rows are not
            # audited one by one: on a 10,000-row file that would double the import's time.
            with pgtrigger.ignore(NEW_THEME_LINK_TRIGGER):
                links.objects.bulk_create(link_rows(created), batch_size=5 * BATCH_SIZE)
            links.objects.bulk_create(link_rows(relinked), batch_size=5 * BATCH_SIZE)
            WorkflowEvent.objects.bulk_create(
                [
                    WorkflowEvent(
                        model_id=row.instance.pk,
                        action=EventAction.IMPORTED,
                        from_status="",
                        to_status=row.instance.status,
                        actor=user,
                        reason=self._event_text(row.instance),
                        source=file_name,
                        effective_date=row.instance.discontinued_at
                        and timezone.localdate(row.instance.discontinued_at),
                    )
                    for row in created
                ],
                batch_size=BATCH_SIZE,
            )

    @staticmethod
    def _event_text(model: DanVanModel) -> str:
        """The imported event's note: the recognition decision, and why the model stopped."""
        parts = []
        if model.decision_number:
            text = f"Quyết định số {model.decision_number}"
            parts.append(
                f"{text} ngày {model.decision_date:%d/%m/%Y}" if model.decision_date else text
            )
        if model.status == Status.DISCONTINUED:
            parts.append(f"Lý do dừng thực hiện: {model.status_reason}")
        return ". ".join(parts)


def import_template_workbook() -> bytes:
    """An empty import file: the data sheet with its headers and three examples, and a guide."""
    example = {
        "code": "CH-2023-01",
        "owning_unit": "T19-CH",
        "name": "Hiến đất làm đường giao thông nông thôn",
        "kind": ModelKind.MODEL.label,
        "actor": Actor.COLLECTIVE.label,
        "field": Field.ECONOMY.label,
        "themes": "Xây dựng nông thôn mới, đô thị văn minh; Giảm nghèo bền vững",
        "territory_note": "Tổ dân phố 9",
        "content": "Vận động nhân dân hiến đất, góp ngày công làm đường.",
        "funds": 150_000_000,
        "workdays": 500,
        "start_date": "01/03/2023",
        "evaluation_date": "01/12/2023",
        "contact_name": "Nguyễn Văn An",
        "contact_phone": "0912 345 678",
        "status": Status.RECOGNISED.label,
        "decision_number": "125/QĐ-UBND",
        "decision_date": "15/12/2023",
        "accepted_at": "10/03/2023",
        "recognised_at": "15/12/2023",
    }
    exemplar = {
        "code": "CH-2024-07",
        "owning_unit": "T19-CH",
        "name": "Ông Nông Văn Hạnh – Trưởng Ban công tác Mặt trận tổ 15",
        "kind": ModelKind.EXEMPLAR.label,
        "actor": Actor.INDIVIDUAL.label,
        "person_name": "Nông Văn Hạnh",
        "person_position": "Trưởng Ban công tác Mặt trận tổ 15",
        "field": Field.POLITICAL_SYSTEM.label,
        "start_date": "2024",  # an old record that gives only the year
        "status": Status.ACCEPTED.label,
    }
    stopped = {
        "code": "CH-2023-05",
        "owning_unit": "T19-CH",
        "name": "Hiến đất làm đường tổ dân phố 12",
        "kind": ModelKind.MODEL.label,
        "actor": Actor.COLLECTIVE.label,
        "field": Field.ECONOMY.label,
        "start_date": "06/2023",  # only the month is known
        "status": Status.DISCONTINUED.label,
        "accepted_at": "15/06/2023",
        "discontinued_at": "31/12/2024",
        "status_reason": "Tổ dân phố sáp nhập, đường đã làm xong.",
        "replicated_from": "CH-2023-01",  # the first example, a row of the same file
    }
    widths = {key: 18 for key in COLUMNS}
    widths.update(name=40, field=26, themes=40, content=40, status=18, status_reason=30)
    return template_workbook(
        sheet_title=SHEET_TITLE,
        columns=COLUMNS,
        column_help=COLUMN_HELP,
        examples=[
            [values.get(key, "") for key in COLUMNS] for values in (example, exemplar, stopped)
        ],
        widths=widths,
        lists={
            "kind": ("Loại", [label for _, label in ModelKind.choices]),
            "actor": ("Chủ thể", [label for _, label in Actor.choices]),
            "field": ("Lĩnh vực", [label for _, label in Field.choices]),
            "status": ("Trạng thái", [Status(status).label for status in IMPORTABLE_STATUSES]),
            "themes": (
                "Chủ đề",
                list(Theme.objects.filter(is_active=True).values_list("name", flat=True)),
            ),
        },
    )
