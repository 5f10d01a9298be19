"""Appraisal rubrics, proposals for recognition and their score sheets, commendation rounds."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from core.audit import audited
from core.date_range import DATE_RANGE_MESSAGE, dates_in_range, validate_date_range
from core.models import TimeStampedModel
from core.storage import private_storage
from models_registry.models import DanVanModel, ResultReport
from organisations.choices import DocumentHeading, SigningCapacity
from organisations.models import Organisation
from reviews.choices import CommendationForm, RoundAction, RoundKind, RoundStatus
from reviews.classification import LABEL_MAX_LENGTH
from reviews.querysets import (
    CommendationQuerySet,
    CommendationRoundQuerySet,
    ProposalQuerySet,
    RubricQuerySet,
)


@audited("RubricHistory")
class Rubric(models.Model):
    """A version of the appraisal rubric; once used by a score sheet it never changes."""

    name = models.CharField("tên bộ tiêu chí", max_length=200)
    version = models.PositiveIntegerField("phiên bản", unique=True)
    is_active = models.BooleanField(
        "đang áp dụng",
        default=False,
        help_text="Chỉ một phiên bản được áp dụng cho các lần chấm điểm mới.",
    )
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    objects = RubricQuerySet.as_manager()

    class Meta:
        verbose_name = "bộ tiêu chí thẩm định"
        verbose_name_plural = "bộ tiêu chí thẩm định"
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="rubric_one_active",
                violation_error_message="Chỉ được áp dụng một bộ tiêu chí tại một thời điểm.",
            ),
        ]

    def __str__(self):
        return f"{self.name} (phiên bản {self.version})"

    def get_absolute_url(self):
        return reverse("admin:reviews_rubric_change", args=[self.pk])

    @property
    def max_total(self) -> int:
        return sum(criterion.max_score for criterion in self.criteria.all())


@audited("RubricCriterionHistory")
class RubricCriterion(models.Model):
    """One criterion of a rubric version and the most points it can give."""

    rubric = models.ForeignKey(
        Rubric, on_delete=models.CASCADE, related_name="criteria", verbose_name="bộ tiêu chí"
    )
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    title = models.CharField("tiêu chí", max_length=300)
    guidance = models.TextField("hướng dẫn chấm", blank=True)
    max_score = models.PositiveSmallIntegerField("điểm tối đa", validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = "tiêu chí"
        verbose_name_plural = "tiêu chí"
        ordering = ["rubric", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rubric", "title"],
                name="rubriccriterion_unique_title",
                violation_error_message="Bộ tiêu chí đã có tiêu chí này.",
            ),
            models.CheckConstraint(
                condition=Q(max_score__gte=1), name="rubriccriterion_max_score_positive"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.max_score} điểm)"

    def get_absolute_url(self):
        return self.rubric.get_absolute_url()


@audited("RubricBandHistory")
class RubricBand(models.Model):
    """One classification band of a rubric version: a label and the lowest total it takes."""

    rubric = models.ForeignKey(
        Rubric, on_delete=models.CASCADE, related_name="bands", verbose_name="bộ tiêu chí"
    )
    label = models.CharField("xếp loại", max_length=LABEL_MAX_LENGTH)
    min_score = models.PositiveSmallIntegerField(
        "từ điểm", help_text="Tổng điểm thấp nhất được xếp loại này; mức thấp nhất từ 0 điểm."
    )

    class Meta:
        verbose_name = "mức xếp loại"
        verbose_name_plural = "mức xếp loại"
        ordering = ["rubric", "-min_score"]
        constraints = [
            models.UniqueConstraint(
                fields=["rubric", "min_score"],
                name="rubricband_unique_threshold",
                violation_error_message="Hai mức xếp loại không được có cùng điểm từ.",
            ),
            models.UniqueConstraint(
                fields=["rubric", "label"],
                name="rubricband_unique_label",
                violation_error_message="Bộ tiêu chí đã có mức xếp loại này.",
            ),
        ]

    def __str__(self):
        return f"{self.label} (từ {self.min_score} điểm)"

    def get_absolute_url(self):
        return self.rubric.get_absolute_url()


class Proposal(models.Model):
    """A cadre's proposal that an accepted model be recognised, with the results it rests on.

    It stays open while the model is proposed; appraisals belong to it, and the conclusion
    closes it. A model proposed again (after more evidence) starts a new proposal.
    """

    model = models.ForeignKey(
        DanVanModel,
        on_delete=models.CASCADE,
        related_name="proposals",
        verbose_name="mô hình, điển hình",
    )
    note = models.TextField("thuyết minh đề nghị", blank=True)
    result_reports = models.ManyToManyField(
        ResultReport, blank=True, related_name="proposals", verbose_name="báo cáo kết quả kèm theo"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="người đề nghị",
    )
    created_at = models.DateTimeField("thời điểm đề nghị", auto_now_add=True)
    closed_at = models.DateTimeField("thời điểm kết luận", null=True, blank=True)
    outcome = models.CharField("kết luận", max_length=32, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = "đề nghị công nhận"
        verbose_name_plural = "đề nghị công nhận"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["model"],
                condition=Q(closed_at__isnull=True),
                name="proposal_one_open_per_model",
                violation_error_message="Mô hình này đang có một đề nghị công nhận chưa kết luận.",
            ),
        ]

    def __str__(self):
        return f"Đề nghị công nhận “{self.model}” ({timezone.localtime(self.created_at):%d/%m/%Y})"

    def get_absolute_url(self):
        return f"{self.model.get_absolute_url()}#tham-dinh"


@audited("AppraisalHistory")
class Appraisal(TimeStampedModel):
    """One reviewer's score sheet for one proposal, on the rubric version then in force."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="appraisals", verbose_name="đề nghị"
    )
    rubric = models.ForeignKey(
        Rubric, on_delete=models.PROTECT, related_name="appraisals", verbose_name="bộ tiêu chí"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appraisals",
        verbose_name="người chấm",
    )
    comment = models.TextField("nhận xét", blank=True)
    total = models.PositiveIntegerField("tổng điểm", default=0)

    class Meta:
        verbose_name = "phiếu chấm điểm"
        verbose_name_plural = "phiếu chấm điểm"
        ordering = ["proposal", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reviewer"],
                name="appraisal_one_per_reviewer",
                violation_error_message="Mỗi cán bộ chỉ có một phiếu chấm cho một lần đề nghị.",
            ),
        ]

    def __str__(self):
        return f"Phiếu chấm của {self.reviewer} – {self.total} điểm"

    def get_absolute_url(self):
        return self.proposal.get_absolute_url()


