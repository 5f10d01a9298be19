"""Every reviewer's and registrant's move after submission, and every write to a round.

Order inside each: transaction → re-read under ``select_for_update`` → may this actor act → is the
move allowed from the current state → change → event row → notifications after commit. A second
reviewer acting on the same model waits on the lock, then finds the state moved on and is told
the registration was already handled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from danvan.models import NotificationKind
from danvan.notifications import notify_on_commit
from danvan.uploads import inspect_upload, safe_file_name, stored_content
from models_registry.choices import EventAction, Status
from models_registry.models import DanVanModel, ResultReport, WorkflowEvent
from models_registry.services import transition
from organisations.choices import Role
from organisations.models import Organisation
from organisations.selectors import users_responsible_for
from reviews import rules
from reviews.choices import CommendationForm, RoundAction, RoundStatus
from reviews.models import (
    Appraisal,
    AppraisalScore,
    Commendation,
    CommendationRound,
    Proposal,
    RoundEvent,
    Rubric,
)
from reviews.selectors.rounds import lines_outside_unit, nominable_models

ALREADY_HANDLED = (
    "Hồ sơ “{name}” đã được xử lý (hiện ở trạng thái “{status}”), thao tác của bạn không được "
    "thực hiện. Hãy tải lại trang để xem kết quả mới nhất."
)


# --- helpers ----------------------------------------------------------------------------------


def _locked_model(model: DanVanModel) -> DanVanModel:
    return DanVanModel.objects.select_for_update().select_related("owning_unit").get(pk=model.pk)


def _require_status(model: DanVanModel, *statuses: str) -> None:
    """Refuse, with the "already handled" message, a move from a state that has moved on."""
    if model.status not in statuses:
        raise ValidationError(
            ALREADY_HANDLED.format(name=model, status=model.get_status_display()),
            code="already_handled",
        )


def _require_reviewer(by, model: DanVanModel) -> None:
    if not rules.is_reviewer_of(by, model):
        raise PermissionDenied("Chỉ cán bộ thẩm định của đơn vị cấp trên mới thực hiện được.")


def _required_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message}, code="reason")
    return reason


def registrants(model: DanVanModel) -> list:
    """Who hears of decisions on a model: whoever registered it, else its unit's cadres."""
    if model.created_by_id and model.created_by.is_active:
        return [model.created_by]
    return users_responsible_for(model.owning_unit, [Role.CADRE])


def _tell_registrants(model, by, kind, title, body="", extra=()) -> None:
    notify_on_commit(
        recipients=[*registrants(model), *extra],
        exclude=by,
        kind=kind,
        title=title,
        body=body,
        url=model.get_absolute_url(),
    )


def _tell_reviewers(model, by, kind, title, body="") -> None:
    notify_on_commit(
        recipients=users_responsible_for(model.owning_unit, [Role.REVIEWER]),
        exclude=by,
        kind=kind,
        title=title,
        body=body,
        url=model.get_absolute_url(),
    )


# --- registration review ----------------------------------------------------------------------


def _decide_registration(
    *, model, by, to, action, note, kind, title, body, reason_required: str = ""
) -> DanVanModel:
    """A reviewer's decision on a submitted registration, told to whoever registered it.

    The reason is checked after the state: a page left open after a colleague decided hears
    "already handled", not "reason required".
    """
    model = _locked_model(model)
    _require_reviewer(by, model)
    _require_status(model, Status.SUBMITTED)
    note = _required_reason(note, reason_required) if reason_required else (note or "").strip()
    transition(model=model, to=to, by=by, action=action, reason=note)
    _tell_registrants(model, by, kind, title.format(name=model.name), body.format(note=note))
    return model


@transaction.atomic
def registration_accept(*, model: DanVanModel, by, note: str = "") -> DanVanModel:
    """Accept a submitted registration: the model is then carried out and reported on."""
    return _decide_registration(
        model=model,
        by=by,
        to=Status.ACCEPTED,
        action=EventAction.ACCEPTED,
        note=note,
        kind=NotificationKind.ACCEPTED,
        title="Đăng ký “{name}” đã được duyệt",
        body="{note}",
    )


