"""A realistic national organisation tree, bulk-loaded, for benchmarks and load tests.

Shape (two-tier local government since 01/07/2025): one central root, 34 provinces, ~3,321
communes and wards directly under them, each commune with its mass organisations and residential
areas; each province with its mass-mobilisation bodies. The tree keeps what was there before,
as the portal does: 29 former provinces merged into 23 of the current ones, and ~700 former
districts holding ~10,000 former communes (with their bodies and residential areas), all ending
on 30/06/2025, under the province they belonged to. Each current commune begins on 01/07/2025 and
is merged from 2–4 former communes, some of them across former district lines.

Paths are computed here (the same encoding treebeard uses) so the whole tree goes in with a few
bulk inserts instead of one insert per node; so do the merger links.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import pgtrigger
from django.db import connection, transaction

from organisations.choices import OrganisationKind, OrganisationLevel
from organisations.models import Organisation

PROVINCES = 34
COMMUNES = 3321
# The 2025 reform: 63 provinces became 34 (23 of them by absorbing the other 29), 696 districts
# were abolished, ~10,000 communes became 3,321.
FORMER_PROVINCES_PER_PROVINCE = 29 / 34
ABSORBING_PER_PROVINCE = 23 / 34
FORMER_DISTRICTS_PER_COMMUNE = 696 / 3321
PREDECESSOR_WEIGHTS = {2: 3, 3: 4, 4: 3}  # how many former communes make a current one
ACROSS_DISTRICTS = 0.3  # current communes that take a former commune of a neighbouring district
LAST_FORMER_DAY = date(2025, 6, 30)
FIRST_NEW_DAY = date(2025, 7, 1)
# Codes of generated units start with this, so a later run finds the tree it made before.
CODE_PREFIX = "SYN"
PROVINCE_BODIES = [
    ("Ban Tuyên giáo và Dân vận Tỉnh ủy", OrganisationKind.PARTY_COMMITTEE),
    ("Ủy ban MTTQ Việt Nam tỉnh", OrganisationKind.FATHERLAND_FRONT),
    ("Hội Liên hiệp Phụ nữ tỉnh", OrganisationKind.WOMENS_UNION),
    ("Hội Nông dân tỉnh", OrganisationKind.FARMERS_UNION),
    ("Hội Cựu chiến binh tỉnh", OrganisationKind.VETERANS_ASSOCIATION),
    ("Tỉnh Đoàn", OrganisationKind.YOUTH_UNION),
    ("Liên đoàn Lao động tỉnh", OrganisationKind.TRADE_UNION),
]
FORMER_PROVINCE_BODIES = [("Ban Dân vận Tỉnh ủy", OrganisationKind.PARTY_COMMITTEE)]
# A former commune keeps the bodies that registered most of its models.
FORMER_COMMUNE_BODIES = [
    ("Ủy ban MTTQ Việt Nam", OrganisationKind.FATHERLAND_FRONT),
    ("Hội Nông dân", OrganisationKind.FARMERS_UNION),
]
COMMUNE_BODIES = [
    ("Đảng ủy", OrganisationKind.PARTY_COMMITTEE),
    ("Ủy ban MTTQ Việt Nam", OrganisationKind.FATHERLAND_FRONT),
    ("Hội Liên hiệp Phụ nữ", OrganisationKind.WOMENS_UNION),
    ("Hội Nông dân", OrganisationKind.FARMERS_UNION),
    ("Đoàn Thanh niên", OrganisationKind.YOUTH_UNION),
]
SYLLABLES = [
    "An",
    "Bình",
    "Châu",
    "Đông",
    "Đức",
    "Giang",
    "Hà",
    "Hải",
    "Hòa",
    "Hồng",
    "Hưng",
    "Khánh",
    "Lâm",
    "Lạc",
    "Long",
    "Minh",
    "Nam",
    "Ninh",
    "Phong",
    "Phú",
    "Phúc",
    "Quang",
    "Sơn",
    "Tân",
    "Thạnh",
    "Thành",
    "Thịnh",
    "Thuận",
    "Tiến",
    "Trung",
    "Vĩnh",
    "Xuân",
    "Yên",
    "Kim",
    "Mỹ",
    "Lợi",
    "Tường",
]
PROVINCE_NAMES = [
    "Hà Nội",
    "Huế",
    "Lai Châu",
    "Điện Biên",
    "Sơn La",
    "Lạng Sơn",
    "Quảng Ninh",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Cao Bằng",
    "Tuyên Quang",
    "Lào Cai",
    "Thái Nguyên",
    "Phú Thọ",
    "Bắc Ninh",
    "Hưng Yên",
    "Hải Phòng",
    "Ninh Bình",
    "Quảng Trị",
    "Đà Nẵng",
    "Quảng Ngãi",
    "Gia Lai",
    "Khánh Hòa",
    "Lâm Đồng",
    "Đắk Lắk",
    "Hồ Chí Minh",
    "Đồng Nai",
    "Tây Ninh",
    "Cần Thơ",
    "Vĩnh Long",
    "Đồng Tháp",
    "Cà Mau",
    "An Giang",
]


# The provinces that were merged into others in 2025.
FORMER_PROVINCE_NAMES = [
    "Bắc Kạn",
    "Hòa Bình",
    "Vĩnh Phúc",
    "Hà Giang",
    "Yên Bái",
    "Bắc Giang",
    "Hải Dương",
    "Thái Bình",
    "Hà Nam",
    "Nam Định",
    "Quảng Bình",
    "Quảng Nam",
    "Kon Tum",
    "Bình Định",
    "Phú Yên",
    "Ninh Thuận",
    "Đắk Nông",
    "Bình Thuận",
    "Bà Rịa – Vũng Tàu",
    "Bình Dương",
    "Bình Phước",
    "Long An",
    "Tiền Giang",
    "Bến Tre",
    "Trà Vinh",
    "Sóc Trăng",
    "Hậu Giang",
    "Bạc Liêu",
    "Kiên Giang",
]


@dataclass
class GeneratedTree:
    organisations: int
    provinces: list[int]  # primary keys of the current provinces
    communes: list[int]  # and of the current communes
    former_provinces: int = 0
    former_districts: int = 0
    former_communes: int = 0
    mergers: int = 0  # merger links, provinces' and communes'


def _step(index: int) -> str:
    """Treebeard's path step for the ``index``-th child (1-based), base 36 on 4 characters."""
    alphabet = Organisation.alphabet
    digits = ""
    value = index
    while value:
        value, remainder = divmod(value, len(alphabet))
        digits = alphabet[remainder] + digits
    return digits.rjust(Organisation.steplen, alphabet[0])


