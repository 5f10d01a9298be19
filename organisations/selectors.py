"""Reads of the organisation tree for pages: roots, children, search, a user's roles."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from organisations.choices import Role
from organisations.models import Membership, Organisation
from organisations.querysets import (
    scope_paths,
    subtree_q,
    user_memberships_paths,
    with_predecessors,
)


def user_roles(user) -> frozenset[str]:
    """The roles ``user`` holds anywhere (superusers hold every role)."""
    if not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return frozenset(Role.values)
    return frozenset(role for role, _ in user_memberships_paths(user))


def user_memberships(user) -> QuerySet[Membership]:
    """``user``'s own memberships, for the home page."""
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__path", "role")
    )


def membership_units(user) -> list[Organisation]:
    """The units ``user`` is a member of, the topmost ones only (a member of a province and of
    one of its wards: the province), in tree order; none for a superuser without memberships."""
    paths = sorted({path for _role, path in user_memberships_paths(user)})
    topmost = [
        path for path in paths if not any(path.startswith(top) for top in paths if top != path)
    ]
    return list(Organisation.objects.filter(path__in=topmost).order_by("path"))


def has_role_on(user, organisation: Organisation, roles) -> bool:
    """Whether ``user`` holds one of ``roles`` on a unit whose scope covers ``organisation``."""
    if user.is_superuser:
        return True
    return any(organisation.path.startswith(path) for path in scope_paths(user, roles))


def tree_roots(user) -> QuerySet[Organisation]:
    """The top nodes of the tree as ``user`` sees it: their scope's roots, or the real roots."""
    if user.is_superuser:
        roots = Organisation.objects.get_root_nodes()
    else:
        roots = Organisation.objects.visible_to(user).filter(path__in=scope_paths(user))
    # Current units first; units that ended (merged away) after them.
    return roots.order_by(F("valid_to").asc(nulls_first=True), "name")


def tree_children(user, parent: Organisation) -> QuerySet[Organisation]:
    """``parent``'s children in scope, by name (a visible parent's children are all in scope)."""
    return (
        Organisation.objects.visible_to(user)
        .filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("name")
    )


def organisation_search(
    user, text: str, limit: int, *, under: Organisation | None = None, roles=None
) -> list[Organisation]:
    """Up to ``limit`` units in scope (of ``roles``, if given) whose name matches ``text`` with
    or without diacritics; with ``under``, only units in its subtree (or in the units merged
    into it).

    Shallowest first; each carries ``parent_name`` (when the parent is in scope) so results can
    say where they sit, fetched in one query for the whole page.
    """
    found = Organisation.objects.visible_to(user, roles).matching(text)
    if under is not None:
        found = found.filter(subtree_q(with_predecessors([under.path])))
    results = list(found.order_by("depth", "name")[:limit])
    parent_paths = {unit.path[: -unit.steplen] for unit in results if unit.depth > 1}
    names = dict(
        Organisation.objects.visible_to(user)
        .filter(path__in=parent_paths)
        .values_list("path", "name")
    )
    for unit in results:
        unit.parent_name = names.get(unit.path[: -unit.steplen])
    return results


def visible_ancestors(user, organisation: Organisation) -> list[Organisation]:
    """``organisation``'s ancestors that ``user`` may see, root first (for the breadcrumb)."""
    step = organisation.steplen
    paths = [organisation.path[:end] for end in range(step, len(organisation.path), step)]
    return list(Organisation.objects.visible_to(user).filter(path__in=paths).order_by("depth"))


def users_assignable_by(user) -> QuerySet:
    """Accounts an admin may give roles to: those already in their scope, and new accounts."""
    from django.contrib.auth import get_user_model

    in_scope = Membership.objects.visible_to(user).values("user_id")
    return (
        get_user_model()
        .objects.filter(Q(pk__in=in_scope) | Q(memberships__isnull=True), is_superuser=False)
        .distinct()
        .order_by("username")
    )


def nearby_units(user, roles=None, *, levels: int = 1, include=()) -> list[Organisation]:
    """The units at the top of ``user``'s scope and ``levels`` below them, in tree order.

    Pickers offer these rather than a whole national subtree; ``include`` (units or ids) adds
    units already chosen deeper down, so an existing choice always shows (if in scope).
    """
    if user.is_superuser:
        condition = Q(depth__lte=1 + levels)
    else:
        step = Organisation.steplen
        condition = Q(pk__in=[])
        for path in scope_paths(user, roles):
            condition |= Q(path__startswith=path, depth__lte=len(path) // step + levels)
    extra = [getattr(unit, "pk", unit) for unit in include if unit is not None]
    if extra:
        condition |= Q(pk__in=extra)
    return list(
        Organisation.objects.visible_to(user, roles)
        .filter(condition)
        .only("pk", "name", "depth", "path", "valid_to")
        .order_by("path")
    )


def covering_paths(organisation: Organisation) -> list[str]:
    """The paths of every unit whose subtree covers ``organisation``, nearest first.

    Ancestors first, then — for a unit merged into another — its successor and the successor's
    ancestors, transitively (the reverse of the merge roll-up of ``scope_paths``).
    """
    step = organisation.steplen
    ordered: list[str] = []
    frontier = [organisation.path]
    while frontier:
        level = []
        for path in frontier:
            for end in range(len(path), 0, -step):
                ancestor = path[:end]
                if ancestor not in ordered:
                    ordered.append(ancestor)
                    level.append(ancestor)
        frontier = list(
            Organisation.objects.filter(merged_from__path__in=level)
            .exclude(path__in=ordered)
            .values_list("path", flat=True)
        )
    return ordered


def users_responsible_for(organisation: Organisation, roles) -> list:
    """The active users holding one of ``roles`` at the nearest level that covers ``organisation``.

    The commune's reviewers hear of a commune's registration; the province's only when the
    commune has none — so nobody is told of what somebody nearer handles.
    """
    paths = covering_paths(organisation)
    holders: dict[str, list] = {}
    memberships = Membership.objects.filter(
        organisation__path__in=paths, role__in=roles, user__is_active=True
    ).select_related("user", "organisation")
    for membership in memberships:
        holders.setdefault(membership.organisation.path, []).append(membership.user)
    for path in paths:
        if path in holders:
            return holders[path]
    return []
