"""The official provinces and communes in force since 01/07/2025, put into the tree.

The list comes from the pinned ``vietnam-provinces`` package (its data files ship in the wheel;
nothing is fetched at run time): 34 provinces and cities, 3,321 communes, wards and special
zones. Units are keyed by official code, written as the demo and the imports write them: a
province's on 2 digits ("19"), a commune's on 5 ("05503"), so units already in the tree are
matched, never duplicated. A newer package renames (or reclassifies) existing codes and adds new
ones; codes it no longer lists are reported and left alone. Each unit then gets the standard
bodies of its level (``StandardBody``) it lacks, coded "<unit code>-<suffix>".

New units go in with a few bulk inserts on computed paths (treebeard's encoding), as the
synthetic tree does; unlike it, the database triggers of the audit trail stay on, the whole load
being one ``pghistory.context`` ("official_tree" with the package version): a real tree's
history must say where each unit came from.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import pghistory
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.functions import Upper

from core.audit import acting
from organisations import services
from organisations.choices import OrganisationKind, OrganisationLevel
from organisations.letterhead import default_heading
from organisations.models import Organisation, StandardBody

ROOT_CODE = "TW"  # the national root of the demo and of production
ROOT_NAME = "Trung ương"
FIRST_DAY = date(2025, 7, 1)  # the communes of the two-tier government begin then
UNIT_KIND = OrganisationKind.PEOPLES_COMMITTEE
BATCH_SIZE = 5_000


@dataclass(frozen=True)
class OfficialUnit:
    code: str
    name: str
    level: str


@dataclass(frozen=True)
class OfficialProvince:
    unit: OfficialUnit
    communes: tuple[OfficialUnit, ...]


def package_version() -> str:
    import vietnam_provinces

    return vietnam_provinces.__version__


def official_provinces() -> list[OfficialProvince]:
    """The provinces with their communes, by code, from the package's data."""
    from vietnam_provinces import Province, VietNamDivisionType, Ward

    communes = defaultdict(list)
    for ward in Ward.iter_all():
        communes[int(ward.province_code)].append(
            OfficialUnit(f"{int(ward.code):05d}", ward.name, OrganisationLevel.COMMUNE)
        )
    provinces = []
    for province in sorted(Province.iter_all(), key=lambda p: int(p.code)):
        # The package names a province "Cao Bằng" but a city "Thành phố Hà Nội".
        name = province.name
        if province.division_type == VietNamDivisionType.TINH:
            name = f"Tỉnh {name}"
        provinces.append(
            OfficialProvince(
                OfficialUnit(f"{int(province.code):02d}", name, OrganisationLevel.PROVINCE),
                tuple(sorted(communes[int(province.code)], key=lambda unit: unit.code)),
            )
        )
    return provinces


@dataclass
class LoadReport:
    version: str
    dry_run: bool
    root_created: bool = False
    created: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # (code, old, new)
    reclassified: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    unchanged: int = 0
    bodies_created: int = 0
    bodies_present: int = 0
    no_longer_listed: list[tuple[str, str]] = field(default_factory=list)
    held_by_former_units: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return (
            int(self.root_created)
            + len(self.created)
            + len(self.renamed)
            + len(self.reclassified)
            + self.bodies_created
        )

    def lines(self) -> list[str]:
        """The report in Vietnamese, a summary line first, then what changed by name."""
        head = f"Danh mục đơn vị hành chính (gói vietnam-provinces {self.version})"
        if self.dry_run:
            head += " — chạy thử, chưa ghi gì"
        lines = [head]
        if not self.changes:
            lines.append("Không có thay đổi: cây đơn vị đã khớp với danh mục.")
        lines.append(
            f"{len(self.created)} đơn vị mới, {len(self.renamed)} đổi tên, "
            f"{len(self.reclassified)} đổi loại hình hoặc cấp, {self.unchanged} không đổi; "
            f"{self.bodies_created} tổ chức mới theo mẫu ({self.bodies_present} đã có)."
        )
        if self.root_created:
            lines.append(f"Tạo đơn vị gốc “{ROOT_NAME}” (mã {ROOT_CODE}).")
        lines += [f"Đổi tên {code}: “{old}” → “{new}”" for code, old, new in self.renamed]
        lines += [f"Đổi loại hình hoặc cấp {code}: {name}" for code, name in self.reclassified]
        lines += [
            f"Không còn trong danh mục (giữ nguyên, không xóa) {code}: {name}"
            for code, name in self.no_longer_listed
        ]
        lines += [
            f"Mã {code} đang thuộc đơn vị đã hết hiệu lực “{name}”: bỏ qua, cần xem lại"
            for code, name in self.held_by_former_units
        ]
        return lines


