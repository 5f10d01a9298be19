"""Registration review: a reviewer accepts, returns or rejects a submitted registration."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.models import NotificationKind
from models_registry.choices import EventAction, Status
from models_registry.models import DanVanModel
from models_registry.services import transition
from reviews.services.common import (
    _locked_model,
    _require_reviewer,
    _require_status,
    _required_reason,
    _tell_registrants,
)


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
