"""Kinds of commendation rounds, forms of commendation and what a round's event records."""

from django.db import models


class RoundKind(models.TextChoices):
    INTERIM = "interim", "Sơ kết"
    FINAL = "final", "Tổng kết"
    ANNUAL = "annual", "Hằng năm"
    AD_HOC = "ad_hoc", "Đột xuất"


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "Đang lập danh sách"
    PUBLISHED = "published", "Đã công bố"


class CommendationForm(models.TextChoices):
    """The forms a commendation takes, from the lightest to the highest."""

    PRAISE = "praise", "Biểu dương"
    CERTIFICATE = "certificate", "Giấy khen"
    MERIT = "merit", "Bằng khen"
    OTHER = "other", "Hình thức khác"


class RoundAction(models.TextChoices):
    """What a commendation round's event row records."""

    CREATED = "created", "Tạo đợt biểu dương"
    UPDATED = "updated", "Sửa thông tin đợt"
    NOMINATED = "nominated", "Đưa vào danh sách"
    CHANGED = "changed", "Sửa hình thức, nội dung khen"
    REMOVED = "removed", "Bỏ khỏi danh sách"
    DECISION = "decision", "Ghi quyết định"
    PUBLISHED = "published", "Công bố"
    CORRECTED = "corrected", "Đính chính sau công bố"
    REVOKED = "revoked", "Thu hồi sau công bố"
