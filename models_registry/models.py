"""Registered models and exemplars, their themes, result reports, attachments and events."""

import uuid
from functools import reduce
from operator import or_

import pghistory
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Coalesce, Concat, Upper
from django.urls import reverse
from django.utils import timezone

from core.audit import audited
from core.date_range import DATE_RANGE_MESSAGE, dates_in_range, validate_date_range
from core.models import BackgroundJob, TimeStampedModel
from core.partial_dates import DatePrecision
from core.storage import private_storage
from models_registry.choices import (
    EDITABLE_STATUSES,
    QUEUE_STATUSES,
    STATUS_DATE_FIELDS,
    Actor,
    EventAction,
    ExportFormat,
    Field,
    ModelKind,
    Status,
)
from models_registry.querysets import (
    AttachmentQuerySet,
    DanVanModelQuerySet,
    ResultReportQuerySet,
    ScopedWords,
    waiting_since,
)
from organisations.models import Organisation, SearchText

# Every status timestamp, kept in the date range like the dates (imports derive them from dates).
STATUS_TIMESTAMPS = (*STATUS_DATE_FIELDS.values(), "outstanding_at")


def any_status(statuses) -> Q:
    """A partial index's condition on statuses, written as ORs: PostgreSQL prints an IN list on
    this column back in a form that reads back differently, and ``generate_data`` rebuilds the
    indexes from what it prints."""
    return reduce(or_, (Q(status=status) for status in statuses))


phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 .\-]{7,18}[0-9]$",
    "Số điện thoại chỉ gồm chữ số (có thể có dấu cách, dấu chấm), ví dụ 0912 345 678.",
)


class SimpleSearchVector(Func):
    """``to_tsvector('simple', …)``: immutable, so it can fill a stored generated column."""

    template = "to_tsvector('simple'::regconfig, %(expressions)s)"
    output_field = SearchVectorField()


class Theme(models.Model):
    """A theme (chủ đề) a model may carry, managed by admins."""

    name = models.CharField("tên chủ đề", max_length=200, unique=True)
    description = models.TextField("mô tả", blank=True)
    is_active = models.BooleanField(
        "đang dùng", default=True, help_text="Bỏ chọn để ẩn chủ đề khỏi biểu mẫu đăng ký mới."
    )

    class Meta:
        verbose_name = "chủ đề"
        verbose_name_plural = "chủ đề"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('models_registry:model_list')}?themes={self.pk}"


class Indicator(models.Model):
    """A numeric result indicator of the catalogue (participants, m² of land donated, …)."""

    code = models.SlugField("mã chỉ tiêu", max_length=50, unique=True)
    name = models.CharField("tên chỉ tiêu", max_length=200, unique=True)
    unit = models.CharField("đơn vị tính", max_length=30)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "chỉ tiêu kết quả"
        verbose_name_plural = "chỉ tiêu kết quả"
        ordering = ["position", "name"]

    def __str__(self):
        return f"{self.name} ({self.unit})"

    def get_absolute_url(self):
        return reverse("admin:models_registry_indicator_change", args=[self.pk])


