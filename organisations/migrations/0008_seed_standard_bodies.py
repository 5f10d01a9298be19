"""The default bodies of every province and commune, which the national admin can edit."""

from django.db import migrations

# (level, code suffix, name pattern, kind, active)
DEFAULTS = [
    ("province", "DU", "Đảng bộ {ten_don_vi}", "party_committee", True),
    ("province", "UBND", "Ủy ban nhân dân {ten_don_vi}", "peoples_committee", True),
    ("province", "MTTQ", "Ủy ban MTTQ Việt Nam {ten_don_vi}", "fatherland_front", True),
    ("province", "DTN", "Đoàn Thanh niên {ten_don_vi}", "youth_union", True),
    ("province", "HLHPN", "Hội Liên hiệp Phụ nữ {ten_don_vi}", "womens_union", True),
    ("province", "HND", "Hội Nông dân {ten_don_vi}", "farmers_union", True),
    ("province", "HCCB", "Hội Cựu chiến binh {ten_don_vi}", "veterans_association", True),
    ("province", "LDLD", "Liên đoàn Lao động {ten_don_vi}", "trade_union", True),
    ("commune", "DU", "Đảng ủy {ten_don_vi}", "party_committee", True),
    ("commune", "UBND", "Ủy ban nhân dân {ten_don_vi}", "peoples_committee", True),
    ("commune", "MTTQ", "Ủy ban MTTQ Việt Nam {ten_don_vi}", "fatherland_front", True),
    ("commune", "DTN", "Đoàn Thanh niên {ten_don_vi}", "youth_union", True),
    ("commune", "HLHPN", "Hội Liên hiệp Phụ nữ {ten_don_vi}", "womens_union", True),
    ("commune", "HND", "Hội Nông dân {ten_don_vi}", "farmers_union", True),
    ("commune", "HCCB", "Hội Cựu chiến binh {ten_don_vi}", "veterans_association", True),
    # Not every commune has a trade union of its own: switched on where the province wants it.
    ("commune", "CD", "Công đoàn {ten_don_vi}", "trade_union", False),
]


def seed(apps, schema_editor):
    StandardBody = apps.get_model("organisations", "StandardBody")
    for position, (level, suffix, pattern, kind, active) in enumerate(DEFAULTS, start=1):
        StandardBody.objects.get_or_create(
            level=level,
            code_suffix=suffix,
            defaults={
                "name_pattern": pattern,
                "kind": kind,
                "active": active,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("organisations", "0007_standard_bodies")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
