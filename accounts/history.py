"""A person's audit trail: their account, their profile and their roles, newest first.

Read from the rows the database triggers wrote (``AccountHistory``, ``AccountProfileHistory``,
``MembershipHistory``): who (the context's user), when, and each field from what to what.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model

from accounts.models import (
    PASSWORD_RESET_EVENT,
    SESSIONS_END_EVENT,
    AccountHistory,
    AccountProfileHistory,
)
from organisations.choices import Role
from organisations.models import MembershipHistory, Organisation

HISTORY_LIMIT = 200

_LABELS = {
    "username": "Tên đăng nhập",
    "first_name": "Họ và tên",
    "email": "E-mail",
    "is_active": "Trạng thái",
    "is_staff": "Quyền vào trang quản trị hệ thống",
    "is_superuser": "Quyền quản trị tối cao",
    "phone": "Số điện thoại",
    "must_change_password": "Phải đổi mật khẩu ở lần đăng nhập tới",
    "sso_subject": "Mã định danh một cửa",
}
_EVENT_NAMES = {
    PASSWORD_RESET_EVENT: "Cấp lại mật khẩu dùng một lần",
    SESSIONS_END_EVENT: "Kết thúc mọi phiên đăng nhập",
}
_SHOWN = {
    "is_active": {True: "Đang hoạt động", False: "Đã khóa"},
}


@dataclass
class HistoryEntry:
    at: datetime
    who: str
    what: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _shown(name: str, value) -> str:
    if name in _SHOWN and value in _SHOWN[name]:
        return _SHOWN[name][value]
    if value is True:
        return "Có"
    if value is False:
        return "Không"
    return str(value) if value not in (None, "") else "—"


def _field_changes(rows, fields) -> list[tuple[object, list[tuple[str, str, str]]]]:
    """Each row (oldest first) with the fields that differ from the previous row of the same
    object."""
    previous: dict = {}
    out = []
    for row in rows:
        before = previous.get(row.pgh_obj_id)
        changes = []
        if row.pgh_label == "update":
            for name in fields:
                new = getattr(row, name)
                if before is None:
                    # An account older than its trail: what it was before is not known.
                    changes.append((_LABELS[name], "(chưa ghi nhận)", _shown(name, new)))
                elif getattr(before, name) != new:
                    old = getattr(before, name)
                    changes.append((_LABELS[name], _shown(name, old), _shown(name, new)))
        previous[row.pgh_obj_id] = row
        out.append((row, changes))
    return out


def account_history(person, *, viewer) -> list[HistoryEntry]:
    """``person``'s trail as ``viewer`` may read it: units outside the viewer's scope go unnamed."""
    account_rows = AccountHistory.objects.filter(pgh_obj_id=person.pk).select_related("pgh_context")
    profile_rows = AccountProfileHistory.objects.filter(user_id=person.pk).select_related(
        "pgh_context"
    )
    membership_rows = list(
        MembershipHistory.objects.filter(user_id=person.pk)
        .select_related("pgh_context")
        .order_by("-pgh_id")[:HISTORY_LIMIT]
    )
    raw = []
    for row, changes in _field_changes(
        account_rows.order_by("pgh_id"),
        ["username", "first_name", "email", "is_active", "is_staff", "is_superuser"],
    ):
        if row.pgh_label == "insert":
            raw.append((row, "Tạo tài khoản", []))
        elif row.pgh_label == "update" and changes:
            raw.append((row, "Sửa tài khoản", changes))
        elif row.pgh_label in _EVENT_NAMES:
            raw.append((row, _EVENT_NAMES[row.pgh_label], []))
    for row, changes in _field_changes(
        profile_rows.order_by("pgh_id"), ["phone", "must_change_password", "sso_subject"]
    ):
        if row.pgh_label == "update" and changes:
            raw.append((row, "Sửa hồ sơ tài khoản", changes))

    unit_ids = {row.organisation_id for row in membership_rows}
    units = {
        unit.pk: unit.name
        for unit in Organisation.objects.visible_to(viewer).filter(pk__in=unit_ids)
    }
    for row in membership_rows:
        unit = units.get(row.organisation_id, "một đơn vị ngoài phạm vi của bạn")
        role = Role(row.role).label if row.role in Role.values else row.role
        if row.pgh_label == "insert":
            raw.append((row, f"Cấp vai trò {role} tại {unit}", []))
        elif row.pgh_label == "delete":
            raw.append((row, f"Thu hồi vai trò {role} tại {unit}", []))

    raw.sort(key=lambda item: (item[0].pgh_created_at, item[0].pgh_id), reverse=True)
    raw = raw[:HISTORY_LIMIT]
    actor_ids = set()
    for row, _, _ in raw:
        user_id = ((row.pgh_context.metadata or {}) if row.pgh_context else {}).get("user")
        if str(user_id or "").isdigit():
            actor_ids.add(int(user_id))
    actors = {
        actor.pk: actor.get_full_name() or actor.username
        for actor in get_user_model().objects.filter(pk__in=actor_ids)
    }
    entries = []
    for row, what, changes in raw:
        user_id = ((row.pgh_context.metadata or {}) if row.pgh_context else {}).get("user")
        who = actors.get(int(user_id)) if str(user_id or "").isdigit() else None
        entries.append(HistoryEntry(row.pgh_created_at, who or "Hệ thống", what, changes))
    return entries
