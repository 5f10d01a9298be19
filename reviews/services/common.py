"""What every reviewer's move on a model shares: the row lock, the state and actor checks,
and telling the registrants and the reviewers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from core.notifications import notify_on_commit
from models_registry.models import DanVanModel
from organisations.choices import Role
from organisations.selectors import users_responsible_for
from reviews import rules

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