def place_name(rng: random.Random) -> str:
    """A two-syllable Vietnamese place name, e.g. "Tân Hòa"."""
    return f"{rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}"


def find_synthetic_root() -> Organisation | None:
    """The root of a tree generated earlier in this database, if there is one."""
    return (
        Organisation.objects.filter(code__startswith=CODE_PREFIX, depth=1).order_by("path").first()
    )


def describe_tree(root: Organisation) -> GeneratedTree:
    """Size, provinces and communes (current and former) of the generated tree under ``root``."""
    subtree = Organisation.objects.filter(path__startswith=root.path)
    current = subtree.filter(valid_to__isnull=True)
    former = subtree.filter(valid_to__isnull=False)
    return GeneratedTree(
        organisations=subtree.count(),
        provinces=list(
            current.filter(depth=root.depth + 1).order_by("path").values_list("pk", flat=True)
        ),
        communes=list(
            current.filter(level=OrganisationLevel.COMMUNE, depth=root.depth + 2)
            .order_by("path")
            .values_list("pk", flat=True)
        ),
        former_provinces=former.filter(depth=root.depth + 1).count(),
        former_districts=former.filter(
            level=OrganisationLevel.DISTRICT, kind=OrganisationKind.PEOPLES_COMMITTEE
        ).count(),
        former_communes=former.filter(
            level=OrganisationLevel.COMMUNE, kind=OrganisationKind.PEOPLES_COMMITTEE
        ).count(),
        mergers=Organisation.merged_from.through.objects.filter(
            from_organisation__path__startswith=root.path
        ).count(),
    )