@audited(
    "DanVanModelHistory",
    # Derived: the history keeps the texts themselves, and the owning unit (a move of the unit
    # in the tree rewrites ``owning_path`` without being anybody's change to the model).
    exclude=["search_vector", "owning_path"],
)
class DanVanModel(TimeStampedModel):
    """A registered model (mô hình) or exemplar (điển hình) of the movement."""

    code = models.CharField(
        "mã mô hình",
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text="Mã do đơn vị đặt (không bắt buộc); dùng để đối chiếu khi nhập từ tệp.",
    )
    name = models.CharField("tên mô hình, điển hình", max_length=500, blank=True)
    kind = models.CharField("loại", max_length=16, choices=ModelKind, default=ModelKind.MODEL)
    actor = models.CharField("chủ thể", max_length=16, choices=Actor, default=Actor.COLLECTIVE)
    person_name = models.CharField("họ và tên cá nhân", max_length=200, blank=True)
    person_position = models.CharField("chức vụ, nơi công tác", max_length=300, blank=True)
    field = models.CharField("lĩnh vực", max_length=32, choices=Field, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="models", verbose_name="chủ đề")

    owning_unit = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="owned_models",
        verbose_name="đơn vị chủ trì",
    )
    # The owning unit's tree path, copied by the database (migration 0018): set on every insert
    # and update from ``owning_unit`` whatever was written, and rewritten when the unit moves.
    # A scoped search narrows the word index by it (``DanVanModelQuerySet.matching``); the
    # scope itself is always decided through the unit (``visible_to``). Compared bytewise
    # ("C"): paths are codes, not words.
    owning_path = models.CharField(
        "đường dẫn đơn vị chủ trì",
        max_length=255,
        editable=False,
        default="",
        db_collation="C",
    )
    territory = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="territory_models",
        verbose_name="địa bàn thực hiện",
        help_text="Các thôn, tổ dân phố, khu dân cư hoặc xã, phường nơi thực hiện.",
    )
    territory_note = models.CharField(
        "ghi chú địa bàn",
        max_length=500,
        blank=True,
        help_text="Địa bàn chưa có trong danh mục đơn vị, ví dụ “thôn Nà Pài”.",
    )
    coordinating_units = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="coordinated_models",
        verbose_name="đơn vị phối hợp",
    )

    situation = models.TextField("thực trạng, lý do xây dựng", blank=True)
    goals = models.TextField("mục tiêu, tiêu chí đánh giá", blank=True)
    content = models.TextField("nội dung, cách làm", blank=True)
    target_group = models.TextField("đối tượng tác động", blank=True)
    forces = models.TextField("lực lượng thực hiện và vai trò", blank=True)

    funds = models.PositiveBigIntegerField("kinh phí (đồng)", null=True, blank=True)
    workdays = models.PositiveIntegerField("ngày công", null=True, blank=True)
    socialised_funds = models.PositiveBigIntegerField(
        "nguồn xã hội hóa (đồng)", null=True, blank=True
    )
    resources_note = models.TextField(
        "nguồn lực khác", blank=True, help_text="Vật tư, đất, công sức nhân dân đóng góp, …"
    )

    start_date = models.DateField(
        "ngày bắt đầu", null=True, blank=True, validators=[validate_date_range]
    )
    # Old records may give the start as a month or a year only: stored as its first day.
    start_precision = models.CharField(
        "ngày bắt đầu ghi theo",
        max_length=8,
        choices=DatePrecision,
        default=DatePrecision.DAY,
        db_default=DatePrecision.DAY,
        help_text="Ngày bắt đầu chỉ biết đến tháng hoặc năm: ghi theo ngày đầu tháng, đầu năm.",
    )
    schedule = models.TextField("lộ trình thực hiện", blank=True)
    evaluation_date = models.DateField(
        "ngày đánh giá", null=True, blank=True, validators=[validate_date_range]
    )
    outputs = models.TextField("sản phẩm, kết quả kiểm chứng được", blank=True)
    sustainability = models.TextField("tính bền vững, khả năng nhân rộng", blank=True)

    contact_name = models.CharField("người liên hệ", max_length=200, blank=True)
    contact_phone = models.CharField(
        "số điện thoại liên hệ", max_length=20, blank=True, validators=[phone_validator]
    )

    replicated_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replicas",
        verbose_name="nhân rộng từ mô hình",
    )

    status = models.CharField(
        "trạng thái", max_length=16, choices=Status, default=Status.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField("ngày gửi duyệt", null=True, blank=True)
    returned_at = models.DateTimeField("ngày trả lại", null=True, blank=True)
    accepted_at = models.DateTimeField("ngày duyệt đăng ký", null=True, blank=True)
    rejected_at = models.DateTimeField("ngày không duyệt", null=True, blank=True)
    proposed_at = models.DateTimeField("ngày đề nghị công nhận", null=True, blank=True)
    recognised_at = models.DateTimeField("ngày công nhận", null=True, blank=True)
    not_recognised_at = models.DateTimeField("ngày không công nhận", null=True, blank=True)
    discontinued_at = models.DateTimeField("ngày dừng thực hiện", null=True, blank=True)
    status_reason = models.TextField(
        "lý do của lần chuyển trạng thái gần nhất", blank=True, editable=False
    )
    decision_number = models.CharField("số quyết định", max_length=100, blank=True)
    decision_date = models.DateField(
        "ngày quyết định", null=True, blank=True, validators=[validate_date_range]
    )
    decision_signer = models.CharField("người ký quyết định", max_length=200, blank=True)
    decision_issuer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="cơ quan ban hành quyết định",
    )
    is_outstanding = models.BooleanField("tiêu biểu", default=False, db_default=False)
    outstanding_at = models.DateTimeField("ngày chọn là tiêu biểu", null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_models",
        verbose_name="người tạo",
    )

    # Name, code and the main texts without diacritics, for the search box.
    search_vector = models.GeneratedField(
        expression=SimpleSearchVector(
            SearchText(
                Concat(
                    Coalesce("code", Value("")),
                    Value(" "),
                    "name",
                    Value(" "),
                    "person_name",
                    Value(" "),
                    "content",
                    output_field=models.TextField(),
                )
            )
        ),
        output_field=SearchVectorField(),
        db_persist=True,
        verbose_name="nội dung tìm kiếm",
    )

    objects = DanVanModelQuerySet.as_manager()

    class Meta:
        verbose_name = "mô hình, điển hình"
        verbose_name_plural = "mô hình, điển hình"
        ordering = ["-start_date", "-pk"]
        indexes = [
            GinIndex(fields=["search_vector"], name="danvanmodel_search"),
            # A scope's search: its subtrees and the words in one index scan, instead of every
            # match in the country read to keep the scope's (``matching(within=…)``).
            GinIndex(ScopedWords(), name="danvanmodel_scoped_search"),
            models.Index(fields=["field", "start_date"], name="danvanmodel_field_start"),
            models.Index(fields=["start_date"], name="danvanmodel_start"),
            # The whole country sorted by name: the first rows of this index, not a sort of all.
            models.Index(fields=["name", "id"], name="danvanmodel_name"),
            # The import names stored models by codes typed in any case (same_codes).
            models.Index(Upper("code"), name="danvanmodel_code_upper"),
            models.Index(fields=["owning_unit", "start_date"], name="danvanmodel_unit_start"),
            # The list pages count and sort a unit's models from these alone (index-only scans):
            # by unit for a scoped list, by field for a national one. The scoped one holds every
            # sort column, so that a province sorted by name or by update sorts its tens of
            # thousands of candidates without reading their rows.
            models.Index(
                fields=["owning_unit", "field", "status", "start_date"],
                include=["id", "name", "updated_at"],
                name="danvanmodel_unit_list",
            ),
            models.Index(
                fields=["field", "status", "start_date"],
                include=["id"],
                name="danvanmodel_field_list",
            ),
            # The reports count a subtree's models by every measure from this index alone.
            models.Index(
                fields=["owning_unit"],
                include=[
                    "id",
                    "field",
                    "kind",
                    "actor",
                    "status",
                    "submitted_at",
                    "accepted_at",
                    "recognised_at",
                    "discontinued_at",
                    "is_outstanding",
                    "outstanding_at",
                    "replicated_from",
                ],
                name="danvanmodel_report",
            ),
            # The outstanding models of a period, and their units, from this index alone: a
            # subtree's few are picked by joining the units, before any model row is read.
            models.Index(
                fields=["outstanding_at"],
                include=["owning_unit", "id"],
                condition=Q(is_outstanding=True),
                name="danvanmodel_outstanding_period",
            ),
            # The review queue's counters (how many wait, since when) from this index alone: the
            # country's hundred thousand waiting models, or a subtree's by joining its units.
            models.Index(
                fields=["owning_unit"],
                include=["id", "status", "submitted_at", "proposed_at"],
                condition=any_status(QUEUE_STATUSES),
                name="danvanmodel_review_queue",
            ),
            # The most recently changed drafts and returned registrations (the home page's to-do
            # list): the national administrator's first ten rows, not a sort of fifty thousand.
            models.Index(
                fields=["updated_at"],
                condition=any_status(EDITABLE_STATUSES),
                name="danvanmodel_editable_recent",
            ),
            # The review queue's page, oldest wait first: a province's first page is the first
            # few hundred entries of the country's waiting models, not a sort of all its own.
            models.Index(
                waiting_since().asc(nulls_first=True),
                F("id"),
                condition=any_status(QUEUE_STATUSES),
                name="danvanmodel_queue",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=dates_in_range(
                    "start_date", "evaluation_date", "decision_date", timestamps=STATUS_TIMESTAMPS
                ),
                name="danvanmodel_date_ranges",
                violation_error_message=DATE_RANGE_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(status=Status.DRAFT) | ~Q(name=""),
                name="danvanmodel_named_once_submitted",
                violation_error_message="Mô hình đã gửi duyệt phải có tên.",
            ),
            models.CheckConstraint(
                condition=Q(evaluation_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(evaluation_date__gte=F("start_date")),
                name="danvanmodel_evaluation_after_start",
                violation_error_message="Ngày đánh giá phải sau ngày bắt đầu.",
            ),
            models.CheckConstraint(
                condition=~Q(replicated_from=F("pk")),
                name="danvanmodel_not_replicated_from_itself",
                violation_error_message="Mô hình không thể nhân rộng từ chính nó.",
            ),
            models.CheckConstraint(
                condition=~Q(code=""),
                name="danvanmodel_code_not_empty",
            ),
            models.CheckConstraint(
                condition=Q(is_outstanding=False)
                | Q(status__in=[Status.RECOGNISED, Status.DISCONTINUED]),
                name="danvanmodel_outstanding_only_recognised",
                violation_error_message="Chỉ mô hình đã được công nhận mới được chọn là tiêu biểu.",
            ),
        ]

    def __str__(self):
        return self.name or f"(Bản nháp chưa đặt tên #{self.pk})"

    def get_absolute_url(self):
        return reverse("models_registry:model_detail", args=[self.pk])

    @property
    def is_individual(self) -> bool:
        return self.actor == Actor.INDIVIDUAL


# The link rows of the relations are audited too (through proxies, so the triggers live in the
# migrations), so the history and the reviewer's comparison show a theme, a residential area or
# a coordinating unit added or removed like any other field.
_LINK_EVENTS = (pghistory.InsertEvent("add"), pghistory.DeleteEvent("remove"))


@pghistory.track(*_LINK_EVENTS, model_name="ThemeLinkHistory", obj_field=None)
class ThemeLink(DanVanModel.themes.through):
    class Meta:
        proxy = True


@pghistory.track(*_LINK_EVENTS, model_name="TerritoryLinkHistory", obj_field=None)
class TerritoryLink(DanVanModel.territory.through):
    class Meta:
        proxy = True


@pghistory.track(*_LINK_EVENTS, model_name="CoordinatorLinkHistory", obj_field=None)
class CoordinatorLink(DanVanModel.coordinating_units.through):
    class Meta:
        proxy = True


@audited("ResultReportHistory")
class ResultReport(TimeStampedModel):
    """What a model achieved over a period: a narrative and indicator values."""

    model = models.ForeignKey(
        DanVanModel,
        on_delete=models.CASCADE,
        related_name="result_reports",
        verbose_name="mô hình, điển hình",
    )
    period_start = models.DateField("từ ngày", validators=[validate_date_range])
    period_end = models.DateField("đến ngày", validators=[validate_date_range])
    narrative = models.TextField("tóm tắt kết quả")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="người báo cáo",
    )

    objects = ResultReportQuerySet.as_manager()

    class Meta:
        verbose_name = "báo cáo kết quả"
        verbose_name_plural = "báo cáo kết quả"
        ordering = ["-period_end", "-pk"]
        # The reports ending in a period, for the report's indicator sums (index-only).
        indexes = [
            models.Index(
                fields=["period_end"], include=["model", "id"], name="resultreport_period_end"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="resultreport_period_ordered",
                violation_error_message="Ngày kết thúc kỳ báo cáo phải sau ngày bắt đầu.",
            ),
            models.CheckConstraint(
                condition=dates_in_range("period_start", "period_end"),
                name="resultreport_date_ranges",
                violation_error_message=DATE_RANGE_MESSAGE,
            ),
        ]

    def __str__(self):
        return f"Kết quả {self.period_start:%d/%m/%Y} – {self.period_end:%d/%m/%Y}"

    def get_absolute_url(self):
        return f"{self.model.get_absolute_url()}#ket-qua-{self.pk}"


