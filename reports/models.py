"""Reporting periods, frozen report snapshots (chốt số liệu) and report files being built."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from core.date_range import DATE_RANGE_MESSAGE, dates_in_range, validate_date_range
from core.models import BackgroundJob
from core.storage import private_storage
from organisations.models import Organisation
from reports.choices import JobKind, PeriodKind
from reports.periods import ReportPeriod
from reports.querysets import ReportSnapshotQuerySet


class Period(models.Model):
    """A reporting period managed by admins (the current year and its halves need none)."""

    name = models.CharField("tên kỳ", max_length=200, unique=True)
    kind = models.CharField("loại kỳ", max_length=16, choices=PeriodKind)
    start = models.DateField("từ ngày", validators=[validate_date_range])
    end = models.DateField("đến ngày", validators=[validate_date_range])

    class Meta:
        verbose_name = "kỳ báo cáo"
        verbose_name_plural = "kỳ báo cáo"
        ordering = ["-end", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="period_ordered",
                violation_error_message="Ngày kết thúc kỳ phải sau ngày bắt đầu.",
            ),
            models.CheckConstraint(
                condition=dates_in_range("start", "end"),
                name="period_date_ranges",
                violation_error_message=DATE_RANGE_MESSAGE,
            ),
            models.UniqueConstraint(
                fields=["start", "end"],
                name="period_unique_dates",
                violation_error_message="Đã có kỳ báo cáo với đúng các ngày này.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('reports:report')}?ky={self.pk}"


def snapshot_file_path(instance, filename):
    return f"snapshots/{instance.organisation_id}/{filename}"


class ReportSnapshot(models.Model):
    """The figures and files of a report for (unit, period), frozen at a moment; never changed.

    Freezing the same unit and period again makes a new version; old versions are kept.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị"
    )
    period_name = models.CharField("kỳ báo cáo", max_length=200)
    period_start = models.DateField("từ ngày")
    period_end = models.DateField("đến ngày")
    version = models.PositiveIntegerField("lần chốt")
    figures = models.JSONField("số liệu", encoder=DjangoJSONEncoder)
    workbook = models.FileField(
        "tệp Excel", storage=private_storage, upload_to=snapshot_file_path, blank=True
    )
    narrative = models.FileField(
        "dự thảo báo cáo", storage=private_storage, upload_to=snapshot_file_path, blank=True
    )
    note = models.TextField("ghi chú", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="người chốt",
    )
    created_at = models.DateTimeField("thời điểm chốt", auto_now_add=True)

    objects = ReportSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = "bản chốt số liệu"
        verbose_name_plural = "bản chốt số liệu"
        ordering = ["organisation", "-period_end", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "period_start", "period_end", "version"],
                name="reportsnapshot_unique_version",
            ),
        ]

    def __str__(self):
        return f"{self.organisation.name} – {self.period_name} (lần {self.version})"

    def get_absolute_url(self):
        return reverse("reports:snapshot_detail", args=[self.pk])


def job_file_path(instance, filename):
    return f"reports/jobs/{filename}"