@transaction.atomic
def registration_return(*, model: DanVanModel, by, reason: str) -> DanVanModel:
    """Send a submitted registration back to its cadres, saying what to add or fix."""
    return _decide_registration(
        model=model,
        by=by,
        to=Status.RETURNED,
        action=EventAction.RETURNED,
        note=reason,
        reason_required="Hãy ghi rõ cần bổ sung, sửa những gì.",
        kind=NotificationKind.RETURNED,
        title="Đăng ký “{name}” bị trả lại để bổ sung",
        body="Lý do: {note}",
    )


@transaction.atomic
def registration_reject(*, model: DanVanModel, by, reason: str) -> DanVanModel:
    """Refuse a submitted registration for good, with the reason."""
    return _decide_registration(
        model=model,
        by=by,
        to=Status.REJECTED,
        action=EventAction.REJECTED,
        note=reason,
        reason_required="Hãy ghi rõ lý do không duyệt.",
        kind=NotificationKind.REJECTED,
        title="Đăng ký “{name}” không được duyệt",
        body="Lý do: {note}",
    )


@dataclass
class BulkOutcome:
    accepted: list[DanVanModel]
    refused: list[tuple[DanVanModel, str]]


def registration_accept_many(*, models: Iterable[DanVanModel], by) -> BulkOutcome:
    """Accept several registrations, each in its own transaction with its own event.

    One that cannot be accepted (handled meanwhile, out of scope) is reported, not fatal.
    """
    outcome = BulkOutcome([], [])
    for model in models:
        try:
            outcome.accepted.append(registration_accept(model=model, by=by))
        except (ValidationError, PermissionDenied) as error:
            message = " ".join(getattr(error, "messages", None) or [str(error)])
            outcome.refused.append((model, message))
    return outcome


# --- proposal, appraisal and recognition ------------------------------------------------------


@transaction.atomic
def model_propose(
    *, model: DanVanModel, by, result_reports: Iterable[ResultReport], note: str = ""
) -> Proposal:
    """A cadre proposes their accepted model for recognition, on the strength of its results."""
    model = _locked_model(model)
    if not rules.can_propose(by, model):
        if model.status not in rules.PROPOSABLE_STATUSES:
            _require_status(model, *rules.PROPOSABLE_STATUSES)
        raise PermissionDenied("Chỉ cán bộ của đơn vị chủ trì mới đề nghị công nhận được.")
    reports = list(result_reports)
    if not reports:
        raise ValidationError(
            {"result_reports": "Hãy chọn ít nhất một báo cáo kết quả làm căn cứ đề nghị."},
            code="no_results",
        )
    if any(report.model_id != model.pk for report in reports):
        raise ValidationError("Báo cáo kết quả được chọn không thuộc mô hình này.", code="foreign")
    proposal = Proposal.objects.create(model=model, note=note.strip(), proposed_by=by)
    proposal.result_reports.set(reports)
    transition(
        model=model, to=Status.PROPOSED, by=by, action=EventAction.PROPOSED, reason=note.strip()
    )
    _tell_reviewers(
        model,
        by,
        NotificationKind.PROPOSED,
        f"Đề nghị công nhận “{model.name}”",
        f"{model.owning_unit.name} đề nghị công nhận, kèm {len(reports)} báo cáo kết quả.",
    )
    return proposal


def open_proposal(model: DanVanModel) -> Proposal | None:
    return Proposal.objects.open().filter(model=model).first()


@transaction.atomic
def appraisal_save(
    *, model: DanVanModel, by, scores: Mapping[int, int], comment: str = ""
) -> Appraisal:
    """A reviewer scores a proposed model on the rubric (or corrects their own sheet).

    A new sheet uses the rubric version in force; a corrected one keeps the version it began on,
    so a change of rubric never alters past appraisals.
    """
    model = _locked_model(model)
    _require_reviewer(by, model)
    _require_status(model, Status.PROPOSED)
    proposal = open_proposal(model)
    if proposal is None:
        raise ValidationError("Mô hình không có đề nghị công nhận đang mở.", code="no_proposal")
    appraisal = Appraisal.objects.filter(proposal=proposal, reviewer=by).first()
    if appraisal is None:
        rubric = Rubric.objects.active().first()
        if rubric is None:
            raise ValidationError(
                "Chưa có bộ tiêu chí thẩm định đang áp dụng; hãy báo quản trị viên.",
                code="no_rubric",
            )
        appraisal = Appraisal(proposal=proposal, rubric=rubric, reviewer=by)
    criteria = list(appraisal.rubric.criteria.all())
    errors = {}
    for criterion in criteria:
        score = scores.get(criterion.pk)
        if score is None:
            errors[f"criterion_{criterion.pk}"] = "Hãy chấm điểm tiêu chí này."
        elif not 0 <= score <= criterion.max_score:
            errors[f"criterion_{criterion.pk}"] = f"Điểm phải từ 0 đến {criterion.max_score}."
    if errors:
        raise ValidationError(errors, code="scores")
    appraisal.comment = comment.strip()
    appraisal.total = sum(scores[criterion.pk] for criterion in criteria)
    appraisal.full_clean()
    appraisal.save()
    AppraisalScore.objects.filter(appraisal=appraisal).delete()
    AppraisalScore.objects.bulk_create(
        AppraisalScore(appraisal=appraisal, criterion=criterion, score=scores[criterion.pk])
        for criterion in criteria
    )
    return appraisal


