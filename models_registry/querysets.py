"""Scoped, chainable reads of the registry; every page, export and download starts here."""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery
from django.db import models
from django.db.models import Q

from core.text import search_text
from models_registry.choices import (
    ACTIVE_STATUSES,
    EDITABLE_STATUSES,
    REPLICABLE_STATUSES,
    Status,
)
from organisations.choices import Role
from organisations.querysets import ScopedQuerySetMixin, scope_paths, subtree_q

_WORD = re.compile(r"\w+")


class DanVanModelQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_lookup = "owning_unit__path"

    def visible_to(self, user, roles=None):
        """Models owned in ``user``'s subtrees; a draft only to the cadres who may finish it.

        Reviewers and admins see a registration from the moment it is submitted.
        """
        visible = super().visible_to(user, roles)
        if not user or not user.is_authenticated or user.is_superuser:
            return visible
        if roles is not None and Role.CADRE not in roles:
            return visible.exclude(status=Status.DRAFT)
        cadre_paths = scope_paths(user, [Role.CADRE])
        if cadre_paths == scope_paths(user, roles):
            return visible
        if not cadre_paths:
            return visible.exclude(status=Status.DRAFT)
        own_drafts = subtree_q(cadre_paths, self.scope_path_lookup)
        return visible.filter(~Q(status=Status.DRAFT) | own_drafts)

    def editable_by(self, user):
        """Models ``user`` may still change: their cadre scope, while draft or returned."""
        return self.visible_to(user, [Role.CADRE]).filter(status__in=EDITABLE_STATUSES)

    def active(self):
        """Models being carried out (accepted and not discontinued)."""
        return self.filter(status__in=ACTIVE_STATUSES)

    def replicable(self):
        """Models a registration may name as replicated from: carried out, not drafts or
        registrations still under review."""
        return self.filter(status__in=REPLICABLE_STATUSES)

    def matching(self, text: str):
        """Models whose code, name, person or content contain every word of ``text``.

        Diacritics and case are ignored; the last word may be unfinished ("nuoi d").
        """
        words = _WORD.findall(search_text(text))
        if not words:
            return self
        terms = [*words[:-1], f"{words[-1]}:*"]
        query = SearchQuery(" & ".join(terms), config="simple", search_type="raw")
        return self.filter(search_vector=query)

    def for_list(self):
        """What a list row shows, in a fixed number of queries."""
        return self.select_related("owning_unit")


class _ThroughModelQuerySet(models.QuerySet):
    """Rows that belong to a model are visible exactly when their model is."""

    def visible_to(self, user):
        from models_registry.models import DanVanModel

        return self.filter(model__in=DanVanModel.objects.visible_to(user).values("pk"))


class ResultReportQuerySet(_ThroughModelQuerySet):
    pass


class AttachmentQuerySet(_ThroughModelQuerySet):
    pass
