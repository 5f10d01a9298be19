"""Import and export of organisations (django-import-export), keyed by code.

The whole file is validated before anything is written: unknown parent codes, duplicate codes,
cycles, empty names, impossible validity dates and unknown kinds or levels are each reported with
the spreadsheet row they stand on. Rows are written only when every row is valid, parents before
children, through the organisation services; otherwise the transaction is rolled back.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch
from import_export import resources
from import_export.fields import Field

from core.spreadsheets import (
    DateOutOfRange,
    FormulaSafeExportMixin,
    ImportPlan,
    PlannedImportMixin,
    cell_text,
    code_text,
    column_limits,
    line_text,
    parse_choice,
    parse_date,
    same_codes,
    template_workbook,
)
from organisations import services
from organisations.choices import OrganisationKind, OrganisationLevel
from organisations.models import Organisation

SHEET_TITLE = "Đơn vị"

COLUMNS = {
    "code": "Mã đơn vị",
    "parent_code": "Mã đơn vị cấp trên",
    "name": "Tên đơn vị",
    "short_name": "Tên viết tắt",
    "kind": "Loại hình",
    "level": "Cấp",
    "valid_from": "Hiệu lực từ ngày",
    "valid_to": "Hiệu lực đến ngày",
    "merged_from": "Sáp nhập từ (mã đơn vị)",
}
REQUIRED_COLUMNS = ("code", "parent_code", "name", "level")
MAX_LENGTHS = column_limits(Organisation, ("code", "name", "short_name"))
COLUMN_HELP = {
    "code": "Bắt buộc, duy nhất. Mã hành chính hoặc mã đơn vị.",
    "parent_code": "Mã của đơn vị cấp trên (có trong hệ thống hoặc trong tệp). "
    "Để trống nếu là đơn vị gốc.",
    "name": "Bắt buộc.",
    "short_name": "Không bắt buộc.",
    "kind": "Mã hoặc tên: " + "; ".join(label for _, label in OrganisationKind.choices),
    "level": "Bắt buộc, mã hoặc tên: " + "; ".join(label for _, label in OrganisationLevel.choices),
    "valid_from": "Ngày dạng dd/mm/yyyy, không bắt buộc.",
    "valid_to": "Ngày dạng dd/mm/yyyy, không trước ngày bắt đầu hiệu lực. Đơn vị cũ (trước sắp xếp "
    "01/07/2025): ghi 30/06/2025 và thêm “(cũ)” vào tên; đơn vị cũ vẫn giữ mã hành chính cũ.",
    "merged_from": "Mã các đơn vị cũ đã sáp nhập vào đơn vị này, cách nhau bởi dấu phẩy "
    "(ví dụ: phường mới 01840 ghi 01834). Các đơn vị cũ phải có trong hệ thống hoặc trong tệp; "
    "báo cáo các kỳ trước ngày sáp nhập vẫn tính theo đơn vị cũ. "
    "Với đơn vị đã có, để trống là giữ nguyên các đơn vị sáp nhập đã ghi; muốn bỏ hết, sửa "
    "trong trang quản trị của đơn vị.",
}


@dataclass
class PlannedRow:
    """One valid row, cleaned, with what it will do."""

    sheet_row: int
    code: str
    parent_code: str
    fields: dict
    merged_from: list[str]
    existing: Organisation | None = None
    unchanged: bool = False
    shown: Organisation | None = None  # the preview's instance, given the written unit's key
    keeps_merged: bool = False  # an existing unit's empty "merged from" cell keeps what is stored


class OrganisationResource(FormulaSafeExportMixin, PlannedImportMixin, resources.ModelResource):
    code = Field(attribute="code", column_name=COLUMNS["code"])
    parent_code = Field(column_name=COLUMNS["parent_code"], readonly=False)
    name = Field(attribute="name", column_name=COLUMNS["name"])
    short_name = Field(attribute="short_name", column_name=COLUMNS["short_name"])
    kind = Field(attribute="kind", column_name=COLUMNS["kind"])
    level = Field(attribute="level", column_name=COLUMNS["level"])
    valid_from = Field(attribute="valid_from", column_name=COLUMNS["valid_from"])
    valid_to = Field(attribute="valid_to", column_name=COLUMNS["valid_to"])
    merged_from = Field(column_name=COLUMNS["merged_from"])

    class Meta:
        model = Organisation
        fields = tuple(COLUMNS)
        export_order = tuple(COLUMNS)
        import_id_fields = ("code",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False
        use_transactions = True

    columns = COLUMNS
    required_columns = REQUIRED_COLUMNS
    sheet_title = SHEET_TITLE

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.plan = ImportPlan()

    # --- export ----------------------------------------------------------------------------

    def get_queryset(self):
        return Organisation.objects.visible_to(self.user)

    def filter_export(self, queryset, **kwargs):
        # Whatever queryset the caller hands over, only the user's scope is exported.
        queryset = queryset.visible_to(self.user).prefetch_related(
            Prefetch("merged_from", queryset=Organisation.objects.order_by())
        )
        # Parent codes for the whole export in one query instead of one per row.
        self._code_by_path = dict(queryset.order_by().values_list("path", "code"))
        return queryset

    def dehydrate_parent_code(self, organisation: Organisation) -> str:
        planned = getattr(organisation, "_import_parent_code", None)
        if planned is not None:
            return planned
        if not organisation.path or organisation.depth <= 1:
            return ""
        parent_path = organisation.path[: -organisation.steplen]
        cache = getattr(self, "_code_by_path", None)
        if cache is None or parent_path not in cache:
            cache = self._code_by_path = cache or {}
            cache[parent_path] = (
                Organisation.objects.filter(path=parent_path).values_list("code", flat=True).first()
            )
        return cache[parent_path] or ""

    def dehydrate_kind(self, organisation: Organisation) -> str:
        return organisation.get_kind_display()

    def dehydrate_level(self, organisation: Organisation) -> str:
        return organisation.get_level_display() if organisation.level else ""

    def dehydrate_valid_from(self, organisation: Organisation) -> str:
        return organisation.valid_from.strftime("%d/%m/%Y") if organisation.valid_from else ""

    def dehydrate_valid_to(self, organisation: Organisation) -> str:
        return organisation.valid_to.strftime("%d/%m/%Y") if organisation.valid_to else ""

    def dehydrate_merged_from(self, organisation: Organisation) -> str:
        planned = getattr(organisation, "_import_merged_from", None)
        if planned is not None:
            return ", ".join(planned)
        if not organisation.pk:
            return ""
        known = getattr(self, "_merged_codes_by_pk", {})
        if organisation.pk in known:
            return known[organisation.pk]
        # .all() reads the export's prefetch; a single unit costs one query.
        return ", ".join(sorted(unit.code for unit in organisation.merged_from.all() if unit.code))

    # --- import: whole-file validation -----------------------------------------------------

    def plan_import(self, rows, **kwargs) -> ImportPlan:
        plan = self.plan = ImportPlan()
        first_row_of_code: dict[str, int] = {}
        for number, raw in rows:
            sheet_row = number + 1  # line 1 of the sheet holds the headers
            say = f"Dòng {sheet_row}: "
            code = code_text(raw.get("code"))
            name = line_text(raw.get("name"))
            fields: dict = {
                "name": name,
                "short_name": line_text(raw.get("short_name")),
            }
            if not code:
                plan.add_error(number, say + "thiếu mã đơn vị.")
            elif len(code) > MAX_LENGTHS["code"]:
                plan.add_error(
                    number, say + f"mã đơn vị “{code}” dài quá {MAX_LENGTHS['code']} ký tự."
                )
            elif code.upper() in first_row_of_code:  # one code, whatever its case
                plan.add_error(
                    number,
                    say + f"mã đơn vị “{code}” bị trùng với dòng "
                    f"{first_row_of_code[code.upper()] + 1}.",
                )
            else:
                first_row_of_code[code.upper()] = number
            if not name:
                plan.add_error(number, say + "tên đơn vị không được để trống.")
            elif len(name) > MAX_LENGTHS["name"]:
                plan.add_error(number, say + f"tên đơn vị dài quá {MAX_LENGTHS['name']} ký tự.")
            if len(fields["short_name"]) > MAX_LENGTHS["short_name"]:
                plan.add_error(
                    number,
                    say + f"tên viết tắt dài quá {MAX_LENGTHS['short_name']} ký tự "
                    f"(đang có {len(fields['short_name'])} ký tự).",
                )

            kind_text = cell_text(raw.get("kind"))
            fields["kind"] = parse_choice(kind_text, OrganisationKind) if kind_text else "other"
            if fields["kind"] is None:
                plan.add_error(number, say + f"loại hình “{kind_text}” không có trong danh mục.")
            level_text = cell_text(raw.get("level"))
            fields["level"] = parse_choice(level_text, OrganisationLevel) if level_text else None
            if not level_text:
                plan.add_error(number, say + "thiếu cấp của đơn vị.")
            elif fields["level"] is None:
                plan.add_error(number, say + f"cấp “{level_text}” không có trong danh mục.")

            for key in ("valid_from", "valid_to"):
                try:
                    fields[key] = parse_date(raw.get(key))
                except DateOutOfRange as problem:
                    fields[key] = None
                    plan.add_error(number, say + f"{COLUMNS[key].lower()} {problem}")
                except ValueError:
                    fields[key] = None
                    plan.add_error(
                        number,
                        say + f"{COLUMNS[key].lower()} “{cell_text(raw.get(key))}” không phải "
                        "ngày hợp lệ (dạng dd/mm/yyyy).",
                    )
            start, end = fields["valid_from"], fields["valid_to"]
            if isinstance(start, date) and isinstance(end, date) and end < start:
                plan.add_error(
                    number,
                    say + f"ngày hết hiệu lực {end:%d/%m/%Y} trước ngày bắt đầu hiệu lực "
                    f"{start:%d/%m/%Y}.",
                )
            merged = [code_text(part) for part in cell_text(raw.get("merged_from")).split(",")]
            plan.rows[number] = PlannedRow(
                sheet_row=sheet_row,
                code=code,
                parent_code=code_text(raw.get("parent_code")),
                fields=fields,
                merged_from=[part for part in merged if part],
            )
        self._validate_references()
        return plan

    def _validate_references(self) -> None:
        """Parents and predecessors must exist (in the file or in scope); no cycles."""
        plan = self.plan
        # Codes as meant: a stored unit's code typed in another case names that unit.
        meant = same_codes(
            [
                code
                for row in plan.rows.values()
                for code in (row.code, row.parent_code, *row.merged_from)
            ],
            Organisation.objects.all(),
        )
        for row in plan.rows.values():
            row.code = meant.get(row.code, row.code)
            row.parent_code = meant.get(row.parent_code, row.parent_code)
            row.merged_from = list(dict.fromkeys(meant[code] for code in row.merged_from))
        in_file = {row.code: row for row in plan.rows.values() if row.code}
        referenced = {row.parent_code for row in plan.rows.values() if row.parent_code}
        referenced |= {code for row in plan.rows.values() for code in row.merged_from}
        referenced |= set(in_file)
        known = {
            unit.code: unit
            for unit in Organisation.objects.visible_to(self.user)
            .filter(code__in=referenced)
            .prefetch_related(Prefetch("merged_from", queryset=Organisation.objects.order_by()))
        }
        taken_elsewhere = set(
            Organisation.objects.filter(code__in=set(in_file) - set(known)).values_list(
                "code", flat=True
            )
        )
        # Codes of every ancestor of the units involved, nearest first, in one query.
        step = Organisation.steplen
        prefixes = {
            unit.path[:end] for unit in known.values() for end in range(step, len(unit.path), step)
        }
        code_by_path = dict(
            Organisation.objects.filter(path__in=prefixes).values_list("path", "code")
        )
        # The preview compares every row with what is stored: answer from memory, not per row.
        self._code_by_path = dict(code_by_path)
        self._merged_codes_by_pk = {
            unit.pk: ", ".join(sorted(u.code for u in unit.merged_from.all() if u.code))
            for unit in known.values()
        }
        ancestors = {
            code: [
                code_by_path.get(unit.path[:end]) for end in range(len(unit.path) - step, 0, -step)
            ]
            for code, unit in known.items()
        }

        for number, row in plan.rows.items():
            say = f"Dòng {row.sheet_row}: "
            row.existing = known.get(row.code)
            row.keeps_merged = row.existing is not None and not row.merged_from
            current_parent = (ancestors.get(row.code) or [None])[0] if row.existing else None
            if row.code in taken_elsewhere:
                plan.add_error(
                    number, say + f"mã đơn vị “{row.code}” đã được dùng cho đơn vị khác."
                )
            if row.parent_code:
                if row.parent_code == row.code:
                    plan.add_error(number, say + "một đơn vị không thể là cấp trên của chính nó.")
                elif (
                    row.parent_code not in in_file
                    and row.parent_code not in known
                    and row.parent_code != current_parent
                ):
                    plan.add_error(
                        number,
                        say + f"mã đơn vị cấp trên “{row.parent_code}” không tồn tại "
                        "(trong tệp và trong phạm vi quản lý của bạn).",
                    )
            elif not (self.user and self.user.is_superuser) and not (
                row.existing and current_parent is None
            ):
                plan.add_error(
                    number,
                    say
                    + "thiếu mã đơn vị cấp trên (chỉ quản trị hệ thống mới tạo được đơn vị gốc).",
                )
            for predecessor in row.merged_from:
                if predecessor == row.code:
                    plan.add_error(number, say + "một đơn vị không thể sáp nhập từ chính nó.")
                elif predecessor not in in_file and predecessor not in known:
                    plan.add_error(
                        number,
                        say + f"mã đơn vị sáp nhập “{predecessor}” không tồn tại "
                        "(trong tệp và trong phạm vi quản lý của bạn).",
                    )
        self._report_cycles(in_file, ancestors)
        self._report_merger_cycles(in_file)

    def _report_cycles(self, in_file: dict[str, PlannedRow], ancestors: dict[str, list]) -> None:
        """Report every row whose chain of parents, after the file's changes, loops back to it.

        A unit named in the file takes the file's parent; any other unit keeps its place, so its
        chain continues at its nearest ancestor that the file moves (if any).
        """

        def next_in_chain(code: str) -> str | None:
            if code in in_file:
                return in_file[code].parent_code or None
            return next((a for a in ancestors.get(code, []) if a in in_file), None)

        for code, row in in_file.items():
            chain = [code]
            current = next_in_chain(code)
            while current is not None and current not in chain:
                chain.append(current)
                current = next_in_chain(current)
            if current == code:
                loop = " → ".join([*chain, code])
                self.plan.add_error(
                    row.sheet_row - 1,
                    f"Dòng {row.sheet_row}: quan hệ cấp trên tạo thành vòng lặp ({loop}).",
                )

    def _report_merger_cycles(self, in_file: dict[str, PlannedRow]) -> None:
        """Report every row whose unit, after the file's changes, would be merged (through its
        predecessors' predecessors) from itself: a merger history runs one way, and the scope
        of every unit on such a loop would take in all the others.

        Stored mergers are followed only among the units the user sees, so that a message never
        names a unit outside their scope.
        """
        links = Organisation.merged_from.through.objects.filter(
            from_organisation__in=Organisation.objects.visible_to(self.user),
            to_organisation__in=Organisation.objects.visible_to(self.user),
        ).values_list("from_organisation__code", "to_organisation__code")
        predecessors: dict[str, list[str]] = {}
        for successor, predecessor in links:
            predecessors.setdefault(successor, []).append(predecessor)
        for code, row in in_file.items():
            if not row.keeps_merged:
                predecessors[code] = row.merged_from

        # One depth-first walk over the whole graph, without recursion (a file may chain
        # thousands of units); each loop met is reported on every row of the file on it.
        done: set[str] = set()
        reported: set[str] = set()
        for root in in_file:
            if root in done:
                continue
            path, on_path = [root], {root: 0}
            pending = [iter(predecessors.get(root, ()))]
            while pending:
                predecessor = next(pending[-1], None)
                if predecessor is None:
                    code = path.pop()
                    del on_path[code]
                    done.add(code)
                    pending.pop()
                elif predecessor in on_path:
                    loop = path[on_path[predecessor] :]
                    if len(loop) > 1:  # a unit merged from itself is reported by its row
                        self._report_merger_loop(loop, in_file, reported)
                elif predecessor not in done:
                    on_path[predecessor] = len(path)
                    path.append(predecessor)
                    pending.append(iter(predecessors.get(predecessor, ())))

    def _report_merger_loop(self, loop: list[str], in_file, reported: set[str]) -> None:
        for position, code in enumerate(loop):
            row = in_file.get(code)
            if row is None or code in reported:
                continue
            reported.add(code)
            turn = [*loop[position:], *loop[:position], code]
            self.plan.add_error(
                row.sheet_row - 1,
                f"Dòng {row.sheet_row}: quan hệ sáp nhập tạo thành vòng lặp ({' ← '.join(turn)}).",
            )

    # --- import: per row (preview only; writing waits for write_plan) ----------------------

    def init_instance(self, row=None):
        planned = self.plan.rows.get(self._current_row)
        if planned is not None and planned.existing is not None:
            self._is_new = False
            # A copy: the preview sets the file's values on it; ``existing`` stays as stored.
            return copy.copy(planned.existing)
        self._is_new = True
        return Organisation()

    def get_or_init_instance(self, instance_loader, row):
        instance = self.init_instance(row)
        return instance, self._is_new

    def apply_planned(self, instance, planned: PlannedRow) -> None:
        instance.code = planned.code
        for name, value in planned.fields.items():
            setattr(instance, name, value)
        instance._import_parent_code = planned.parent_code
        if not planned.keeps_merged:
            instance._import_merged_from = sorted(planned.merged_from)
        planned.shown = instance

    def skip_row(self, instance, original, row, import_validation_errors=None):
        planned = self.plan.rows.get(self._current_row)
        if planned is None:
            return True
        if original is None or not original.pk:
            return False
        planned.unchanged = (
            all(getattr(original, name) == value for name, value in planned.fields.items())
            and self.dehydrate_parent_code(original) == planned.parent_code
            and (
                planned.keeps_merged
                or self.dehydrate_merged_from(original) == ", ".join(sorted(planned.merged_from))
            )
        )
        return planned.unchanged

    # --- import: writing -------------------------------------------------------------------

    def write_plan(self, **kwargs) -> None:
        rows = [row for row in self.plan.rows.values() if not row.unchanged]
        by_code = {row.code: row for row in rows}

        def depth(row: PlannedRow, seen=()) -> int:
            parent = by_code.get(row.parent_code)
            return (
                0 if parent is None or parent.code in seen else 1 + depth(parent, (*seen, row.code))
            )

        saved: dict[str, Organisation] = {}
        for row in sorted(rows, key=depth):
            parent = None
            if row.parent_code:
                parent = saved.get(row.parent_code) or Organisation.objects.get(
                    code=row.parent_code
                )
            if row.existing is None:
                saved[row.code] = services.organisation_create(
                    parent=parent,
                    organisation=Organisation(code=row.code, **row.fields),
                    by=self.user,
                )
            else:
                moves = self.dehydrate_parent_code(row.existing) != row.parent_code
                saved[row.code] = services.organisation_update(
                    organisation=row.existing, parent=parent, move=moves, **row.fields, by=self.user
                )
        for row in rows:
            if row.shown is not None:
                row.shown.pk = saved[row.code].pk  # the admin log names the unit written
            if row.keeps_merged or (not row.merged_from and row.existing is None):
                continue
            predecessors = [
                saved.get(code) or Organisation.objects.get(code=code) for code in row.merged_from
            ]
            services.organisation_set_predecessors(
                organisation=saved[row.code], predecessors=predecessors, by=self.user
            )


def import_template_workbook() -> bytes:
    """An empty import file: the data sheet with its headers and two examples, and a guide."""
    return template_workbook(
        sheet_title=SHEET_TITLE,
        columns=COLUMNS,
        column_help=COLUMN_HELP,
        # Official codes, and the 2025 reform as it is entered: a former district and one of
        # its wards, ended on 30/06/2025, then the ward of today they were merged into.
        examples=[
            [
                "058",
                "19",
                "Thành phố Bắc Kạn (cũ)",
                "",
                OrganisationKind.PEOPLES_COMMITTEE.label,
                OrganisationLevel.DISTRICT.label,
                "",
                "30/06/2025",
                "",
            ],
            [
                "01834",
                "058",
                "Phường Nguyễn Thị Minh Khai (cũ)",
                "",
                OrganisationKind.PEOPLES_COMMITTEE.label,
                OrganisationLevel.COMMUNE.label,
                "",
                "30/06/2025",
                "",
            ],
            [
                "01840",
                "19",
                "Phường Đức Xuân",
                "",
                OrganisationKind.PEOPLES_COMMITTEE.label,
                OrganisationLevel.COMMUNE.label,
                "01/07/2025",
                "",
                "01834",
            ],
            [
                "01840-T15",
                "01840",
                "Tổ dân phố 15",
                "Tổ 15",
                OrganisationKind.RESIDENTIAL_AREA.label,
                OrganisationLevel.RESIDENTIAL.label,
                "",
                "",
                "",
            ],
        ],
        widths=dict(zip(COLUMNS, (14, 18, 34, 14, 30, 30, 16, 16, 26), strict=True)),
        lists={
            "kind": ("Loại hình", [label for _, label in OrganisationKind.choices]),
            "level": ("Cấp", [label for _, label in OrganisationLevel.choices]),
        },
    )
