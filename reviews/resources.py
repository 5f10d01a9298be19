"""The import of a commendation round of earlier years from its annex (danh sách kèm theo).

The decision and the round are typed once in the import page's form; the file holds one row per
commended model or exemplar: its ``Mã mô hình`` when it is already in the portal, otherwise what
the registry needs to create it as a recognised historical record (name, collective or
individual, the person's name and position, owning unit, field), and the form of commendation.

The whole file is checked first, like every import: model codes among the models the importing
admin sees, and under the round's organising unit; the rows to create through the registry's own
import rules (``models_registry.resources.ModelImportPlanner``: unit codes in scope, lists,
duplicates); forms of commendation from their list. Every error names its spreadsheet row, and
one bad row writes nothing. Writing is ``reviews.services.history.round_import_historical``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from core.spreadsheets import (
    ImportPlan,
    SpreadsheetError,
    cell_text,
    check_columns,
    code_text,
    data_rows,
    name_columns,
    parse_choice,
    same_codes,
    template_workbook,
)
from core.text import bare_document_number
from models_registry.choices import Actor, ModelKind, Status
from models_registry.choices import Field as ModelField
from models_registry.models import DanVanModel
from models_registry.resources import ModelImportPlanner
from organisations.models import Organisation
from organisations.querysets import subtree_q, with_predecessors
from reviews.choices import CommendationForm
from reviews.models import CommendationRound

SHEET_TITLE = "Danh sách khen thưởng"
COLUMNS = {
    "code": "Mã mô hình",
    "form": "Hình thức khen",
    "actor": "Chủ thể",
    "name": "Tên tập thể, mô hình, điển hình",
    "person_name": "Họ và tên cá nhân",
    "person_position": "Chức vụ, nơi công tác",
    "owning_unit": "Mã đơn vị chủ trì",
    "field": "Lĩnh vực",
    "kind": "Loại",
    "citation": "Thành tích",
}
REQUIRED_COLUMNS = ("form",)
# What the registry reads to create a record; a row with a model code ignores these columns.
RECORD_COLUMNS = ("owning_unit", "name", "kind", "actor", "person_name", "person_position", "field")


def _labels(choices) -> str:
    return "; ".join(label for _, label in choices.choices)


COLUMN_HELP = {
    "code": "Mã của mô hình, điển hình đã có trên Cổng (đã được công nhận, thuộc phạm vi của bạn "
    "và của đơn vị tổ chức đợt). Khi có mã, các cột mô tả (tên, chủ thể, đơn vị, lĩnh vực, loại) "
    "được bỏ qua. Để trống nếu chưa có trên Cổng: dòng sẽ tạo một bản ghi đã công nhận.",
    "form": "Bắt buộc, mã hoặc tên: " + _labels(CommendationForm) + ".",
    "actor": "Khi tạo mới; mã hoặc tên: " + _labels(Actor) + ". Để trống: Tập thể.",
    "name": "Bắt buộc khi tạo mới: tên tập thể, mô hình, hoặc điển hình cá nhân (ví dụ “Ông Nông "
    "Văn Hạnh – Trưởng Ban công tác Mặt trận tổ 15”).",
    "person_name": "Bắt buộc khi tạo mới một cá nhân.",
    "person_position": "Chức vụ, nơi công tác của cá nhân.",
    "owning_unit": "Bắt buộc khi tạo mới: mã đơn vị chủ trì, thuộc phạm vi của bạn và của đơn vị "
    "tổ chức đợt.",
    "field": "Bắt buộc khi tạo mới; mã hoặc tên: " + _labels(ModelField) + ".",
    "kind": "Khi tạo mới; mã hoặc tên: " + _labels(ModelKind) + ". Để trống: Điển hình.",
    "citation": "Không bắt buộc: nội dung, thành tích được khen.",
}


@dataclass
class AnnexLine:
    """One valid row: the model it commends (stored, or created by the registry's import)."""

    sheet_row: int
    form: str
    citation: str
    model: DanVanModel | None = None  # a stored model named by its code
    record_row: int | None = None  # else: the registry planner's row that creates it

    def target(self, records: ModelImportPlanner) -> DanVanModel:
        """The model this line commends (after the registry's write, a created one has a pk)."""
        return self.model or records.plan.rows[self.record_row].instance


@dataclass
class AnnexPlan(ImportPlan):
    lines: list[AnnexLine] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.errors or self.file_errors or not self.readable)

    def messages(self) -> list[str]:
        """Every error: the file's first, then each row's, in sheet order."""
        return [*self.file_errors, *(m for n in sorted(self.errors) for m in self.errors[n])]