@audited("AppraisalScoreHistory")
class AppraisalScore(models.Model):
    """The points one criterion got on one score sheet."""

    appraisal = models.ForeignKey(
        Appraisal, on_delete=models.CASCADE, related_name="scores", verbose_name="phiếu chấm"
    )
    criterion = models.ForeignKey(
        RubricCriterion, on_delete=models.PROTECT, related_name="+", verbose_name="tiêu chí"
    )
    score = models.PositiveSmallIntegerField("điểm")

    class Meta:
        verbose_name = "điểm tiêu chí"
        verbose_name_plural = "điểm tiêu chí"
        ordering = ["appraisal", "criterion__position", "criterion__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "criterion"], name="appraisalscore_one_per_criterion"
            ),
        ]

    def __str__(self):
        return f"{self.criterion.title}: {self.score}"

    def get_absolute_url(self):
        return self.appraisal.get_absolute_url()


def decision_file_path(instance, filename):
    # Never the uploader's file name on disk; the original is kept for the download.
    return f"decisions/{uuid.uuid4().hex}{instance.decision_file_extension}"


@audited("CommendationRoundHistory")
class CommendationRound(TimeStampedModel):
    """A commendation round (đợt biểu dương, khen thưởng) of an organising unit.

    Reviewers build its list while it is a draft; its decision is recorded, then it is
    published: its commendations become visible and the list is locked.
    """

    title = models.CharField("tên đợt", max_length=300)
    kind = models.CharField("loại đợt", max_length=16, choices=RoundKind)
    period_start = models.DateField("từ ngày", validators=[validate_date_range])
    period_end = models.DateField("đến ngày", validators=[validate_date_range])
    organising_unit = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="commendation_rounds",
        verbose_name="đơn vị tổ chức",
    )
    held_on = models.DateField("ngày tổ chức", validators=[validate_date_range])
    status = models.CharField(
        "trạng thái", max_length=16, choices=RoundStatus, default=RoundStatus.DRAFT
    )
    decision_number = models.CharField("số quyết định", max_length=100, blank=True)
    decision_date = models.DateField(
        "ngày quyết định", null=True, blank=True, validators=[validate_date_range]
    )
    decision_signer = models.CharField("người ký", max_length=200, blank=True)
    decision_authority = models.CharField("cơ quan ban hành", max_length=300, blank=True)
    decision_heading = models.CharField(
        "thể thức văn bản",
        max_length=8,
        choices=DocumentHeading,
        blank=True,
        help_text="Để trống thì theo tên cơ quan ban hành (Ban Thường vụ, Đảng ủy, Ban Dân vận… "
        "theo thể thức của Đảng), nếu không rõ thì theo đơn vị tổ chức.",
    )
    decision_signer_title = models.CharField(
        "chức vụ người ký", max_length=200, blank=True, help_text="Ví dụ: Phó Trưởng ban."
    )
    decision_signing_capacity = models.CharField(
        "hình thức ký",
        max_length=16,
        choices=SigningCapacity,
        blank=True,
        default=SigningCapacity.SELF,
    )
    decision_signing_for = models.CharField(
        "thay mặt, ký thay cho",
        max_length=200,
        blank=True,
        help_text="Tập thể hoặc người đứng đầu mà người ký ký thay, ví dụ: Ban Thường vụ (TM.), "
        "Trưởng ban (KT.).",
    )
    decision_file = models.FileField(
        "tệp quyết định đã ký", storage=private_storage, upload_to=decision_file_path, blank=True
    )
    decision_file_name = models.CharField("tên tệp quyết định", max_length=255, blank=True)
    decision_file_extension = models.CharField(max_length=10, blank=True, editable=False)
    is_historical = models.BooleanField(
        "đợt lịch sử",
        default=False,
        help_text="Đợt của những năm trước, nhập từ danh sách kèm theo quyết định; không bắt "
        "buộc có tệp quyết định đã ký.",
    )
    published_at = models.DateTimeField("thời điểm công bố", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người công bố",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="người tạo",
    )

    objects = CommendationRoundQuerySet.as_manager()

    class Meta:
        verbose_name = "đợt biểu dương, khen thưởng"
        verbose_name_plural = "đợt biểu dương, khen thưởng"
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="commendationround_period_ordered",
                violation_error_message="Ngày kết thúc kỳ phải sau ngày bắt đầu.",
            ),
            models.CheckConstraint(
                condition=dates_in_range("period_start", "period_end", "held_on", "decision_date"),
                name="commendationround_date_ranges",
                violation_error_message=DATE_RANGE_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(status=RoundStatus.DRAFT)
                | (~Q(decision_number="") & Q(decision_date__isnull=False)),
                name="commendationround_published_with_decision",
                violation_error_message="Đợt đã công bố phải có số và ngày quyết định.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reviews:round_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == RoundStatus.PUBLISHED


@audited("CommendationHistory")
class Commendation(TimeStampedModel):
    """One recognised model or exemplar commended in a round, with the form and the citation."""

    round = models.ForeignKey(
        CommendationRound,
        on_delete=models.CASCADE,
        related_name="commendations",
        verbose_name="đợt",
    )
    model = models.ForeignKey(
        DanVanModel,
        on_delete=models.PROTECT,
        related_name="commendations",
        verbose_name="mô hình, điển hình",
    )
    form = models.CharField("hình thức", max_length=16, choices=CommendationForm)
    citation = models.TextField("nội dung, thành tích", blank=True)
    position = models.PositiveIntegerField("số thứ tự", default=0)
    revoked_at = models.DateTimeField("thời điểm thu hồi", null=True, blank=True)
    revoked_reason = models.TextField("lý do thu hồi", blank=True)

    objects = CommendationQuerySet.as_manager()

    class Meta:
        verbose_name = "khen thưởng"
        verbose_name_plural = "khen thưởng"
        ordering = ["round", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "model"],
                name="commendation_once_per_round",
                violation_error_message="Mô hình này đã có trong danh sách của đợt.",
            ),
        ]

    def __str__(self):
        return f"{self.get_form_display()}: {self.model}"

    def get_absolute_url(self):
        return f"{self.round.get_absolute_url()}#khen-{self.pk}"


class RoundEvent(models.Model):
    """One recorded action on a round: who, when, what, why (corrections after publication too)."""

    round = models.ForeignKey(
        CommendationRound, on_delete=models.CASCADE, related_name="events", verbose_name="đợt"
    )
    action = models.CharField("hành động", max_length=16, choices=RoundAction)
    commendation = models.ForeignKey(
        Commendation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="khen thưởng",
    )
    subject = models.CharField("đối tượng", max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="người thực hiện",
    )
    reason = models.TextField("lý do, ghi chú", blank=True)
    created_at = models.DateTimeField("thời điểm", auto_now_add=True)

    class Meta:
        verbose_name = "sự kiện của đợt"
        verbose_name_plural = "sự kiện của đợt"
        ordering = ["round", "-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} – {self.round}"

    def get_absolute_url(self):
        return self.round.get_absolute_url()
