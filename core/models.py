"""Base classes shared by every app."""

import uuid

import pghistory
from django.conf import settings
from django.db import models
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import audited
from core.storage import private_storage


class TimeStampedModel(models.Model):
    """Adds when a row was created and last changed."""

    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)
    updated_at = models.DateTimeField("thời điểm cập nhật", auto_now=True)

    class Meta:
        abstract = True


class JobStatus(models.TextChoices):
    PENDING = "pending", "Đang chờ"
    RUNNING = "running", "Đang thực hiện"
    DONE = "done", "Hoàn tất"
    FAILED = "failed", "Lỗi"


WORKER_LOST = (
    "Máy chủ xử lý bị dừng giữa chừng nhiều lần nên yêu cầu chưa hoàn thành. "
    "Bạn có thể yêu cầu lại; nếu vẫn lỗi, hãy báo quản trị viên."
)


class BackgroundJobQuerySet(models.QuerySet):
    """Reads every kind of job shares."""

    def visible_to(self, user):
        """Only the person who asked for a job may follow it and fetch what it made."""
        if not user or not user.is_authenticated:
            return self.none()
        return self.filter(requested_by=user)

    def unfinished(self):
        """Jobs still waiting for the worker or being worked on."""
        return self.filter(status__in=[JobStatus.PENDING, JobStatus.RUNNING])


class BackgroundJob(models.Model):
    """Work one user asked for that the background worker may do: its progress and outcome.

    List exports and report files share it; each adds what it builds and for whom.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(
        "trạng thái", max_length=16, choices=JobStatus, default=JobStatus.PENDING
    )
    total_rows = models.PositiveIntegerField("tổng số dòng", default=0)
    done_rows = models.PositiveIntegerField("số dòng đã ghi", default=0)
    error = models.TextField("lỗi", blank=True)
    created_at = models.DateTimeField("thời điểm yêu cầu", auto_now_add=True)
    finished_at = models.DateTimeField("thời điểm hoàn tất", null=True, blank=True)
    # Who holds a running job, and until when: the holder renews the lease while it works; a
    # lease left to run out means the holder stopped (killed, machine lost) and the job is given
    # to another worker, or failed once ``JOB_MAX_ATTEMPTS`` tries are spent.
    attempts = models.PositiveSmallIntegerField("số lần thực hiện", default=0)
    worker_id = models.CharField("tiến trình xử lý", max_length=100, blank=True)
    lease_until = models.DateTimeField("giữ việc đến", null=True, blank=True)

    # Inherited by every kind; the lifecycle itself is in ``core.jobs``.
    objects = BackgroundJobQuerySet.as_manager()
    # The task (dotted path) that runs a job of this kind, for a job queued again.
    task_path = ""

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def worker_lost(self) -> bool:
        """Failed because the worker holding it stopped midway (the message is for users)."""
        return self.status == JobStatus.FAILED and self.error == WORKER_LOST

    @property
    def retried(self) -> bool:
        """Waiting or being tried again after a worker stopped midway."""
        if self.status == JobStatus.PENDING:
            return self.attempts >= 1
        return self.status == JobStatus.RUNNING and self.attempts > 1

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.done_rows * 100 // self.total_rows)


def import_file_path(instance, filename):
    return f"imports/{filename}"


class ImportJob(BackgroundJob):
    """A large import its requester confirmed, written all or nothing by the background worker.

    The file waits in the private storage until the work has run (kept for a try after a worker
    died, removed once it is over); ``errors`` holds every refused row's message.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name="người yêu cầu",
    )
    # The importer (``core.background_imports``) and what it was given besides the file.
    kind = models.CharField("loại nhập", max_length=100)
    title = models.CharField("nội dung", max_length=200)
    file_name = models.CharField("tên tệp", max_length=255, blank=True)
    options = models.JSONField("tham số", default=dict, blank=True)
    source = models.FileField(
        "tệp nhập", storage=private_storage, upload_to=import_file_path, blank=True
    )
    result = models.FileField(
        "tệp kết quả", storage=private_storage, upload_to=import_file_path, blank=True
    )
    errors = models.JSONField("lỗi", default=list, blank=True)
    summary = models.CharField("kết quả", max_length=500, blank=True)
    next_url = models.CharField("trang tiếp theo", max_length=300, blank=True)

    task_path = "core.tasks.run_import"

    class Meta(BackgroundJob.Meta):
        verbose_name = "yêu cầu nhập tệp"
        verbose_name_plural = "yêu cầu nhập tệp"

    def __str__(self):
        return f"{self.title} – {self.file_name}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("import_status", args=[self.pk])


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", "Đăng ký mới chờ duyệt"
    ACCEPTED = "accepted", "Đăng ký được duyệt"
    RETURNED = "returned", "Đăng ký bị trả lại để bổ sung"
    REJECTED = "rejected", "Đăng ký không được duyệt"
    PROPOSED = "proposed", "Đề nghị công nhận mới"
    RETURNED_FOR_EVIDENCE = "returned_for_evidence", "Đề nghị công nhận bị trả lại"
    RECOGNISED = "recognised", "Được công nhận"
    NOT_RECOGNISED = "not_recognised", "Không được công nhận"
    OUTSTANDING = "outstanding", "Được chọn là tiêu biểu"
    COMMENDED = "commended", "Được biểu dương, khen thưởng"
    SECOND_FACTOR_RESET = "second_factor_reset", "Xác thực hai bước được đặt lại"
    ROLE_CHANGED = "role_changed", "Vai trò được cấp hoặc thu hồi"


