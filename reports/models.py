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