def _close_proposal(model: DanVanModel, outcome: str, *, require_appraisal: bool) -> Proposal:
    proposal = Proposal.objects.select_for_update().filter(model=model).open().first()
    if proposal is None:
        raise ValidationError("Mô hình không có đề nghị công nhận đang mở.", code="no_proposal")
    if require_appraisal and not proposal.appraisals.exists():
        raise ValidationError(
            "Cần ít nhất một phiếu chấm điểm trước khi kết luận.", code="no_appraisal"
        )
    proposal.closed_at = timezone.now()
    proposal.outcome = outcome
    proposal.save(update_fields=["closed_at", "outcome"])
    return proposal


@transaction.atomic
def model_recognise(
    *,
    model: DanVanModel,
    by,
    decision_number: str,
    decision_date: date,
    decision_signer: str,
    decision_issuer: Organisation,
    note: str = "",
) -> DanVanModel:
    """Recognise a proposed model, recording the decision that recognises it."""
    model = _locked_model(model)
    _require_reviewer(by, model)
    _require_status(model, Status.PROPOSED)
    errors = {}
    if not (decision_number or "").strip():
        errors["decision_number"] = "Hãy nhập số quyết định công nhận."
    if decision_date is None:
        errors["decision_date"] = "Hãy nhập ngày quyết định."
    elif decision_date > timezone.localdate():
        errors["decision_date"] = "Ngày quyết định không được sau hôm nay."
    if not (decision_signer or "").strip():
        errors["decision_signer"] = "Hãy nhập người ký quyết định."
    if decision_issuer is None:
        errors["decision_issuer"] = "Hãy chọn cơ quan ban hành quyết định."
    if errors:
        raise ValidationError(errors, code="decision")
    proposal = _close_proposal(model, Status.RECOGNISED, require_appraisal=True)
    model.decision_number = decision_number.strip()
    model.decision_date = decision_date
    model.decision_signer = decision_signer.strip()
    model.decision_issuer = decision_issuer
    transition(
        model=model,
        to=Status.RECOGNISED,
        by=by,
        action=EventAction.RECOGNISED,
        reason=note.strip(),
        source=f"Quyết định số {model.decision_number} ngày {decision_date:%d/%m/%Y}",
    )
    _tell_registrants(
        model,
        by,
        NotificationKind.RECOGNISED,
        f"“{model.name}” đã được công nhận",
        f"Quyết định số {model.decision_number} ngày {decision_date:%d/%m/%Y} của "
        f"{decision_issuer.name}.",
        extra=[proposal.proposed_by],
    )
    return model


@transaction.atomic
def model_not_recognise(*, model: DanVanModel, by, reason: str) -> DanVanModel:
    """Conclude that a proposed model is not recognised, with the reason."""
    model = _locked_model(model)
    _require_reviewer(by, model)
    _require_status(model, Status.PROPOSED)
    reason = _required_reason(reason, "Hãy ghi rõ lý do không công nhận.")
    proposal = _close_proposal(model, Status.NOT_RECOGNISED, require_appraisal=True)
    transition(
        model=model,
        to=Status.NOT_RECOGNISED,
        by=by,
        action=EventAction.NOT_RECOGNISED,
        reason=reason,
    )
    _tell_registrants(
        model,
        by,
        NotificationKind.NOT_RECOGNISED,
        f"“{model.name}” chưa được công nhận",
        f"Lý do: {reason}",
        extra=[proposal.proposed_by],
    )
    return model