def load_official_tree(
    *,
    by=None,
    province: str | None = None,
    dry_run: bool = False,
) -> LoadReport:
    """Bring the tree up to the official list (one province with ``province``); a dry run
    computes the same report and writes nothing."""
    provinces = official_provinces()
    if province is not None:
        wanted = province.strip().zfill(2)
        provinces = [p for p in provinces if p.unit.code == wanted]
        if not provinces:
            raise ValidationError(f"Không có tỉnh, thành phố mã “{wanted}” trong danh mục.")
    report = LoadReport(version=package_version(), dry_run=dry_run)
    with transaction.atomic():
        # One load at a time: the paths computed below assume nobody adds children meanwhile.
        root = Organisation.objects.select_for_update().filter(code=ROOT_CODE).first()
        if root is None:
            report.root_created = True
            if dry_run:
                root = Organisation(path=_next_root_path(), depth=1, numchild=0)
            else:
                root = services.organisation_create(
                    parent=None,
                    organisation=Organisation(
                        code=ROOT_CODE,
                        name=ROOT_NAME,
                        kind=OrganisationKind.OTHER,
                        level=OrganisationLevel.CENTRAL,
                    ),
                    by=by,
                )
        with acting(by), pghistory.context(source="official_tree", version=report.version):
            _Load(root, provinces, report, dry_run, by).run(whole=province is None)
    return report


def _next_root_path() -> str:
    last = Organisation.objects.get_last_root_node()
    return _step(int(last.path, 36) + 1 if last else 1)


def _step(index: int) -> str:
    """Treebeard's path step for the ``index``-th child (1-based)."""
    alphabet = Organisation.alphabet
    digits = ""
    while index:
        index, remainder = divmod(index, len(alphabet))
        digits = alphabet[remainder] + digits
    return digits.rjust(Organisation.steplen, alphabet[0])


