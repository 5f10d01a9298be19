"""Kinds, actors, fields and the workflow of registered models and exemplars."""

from django.db import models

from core.models import JobStatus


class ModelKind(models.TextChoices):
    MODEL = "model", "Mô hình"
    EXEMPLAR = "exemplar", "Điển hình"


class Actor(models.TextChoices):
    COLLECTIVE = "collective", "Tập thể"
    INDIVIDUAL = "individual", "Cá nhân"


class Field(models.TextChoices):
    """The four lĩnh vực every report is broken down by."""

    ECONOMY = "economy", "Kinh tế"
    CULTURE_SOCIETY = "culture_society", "Văn hóa – xã hội"
    SECURITY_DEFENCE = "security_defence", "Quốc phòng – an ninh"
    POLITICAL_SYSTEM = "political_system", "Xây dựng hệ thống chính trị"


class Status(models.TextChoices):
    DRAFT = "draft", "Nháp"
    SUBMITTED = "submitted", "Chờ duyệt đăng ký"
    RETURNED = "returned", "Trả lại để bổ sung"
    ACCEPTED = "accepted", "Đã duyệt đăng ký"
    REJECTED = "rejected", "Không duyệt"
    PROPOSED = "proposed", "Đề nghị công nhận"
    RECOGNISED = "recognised", "Đã công nhận"
    NOT_RECOGNISED = "not_recognised", "Không công nhận"
    DISCONTINUED = "discontinued", "Dừng thực hiện"


# Every allowed move of the workflow, in one place (DESIGN.md §5). Services refuse anything else.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (Status.SUBMITTED,),
    Status.SUBMITTED: (Status.ACCEPTED, Status.RETURNED, Status.REJECTED),
    Status.RETURNED: (Status.SUBMITTED,),
    Status.ACCEPTED: (Status.PROPOSED, Status.DISCONTINUED),
    Status.REJECTED: (),
    # Appraisal may also send a proposal back for more evidence (it is accepted again).
    Status.PROPOSED: (
        Status.RECOGNISED,
        Status.NOT_RECOGNISED,
        Status.ACCEPTED,
        Status.DISCONTINUED,
    ),
    Status.RECOGNISED: (Status.DISCONTINUED,),
    Status.NOT_RECOGNISED: (Status.PROPOSED, Status.DISCONTINUED),
    Status.DISCONTINUED: (),
}

# A cadre may change the registration itself only while it is in their hands.
EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

# What waits for a reviewer: a registration to decide, a proposal to appraise and conclude.
QUEUE_STATUSES = (Status.SUBMITTED, Status.PROPOSED)

# Models being carried out: they count as active in reports and can be discontinued.
ACTIVE_STATUSES = (Status.ACCEPTED, Status.PROPOSED, Status.RECOGNISED, Status.NOT_RECOGNISED)
# A model others may say they replicate: one that was carried out, even if it stopped since.
REPLICABLE_STATUSES = (*ACTIVE_STATUSES, Status.DISCONTINUED)

# The date field that records when a model last reached each status.
STATUS_DATE_FIELDS = {
    Status.SUBMITTED: "submitted_at",
    Status.RETURNED: "returned_at",
    Status.ACCEPTED: "accepted_at",
    Status.REJECTED: "rejected_at",
    Status.PROPOSED: "proposed_at",
    Status.RECOGNISED: "recognised_at",
    Status.NOT_RECOGNISED: "not_recognised_at",
    Status.DISCONTINUED: "discontinued_at",
}

# The many-to-many parts of a registration: set after the row itself, audited by their links.
RELATION_FIELDS = ("themes", "territory", "coordinating_units")

# The fields only the workflow and the review services write, each move with its event row.
WORKFLOW_FIELDS = (
    "status",
    "status_reason",
    *STATUS_DATE_FIELDS.values(),
    "decision_number",
    "decision_date",
    "decision_signer",
    "decision_issuer",
    "is_outstanding",
    "outstanding_at",
)


class EventAction(models.TextChoices):
    """What a workflow event row records."""

    CREATED = "created", "Tạo bản nháp"
    SUBMITTED = "submitted", "Gửi duyệt đăng ký"
    RESUBMITTED = "resubmitted", "Gửi lại sau khi bổ sung"
    RETURNED = "returned", "Trả lại để bổ sung"
    ACCEPTED = "accepted", "Duyệt đăng ký"
    REJECTED = "rejected", "Không duyệt"
    PROPOSED = "proposed", "Đề nghị công nhận"
    RECOGNISED = "recognised", "Công nhận"
    NOT_RECOGNISED = "not_recognised", "Không công nhận"
    DISCONTINUED = "discontinued", "Dừng thực hiện"
    RETURNED_FOR_EVIDENCE = "returned_for_evidence", "Trả lại để bổ sung minh chứng"
    OUTSTANDING = "outstanding", "Chọn là tiêu biểu"
    OUTSTANDING_REMOVED = "outstanding_removed", "Bỏ chọn tiêu biểu"
    COMMENDED = "commended", "Được biểu dương, khen thưởng"
    IMPORTED = "imported", "Nhập từ tệp"
    RESULT_REPORTED = "result_reported", "Báo cáo kết quả"


# A list export's progress is a background job's (core.models.BackgroundJob).
ExportStatus = JobStatus


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    CSV = "csv", "CSV (.csv)"
