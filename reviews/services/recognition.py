"""Proposal, appraisal and recognition: a model's results appraised with the rubric, then
recognised (or not), and the recognised ones marked outstanding."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.models import NotificationKind
from core.text import bare_document_number
from models_registry.choices import EventAction, Status
from models_registry.models import DanVanModel, ResultReport, WorkflowEvent
from models_registry.services import transition
from organisations.models import Organisation
from reviews import rules
from reviews.models import (
    Appraisal,
    AppraisalScore,
    Proposal,
    Rubric,
)
from reviews.services.common import (
    _locked_model,
    _require_reviewer,
    _require_status,
    _required_reason,
    _tell_registrants,
    _tell_reviewers,
)


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
    decision_number = bare_document_number(decision_number)
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
    model.decision_number = decision_number
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
