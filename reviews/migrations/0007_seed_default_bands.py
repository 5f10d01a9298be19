import math

from django.db import migrations

# As in reviews.classification.DEFAULT_BANDS when this was written (out of 100 points).
DEFAULT_BANDS = (("Xuất sắc", 90), ("Tốt", 75), ("Đạt", 50), ("Không đạt", 0))


def seed(apps, schema_editor):
    Rubric = apps.get_model("reviews", "Rubric")
    RubricBand = apps.get_model("reviews", "RubricBand")
    for rubric in Rubric.objects.prefetch_related("criteria"):
        if RubricBand.objects.filter(rubric=rubric).exists():
            continue
        max_total = sum(criterion.max_score for criterion in rubric.criteria.all())
        taken = set()
        for label, percent in DEFAULT_BANDS:
            threshold = math.ceil(percent * max_total / 100)
            if threshold not in taken:
                taken.add(threshold)
                RubricBand.objects.create(rubric=rubric, label=label, min_score=threshold)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0006_rubric_classification_bands")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