class AnnexImportPlanner:
    """Works out what an annex file will do for a round not yet written (``plan_import``)."""

    def __init__(
        self,
        *,
        user,
        organising_unit: Organisation,
        period_start: date,
        decision_number: str,
        decision_date: date,
        dry_run: bool = True,
    ):
        self.user = user
        self.unit = organising_unit
        self.period_start = period_start
        # Kept as the round keeps it: "Quyết định số 15/QĐ-X" and "15/QĐ-X" are one decision.
        self.decision_number = bare_document_number(decision_number)
        self.decision_date = decision_date
        self.records = ModelImportPlanner(user=user, dry_run=dry_run)
        self.plan = AnnexPlan()

    @staticmethod
    def _say(number: int) -> str:
        return f"Dòng {number + 1}: "  # line 1 of the sheet holds the headers

    def plan_dataset(self, dataset) -> AnnexPlan:
        """Check the columns, then every row; SpreadsheetError for a sheet that cannot be read."""
        name_columns(dataset, COLUMNS)
        check_columns(dataset, COLUMNS, REQUIRED_COLUMNS, SHEET_TITLE)
        if COLUMNS["code"] not in dataset.headers and COLUMNS["name"] not in dataset.headers:
            raise SpreadsheetError(
                f"Trang tính thiếu cả cột “{COLUMNS['code']}” và cột “{COLUMNS['name']}”: mỗi "
                "dòng cần mã mô hình đã có, hoặc thông tin để tạo mới, như trong tệp mẫu."
            )
        return self.plan_import(data_rows(dataset, COLUMNS))

    def plan_import(self, rows) -> AnnexPlan:
        plan = self.plan = AnnexPlan()
        self._refuse_imported_before()
        coded: dict[int, str] = {}
        to_create: dict[int, dict] = {}
        for number, raw in rows:
            form_text = cell_text(raw.get("form"))
            form = parse_choice(form_text, CommendationForm) if form_text else None
            if not form_text:
                plan.add_error(number, self._say(number) + "thiếu hình thức khen.")
            elif form is None:
                plan.add_error(
                    number,
                    self._say(number) + f"hình thức khen “{form_text}” không có trong danh mục "
                    f"({_labels(CommendationForm)}).",
                )
            line = AnnexLine(number + 1, form or "", cell_text(raw.get("citation")))
            plan.lines.append(line)
            code = code_text(raw.get("code"))
            if code:
                coded[number] = code
            else:
                line.record_row = number
                to_create[number] = self._record(raw)
        if not plan.lines:
            plan.file_errors.append("Tệp không có dòng dữ liệu nào.")
        self._resolve_codes(coded)
        self._plan_records(to_create)
        return plan

    def _refuse_imported_before(self) -> None:
        """The same decision of the same unit once only: the same file again is refused."""
        same = CommendationRound.objects.filter(
            organising_unit=self.unit,
            decision_number__iexact=self.decision_number,
            decision_date=self.decision_date,
        ).first()
        if same is not None:
            self.plan.file_errors.append(
                f"Quyết định số {self.decision_number} ngày {self.decision_date:%d/%m/%Y} của "
                f"{self.unit.name} đã được nhập (đợt “{same.title}”): không nhập lại lần nữa."
            )

    def _record(self, raw: dict) -> dict:
        """The row as the registry's model import reads it: a recognised historical record,
        started at the round's period and recognised by the round's decision."""
        record = {key: raw[key] for key in RECORD_COLUMNS if key in raw}
        record.setdefault("name", "")
        if not cell_text(record.get("kind")):
            record["kind"] = ModelKind.EXEMPLAR.label
        record.update(
            start_date=self.period_start,
            status=Status.RECOGNISED.label,
            decision_number=self.decision_number,
            decision_date=self.decision_date,
        )
        return record

    def _round_paths(self) -> list[str]:
        return with_predecessors([self.unit.path])

    def _resolve_codes(self, coded: dict[int, str]) -> None:
        """Stored models by code among those the user sees; recognised; under the round's unit."""
        plan = self.plan
        visible = DanVanModel.objects.visible_to(self.user)
        meant = same_codes(coded.values(), visible)
        found = {
            model.code: model
            for model in visible.filter(code__in=set(meant.values())).select_related("owning_unit")
        }
        paths = self._round_paths()
        in_round = set(
            visible.filter(pk__in=[model.pk for model in found.values()])
            .filter(subtree_q(paths, "owning_unit__path"))
            .values_list("pk", flat=True)
        )
        first_row: dict[str, int] = {}
        lines = {line.sheet_row - 1: line for line in plan.lines}
        for number, typed in coded.items():
            say, code = self._say(number), meant[typed]
            if code in first_row:
                plan.add_error(
                    number, say + f"trùng mã mô hình “{typed}” với dòng {first_row[code]}."
                )
                continue
            first_row[code] = number + 1
            model = found.get(code)
            if model is None:
                plan.add_error(
                    number, say + f"không tìm thấy mã mô hình “{typed}” trong phạm vi của bạn."
                )
            elif model.status != Status.RECOGNISED:
                plan.add_error(
                    number,
                    say + f"“{model.name}” (mã {model.code}) đang ở trạng thái "
                    f"“{model.get_status_display()}”, chưa được công nhận nên chưa thể khen.",
                )
            elif model.pk not in in_round:
                plan.add_error(
                    number,
                    say + f"“{model.name}” (mã {model.code}) không thuộc phạm vi của "
                    f"{self.unit.name}, đơn vị tổ chức đợt.",
                )
            else:
                lines[number].model = model

    def _plan_records(self, to_create: dict[int, dict]) -> None:
        """The rows to create, planned by the registry's import; their units under the round's."""
        if not to_create:
            return
        plan = self.plan
        records = self.records.plan_import(to_create.items())
        for number, messages in records.errors.items():
            for message in messages:
                plan.add_error(number, message)
        # The registry checks the user's scope; a round commends its own unit's models only.
        codes = {code_text(raw.get("owning_unit")) for raw in to_create.values()} - {""}
        meant = same_codes(codes, Organisation.objects.visible_to(self.user))
        in_round = {
            code.upper()
            for code in Organisation.objects.visible_to(self.user)
            .filter(subtree_q(self._round_paths()), code__in=set(meant.values()))
            .values_list("code", flat=True)
        }
        visible = {
            code.upper()
            for code in Organisation.objects.visible_to(self.user)
            .filter(code__in=set(meant.values()))
            .values_list("code", flat=True)
        }
        for number, raw in to_create.items():
            code = meant.get(code_text(raw.get("owning_unit")), "").upper()
            if code and code in visible and code not in in_round:
                plan.add_error(
                    number,
                    self._say(number) + f"đơn vị chủ trì “{code_text(raw.get('owning_unit'))}” "
                    f"không thuộc phạm vi của {self.unit.name}, đơn vị tổ chức đợt.",
                )

    def write_records(self, file_name: str) -> None:
        """Create the new records (the registry's bulk write, with its events and audit)."""
        if self.records.plan.rows:
            self.records.write(file_name=file_name)