class Notification(models.Model):
    """A message to one user about something that happened to what concerns them."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="người nhận",
    )
    kind = models.CharField("loại", max_length=24, choices=NotificationKind)
    title = models.CharField("tiêu đề", max_length=300)
    body = models.TextField("nội dung", blank=True)
    url = models.CharField("đường dẫn", max_length=300, blank=True)
    created_at = models.DateTimeField("thời điểm", auto_now_add=True)
    read_at = models.DateTimeField("thời điểm đọc", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                name="notification_unread",
                condition=models.Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("notification_open", args=[self.pk])


class NotificationPreference(models.Model):
    """How a user wants to be told: in the portal always, by e-mail unless switched off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name="người dùng",
    )
    email_enabled = models.BooleanField("nhận thông báo qua e-mail", default=True)

    class Meta:
        verbose_name = "cài đặt thông báo"
        verbose_name_plural = "cài đặt thông báo"
        ordering = ["user"]

    def __str__(self):
        return f"Cài đặt thông báo của {self.user}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("notification_settings")


class PasswordChangeFailure(models.Model):
    """A wrong current password typed on the password-change page: bounds guessing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="password_change_failures",
        verbose_name="người dùng",
    )
    failed_at = models.DateTimeField("thời điểm", auto_now_add=True)

    class Meta:
        verbose_name = "lần nhập sai mật khẩu hiện tại"
        verbose_name_plural = "lần nhập sai mật khẩu hiện tại"
        ordering = ["-failed_at"]
        indexes = [models.Index(fields=["user", "-failed_at"], name="password_failure_user")]

    def __str__(self):
        return f"{self.user} – {self.failed_at:%d/%m/%Y %H:%M}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("password_change")


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Đang chờ gửi"
    RETRYING = "retrying", "Đang chờ gửi lại"
    SENT = "sent", "Đã gửi"
    FAILED = "failed", "Thất bại"


class EmailDelivery(models.Model):
    """The e-mail of one notification (or a failed password reset e-mail): whether it went
    out, how many tries, the last error."""

    # A notification's e-mail; or, without one, a password reset e-mail that failed for good
    # (kept only then, for an administrator to see and send again, with its ``address``).
    notification = models.OneToOneField(
        Notification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="email_delivery",
        verbose_name="thông báo",
    )
    address = models.CharField("địa chỉ nhận", max_length=254, blank=True)
    status = models.CharField(
        "trạng thái", max_length=16, choices=EmailStatus, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    created_at = models.DateTimeField("thời điểm xếp hàng", auto_now_add=True)
    last_attempt_at = models.DateTimeField("lần gửi gần nhất", null=True, blank=True)
    next_attempt_at = models.DateTimeField("lần gửi lại tiếp theo", null=True, blank=True)
    sent_at = models.DateTimeField("thời điểm đã gửi", null=True, blank=True)

    class Meta:
        verbose_name = "e-mail thông báo"
        verbose_name_plural = "e-mail thông báo"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"], name="email_delivery_status")]

    def __str__(self):
        if self.notification_id is None:
            return f"E-mail đặt lại mật khẩu: {self.address}"
        return f"E-mail: {self.notification}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("admin:danvan_emaildelivery_change", args=[self.pk])


class PasswordResetRequest(models.Model):
    """One "Quên mật khẩu?" request: counted to limit requests per e-mail and client address.

    Kept for the rate limit's window only, whether or not the address belongs to an account
    (no page of its own: the address typed may be anyone's).
    """

    email = models.CharField("địa chỉ e-mail đã nhập", max_length=254)
    client_ip = models.GenericIPAddressField("địa chỉ máy", null=True, blank=True)
    requested_at = models.DateTimeField("thời điểm", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "yêu cầu đặt lại mật khẩu"
        verbose_name_plural = "yêu cầu đặt lại mật khẩu"
        ordering = ["-requested_at"]
        indexes = [
            models.Index(fields=["email", "-requested_at"], name="password_reset_email"),
            models.Index(fields=["client_ip", "-requested_at"], name="password_reset_client"),
        ]

    def __str__(self):
        return f"{self.email} – {self.requested_at:%d/%m/%Y %H:%M}"


# --- two-step sign-in -----------------------------------------------------------------------------


class SecondFactorEventKind(models.TextChoices):
    SET_UP = "set_up", "Thiết lập xác thực hai bước"
    RECOVERY_CODES = "recovery_codes", "Tạo bộ mã dự phòng mới"
    RESET = "reset", "Đặt lại xác thực hai bước"


class SecondFactorEvent(models.Model):
    """A change to someone's second factor: set up, new recovery codes, or reset by an admin."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="second_factor_events",
        verbose_name="người dùng",
    )
    kind = models.CharField("việc", max_length=20, choices=SecondFactorEventKind)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người thực hiện",
    )
    devices_removed = models.PositiveSmallIntegerField("số thiết bị đã xóa", default=0)
    created_at = models.DateTimeField("thời điểm", auto_now_add=True)

    class Meta:
        verbose_name = "sự kiện xác thực hai bước"
        verbose_name_plural = "sự kiện xác thực hai bước"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="second_factor_event_user")]

    def __str__(self):
        return f"{self.user} – {self.get_kind_display()}"