@transaction.atomic
def model_return_for_evidence(*, model: DanVanModel, by, reason: str) -> DanVanModel:
    """Send a proposal back for more evidence: the model is accepted again, as it was."""
    model = _locked_model(model)
    _require_reviewer(by, model)
    _require_status(model, Status.PROPOSED)
    reason = _required_reason(reason, "Hãy ghi rõ cần bổ sung minh chứng gì.")
    proposal = _close_proposal(model, "returned", require_appraisal=False)
    transition(
        model=model,
        to=Status.ACCEPTED,
        by=by,
        action=EventAction.RETURNED_FOR_EVIDENCE,
        reason=reason,
        stamp=False,
    )
    _tell_registrants(
        model,
        by,
        NotificationKind.RETURNED_FOR_EVIDENCE,
        f"Đề nghị công nhận “{model.name}” cần bổ sung minh chứng",
        f"Lý do: {reason}",
        extra=[proposal.proposed_by],
    )
    return model


@transaction.atomic
def model_mark_outstanding(*, model: DanVanModel, by, outstanding: bool) -> DanVanModel:
    """Mark a recognised model as outstanding (tiêu biểu), or take the mark back."""
    model = _locked_model(model)
    _require_reviewer(by, model)
    _require_status(model, Status.RECOGNISED)
    if model.is_outstanding == outstanding:
        return model
    model.is_outstanding = outstanding
    model.outstanding_at = timezone.now() if outstanding else None
    model.full_clean()
    model.save(update_fields=["is_outstanding", "outstanding_at", "updated_at"])
    WorkflowEvent.objects.create(
        model=model,
        action=EventAction.OUTSTANDING if outstanding else EventAction.OUTSTANDING_REMOVED,
        actor=by,
    )
    if outstanding:
        _tell_registrants(
            model, by, NotificationKind.OUTSTANDING, f"“{model.name}” được chọn là tiêu biểu"
        )
    return model


# --- commendation rounds ----------------------------------------------------------------------

ROUND_FIELDS = ("title", "kind", "period_start", "period_end", "organising_unit", "held_on")
# A signed decision is kept as its scan: a PDF or a photograph, never an editable document.
DECISION_FILE_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")


def _locked_round(commendation_round: CommendationRound) -> CommendationRound:
    return (
        CommendationRound.objects.select_for_update()
        .select_related("organising_unit")
        .get(pk=commendation_round.pk)
    )


def _require_manager(by, commendation_round: CommendationRound) -> None:
    if not rules.can_manage_round(by, commendation_round):
        raise PermissionDenied(
            "Chỉ cán bộ thẩm định, quản trị của đơn vị tổ chức mới thực hiện được."
        )


def _require_draft(commendation_round: CommendationRound) -> None:
    if commendation_round.is_published:
        raise ValidationError(
            "Đợt đã công bố nên danh sách bị khóa; mọi thay đổi phải là đính chính hoặc thu hồi "
            "có ghi lý do.",
            code="locked",
        )


def _round_event(commendation_round, by, action, *, commendation=None, reason="") -> RoundEvent:
    return RoundEvent.objects.create(
        round=commendation_round,
        action=action,
        commendation=commendation,
        subject=str(commendation.model)[:500] if commendation else "",
        actor=by,
        reason=reason,
    )


@transaction.atomic
def round_create(*, by, fields: Mapping) -> CommendationRound:
    """Open a commendation round of a unit the reviewer or admin works for."""
    commendation_round = CommendationRound(
        **{name: fields[name] for name in ROUND_FIELDS if name in fields}, created_by=by
    )
    _require_manager(by, commendation_round)
    commendation_round.full_clean()
    commendation_round.save()
    _round_event(commendation_round, by, RoundAction.CREATED)
    return commendation_round


