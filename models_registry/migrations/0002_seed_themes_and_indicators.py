"""Seed the theme list and the result-indicator catalogue; admins edit both afterwards."""

from django.db import migrations

THEMES = [
    "Xây dựng nông thôn mới, đô thị văn minh",
    "Giảm nghèo bền vững",
    "Bảo vệ môi trường",
    "An ninh trật tự",
    "Dân vận chính quyền, cải cách hành chính",
    "Vùng đồng bào dân tộc thiểu số",
    "Tôn giáo",
    "Chuyển đổi số (Dân vận số)",
    "Giải phóng mặt bằng",
    "Phát triển kinh tế hộ gia đình",
    "Xây dựng Đảng, hệ thống chính trị",
    "An sinh xã hội",
]

INDICATORS = [
    ("participants", "Số người tham gia", "người"),
    ("households", "Số hộ được hưởng lợi, tham gia", "hộ"),
    ("workdays", "Ngày công đóng góp", "ngày công"),
    ("funds", "Kinh phí huy động", "đồng"),
    ("land_donated", "Diện tích đất hiến", "m²"),
    ("road_built", "Đường giao thông làm mới, bê tông hóa", "m"),
    ("cameras", "Camera an ninh lắp đặt", "chiếc"),
    ("trees_planted", "Cây xanh trồng mới", "cây"),
    ("poor_households_escaped", "Hộ thoát nghèo", "hộ"),
    ("feedback_handled", "Ý kiến, kiến nghị được giải quyết", "ý kiến"),
]


def seed(apps, schema_editor):
    Theme = apps.get_model("models_registry", "Theme")
    Indicator = apps.get_model("models_registry", "Indicator")
    for name in THEMES:
        Theme.objects.get_or_create(name=name)
    for position, (code, name, unit) in enumerate(INDICATORS, start=1):
        Indicator.objects.get_or_create(
            code=code, defaults={"name": name, "unit": unit, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("models_registry", "0001_registry_models")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
