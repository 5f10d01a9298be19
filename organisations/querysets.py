"""The one place that limits what a user may see: their organisations' subtrees.

A membership gives its role on the organisation's whole subtree, and a unit merged into another
(the 2025 mergers) rolls up under its successor: whoever sees the successor also sees the
predecessor's subtree, wherever that sits in the tree.

Subtrees are path prefixes (django-treebeard's materialised path), so every scoped query is a
range scan on the indexed ``path`` column — whatever table it starts from — and never a walk of
the tree in Python.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q
from treebeard.mp_tree import MP_NodeQuerySet

from organisations.mergers import VERSION_SQL, current_merger_index, merger_index

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


def _user_scope_rows(user) -> list[tuple[str, str, bool]]:
    """Every (role, path, direct) the user reaches; one query per request (the memberships and
    the tree's version), cached on the user."""
    from django.db import connection

    cache = _cache(user)
    if "rows" not in cache:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT membership.role, unit.path, ({VERSION_SQL}), unit.level "
                "FROM organisations_membership membership "
                "JOIN organisations_organisation unit ON unit.id = membership.organisation_id "
                "WHERE membership.user_id = %s",
                [user.pk],
            )
            memberships = cursor.fetchall()
        cache["levels"] = {level for _, _, _, level in memberships}
        if memberships:
            cache["tree_version"] = memberships[0][2]
            index = merger_index(cache["tree_version"])
            cache["rows"] = index.widened((role, path) for role, path, _, _ in memberships)
        else:
            cache["rows"] = []
    return cache["rows"]


def membership_levels(user) -> set[str]:
    """The levels (``OrganisationLevel``) of the units ``user`` holds memberships on, read with
    the scope (no query of its own)."""
    _user_scope_rows(user)
    return _cache(user)["levels"]


def user_memberships_paths(user) -> list[tuple[str, str]]:
    """``(role, organisation path)`` of every membership of ``user``."""
    return [(role, path) for role, path, direct in _user_scope_rows(user) if direct]


def scope_paths(user, roles: Iterable[str] | None = None) -> list[str]:
    """The tree paths whose subtrees ``user`` reaches through memberships with ``roles``.

    Includes, transitively, the subtrees of units merged into any unit in scope. Superusers and
    anonymous users are handled by the callers (all, nothing). The memberships are read in one
    query, the mergers from memory (``organisations.mergers``), cached on the user object for
    the request.
    """
    key = ("scope", tuple(sorted(roles)) if roles is not None else None)
    cache = _cache(user)
    if key not in cache:
        cache[key] = _minimal(
            path for role, path, _ in _user_scope_rows(user) if roles is None or role in roles
        )
    return cache[key]


def with_predecessors(paths: Iterable[str], *, user=None, version: int | None = None) -> list[str]:
    """``paths`` widened, transitively, by the subtrees of units merged into any unit under them
    (one small query; cycle-safe).

    With the request's ``user``, whose scope was read along with the tree's version, or with the
    tree's ``version`` read by the caller, the links of that version serve (the scope and the
    widening then agree) and nothing more is read.
    """
    paths = _minimal(paths)
    if not paths:
        return []
    if version is None and user is not None:
        version = _cache(user).get("tree_version")
    index = merger_index(version) if version is not None else current_merger_index()
    rows = index.widened(("", path) for path in paths)
    return _minimal(path for _, path, _ in rows)


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
        """Units whose name, short name or code contains ``text``, ignoring diacritics and case;
        full-width letters and digits ("Ｔ１９－ＣＨ", as some input methods type them) are read
        as the plain ones."""
        from core.text import search_text

        needle = search_text(unicodedata.normalize("NFKC", text or ""))
        if not needle:
            return self
        # One condition on one column, so the trigram index can answer it.
        return self.filter(search_name__contains=needle)


class MembershipQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_lookup = "organisation__path"
