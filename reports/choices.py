"""Kinds of reporting periods."""

from django.db import models

from core.models import JobStatus  # noqa: F401 - a report job's progress is a background job's


class PeriodKind(models.TextChoices):
    HALF_YEAR = "half_year", "6 tháng"
    YEAR = "year", "Năm"
    PHASE = "phase", "Giai đoạn"
    CUSTOM = "custom", "Tùy chọn"


class JobKind(models.TextChoices):
    WORKBOOK = "workbook", "Tệp Excel"
    NARRATIVE = "narrative", "Dự thảo báo cáo (.docx)"
    SNAPSHOT = "snapshot", "Chốt số liệu"
