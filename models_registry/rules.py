"""Who may do what to a registration, and what a registration must hold before it is submitted.

Views ask these to show or hide buttons; services ask them again before writing.
"""

from __future__ import annotations

from dataclasses import dataclass

from models_registry.choices import ACTIVE_STATUSES, EDITABLE_STATUSES, Actor, Status
from organisations.choices import Role
from organisations.selectors import has_role_on

REGISTRANT_ROLES = (Role.CADRE,)


def can_register_in(user, organisation) -> bool:
    """Whether ``user`` may register models owned by ``organisation``."""
    return user.is_authenticated and has_role_on(user, organisation, REGISTRANT_ROLES)


def can_edit(user, model) -> bool:
    """Cadres of the owning unit change a registration while it is a draft or returned."""
    return model.status in EDITABLE_STATUSES and can_register_in(user, model.owning_unit)


def owns_draft(user, model) -> bool:
    """Whether ``model`` was started by ``user``, a cadre of its unit: the one who may delete it
    while it is a draft (``can_delete_draft``)."""
    return (
        user.is_authenticated
        and model.created_by_id == user.pk
        and can_register_in(user, model.owning_unit)
    )


def can_delete_draft(user, model) -> bool:
    """A cadre deletes a draft they started, until it is first sent to the reviewers."""
    return model.status == Status.DRAFT and owns_draft(user, model)


def can_report_results(user, model) -> bool:
    """Cadres of the owning unit report results while the model is being carried out."""
    return model.status in ACTIVE_STATUSES and can_register_in(user, model.owning_unit)


def can_discontinue(user, model) -> bool:
    """Cadres of the owning unit stop a model that is being carried out."""
    return model.status in ACTIVE_STATUSES and can_register_in(user, model.owning_unit)


@dataclass(frozen=True)
class MandatoryItem:
    label: str
    fields: tuple[str, ...]  # the form fields to mark when the item is missing


def _filled(value) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return True


def missing_items(model) -> list[MandatoryItem]:
    """The items of the registration form still empty; submitting needs all of them."""
    missing: list[MandatoryItem] = []

    def need(label, *fields, ok=None):
        satisfied = ok if ok is not None else all(_filled(getattr(model, f)) for f in fields)
        if not satisfied:
            missing.append(MandatoryItem(label, fields))

    need("Tên mô hình, điển hình", "name")
    need("Lĩnh vực", "field")
    if model.actor == Actor.INDIVIDUAL:
        need("Họ tên và chức vụ của cá nhân", "person_name", "person_position")
    need("Thực trạng, lý do xây dựng", "situation")
    need("Mục tiêu, tiêu chí đánh giá", "goals")
    need("Nội dung, cách làm", "content")
    # The detail page reads the territory's names with the model (no second query).
    names = getattr(model, "territory_names", None)
    has_territory = (
        bool(names) if names is not None else (model.pk is not None and model.territory.exists())
    )
    need(
        "Địa bàn thực hiện (chọn đơn vị hoặc ghi rõ địa bàn)",
        "territory",
        "territory_note",
        ok=has_territory or _filled(model.territory_note),
    )
    need("Đối tượng tác động", "target_group")
    need("Lực lượng thực hiện và vai trò", "forces")
    need(
        "Nguồn lực (kinh phí, ngày công, xã hội hóa hoặc nguồn lực khác)",
        "funds",
        "workdays",
        "socialised_funds",
        "resources_note",
        ok=any(
            _filled(getattr(model, f))
            for f in ("funds", "workdays", "socialised_funds", "resources_note")
        ),
    )
    need(
        "Thời gian: ngày bắt đầu, lộ trình và ngày đánh giá",
        "start_date",
        "schedule",
        "evaluation_date",
    )
    need("Sản phẩm, kết quả kiểm chứng được", "outputs")
    need("Tính bền vững, khả năng nhân rộng", "sustainability")
    need("Người liên hệ và số điện thoại", "contact_name", "contact_phone")
    return missing
