"""The one place that limits what a user may see: their organisations' subtrees.

A membership gives its role on the organisation's whole subtree, and a unit merged into another
(the 2025 mergers) rolls up under its successor: whoever sees the successor also sees the
predecessor's subtree, wherever that sits in the tree.

Subtrees are path prefixes (django-treebeard's materialised path), so every scoped query is a
range scan on the indexed ``path`` column — whatever table it starts from — and never a walk of
the tree in Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q
from treebeard.mp_tree import MP_NodeQuerySet

_CACHE_ATTRIBUTE = "_danvan_scope_paths"


def subtree_q(paths: Iterable[str], path_lookup: str = "path") -> Q:
    """A filter matching rows whose organisation lies under one of ``paths``."""
    conditions = [Q(**{f"{path_lookup}__startswith": path}) for path in paths]
    if not conditions:
        return Q(pk__in=[])
    return reduce(or_, conditions)


def _minimal(paths: Iterable[str]) -> list[str]:
    """Drop the paths that lie under another path of the set."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def user_memberships_paths(user) -> list[tuple[str, str]]:
    """``(role, organisation path)`` of every membership of ``user``; one query per request."""
    from organisations.models import Membership

    cache = _cache(user)
    if "memberships" not in cache:
        cache["memberships"] = list(
            Membership.objects.filter(user=user)
            .order_by()
            .values_list("role", "organisation__path")
        )
    return cache["memberships"]


def scope_paths(user, roles: Iterable[str] | None = None) -> list[str]:
    """The tree paths whose subtrees ``user`` reaches through memberships with ``roles``.

    Includes, transitively, the subtrees of units merged into any unit in scope. Superusers and
    anonymous users are handled by the callers (all, nothing). Cached on the user object for the
    request, per set of roles.
    """
    from organisations.models import Organisation

    key = ("scope", tuple(sorted(roles)) if roles is not None else None)
    cache = _cache(user)
    if key in cache:
        return cache[key]

    paths = _minimal(
        path for role, path in user_memberships_paths(user) if roles is None or role in roles
    )
    merges = Organisation.merged_from.through.objects.order_by()
    while paths:
        predecessors = set(
            merges.filter(subtree_q(paths, "from_organisation__path")).values_list(
                "to_organisation__path", flat=True
            )
        )
        widened = _minimal([*paths, *predecessors])
        if widened == paths:
            break
        paths = widened

    cache[key] = paths
    return paths


def _cache(user) -> dict:
    cache = getattr(user, _CACHE_ATTRIBUTE, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTRIBUTE, cache)
    return cache


def forget_scope(user) -> None:
    """Drop the cached scope (after the user's memberships change)."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


class ScopedQuerySetMixin:
    """``visible_to(user)`` for any queryset whose rows belong to an organisation.

    Subclasses name the lookup that reaches the owning organisation's path, e.g.
    ``scope_path_lookup = "owning_unit__path"``.
    """

    scope_path_lookup: str = "path"

    def visible_to(self, user, roles: Iterable[str] | None = None):
        """Rows in the subtrees of ``user``'s organisations (optionally for some roles only)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        paths = scope_paths(user, roles)
        return self.filter(subtree_q(paths, self.scope_path_lookup))


class OrganisationQuerySet(ScopedQuerySetMixin, MP_NodeQuerySet):
    def matching(self, text: str):
        """Units whose name, short name or code contains ``text``, ignoring diacritics and case."""
        from danvan.text import search_text

        needle = search_text(text)
        if not needle:
            return self
        # One condition on one column, so the trigram index can answer it.
        return self.filter(search_name__contains=needle)


class MembershipQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_lookup = "organisation__path"