def _insert(rows: list[Organisation]) -> None:
    # Made-up units are nobody's change: the audit trail's triggers skip them, or the history
    # table would hold a second copy of the whole national tree.
    with pgtrigger.ignore():
        Organisation.objects.bulk_create(rows, batch_size=5_000)


def ensure_organisation_tree(target: int, *, seed: int = 2025) -> tuple[GeneratedTree, bool]:
    """The generated tree of this database, made first if missing; ``True`` when just made."""
    root = find_synthetic_root()
    if root is not None:
        return describe_tree(root), False
    return generate_organisation_tree(target, seed=seed), True


@dataclass
class _Part:
    """A former province's share of a current one (or the current province's own former part):
    its former districts, each a list of former communes ``(name, code)``."""

    name: str
    number: int  # its place under the root (today's provinces first)
    districts: list[list[tuple[str, str]]]


@transaction.atomic
def generate_organisation_tree(
    target: int, *, seed: int = 2025, provinces: int = PROVINCES, communes: int = COMMUNES
) -> GeneratedTree:
    """Add about ``target`` organisations under a new root "Toàn quốc (dữ liệu mẫu)".

    ``provinces`` and ``communes`` are the national figures of today; tests pass smaller ones.
    The former provinces, districts and communes are in proportion to them.
    """
    rng = random.Random(seed)
    last_root = Organisation.objects.get_last_root_node()
    # Paths are base-36 numerals, so the next root follows the last one.
    root_index = int(last_root.path, 36) + 1 if last_root else 1
    root_path = _step(root_index)
    prefix = f"{CODE_PREFIX}{root_index}"

    communes_per_province = [communes // provinces] * provinces
    for index in range(communes % provinces):
        communes_per_province[index] += 1
    former_count = int(provinces * FORMER_PROVINCES_PER_PROVINCE)
    absorbing = max(1, min(former_count, int(provinces * ABSORBING_PER_PROVINCE)))
    # Former province i went into current province absorbed_by[i].
    absorbed_by = [i % absorbing for i in range(former_count)]
    sizes = list(PREDECESSOR_WEIGHTS)
    size_weights = list(PREDECESSOR_WEIGHTS.values())
    predecessor_counts = [
        [rng.choices(sizes, size_weights)[0] for _ in range(count)]
        for count in communes_per_province
    ]
    former_communes = sum(map(sum, predecessor_counts))
    fixed = (
        1
        + provinces * (1 + len(PROVINCE_BODIES))
        + communes * (1 + len(COMMUNE_BODIES))
        + former_count * (1 + len(FORMER_PROVINCE_BODIES))
        + round(communes * FORMER_DISTRICTS_PER_COMMUNE)
        + former_communes * (1 + len(FORMER_COMMUNE_BODIES))
    )
    # The residential areas share what is left: half under today's communes, half (several
    # fewer each) under the former ones; at least one each, so every commune has one.
    left = max(0, target - fixed)
    areas_per_commune = max(1, left // 2 // communes)
    areas_per_former_commune = max(1, left // 2 // max(1, former_communes))

    rows: list[Organisation] = []
    links: list[tuple[str, str]] = []  # (successor code, predecessor code)

    def add(path, name, kind, level, numchild, code=None, *, former=False, new=False):
        rows.append(
            Organisation(
                path=path,
                depth=len(path) // Organisation.steplen,
                numchild=numchild,
                name=f"{name} (cũ)" if former else name,
                kind=kind,
                level=level,
                code=code,
                valid_from=FIRST_NEW_DAY if new else None,
                valid_to=LAST_FORMER_DAY if former else None,
            )
        )

    def add_district(path, district, number, name):
        add(
            path,
            name,
            OrganisationKind.PEOPLES_COMMITTEE,
            OrganisationLevel.DISTRICT,
            len(district),
            f"{prefix}-H{number:03d}",
            former=True,
        )
        for index, (commune_name, code) in enumerate(district, start=1):
            commune_path = path + _step(index)
            add(
                commune_path,
                commune_name,
                OrganisationKind.PEOPLES_COMMITTEE,
                OrganisationLevel.COMMUNE,
                len(FORMER_COMMUNE_BODIES) + areas_per_former_commune,
                code,
                former=True,
            )
            _add_commune_children(
                add,
                commune_path,
                commune_name,
                FORMER_COMMUNE_BODIES,
                areas_per_former_commune,
                former=True,
            )

    parts_of: list[list[_Part]] = [[] for _ in range(provinces)]
    province_names = [PROVINCE_NAMES[i % len(PROVINCE_NAMES)] for i in range(provinces)]
    former_names = [
        FORMER_PROVINCE_NAMES[i % len(FORMER_PROVINCE_NAMES)] for i in range(former_count)
    ]
    for p_index in range(provinces):
        parts_of[p_index].append(_Part(province_names[p_index], p_index + 1, []))
    former_parts = []
    for f_index, p_index in enumerate(absorbed_by):
        former_parts.append(_Part(former_names[f_index], provinces + 1 + f_index, []))
        parts_of[p_index].append(former_parts[-1])

    commune_number = former_number = district_number = 0
    for p_index in range(provinces):
        province_path = root_path + _step(p_index + 1)
        province_name = province_names[p_index]
        parts = parts_of[p_index]
        commune_count = communes_per_province[p_index]
        # Today's communes are made from the former ones of each part in turn, district by
        # district; a share of them also take one of the next district's.
        groups = []
        for _ in range(commune_count):
            commune_number += 1
            kind_prefix = "Phường" if rng.random() < 0.3 else "Xã"
            groups.append(
                (
                    f"{kind_prefix} {place_name(rng)} {commune_number}",
                    f"{prefix}-X{commune_number:05d}",
                )
            )
        per_part = [len(range(i, commune_count, len(parts))) for i in range(len(parts))]
        start = 0
        for part, count in zip(parts, per_part, strict=True):
            mine = groups[start : start + count]
            sizes_here = predecessor_counts[p_index][start : start + count]
            start += count
            if not mine:
                continue
            district_count = max(min(2, count), round(count * FORMER_DISTRICTS_PER_COMMUNE))
            part.districts = [[] for _ in range(district_count)]
            for g_index, ((_, successor), size) in enumerate(zip(mine, sizes_here, strict=True)):
                home = g_index * district_count // count
                across = district_count > 1 and rng.random() < ACROSS_DISTRICTS
                for member in range(size):
                    former_number += 1
                    district = home
                    if across and member == size - 1:
                        district = (home + 1) % district_count
                    kind_prefix = "Phường" if rng.random() < 0.25 else "Xã"
                    code = f"{prefix}-C{former_number:05d}"
                    part.districts[district].append(
                        (f"{kind_prefix} {place_name(rng)} {former_number}", code)
                    )
                    links.append((successor, code))
        own = parts[0]
        add(
            province_path,
            f"Tỉnh {province_name} (mẫu)",
            OrganisationKind.PEOPLES_COMMITTEE,
            OrganisationLevel.PROVINCE,
            len(PROVINCE_BODIES) + commune_count + len(own.districts),
            f"{prefix}-{p_index + 1:02d}",
        )
        for b_index, (body, kind) in enumerate(PROVINCE_BODIES, start=1):
            add(
                province_path + _step(b_index),
                f"{body} {province_name}",
                kind,
                OrganisationLevel.PROVINCE,
                0,
            )
        for c_index, (commune_name, code) in enumerate(groups):
            commune_path = province_path + _step(len(PROVINCE_BODIES) + c_index + 1)
            add(
                commune_path,
                commune_name,
                OrganisationKind.PEOPLES_COMMITTEE,
                OrganisationLevel.COMMUNE,
                len(COMMUNE_BODIES) + areas_per_commune,
                code,
                new=True,
            )
            _add_commune_children(
                add, commune_path, commune_name, COMMUNE_BODIES, areas_per_commune
            )
        for d_index, district in enumerate(own.districts, start=1):
            district_number += 1
            add_district(
                province_path + _step(len(PROVINCE_BODIES) + commune_count + d_index),
                district,
                district_number,
                f"Huyện {place_name(rng)} {district_number}",
            )
        for part in parts[1:]:
            links.append((f"{prefix}-{p_index + 1:02d}", f"{prefix}-{part.number:02d}"))
        if len(rows) >= 20_000:
            _insert(rows)
            rows.clear()

    # The former provinces follow today's under the root, each with its own districts.
    for part in former_parts:
        number = part.number
        province_path = root_path + _step(number)
        add(
            province_path,
            f"Tỉnh {part.name} (mẫu)",
            OrganisationKind.PEOPLES_COMMITTEE,
            OrganisationLevel.PROVINCE,
            len(FORMER_PROVINCE_BODIES) + len(part.districts),
            f"{prefix}-{number:02d}",
            former=True,
        )
        for b_index, (body, kind) in enumerate(FORMER_PROVINCE_BODIES, start=1):
            add(
                province_path + _step(b_index),
                f"{body} {part.name}",
                kind,
                OrganisationLevel.PROVINCE,
                0,
                former=True,
            )
        for d_index, district in enumerate(part.districts, start=1):
            district_number += 1
            add_district(
                province_path + _step(len(FORMER_PROVINCE_BODIES) + d_index),
                district,
                district_number,
                f"Huyện {place_name(rng)} {district_number}",
            )
        if len(rows) >= 20_000:
            _insert(rows)
            rows.clear()

    add(
        root_path,
        "Toàn quốc (dữ liệu mẫu)",
        OrganisationKind.OTHER,
        OrganisationLevel.CENTRAL,
        provinces + former_count,
        prefix,
    )
    _insert(rows)
    _insert_links(root_path, links)

    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Organisation._meta.db_table}")
        cursor.execute(f"ANALYZE {Organisation.merged_from.through._meta.db_table}")
    return describe_tree(Organisation.objects.get(path=root_path))


def _add_commune_children(add, commune_path, commune_name, bodies, areas, *, former=False):
    """A commune's mass organisations, then its residential areas."""
    for b_index, (body, kind) in enumerate(bodies, start=1):
        add(
            commune_path + _step(b_index),
            f"{body} {commune_name.lower()}",
            kind,
            OrganisationLevel.COMMUNE,
            0,
            former=former,
        )
    label = "Tổ dân phố" if commune_name.startswith("Phường") else "Thôn"
    for r_index in range(areas):
        add(
            commune_path + _step(len(bodies) + r_index + 1),
            f"{label} {r_index + 1}",
            OrganisationKind.RESIDENTIAL_AREA,
            OrganisationLevel.RESIDENTIAL,
            0,
            former=former,
        )


def _insert_links(root_path: str, links: list[tuple[str, str]]) -> None:
    """Bulk-insert the merger links ``(successor code, predecessor code)`` of the new tree."""
    ids = dict(
        Organisation.objects.filter(path__startswith=root_path, code__isnull=False).values_list(
            "code", "pk"
        )
    )
    through = Organisation.merged_from.through
    rows = [
        through(from_organisation_id=ids[successor], to_organisation_id=ids[predecessor])
        for successor, predecessor in links
    ]
    # Like the units, made-up links are nobody's change: no audit trail.
    with pgtrigger.ignore():
        through.objects.bulk_create(rows, batch_size=10_000)
