from django.db import migrations

DEFAULT_CRITERIA = [
    ("Mục tiêu, tiêu chí rõ ràng", "Mục tiêu cụ thể, có tiêu chí đánh giá đo được.", 10),
    (
        "Có sự lãnh đạo của cấp ủy, được đăng ký xây dựng",
        "Cấp ủy chỉ đạo, chính quyền, Mặt trận, đoàn thể phối hợp; đăng ký đúng quy định.",
        15,
    ),
    (
        "Sự tham gia của nhân dân và các lực lượng",
        "Số người, số hộ, các lực lượng tham gia; vai trò của từng lực lượng.",
        20,
    ),
    (
        "Kết quả, sản phẩm đo đếm được",
        "Kết quả kiểm chứng được: ngày công, tiền, đất hiến, đường làm, hộ hưởng lợi…",
        20,
    ),
    ("Tính bền vững", "Duy trì được sau khi kết thúc hỗ trợ; có cơ chế tự quản.", 10),
    ("Khả năng nhân rộng, lan tỏa", "Đã hoặc có thể nhân rộng ra đơn vị, địa bàn khác.", 15),
    ("Sự đồng thuận của nhân dân", "Nhân dân đồng tình, hưởng ứng, hài lòng.", 10),
]


def seed(apps, schema_editor):
    Rubric = apps.get_model("reviews", "Rubric")
    RubricCriterion = apps.get_model("reviews", "RubricCriterion")
    if Rubric.objects.exists():
        return
    rubric = Rubric.objects.create(
        name="Tiêu chí thẩm định mô hình, điển hình “Dân vận khéo”", version=1, is_active=True
    )
    RubricCriterion.objects.bulk_create(
        RubricCriterion(rubric=rubric, position=index, title=title, guidance=guidance,
                        max_score=max_score)
        for index, (title, guidance, max_score) in enumerate(DEFAULT_CRITERIA, start=1)
    )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_rubrics_proposals_appraisals_rounds")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