@transaction.atomic
def round_update(*, commendation_round: CommendationRound, by, fields: Mapping):
    """Change a draft round's title, kind, period, unit or date."""
    commendation_round = _locked_round(commendation_round)
    _require_manager(by, commendation_round)
    _require_draft(commendation_round)
    unit_before = commendation_round.organising_unit_id
    for name in ROUND_FIELDS:
        if name in fields:
            setattr(commendation_round, name, fields[name])
    _require_manager(by, commendation_round)  # the new organising unit too
    # A round commends its own unit's models only: a narrower unit must still cover every line.
    if commendation_round.organising_unit_id != unit_before and (
        outside := lines_outside_unit(commendation_round)
    ):
        raise ValidationError(
            {
                "organising_unit": (
                    f"Không đổi được đơn vị tổ chức sang {commendation_round.organising_unit.name}"
                    f": {_lines_named(outside)} trong danh sách không thuộc phạm vi đơn vị này. "
                    "Hãy bỏ các dòng đó khỏi danh sách trước."
                )
            },
            code="scope",
        )
    commendation_round.full_clean()
    commendation_round.save()
    _round_event(commendation_round, by, RoundAction.UPDATED)
    return commendation_round


NAMED_AT_MOST = 10


def _lines_named(lines: list[Commendation], describe=None) -> str:
    """ "3 mô hình, điển hình (“A”, “B”, “C”)", naming the first few."""
    names = [f"“{line.model}”" + (f" ({describe(line)})" if describe else "") for line in lines]
    shown = ", ".join(names[:NAMED_AT_MOST])
    if len(names) > NAMED_AT_MOST:
        shown += f" và {len(names) - NAMED_AT_MOST} mô hình khác"
    return f"{len(lines)} mô hình, điển hình ({shown})"


def _status_of(line: Commendation) -> str:
    return line.model.get_status_display().lower()


def _check_form(form: str) -> None:
    if form not in CommendationForm.values:
        raise ValidationError({"form": "Hãy chọn hình thức khen."}, code="form")


@transaction.atomic
def commendation_nominate(
    *, commendation_round: CommendationRound, by, model: DanVanModel, form: str, citation: str = ""
) -> Commendation:
    """Put a recognised model of the round's unit on the round's list."""
    commendation_round = _locked_round(commendation_round)
    _require_manager(by, commendation_round)
    _require_draft(commendation_round)
    _check_form(form)
    model = _locked_model(model)
    if model.status != Status.RECOGNISED:
        raise ValidationError(
            f"“{model}” chưa được công nhận nên chưa thể biểu dương, khen thưởng.",
            code="not_recognised",
        )
    if not nominable_models(commendation_round, by).filter(pk=model.pk).exists():
        if Commendation.objects.filter(round=commendation_round, model=model).exists():
            raise ValidationError("Mô hình này đã có trong danh sách của đợt.", code="duplicate")
        raise ValidationError(
            f"“{model}” không thuộc phạm vi của {commendation_round.organising_unit.name}.",
            code="scope",
        )
    last = commendation_round.commendations.order_by("-position").first()
    commendation = Commendation.objects.create(
        round=commendation_round,
        model=model,
        form=form,
        citation=citation.strip(),
        position=(last.position + 1) if last else 1,
    )
    _round_event(commendation_round, by, RoundAction.NOMINATED, commendation=commendation)
    return commendation


@transaction.atomic
def commendation_update(*, commendation: Commendation, by, form: str, citation: str):
    """Change the form or citation of a commendation while its round is a draft."""
    commendation_round = _locked_round(commendation.round)
    _require_manager(by, commendation_round)
    _require_draft(commendation_round)
    _check_form(form)
    commendation = Commendation.objects.select_for_update().get(pk=commendation.pk)
    commendation.form = form
    commendation.citation = citation.strip()
    commendation.save(update_fields=["form", "citation", "updated_at"])
    _round_event(commendation_round, by, RoundAction.CHANGED, commendation=commendation)
    return commendation


@transaction.atomic
def commendation_remove(*, commendation: Commendation, by) -> None:
    """Take a model off a draft round's list."""
    commendation_round = _locked_round(commendation.round)
    _require_manager(by, commendation_round)
    _require_draft(commendation_round)
    _round_event(commendation_round, by, RoundAction.REMOVED, commendation=commendation)
    commendation.delete()