class ReportJob(BackgroundJob):
    """A report file or a freeze asked for by one user: built at once when small, else queued."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_jobs",
        verbose_name="người yêu cầu",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name="đơn vị"
    )
    kind = models.CharField("loại yêu cầu", max_length=16, choices=JobKind)
    # The period itself, not only its key: a stored period may be renamed or removed meanwhile.
    period_key = models.CharField("mã kỳ", max_length=32, blank=True)
    period_name = models.CharField("kỳ báo cáo", max_length=200)
    period_kind = models.CharField("loại kỳ", max_length=16, choices=PeriodKind)
    period_start = models.DateField("từ ngày")
    period_end = models.DateField("đến ngày")
    note = models.TextField("ghi chú", blank=True)
    file = models.FileField("tệp", storage=private_storage, upload_to=job_file_path, blank=True)
    snapshot = models.ForeignKey(
        ReportSnapshot,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="bản chốt",
    )

    task_path = "reports.tasks.build_report"

    class Meta(BackgroundJob.Meta):
        verbose_name = "yêu cầu tệp báo cáo"
        verbose_name_plural = "yêu cầu tệp báo cáo"

    def __str__(self):
        requested = timezone.localtime(self.created_at)
        return f"{self.get_kind_display()} – {self.period_name} ({requested:%d/%m/%Y %H:%M})"

    def get_absolute_url(self):
        return reverse("reports:job_status", args=[self.pk])

    @property
    def period(self) -> ReportPeriod:
        return ReportPeriod(
            self.period_key, self.period_name, self.period_kind, self.period_start, self.period_end
        )


# The report roll-up (``reports.rollup``): written only by the database triggers of migration 0008
# and by ``rebuild_report_rollup``; read by the report's selectors.


class RollupGrain(models.TextChoices):
    MONTH = "M", "tháng"
    YEAR = "Y", "năm"
    # The indicator sums by province, for the national report.
    PROVINCE_MONTH = "m", "tháng, theo tỉnh"
    PROVINCE_YEAR = "y", "năm, theo tỉnh"


class ModelCount(models.Model):
    """How many models of a province (or of the units above), field, kind and actor had an event
    in a month or year."""

    # The owning unit's path cut to two levels (``reports.rollup.MODEL_ANCHOR_LENGTH``).
    anchor = models.CharField("đơn vị (đường dẫn, cấp tỉnh)", max_length=255)
    field = models.CharField("lĩnh vực", max_length=32)
    kind = models.CharField("loại", max_length=16)
    actor = models.CharField("chủ thể", max_length=16)
    event = models.CharField("sự kiện", max_length=16)
    grain = models.CharField("độ chia", max_length=1, choices=RollupGrain)
    bucket = models.DateField("tháng hoặc năm")
    # Only for a model discontinued before its acceptance: the month of its acceptance.
    since = models.DateField("tháng duyệt đăng ký", null=True)
    n = models.IntegerField("số mô hình")

    class Meta:
        verbose_name = "số mô hình tổng hợp"
        verbose_name_plural = "số mô hình tổng hợp"
        ordering = ["anchor", "event", "grain", "bucket"]
        constraints = [
            models.UniqueConstraint(
                fields=["anchor", "field", "kind", "actor", "event", "grain", "bucket", "since"],
                name="modelcount_key",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return f"{self.anchor} {self.event} {self.grain}{self.bucket:%Y-%m}: {self.n}"


class IndicatorCount(models.Model):
    """The values of one indicator summed over a unit's result reports ending in a month or year,
    and how many reports gave them."""

    anchor = models.CharField("đơn vị chủ trì (đường dẫn)", max_length=255)
    indicator = models.ForeignKey(
        "models_registry.Indicator",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name="chỉ tiêu",
    )
    grain = models.CharField("độ chia", max_length=1, choices=RollupGrain)
    bucket = models.DateField("tháng hoặc năm")
    total = models.DecimalField("tổng giá trị", max_digits=24, decimal_places=2)
    reports = models.IntegerField("số báo cáo")

    class Meta:
        verbose_name = "tổng chỉ tiêu tổng hợp"
        verbose_name_plural = "tổng chỉ tiêu tổng hợp"
        ordering = ["anchor", "indicator", "grain", "bucket"]
        constraints = [
            models.UniqueConstraint(
                fields=["anchor", "indicator", "grain", "bucket"], name="indicatorcount_key"
            )
        ]

    def __str__(self):
        return f"{self.anchor} {self.indicator_id} {self.grain}{self.bucket:%Y-%m}: {self.total}"


class CommendationFact(models.Model):
    """A commendation in force (of a published round, not revoked), with its model's owning unit's
    path, field, kind and actor: the report counts a subtree's from these rows alone."""

    commendation = models.OneToOneField(
        "reviews.Commendation",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="+",
        verbose_name="khen thưởng",
    )
    round_id = models.BigIntegerField("đợt")
    model_id = models.BigIntegerField("mô hình")
    anchor = models.CharField("đơn vị chủ trì (đường dẫn)", max_length=255)
    field = models.CharField("lĩnh vực", max_length=32)
    kind = models.CharField("loại", max_length=16)
    actor = models.CharField("chủ thể", max_length=16)
    form = models.CharField("hình thức", max_length=16)
    decision_date = models.DateField("ngày quyết định")

    class Meta:
        verbose_name = "khen thưởng tổng hợp"
        verbose_name_plural = "khen thưởng tổng hợp"
        ordering = ["anchor", "decision_date"]
        indexes = [
            models.Index(
                fields=["anchor"], name="commendationfact_anchor", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["round_id"], name="commendationfact_round"),
            models.Index(fields=["model_id"], name="commendationfact_model"),
        ]

    def __str__(self):
        return f"{self.commendation_id} {self.anchor} {self.decision_date}"


class RollupState(models.Model):
    """Whether the roll-up may be read: built, in which time zone, and not made stale since by a
    change of the tree (a unit moved, a merger link added or removed)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    time_zone = models.CharField("múi giờ", max_length=64)
    stale = models.BooleanField("cần tính lại", default=False)
    built_at = models.DateTimeField("thời điểm tính")

    class Meta:
        verbose_name = "trạng thái số liệu tổng hợp"
        verbose_name_plural = "trạng thái số liệu tổng hợp"
        ordering = ["id"]

    def __str__(self):
        return f"{self.time_zone} {'stale' if self.stale else 'current'} {self.built_at}"