def preview_rows(planner: AnnexImportPlanner) -> list[dict]:
    """What each valid row will do, as the preview lists it (nothing of a refused file)."""
    rows = []
    for line in planner.plan.lines:
        model = line.target(planner.records)
        created = line.model is None and (
            planner.records.plan.rows[line.record_row].existing is None
        )
        rows.append(
            {
                "sheet_row": line.sheet_row,
                "model": model,
                "unit": planner.records.unit_codes.get(model.owning_unit_id, "")
                if line.model is None
                else model.owning_unit.code,
                "form": CommendationForm(line.form).label,
                "citation": line.citation,
                "created": created,
            }
        )
    return rows


def annex_template_workbook() -> bytes:
    """The empty annex file: the list sheet with examples, the guide and the drop-down lists."""
    examples = [
        {
            "code": "CH-2017-03",
            "form": CommendationForm.MERIT.label,
            "citation": "Có thành tích xuất sắc trong vận động nhân dân hiến đất làm đường.",
        },
        {
            "form": CommendationForm.CERTIFICATE.label,
            "actor": Actor.COLLECTIVE.label,
            "name": "Ban công tác Mặt trận tổ dân phố 9",
            "owning_unit": "T19-CH-9",
            "field": ModelField.SECURITY_DEFENCE.label,
            "kind": ModelKind.EXEMPLAR.label,
            "citation": "Tự quản về an ninh trật tự.",
        },
        {
            "form": CommendationForm.PRAISE.label,
            "actor": Actor.INDIVIDUAL.label,
            "name": "Ông Nông Văn Hạnh – Trưởng Ban công tác Mặt trận tổ 15",
            "person_name": "Nông Văn Hạnh",
            "person_position": "Trưởng Ban công tác Mặt trận tổ 15",
            "owning_unit": "T19-CH",
            "field": ModelField.POLITICAL_SYSTEM.label,
            "kind": ModelKind.EXEMPLAR.label,
        },
    ]
    widths = {key: 18 for key in COLUMNS}
    widths.update(name=44, person_name=24, person_position=32, field=26, citation=50)
    workbook = template_workbook(
        sheet_title=SHEET_TITLE,
        columns=COLUMNS,
        column_help=COLUMN_HELP,
        examples=[[values.get(key, "") for key in COLUMNS] for values in examples],
        widths=widths,
        lists={
            "form": ("Hình thức khen", [label for _, label in CommendationForm.choices]),
            "actor": ("Chủ thể", [label for _, label in Actor.choices]),
            "field": ("Lĩnh vực", [label for _, label in ModelField.choices]),
            "kind": ("Loại", [label for _, label in ModelKind.choices]),
        },
    )
    return _with_notes(workbook)


GUIDE_NOTES = (
    "Tên đợt, kỳ xét, đơn vị tổ chức và quyết định (số, ngày, người ký, cơ quan ban hành) ghi "
    "một lần ở trang nhập đợt lịch sử, không ghi trong tệp.",
    "Mỗi dòng là một tập thể hoặc cá nhân được khen. Bản ghi tạo mới được ghi là đã công nhận "
    "theo quyết định của đợt, ngày bắt đầu là ngày đầu kỳ xét.",
    "Tệp được kiểm tra toàn bộ trước khi ghi: có một dòng lỗi thì không ghi gì; nhập lại cùng "
    "một quyết định bị từ chối.",
)


def _with_notes(workbook: bytes) -> bytes:
    """The guide sheet with what the columns alone do not say, below the columns."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    book = load_workbook(io.BytesIO(workbook))
    guide = book["Hướng dẫn"]
    guide.append([])
    guide.append(["Lưu ý"])
    guide.cell(row=guide.max_row, column=1).font = Font(bold=True)
    for note in GUIDE_NOTES:
        guide.append(["", note])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
