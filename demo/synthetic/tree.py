"""A realistic national organisation tree, bulk-loaded, for benchmarks and load tests.

Shape (two-tier local government): one central root, 34 provinces, ~3,321 communes and wards,
each commune with its mass organisations and residential areas; each province with its
mass-mobilisation bodies. Paths are computed here (the same encoding treebeard uses) so the whole
tree goes in with a few bulk inserts instead of one insert per node.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pgtrigger
from django.db import connection, transaction

from organisations.choices import OrganisationKind, OrganisationLevel
from organisations.models import Organisation

PROVINCES = 34
COMMUNES = 3321
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


@dataclass
class GeneratedTree:
    organisations: int
    provinces: list[int]  # primary keys
    communes: list[int]


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
    """Size, provinces and communes of the generated tree under ``root``."""
    subtree = Organisation.objects.filter(path__startswith=root.path)
    return GeneratedTree(
        organisations=subtree.count(),
        provinces=list(
            subtree.filter(depth=root.depth + 1).order_by("path").values_list("pk", flat=True)
        ),
        communes=list(
            subtree.filter(level=OrganisationLevel.COMMUNE, depth=root.depth + 2)
            .order_by("path")
            .values_list("pk", flat=True)
        ),
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


@transaction.atomic
def generate_organisation_tree(
    target: int, *, seed: int = 2025, provinces: int = PROVINCES, communes: int = COMMUNES
) -> GeneratedTree:
    """Add about ``target`` organisations under a new root "Toàn quốc (dữ liệu mẫu)".

    ``provinces`` and ``communes`` are the national figures; tests pass smaller ones.
    """
    rng = random.Random(seed)
    fixed = 1 + provinces * (1 + len(PROVINCE_BODIES)) + communes * (1 + len(COMMUNE_BODIES))
    residential_per_commune = max(0, (target - fixed) // communes)

    last_root = Organisation.objects.get_last_root_node()
    # Paths are base-36 numerals, so the next root follows the last one.
    root_index = int(last_root.path, 36) + 1 if last_root else 1
    root_path = _step(root_index)

    rows: list[Organisation] = []

    def add(path, name, kind, level, numchild, code):
        rows.append(
            Organisation(
                path=path,
                depth=len(path) // Organisation.steplen,
                numchild=numchild,
                name=name,
                kind=kind,
                level=level,
                code=code,
            )
        )

    communes_per_province = [communes // provinces] * provinces
    for index in range(communes % provinces):
        communes_per_province[index] += 1

    add(
        root_path,
        "Toàn quốc (dữ liệu mẫu)",
        OrganisationKind.OTHER,
        OrganisationLevel.CENTRAL,
        provinces,
        f"{CODE_PREFIX}{root_index}",
    )
    commune_number = 0
    for p_index in range(provinces):
        province_path = root_path + _step(p_index + 1)
        province_name = PROVINCE_NAMES[p_index % len(PROVINCE_NAMES)]
        commune_count = communes_per_province[p_index]
        add(
            province_path,
            f"Tỉnh {province_name} (mẫu)",
            OrganisationKind.PEOPLES_COMMITTEE,
            OrganisationLevel.PROVINCE,
            len(PROVINCE_BODIES) + commune_count,
            f"{CODE_PREFIX}{root_index}-{p_index + 1:02d}",
        )
        for b_index, (body, kind) in enumerate(PROVINCE_BODIES, start=1):
            add(
                province_path + _step(b_index),
                f"{body} {province_name}",
                kind,
                OrganisationLevel.PROVINCE,
                0,
                None,
            )
        for c_index in range(commune_count):
            commune_number += 1
            commune_path = province_path + _step(len(PROVINCE_BODIES) + c_index + 1)
            prefix = "Phường" if rng.random() < 0.3 else "Xã"
            commune_name = f"{prefix} {place_name(rng)} {commune_number}"
            add(
                commune_path,
                commune_name,
                OrganisationKind.PEOPLES_COMMITTEE,
                OrganisationLevel.COMMUNE,
                len(COMMUNE_BODIES) + residential_per_commune,
                f"{CODE_PREFIX}{root_index}-X{commune_number:05d}",
            )
            for b_index, (body, kind) in enumerate(COMMUNE_BODIES, start=1):
                add(
                    commune_path + _step(b_index),
                    f"{body} {commune_name.lower()}",
                    kind,
                    OrganisationLevel.COMMUNE,
                    0,
                    None,
                )
            for r_index in range(residential_per_commune):
                label = "Tổ dân phố" if prefix == "Phường" else "Thôn"
                add(
                    commune_path + _step(len(COMMUNE_BODIES) + r_index + 1),
                    f"{label} {r_index + 1}",
                    OrganisationKind.RESIDENTIAL_AREA,
                    OrganisationLevel.RESIDENTIAL,
                    0,
                    None,
                )
        if len(rows) >= 20_000:
            _insert(rows)
            rows.clear()
    _insert(rows)

    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Organisation._meta.db_table}")
    return describe_tree(Organisation.objects.get(path=root_path))
