"""Writes to the organisation tree and its memberships; every one runs in a transaction.

Like every service, each takes the acting user ``by``: the audit trail records the change as
theirs, whatever called the service (an admin page, an import, a command). ``by`` is None only
for writes no person makes, such as the demo loader building the tree before any account exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from treebeard.exceptions import InvalidMoveToDescendant

from core.audit import acting
from organisations.choices import Role
from organisations.models import Membership, Organisation
from organisations.querysets import forget_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def organisation_create(
    *, parent: Organisation | None, organisation: Organisation, by: User | None
) -> Organisation:
    """Add the unsaved ``organisation`` under ``parent`` (or as a new root)."""
    organisation.full_clean(exclude=["path", "depth", "numchild"])
    with acting(by):
        if parent is None:
            return Organisation.objects.add_root(instance=organisation)
        parent = Organisation.objects.select_for_update().get(pk=parent.pk)
        return Organisation.objects.add_child(parent, instance=organisation)


@transaction.atomic
def organisation_update(
    *,
    organisation: Organisation,
    by: User | None,
    parent: Organisation | None = None,
    move: bool = False,
    **fields,
) -> Organisation:
    """Change a unit's fields and, with ``move``, put it (and its subtree) under ``parent``."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    with acting(by):
        organisation.save()
    if move:
        organisation_move(organisation=organisation, parent=parent, by=by)
        organisation.refresh_from_db()
    return organisation


@transaction.atomic
def organisation_move(
    *, organisation: Organisation, parent: Organisation | None, by: User | None
) -> None:
    """Move ``organisation`` with its subtree under ``parent`` (None: make it a root)."""
    organisation.refresh_from_db()
    current_parent = Organisation.objects.get_parent(organisation)
    if (current_parent.pk if current_parent else None) == (parent.pk if parent else None):
        return
    with acting(by):
        try:
            if parent is None:
                Organisation.objects.move(
                    organisation, Organisation.objects.get_last_root_node(), "last-sibling"
                )
            else:
                parent.refresh_from_db()
                Organisation.objects.move(organisation, parent, "last-child")
        except InvalidMoveToDescendant as error:
            raise ValidationError(
                "Không thể chuyển một đơn vị vào bên trong chính nó hoặc đơn vị cấp dưới của nó."
            ) from error


@transaction.atomic
def organisation_set_predecessors(
    *, organisation: Organisation, predecessors: list[Organisation], by: User | None
) -> None:
    """Record which units were merged into ``organisation``."""
    if any(predecessor.pk == organisation.pk for predecessor in predecessors):
        raise ValidationError("Một đơn vị không thể sáp nhập vào chính nó.")
    with acting(by):
        organisation.merged_from.set(predecessors)


ADMIN_GROUP_NAME = "Quản trị đơn vị"


def admin_group() -> Group:
    """The Django group that gives the admin role its pages in the admin site.

    Its permissions are listed in ``settings.ADMIN_ROLE_PERMISSIONS`` ("app_label.codename"), so
    each app adds its own admin pages without this app knowing about it.
    """
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP_NAME)
    wanted = Q(pk__in=[])
    for name in settings.ADMIN_ROLE_PERMISSIONS:
        app_label, codename = name.split(".", 1)
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.add(*Permission.objects.filter(wanted))
    return group


@transaction.atomic
def membership_grant(
    *, user: User, organisation: Organisation, role: str, by: User | None
) -> Membership:
    """Give ``user`` a role on ``organisation``'s subtree (idempotent).

    The admin role also opens the admin site, where every list is limited to the same subtree.
    """
    with acting(by):
        membership, _ = Membership.objects.get_or_create(
            user=user, organisation=organisation, role=role
        )
    if role == Role.ADMIN:
        if not user.is_staff:
            user.is_staff = True
            with acting(by):
                user.save(update_fields=["is_staff"])
        user.groups.add(admin_group())
    forget_scope(user)
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, by: User | None) -> None:
    """Take a role away. Losing the last admin role also closes the admin site again (the
    reverse of ``membership_grant``)."""
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    user = membership.user
    with acting(by):
        membership.delete()
    if (
        membership.role == Role.ADMIN
        and not user.is_superuser
        and not Membership.objects.filter(user=user, role=Role.ADMIN).exists()
    ):
        user.groups.remove(admin_group())
        if user.is_staff:
            user.is_staff = False
            with acting(by):
                user.save(update_fields=["is_staff"])
    forget_scope(user)