class _Load:
    def __init__(self, root, provinces, report, dry_run, by):
        self.root = root
        self.provinces = provinces
        self.report = report
        self.dry_run = dry_run
        self.by = by
        self.templates = defaultdict(list)
        for template in StandardBody.objects.filter(active=True):
            self.templates[template.level].append(template)
        self.new_rows: list[Organisation] = []
        self.new_children: dict[str, int] = defaultdict(int)  # existing parent path → added
        self.next_index: dict[str, int] = {}

    def run(self, *, whole: bool) -> None:
        units = [p.unit for p in self.provinces] + [c for p in self.provinces for c in p.communes]
        codes = [unit.code for unit in units] + [
            f"{unit.code}-{template.code_suffix}"
            for unit in units
            for template in self.templates[unit.level]
        ]
        self.existing = {
            row["code_upper"]: row
            for row in Organisation.objects.annotate(code_upper=Upper("code"))
            .filter(code_upper__in=[code.upper() for code in codes])
            .values("pk", "code", "code_upper", "path", "name", "kind", "level", "valid_to")
        }
        self.stored_paths = {row["path"] for row in self.existing.values()}
        if self.root.pk is not None:
            self.stored_paths.add(self.root.path)
        self._last_children(units)
        for official in self.provinces:
            province_path = self._unit(official.unit, self.root.path)
            if province_path is None:
                continue
            for commune in official.communes:
                self._unit(commune, province_path)
        self._no_longer_listed(whole)
        if not self.dry_run:
            self._write()

    def _last_children(self, units) -> None:
        """Where the next child of each existing unit goes: after its last child's path."""
        parents = [self.root.path] + [
            self.existing[unit.code]["path"] for unit in units if unit.code in self.existing
        ]
        self.next_index = dict.fromkeys(parents, 1)
        if self.root.pk is None:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT left(path, -%s), max(right(path, %s))
                FROM {Organisation._meta.db_table}
                WHERE depth > 1 AND left(path, -%s) = ANY(%s)
                GROUP BY 1
                """,
                [Organisation.steplen] * 3 + [parents],
            )
            for parent, last in cursor.fetchall():
                self.next_index[parent] = int(last, 36) + 1

    def _child_path(self, parent_path: str, *, existing_parent: bool) -> str:
        index = self.next_index.get(parent_path, 1)
        self.next_index[parent_path] = index + 1
        if existing_parent:
            self.new_children[parent_path] += 1
        return parent_path + _step(index)

    def _unit(self, official: OfficialUnit, parent_path: str) -> str | None:
        """Match or add one official unit, then its bodies; its path, None when skipped."""
        row = self.existing.get(official.code)
        if row is not None and row["valid_to"] is not None:
            self.report.held_by_former_units.append((row["code"], row["name"]))
            return None
        if row is None:
            path = self._child_path(parent_path, existing_parent=parent_path in self.stored_paths)
            self.report.created.append((official.code, official.name))
            self._add(
                path,
                official.name,
                UNIT_KIND,
                official.level,
                official.code,
                FIRST_DAY if official.level == OrganisationLevel.COMMUNE else None,
            )
            stored = False
        else:
            path = row["path"]
            stored = True
            self._match(row, official)
        for template in self.templates[official.level]:
            code = f"{official.code}-{template.code_suffix}"
            if code.upper() in self.existing:
                self.report.bodies_present += 1
                continue
            self.report.bodies_created += 1
            self._add(
                self._child_path(path, existing_parent=stored),
                template.body_name(official.name),
                template.kind,
                official.level,
                code,
                None,
            )
        return path

    def _match(self, row, official: OfficialUnit) -> None:
        changed = {}
        if row["name"] != official.name:
            changed["name"] = official.name
            self.report.renamed.append((official.code, row["name"], official.name))
        if row["kind"] != UNIT_KIND or row["level"] != official.level:
            changed.update(kind=UNIT_KIND, level=official.level)
            self.report.reclassified.append((official.code, official.name))
        if not changed:
            self.report.unchanged += 1
        elif not self.dry_run:
            services.organisation_update(
                organisation=Organisation(pk=row["pk"]), by=self.by, **changed
            )

    def _add(self, path, name, kind, level, code, valid_from) -> None:
        self.new_rows.append(
            Organisation(
                path=path,
                depth=len(path) // Organisation.steplen,
                numchild=0,
                name=name,
                kind=kind,
                level=level,
                code=code,
                valid_from=valid_from,
                document_heading=default_heading(kind, name),
            )
        )

    def _no_longer_listed(self, whole: bool) -> None:
        """Current units with official-looking codes the package no longer lists."""
        if self.root.pk is None:
            return
        listed = {p.unit.code for p in self.provinces} | {
            c.code for p in self.provinces for c in p.communes
        }
        current = Organisation.objects.filter(valid_to__isnull=True)
        communes = current.filter(level=OrganisationLevel.COMMUNE, code__regex=r"^[0-9]{5}$")
        if whole:
            provinces = current.filter(
                level=OrganisationLevel.PROVINCE,
                code__regex=r"^[0-9]{2}$",
                path__startswith=self.root.path,
            )
            found = list(provinces.values_list("code", "name"))
            communes = communes.filter(path__startswith=self.root.path)
        else:
            found = []
            province_row = self.existing.get(self.provinces[0].unit.code)
            if province_row is None:
                return
            communes = communes.filter(path__startswith=province_row["path"])
        found += communes.values_list("code", "name")
        self.report.no_longer_listed = sorted(
            (code, name) for code, name in found if code not in listed
        )

    def _write(self) -> None:
        # numchild of every new unit: its new children; of the stored ones: added to.
        children = defaultdict(int)
        for row in self.new_rows:
            children[row.path[: -Organisation.steplen]] += 1
        for row in self.new_rows:
            row.numchild = children[row.path]
        self.new_rows.sort(key=lambda row: row.path)
        Organisation.objects.bulk_create(self.new_rows, batch_size=BATCH_SIZE)
        if self.new_children:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""
                    UPDATE {Organisation._meta.db_table} AS o SET numchild = o.numchild + a.added
                    FROM unnest(%s::text[], %s::int[]) AS a(path, added)
                    WHERE o.path = a.path
                    """,
                    [list(self.new_children), list(self.new_children.values())],
                )
