"""Scoped, chainable reads of the registry; every page, export and download starts here."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import models
from django.db.models import Case, F, Q, When
from django.db.models.functions import Upper
from django.db.models.lookups import Exact

from core.text import search_text, single_line
from models_registry.choices import (
    ACTIVE_STATUSES,
    EDITABLE_STATUSES,
    REPLICABLE_STATUSES,
    Status,
)
from organisations.choices import Role
from organisations.querysets import ScopedQuerySetMixin, scope_paths, subtree_q

_WORD = re.compile(r"\w+")
# A code as units write them ("HB-0144", "DVK-2025-01", "125/QĐ"): letters and digits joined by
# "-", "_", "." or "/", with a digit. PostgreSQL's text parser reads "-0144" as a signed number
# and "hb/0144" as a path, so the word-by-word search cannot find such a code.
_CODE = re.compile(r"[^\W_]+(?:[-_./][^\W_]+)+")
CODE_MAX_LENGTH = 40  # DanVanModel.code


def waiting_since():
    """When a waiting model reached its current status: the review queue's order, and the key of
    the index that serves it (``danvanmodel_queue``)."""
    return Case(
        When(status=Status.SUBMITTED, then=F("submitted_at")),
        When(status=Status.PROPOSED, then=F("proposed_at")),
    )


def code_query(text: str) -> str | None:
    """The code ``text`` spells, upper-cased (full-width characters folded, spaces around it
    dropped), when it looks like a code (``_CODE``); else None."""
    code = single_line(unicodedata.normalize("NFKC", text or "")).strip()
    if len(code) > CODE_MAX_LENGTH or not _CODE.fullmatch(code):
        return None
    if not any(character.isdigit() for character in code):
        return None  # "nông-thôn": words the text search reads well
    return code.upper()


# A model's subtrees as words of its search: this followed by the path of its unit and of each
# unit above it ("donvi0001", "donvi0001000o"), words no text holds.
SUBTREE_WORD = "donvi"


class ScopedWords(models.Func):
    """A model's words with its subtrees (``SUBTREE_WORD``, ``danvan_subtree_words``, migration
    0018), the expression of the index ``danvanmodel_scoped_search``: a scope's search asks for
    its words and any of its subtrees in one condition of that index."""

    template = "(%(expressions)s)"
    arg_joiner = " || "
    output_field = SearchVectorField()

    def __init__(self):
        subtrees = models.Func(
            models.F("owning_path"),
            function="danvan_subtree_words",
            output_field=SearchVectorField(),
        )
        super().__init__(models.F("search_vector"), subtrees)


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

    def matching(self, text: str, within: Iterable[str] | None = None):
        """Models whose code, name, person or content contain every word of ``text``.

        Diacritics and case are ignored; the last word may be unfinished ("nuoi d"). A code
        ("hb-0144", ``code_query``) finds the model of that code, whatever its case (the index
        on ``UPPER(code)``), and the models whose texts hold it, read as the search column
        reads it (PostgreSQL's parser: the same pieces, next to each other).

        ``within``: tree paths the models' units must lie under, read from the models' copy of
        their unit's path together with the words (``ScopedWords``), so that a scope's search
        reads the scope's part of the index and not the country's matches. Not a scope: the
        callers start from ``visible_to``, which decides it through the units.
        """
        code = code_query(text)
        if code is not None:
            as_text = SearchQuery(search_text(code), config="simple", search_type="phrase")
            return self.filter(Q(Exact(Upper("code"), code)) | Q(search_vector=as_text))
        words = _WORD.findall(search_text(text))
        if not words:
            return self
        terms = [*words[:-1], f"{words[-1]}:*"]
        query = SearchQuery(" & ".join(terms), config="simple", search_type="raw")
        if within is None:
            return self.filter(search_vector=query)
        subtrees = [f"{SUBTREE_WORD}{path}" for path in within]
        if not subtrees:
            return self.none()
        query &= SearchQuery(" | ".join(subtrees), config="simple", search_type="raw")
        return self.alias(scoped_words=ScopedWords()).filter(scoped_words=query)

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