# django-otp's devices join the audit trail through proxies (the triggers live in the
# migrations), as the merger links do. Only who, which and whether confirmed: never the secret
# key, nor the counters every sign-in updates.
_DEVICE_EVENTS = (
    pghistory.InsertEvent("add"),
    pghistory.UpdateEvent("confirm", condition=pghistory.AnyChange("confirmed")),
    pghistory.DeleteEvent("remove"),
)


@pghistory.track(
    *_DEVICE_EVENTS,
    fields=["user", "name", "confirmed"],
    model_name="AuthenticatorDeviceHistory",
    obj_field=None,
)
class AuthenticatorDevice(TOTPDevice):
    """An authenticator app (TOTP) of one user, as the admin site lists it."""

    class Meta:
        proxy = True
        verbose_name = "ứng dụng xác thực"
        verbose_name_plural = "ứng dụng xác thực"


@pghistory.track(
    *_DEVICE_EVENTS,
    fields=["user", "name", "confirmed"],
    model_name="RecoveryCodeSetHistory",
    obj_field=None,
)
class RecoveryCodeSet(StaticDevice):
    """One user's single-use recovery codes (django-otp's static device)."""

    class Meta:
        proxy = True
        verbose_name = "bộ mã dự phòng"
        verbose_name_plural = "bộ mã dự phòng"


class SavedFilterQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A saved filter is its owner's alone: nobody else sees, applies or changes it."""
        if not user or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def on_page(self, page: str):
        return self.filter(page=page)


SAVED_FILTER_NAME_MAX = 100
SAVED_FILTER_QUERY_MAX = 2000


@audited("SavedFilterHistory")
class SavedFilter(TimeStampedModel):
    """A user's named set of filters for one list page, kept as the page's query string."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_filters",
        verbose_name="người dùng",
    )
    page = models.CharField("trang", max_length=30)
    name = models.CharField("tên bộ lọc", max_length=SAVED_FILTER_NAME_MAX)
    query = models.CharField("điều kiện lọc", max_length=SAVED_FILTER_QUERY_MAX)

    objects = SavedFilterQuerySet.as_manager()

    class Meta:
        verbose_name = "bộ lọc đã lưu"
        verbose_name_plural = "bộ lọc đã lưu"
        ordering = ["user", "page", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "page", "name"],
                name="savedfilter_unique_name",
                violation_error_message="Bạn đã có bộ lọc trùng tên trên trang này.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from core.saved_filters import page_url

        return page_url(self.page, self.query)