@transaction.atomic
def round_record_decision(
    *,
    commendation_round: CommendationRound,
    by,
    number: str,
    decided_on: date,
    signer: str,
    authority: str,
    upload=None,
) -> CommendationRound:
    """Record the round's decision (number, date, signer, authority, the signed file)."""
    commendation_round = _locked_round(commendation_round)
    _require_manager(by, commendation_round)
    _require_draft(commendation_round)
    errors = {}
    for name, value, message in (
        ("decision_number", number, "Hãy nhập số quyết định."),
        ("decision_signer", signer, "Hãy nhập người ký."),
        ("decision_authority", authority, "Hãy nhập cơ quan ban hành."),
    ):
        if not (value or "").strip():
            errors[name] = message
    if decided_on is None:
        errors["decision_date"] = "Hãy nhập ngày quyết định."
    elif decided_on > timezone.localdate():
        errors["decision_date"] = "Ngày quyết định không được sau hôm nay."
    if errors:
        raise ValidationError(errors, code="decision")
    old_file = commendation_round.decision_file.name
    commendation_round.decision_number = number.strip()
    commendation_round.decision_date = decided_on
    commendation_round.decision_signer = signer.strip()
    commendation_round.decision_authority = authority.strip()
    if upload is not None:
        kind = inspect_upload(upload, max_bytes=settings.ATTACHMENT_MAX_BYTES)
        if kind.extension not in DECISION_FILE_EXTENSIONS:
            raise ValidationError(
                {"decision_file": "Tệp quyết định đã ký phải là bản PDF hoặc ảnh JPG, PNG."},
                code="extension",
            )
        commendation_round.decision_file_extension = kind.extension
        commendation_round.decision_file_name = safe_file_name(upload.name)
        commendation_round.decision_file.save(
            commendation_round.decision_file_name, stored_content(upload, kind), save=False
        )
        if old_file:
            storage = commendation_round.decision_file.storage
            transaction.on_commit(lambda: storage.delete(old_file))
    commendation_round.full_clean()
    commendation_round.save()
    _round_event(
        commendation_round,
        by,
        RoundAction.DECISION,
        reason=f"Quyết định số {commendation_round.decision_number} ngày {decided_on:%d/%m/%Y}",
    )
    return commendation_round


@transaction.atomic
def round_publish(*, commendation_round: CommendationRound, by) -> CommendationRound:
    """Publish a decided round: its commendations show on the models, the list is locked."""
    commendation_round = _locked_round(commendation_round)
    _require_manager(by, commendation_round)
    _require_draft(commendation_round)
    if not (
        commendation_round.decision_number
        and commendation_round.decision_date
        and commendation_round.decision_signer
        and commendation_round.decision_authority
    ):
        raise ValidationError(
            "Hãy ghi quyết định (số, ngày, người ký, cơ quan ban hành) trước khi công bố.",
            code="no_decision",
        )
    if not commendation_round.decision_file:
        raise ValidationError(
            "Hãy tải lên tệp quyết định đã ký (bản scan PDF hoặc ảnh) trước khi công bố.",
            code="no_decision_file",
        )
    # The models are locked too: one discontinued meanwhile waits, or is seen discontinued here.
    models = {
        model.pk: model
        for model in DanVanModel.objects.select_for_update(of=("self",))
        .filter(pk__in=commendation_round.commendations.values("model_id"))
        .select_related("owning_unit")
        .order_by("pk")
    }
    commendations = list(commendation_round.commendations.order_by("position", "pk"))
    if not commendations:
        raise ValidationError("Danh sách khen thưởng của đợt đang trống.", code="empty")
    for commendation in commendations:
        commendation.model = models[commendation.model_id]
    outside = lines_outside_unit(commendation_round)
    if outside:
        raise ValidationError(
            f"Chưa công bố được: {_lines_named(outside)} không thuộc phạm vi của "
            f"{commendation_round.organising_unit.name}. Hãy bỏ các dòng đó khỏi danh sách.",
            code="scope",
        )
    no_longer = [line for line in commendations if line.model.status != Status.RECOGNISED]
    if no_longer:
        raise ValidationError(
            f"Chưa công bố được: {_lines_named(no_longer, _status_of)} không còn ở trạng thái "
            "“Đã công nhận”. Hãy bỏ các dòng đó khỏi danh sách.",
            code="not_recognised",
        )
    commendation_round.status = RoundStatus.PUBLISHED
    commendation_round.published_at = timezone.now()
    commendation_round.published_by = by
    commendation_round.full_clean()
    commendation_round.save()
    decision = (
        f"Quyết định số {commendation_round.decision_number} "
        f"ngày {commendation_round.decision_date:%d/%m/%Y}"
    )
    WorkflowEvent.objects.bulk_create(
        WorkflowEvent(
            model=commendation.model,
            action=EventAction.COMMENDED,
            actor=by,
            reason=f"{commendation.get_form_display()} – {commendation_round.title}",
            source=decision,
        )
        for commendation in commendations
    )
    _round_event(commendation_round, by, RoundAction.PUBLISHED, reason=decision)
    for commendation in commendations:
        _tell_registrants(
            commendation.model,
            by,
            NotificationKind.COMMENDED,
            f"“{commendation.model.name}” được {commendation.get_form_display().lower()}",
            f"{commendation_round.title}. {decision} của {commendation_round.decision_authority}.",
        )
    return commendation_round