@audited("ResultValueHistory", history_on_object=False)
class ResultValue(models.Model):
    """One indicator's value in a result report."""

    report = models.ForeignKey(
        ResultReport, on_delete=models.CASCADE, related_name="values", verbose_name="báo cáo"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", verbose_name="chỉ tiêu"
    )
    value = models.DecimalField(
        "giá trị", max_digits=18, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = "giá trị chỉ tiêu"
        verbose_name_plural = "giá trị chỉ tiêu"
        ordering = ["indicator__position", "indicator__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator"],
                name="resultvalue_one_per_indicator",
                violation_error_message="Mỗi chỉ tiêu chỉ được nhập một lần trong một báo cáo.",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="resultvalue_not_negative"),
        ]

    def __str__(self):
        return f"{self.indicator.name}: {self.value} {self.indicator.unit}"

    def get_absolute_url(self):
        return self.report.get_absolute_url()


def attachment_path(instance, filename):
    # Never the uploader's file name on disk: it is kept in original_name for downloads.
    return f"attachments/{uuid.uuid4().hex}{instance.extension}"


@audited("AttachmentHistory")
class Attachment(models.Model):
    """A file attached to a model or to one of its result reports (photos, plans, decisions)."""

    model = models.ForeignKey(
        DanVanModel,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name="mô hình, điển hình",
    )
    result_report = models.ForeignKey(
        ResultReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name="báo cáo kết quả",
    )
    file = models.FileField("tệp", storage=private_storage, upload_to=attachment_path)
    original_name = models.CharField("tên tệp", max_length=255)
    extension = models.CharField("phần mở rộng", max_length=10)
    content_type = models.CharField("kiểu tệp", max_length=100)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="người tải lên",
    )
    uploaded_at = models.DateTimeField("thời điểm tải lên", auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = "tệp đính kèm"
        verbose_name_plural = "tệp đính kèm"
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("models_registry:attachment_download", args=[self.pk])


class WorkflowEvent(models.Model):
    """One move of a model's workflow: who, when, from which status to which, and why."""

    model = models.ForeignKey(
        DanVanModel,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name="mô hình, điển hình",
    )
    action = models.CharField("hành động", max_length=24, choices=EventAction)
    from_status = models.CharField("từ trạng thái", max_length=16, choices=Status, blank=True)
    to_status = models.CharField("sang trạng thái", max_length=16, choices=Status, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="người thực hiện",
    )
    reason = models.TextField("lý do, ghi chú", blank=True)
    # The day the move took effect when it is not the day it was recorded (a model stopped
    # on a date given afterwards); created_at stays the moment of recording.
    effective_date = models.DateField("ngày có hiệu lực", null=True, blank=True)
    source = models.CharField(
        "nguồn", max_length=255, blank=True, help_text="Ví dụ: tên tệp đã nhập."
    )
    created_at = models.DateTimeField("thời điểm", auto_now_add=True)

    class Meta:
        verbose_name = "sự kiện"
        verbose_name_plural = "sự kiện"
        ordering = ["model", "-created_at", "-pk"]
        indexes = [models.Index(fields=["model", "-created_at"], name="workflowevent_model_time")]

    def __str__(self):
        return f"{self.get_action_display()} – {self.model}"

    def get_absolute_url(self):
        return self.model.get_absolute_url()


class CreationToken(models.Model):
    """The token of one blank registration form: what that form creates, it creates once."""

    token = models.UUIDField("mã biểu mẫu", primary_key=True)
    # Set in the transaction that claims the token, so whoever finds the token finds the model.
    model = models.OneToOneField(
        DanVanModel,
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        verbose_name="mô hình, điển hình",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="người đăng ký",
    )
    created_at = models.DateTimeField("thời điểm", auto_now_add=True)

    class Meta:
        verbose_name = "mã biểu mẫu đăng ký"
        verbose_name_plural = "mã biểu mẫu đăng ký"
        ordering = ["-created_at"]

    def __str__(self):
        return str(self.token)

    def get_absolute_url(self):
        return self.model.get_absolute_url() if self.model_id else ""


class ExportJob(BackgroundJob):
    """A list export too large for one request, built by a background task."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name="người yêu cầu",
    )
    query = models.TextField("bộ lọc", blank=True)
    format = models.CharField("định dạng", max_length=8, choices=ExportFormat)
    file = models.FileField("tệp", storage=private_storage, blank=True)

    task_path = "models_registry.tasks.export_models"

    class Meta(BackgroundJob.Meta):
        verbose_name = "yêu cầu xuất dữ liệu"
        verbose_name_plural = "yêu cầu xuất dữ liệu"

    def __str__(self):
        requested = timezone.localtime(self.created_at)
        return f"Xuất {self.get_format_display()} – {requested:%d/%m/%Y %H:%M}"

    def get_absolute_url(self):
        return reverse("models_registry:export_status", args=[self.pk])
