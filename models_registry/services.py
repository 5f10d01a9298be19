"""Every write to the registry with a meaning: a transaction, a row lock, checks, an event row.

Views and importers call these; nothing else changes a registration's status.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core import jobs
from core.audit import acting
from core.date_range import date_out_of_range, day_start, range_message
from core.models import NotificationKind
from core.notifications import notify_on_commit
from core.uploads import inspect_upload, safe_file_name, stored_content
from models_registry import rules
from models_registry.choices import (
    EDITABLE_STATUSES,
    RELATION_FIELDS,
    STATUS_DATE_FIELDS,
    TRANSITIONS,
    EventAction,
    Status,
)
from models_registry.models import (
    Attachment,
    CreationToken,
    DanVanModel,
    Indicator,
    ResultReport,
    ResultValue,
    WorkflowEvent,
)
from organisations.choices import Role
from organisations.selectors import users_responsible_for


def _locked(model: DanVanModel) -> DanVanModel:
    return DanVanModel.objects.select_for_update().get(pk=model.pk)


def keep_unseen(
    model: DanVanModel, by, fields: Mapping, relations: Mapping[str, Iterable]
) -> tuple[dict, dict]:
    """``fields`` and ``relations`` with what ``by`` cannot see of the stored ``model`` kept
    as it is (the registration form and the admin both save through it).

    A cadre's form neither shows nor sends the origin, territory or coordinating units outside
    the cadre's scope (set by a province, say): saving it must not drop them. An origin is
    replaced only by another one chosen; the units chosen are added to the unseen ones.
    """
    fields, relations = dict(fields), dict(relations)
    origin = model.replicated_from_id
    if (
        "replicated_from" in fields
        and fields["replicated_from"] is None
        and origin
        and not DanVanModel.objects.visible_to(by).filter(pk=origin).exists()
    ):
        del fields["replicated_from"]
    for name in RELATION_FIELDS:
        manager = getattr(model, name)
        visible_to = getattr(manager.model.objects, "visible_to", None)
        if name not in relations or visible_to is None:
            continue
        unseen = manager.exclude(pk__in=visible_to(by).values("pk")).values_list("pk", flat=True)
        relations[name] = [*relations[name], *unseen]
    return fields, relations


def _set_relations(model: DanVanModel, relations: Mapping[str, Iterable]) -> None:
    for name in RELATION_FIELDS:
        if name in relations:
            getattr(model, name).set(relations[name])


def transition(
    *,
    model: DanVanModel,
    to: str,
    by,
    action: str,
    reason: str = "",
    source: str = "",
    stamp: bool = True,
    at: datetime | None = None,
) -> WorkflowEvent:
    """Move a locked ``model`` to status ``to`` and record it; callers hold the transaction.

    Refuses a move the workflow table does not allow from the current status. ``stamp=False``
    keeps the date the status was first reached (a proposal sent back is still accepted since
    the day it was accepted). ``at``: when the move took effect, if not now (a past day's
    00:00); the event row keeps that day as its effective date.
    """
    if model.status == to:  # the same button pressed twice, or by two people at once
        raise ValidationError(
            f"Hồ sơ đã ở trạng thái “{Status(to).label}” (có thể do bấm nút hai lần), không cần "
            "thực hiện lại.",
            code="transition",
        )
    if to not in TRANSITIONS[model.status]:
        raise ValidationError(
            f"Không thể chuyển từ “{Status(model.status).label}” sang “{Status(to).label}”: "
            "hồ sơ có thể đã được xử lý. Hãy tải lại trang để xem trạng thái mới nhất.",
            code="transition",
        )
    event = WorkflowEvent(
        model=model,
        action=action,
        from_status=model.status,
        to_status=to,
        actor=by,
        reason=reason,
        source=source,
        effective_date=timezone.localdate(at) if at else None,
    )
    model.status = to
    model.status_reason = reason
    if stamp or getattr(model, STATUS_DATE_FIELDS[to]) is None:
        setattr(model, STATUS_DATE_FIELDS[to], at or timezone.now())
    model.full_clean()
    model.save()
    event.save()
    return event


@transaction.atomic
def model_create(*, by, fields: Mapping, relations: Mapping[str, Iterable] | None = None):
    """Start a registration as a draft; the mandatory items may still be empty."""
    model = DanVanModel(**fields, status=Status.DRAFT, created_by=by)
    if not rules.can_register_in(by, model.owning_unit):
        raise PermissionDenied("Bạn không có quyền đăng ký mô hình cho đơn vị này.")
    model.full_clean()
    model.save()
    _set_relations(model, relations or {})
    WorkflowEvent.objects.create(
        model=model, action=EventAction.CREATED, to_status=Status.DRAFT, actor=by
    )
    return model


@transaction.atomic
def model_create_once(
    *,
    by,
    token: uuid.UUID,
    fields: Mapping,
    relations: Mapping[str, Iterable] | None = None,
) -> tuple[DanVanModel, bool]:
    """Start a registration from the blank form that carried ``token``, once.

    The same form posted again (a double click, the autosave and a button at once) creates
    nothing: it gets the model the first post made, and ``False``. Race-safe: the token's row
    is claimed before the model is made, so a second transaction with the token waits on its
    primary key until the first ends, then finds the first one's model.
    """
    claim, claimed = CreationToken.objects.get_or_create(token=token, defaults={"created_by": by})
    if not claimed:
        if claim.created_by_id != by.pk or claim.model_id is None:
            raise PermissionDenied("Biểu mẫu này không còn dùng được. Hãy mở lại trang đăng ký.")
        return DanVanModel.objects.get(pk=claim.model_id), False
    model = model_create(by=by, fields=fields, relations=relations)
    claim.model = model
    claim.save(update_fields=["model"])
    return model, True


@transaction.atomic
def model_update(
    *, model: DanVanModel, by, fields: Mapping, relations: Mapping[str, Iterable] | None = None
) -> DanVanModel:
    """Change a draft or returned registration (cadres of its unit only); what ``by`` cannot
    see of its origin and units is kept."""
    model = _locked(model)
    if not rules.can_register_in(by, model.owning_unit):
        raise PermissionDenied("Bạn không có quyền sửa mô hình của đơn vị này.")
    if model.status not in EDITABLE_STATUSES:
        raise ValidationError(
            f"Mô hình đang ở trạng thái “{model.get_status_display()}” nên không sửa được.",
            code="not_editable",
        )
    fields, relations = keep_unseen(model, by, fields, relations or {})
    for name, value in fields.items():
        setattr(model, name, value)
    if not rules.can_register_in(by, model.owning_unit):
        raise PermissionDenied("Bạn không có quyền chuyển mô hình sang đơn vị này.")
    model.full_clean()
    model.save()
    _set_relations(model, relations)
    return model


@transaction.atomic
def model_delete_draft(*, model: DanVanModel, by) -> None:
    """Delete a draft its author no longer wants, with its files and links.

    The audit trail keeps it: the deletion is recorded in the model's history (and in its
    files' and links' histories) as done by ``by``, with the action named. The blank form that
    made it cannot make it again; its files leave storage once the deletion is committed.
    """
    model = _locked(model)
    if not rules.owns_draft(by, model):
        raise PermissionDenied("Chỉ người tạo bản nháp (cán bộ của đơn vị) mới xóa được bản nháp.")
    if model.status != Status.DRAFT:
        raise ValidationError(
            f"Mô hình đang ở trạng thái “{model.get_status_display()}”: chỉ xóa được bản nháp "
            "chưa từng gửi duyệt.",
            code="not_draft",
        )
    files = [(a.file.storage, a.file.name) for a in model.attachments.all()]
    # Claimed, no longer pointing anywhere: the same blank form posted again is refused
    # (``model_create_once``) rather than starting the draft anew.
    CreationToken.objects.filter(model=model).update(model=None)
    with acting(by), pghistory.context(action="draft_deleted", model=model.pk):
        model.delete()

    def remove_files():
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(remove_files)


@transaction.atomic
def model_submit(*, model: DanVanModel, by) -> DanVanModel:
    """Send a complete draft (or a returned registration) to the reviewers."""
    model = _locked(model)
    if not rules.can_register_in(by, model.owning_unit):
        raise PermissionDenied("Bạn không có quyền gửi duyệt mô hình của đơn vị này.")
    missing = rules.missing_items(model)
    if missing and model.status in EDITABLE_STATUSES:
        raise ValidationError(
            "Chưa gửi được vì còn thiếu: " + "; ".join(item.label for item in missing) + ".",
            code="incomplete",
        )
    resubmitted = model.status == Status.RETURNED
    action = EventAction.RESUBMITTED if resubmitted else EventAction.SUBMITTED
    transition(model=model, to=Status.SUBMITTED, by=by, action=action)
    notify_on_commit(
        recipients=users_responsible_for(model.owning_unit, [Role.REVIEWER]),
        exclude=by,
        kind=NotificationKind.SUBMITTED,
        title=f"{'Gửi lại' if resubmitted else 'Đăng ký mới'}: “{model.name}” chờ duyệt",
        body=f"{model.owning_unit.name} đã gửi đăng ký “{model.name}”.",
        url=model.get_absolute_url(),
    )
    return model


def _discontinuation_date_errors(model: DanVanModel, day: date) -> list[str]:
    """Why ``model`` cannot have stopped on ``day``: not ahead of today, nor before it started,
    was accepted or was recognised; within the accepted range."""
    if date_out_of_range(day):
        return [range_message()]
    today = timezone.localdate()
    errors = []
    if day > today:
        errors.append(
            f"Ngày dừng thực hiện {day:%d/%m/%Y} sau ngày hôm nay ({today:%d/%m/%Y}): chỉ ghi "
            "nhận việc đã dừng."
        )
    if model.start_date and day < model.start_date:
        errors.append(
            f"Ngày dừng thực hiện {day:%d/%m/%Y} trước ngày bắt đầu {model.start_date:%d/%m/%Y}."
        )
    for field, what in (("accepted_at", "ngày duyệt đăng ký"), ("recognised_at", "ngày công nhận")):
        stamped = getattr(model, field)
        if stamped and day < timezone.localdate(stamped):
            errors.append(
                f"Ngày dừng thực hiện {day:%d/%m/%Y} trước {what} "
                f"{timezone.localdate(stamped):%d/%m/%Y}."
            )
    return errors


@transaction.atomic
def model_discontinue(
    *, model: DanVanModel, by, reason: str, discontinued_on: date | None = None
) -> DanVanModel:
    """Stop a model that is being carried out, since ``discontinued_on`` (today when not
    given); the reason is kept and shown.

    A past day is stored as its 00:00 Vietnam time, as imported dates are, so the reports stop
    counting the model from that day; today is stored as the moment itself.
    """
    model = _locked(model)
    if not rules.can_register_in(by, model.owning_unit):
        raise PermissionDenied("Bạn không có quyền dừng mô hình của đơn vị này.")
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = "Hãy ghi lý do dừng thực hiện."
    today = timezone.localdate()
    day = discontinued_on or today
    # A model that cannot stop any more gets transition()'s message, not one about the day.
    stoppable = Status.DISCONTINUED in TRANSITIONS.get(model.status, ())
    if stoppable and (problems := _discontinuation_date_errors(model, day)):
        errors["discontinued_on"] = problems
    if errors:
        raise ValidationError(errors, code="discontinue")
    transition(
        model=model,
        to=Status.DISCONTINUED,
        by=by,
        action=EventAction.DISCONTINUED,
        reason=reason.strip(),
        at=None if day == today else day_start(day),
    )
    return model


def _store_attachments(
    *, model, by, uploads, result_report=None, skip_kept: bool = False
) -> list[Attachment]:
    """Check every upload first, then store them all: one bad file keeps none.

    ``skip_kept``: an upload the model already has under the same name and size, as it would
    be kept (a photo without its metadata), is not kept again.
    """
    uploads = list(uploads)
    kinds = [inspect_upload(upload, max_bytes=settings.ATTACHMENT_MAX_BYTES) for upload in uploads]
    files = [
        (upload, kind, stored_content(upload, kind))
        for upload, kind in zip(uploads, kinds, strict=True)
    ]
    if skip_kept:
        kept = set(model.attachments.values_list("original_name", "size"))
        files = [
            (upload, kind, content)
            for upload, kind, content in files
            if (safe_file_name(upload.name), content.size) not in kept
        ]
    uploads = [upload for upload, _, _ in files]
    limit = settings.ATTACHMENTS_PER_MODEL
    present = model.attachments.count()
    if present + len(uploads) > limit:
        raise ValidationError(
            f"Mỗi mô hình có tối đa {limit} tệp đính kèm (đã có {present}, "
            f"thêm {len(uploads)}). Hãy bớt tệp rồi thử lại.",
            code="too_many",
        )
    stored = []
    try:
        for upload, kind, content in files:
            attachment = Attachment(
                model=model,
                result_report=result_report,
                original_name=safe_file_name(upload.name),
                extension=kind.extension,
                content_type=kind.content_type,
                size=content.size,
                uploaded_by=by,
            )
            attachment.file.save(attachment.original_name, content, save=False)
            stored.append(attachment)
            attachment.save()
    except Exception:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return stored


@transaction.atomic
def attachment_add(
    *, model: DanVanModel, by, uploads: Iterable, skip_kept: bool = False
) -> list[Attachment]:
    """Attach files to a registration still in the cadre's hands; all or none are kept.

    ``skip_kept``: files the registration already has are not kept twice (the same blank form
    posted again); checked under the model's lock, so two such posts at once keep them once.
    """
    model = _locked(model)
    if not rules.can_edit(by, model):
        raise PermissionDenied("Bạn không thể thêm tệp cho mô hình này.")
    return _store_attachments(model=model, by=by, uploads=uploads, skip_kept=skip_kept)


@transaction.atomic
def attachment_delete(*, attachment: Attachment, by) -> None:
    """Remove a file of a registration still in the cadre's hands."""
    model = _locked(attachment.model)
    if not rules.can_edit(by, model):
        raise PermissionDenied("Bạn không thể xóa tệp của mô hình này.")
    name = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def result_report_create(
    *,
    model: DanVanModel,
    by,
    period_start: date,
    period_end: date,
    narrative: str,
    values: Mapping[Indicator, Decimal | None],
    uploads: Iterable = (),
) -> ResultReport:
    """Record what a model achieved in a period, with indicator values and evidence files."""
    model = _locked(model)
    if not rules.can_report_results(by, model):
        raise PermissionDenied("Chỉ báo cáo kết quả cho mô hình đang thực hiện của đơn vị mình.")
    # The same report posted again (a double click, a resent page) is not recorded twice; the
    # model's lock above makes the second post wait for the first and then find its report.
    if model.result_reports.filter(
        period_start=period_start, period_end=period_end, narrative=narrative
    ).exists():
        raise ValidationError(
            f"Báo cáo kết quả kỳ {period_start:%d/%m/%Y} – {period_end:%d/%m/%Y} với nội dung này "
            "đã được lưu (có thể do bấm nút hai lần).",
            code="already_reported",
        )
    report = ResultReport(
        model=model,
        period_start=period_start,
        period_end=period_end,
        narrative=narrative,
        created_by=by,
    )
    report.full_clean()
    report.save()
    ResultValue.objects.bulk_create(
        ResultValue(report=report, indicator=indicator, value=value)
        for indicator, value in values.items()
        if value is not None
    )
    _store_attachments(model=model, by=by, uploads=uploads, result_report=report)
    WorkflowEvent.objects.create(
        model=model,
        action=EventAction.RESULT_REPORTED,
        actor=by,
        reason=f"Kỳ {period_start:%d/%m/%Y} – {period_end:%d/%m/%Y}",
    )
    return report


@transaction.atomic
def export_request(*, by, query: str, fmt: str):
    """Queue a large list export for ``by``; the worker builds it after this commits.

    The same list and format already waiting or being built for ``by`` is not queued twice (a
    second click, a resent form): its job is returned, unless its worker died and it has failed.
    """
    from models_registry.models import ExportJob
    from models_registry.tasks import export_models

    # One whose worker died is queued again or failed first: a failed one is not reused.
    jobs.reap(ExportJob.objects.filter(requested_by=by, query=query, format=fmt))
    unfinished = ExportJob.objects.unfinished().filter(requested_by=by, query=query, format=fmt)
    if job := unfinished.order_by("-created_at").first():
        return job
    job = ExportJob.objects.create(requested_by=by, query=query, format=fmt)
    jobs.enqueue_on_commit(export_models, job)
    return job