@transaction.atomic
def commendation_correct(
    *, commendation: Commendation, by, form: str, citation: str, reason: str
) -> Commendation:
    """Correct a published commendation: a recorded action with its reason, never silent."""
    reason = _required_reason(reason, "Hãy ghi lý do đính chính.")
    commendation_round = _locked_round(commendation.round)
    _require_manager(by, commendation_round)
    if not commendation_round.is_published:
        raise ValidationError("Đợt chưa công bố: hãy sửa trực tiếp trong danh sách.")
    _check_form(form)
    commendation = Commendation.objects.select_for_update().get(pk=commendation.pk)
    if commendation.revoked_at:
        raise ValidationError("Khen thưởng này đã bị thu hồi.", code="revoked")
    before = f"{commendation.get_form_display()}: {commendation.citation or '—'}"
    commendation.form = form
    commendation.citation = citation.strip()
    commendation.save(update_fields=["form", "citation", "updated_at"])
    after = f"{commendation.get_form_display()}: {commendation.citation or '—'}"
    _round_event(
        commendation_round,
        by,
        RoundAction.CORRECTED,
        commendation=commendation,
        reason=f"{reason} (trước: {before}; sau: {after})",
    )
    return commendation


@transaction.atomic
def commendation_revoke(*, commendation: Commendation, by, reason: str) -> Commendation:
    """Revoke a published commendation, keeping it on record with the reason."""
    reason = _required_reason(reason, "Hãy ghi lý do thu hồi.")
    commendation_round = _locked_round(commendation.round)
    _require_manager(by, commendation_round)
    if not commendation_round.is_published:
        raise ValidationError("Đợt chưa công bố: hãy bỏ khỏi danh sách.")
    commendation = Commendation.objects.select_for_update().get(pk=commendation.pk)
    if commendation.revoked_at:
        raise ValidationError("Khen thưởng này đã bị thu hồi.", code="revoked")
    commendation.revoked_at = timezone.now()
    commendation.revoked_reason = reason
    commendation.save(update_fields=["revoked_at", "revoked_reason", "updated_at"])
    _round_event(
        commendation_round, by, RoundAction.REVOKED, commendation=commendation, reason=reason
    )
    return commendation


# --- rubric versions (admins) -----------------------------------------------------------------


def _require_rubric_manager(by) -> None:
    # The rubric is national: superusers (who hold every permission) manage it.
    if not by.has_perm("reviews.change_rubric"):
        raise PermissionDenied("Chỉ quản trị hệ thống mới thay đổi được bộ tiêu chí thẩm định.")


def _lock_rubrics() -> None:
    # Every version's row (a handful). A concurrent change waits for this one to commit, and its
    # next statement then sees the new version number and the version made active; locking only
    # the rows it is about to read would let it act on what it read before the wait.
    list(Rubric.objects.select_for_update().order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def rubric_new_version(*, source: Rubric, by) -> Rubric:
    """A new, not yet active version with ``source``'s criteria, to change freely."""
    _require_rubric_manager(by)
    _lock_rubrics()
    last = Rubric.objects.order_by("-version").first()
    rubric = Rubric.objects.create(name=source.name, version=last.version + 1, is_active=False)
    for criterion in source.criteria.all():
        criterion.pk = None
        criterion.rubric = rubric
        criterion.save()
    return rubric


@transaction.atomic
def rubric_activate(*, rubric: Rubric, by) -> Rubric:
    """Make ``rubric`` the version new score sheets use; sheets already made keep theirs."""
    _require_rubric_manager(by)
    _lock_rubrics()
    rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if not rubric.criteria.exists():
        raise ValidationError("Bộ tiêu chí chưa có tiêu chí nào.", code="empty")
    Rubric.objects.filter(is_active=True).exclude(pk=rubric.pk).update(is_active=False)
    rubric.is_active = True
    rubric.save(update_fields=["is_active"])
    return rubric
