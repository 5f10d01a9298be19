"""Commendation rounds: drafting a round, nominating lines, recording the signed decision,
publishing it, and correcting or revoking a published line with a reason."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.models import NotificationKind
from core.text import bare_document_number
from core.uploads import inspect_upload, safe_file_name, stored_content
from models_registry.choices import EventAction, Status
from models_registry.models import DanVanModel, WorkflowEvent
from organisations.models import Organisation
from reviews import rules
from reviews.choices import CommendationForm, RoundAction, RoundStatus
from reviews.models import (
    Commendation,
    CommendationRound,
    RoundEvent,
)
from reviews.selectors.rounds import lines_outside_unit, nominable_models
from reviews.services.common import _locked_model, _required_reason, _tell_registrants

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
def round_create(*, by, fields: Mapping, historical: bool = False) -> CommendationRound:
    """Open a commendation round of a unit the reviewer or admin works for."""
    commendation_round = CommendationRound(
        **{name: fields[name] for name in ROUND_FIELDS if name in fields},
        is_historical=historical,
        created_by=by,
    )
    _require_manager(by, commendation_round)
    _refuse_same_round(commendation_round)
    commendation_round.full_clean()
    commendation_round.save()
    _round_event(commendation_round, by, RoundAction.CREATED)
    return commendation_round


def _refuse_same_round(commendation_round: CommendationRound) -> None:
    """The form posted twice (a double click) or the same round opened twice by two people: the
    second is refused, naming the first. Race-safe: the organising unit's row is locked first."""
    unit = commendation_round.organising_unit
    Organisation.objects.select_for_update().filter(pk=unit.pk).first()
    same = CommendationRound.objects.filter(
        **{name: getattr(commendation_round, name) for name in ROUND_FIELDS}
    ).first()
    if same is not None:
        raise ValidationError(
            {
                "title": f"Đã có đợt “{same.title}” của {unit.name} với cùng kỳ xét và ngày tổ "
                "chức (có thể do bấm nút hai lần). Hãy mở đợt đó trong danh sách đợt."
            },
            code="duplicate",
        )


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
def commendation_nominate_many(
    *, commendation_round: CommendationRound, by, models, form: str
) -> list[Commendation]:
    """Put several recognised models on a draft round's list at once, all or none; those already
    on the list are left as they are (never listed twice)."""
    commendation_round = _locked_round(commendation_round)
    _require_manager(by, commendation_round)
    _require_draft(commendation_round)
    _check_form(form)
    listed = set(commendation_round.commendations.values_list("model_id", flat=True))
    added = []
    for model in {model.pk: model for model in models}.values():
        if model.pk in listed:
            continue
        added.append(
            commendation_nominate(
                commendation_round=commendation_round, by=by, model=model, form=form
            )
        )
    return added


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
    heading: str = "",
    signer_title: str = "",
    signing_capacity: str = "",
    signing_for: str = "",
) -> CommendationRound:
    """Record the round's decision (number, date, signer, authority, the signed file; the
    heading convention and the signer's title and capacity for the printouts)."""
    number = bare_document_number(number)
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
    commendation_round.decision_heading = heading or ""
    commendation_round.decision_signer_title = (signer_title or "").strip()
    commendation_round.decision_signing_capacity = signing_capacity or ""
    commendation_round.decision_signing_for = (signing_for or "").strip()
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
    # A round of earlier years is entered from its annex; its signed scan is often long lost.
    if not commendation_round.decision_file and not commendation_round.is_historical:
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
    if commendation_round.is_historical:
        return commendation_round  # a record of the past: nobody's news today
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
