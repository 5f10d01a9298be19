"""What the unit pickers (``core.pickers``) need from the tree: their options and the address
of their search, limited like the form that checks the choice."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.functional import lazy

from organisations.models import Organisation


def unit_options(units: list[Organisation]) -> list[tuple[int, str]]:
    """Units as indented picker options (tree order)."""
    if not units:
        return []
    top = min(unit.depth for unit in units)
    return [(unit.pk, "\u2003" * (unit.depth - top) + unit.name) for unit in units]


def _unit_search_url(*, roles=(), under: Organisation | None = None) -> str:
    query = [("role", role) for role in roles]
    if under is not None:
        query.append(("under", under.pk))
    search = reverse("organisations:organisation_picker")
    return f"{search}?{urlencode(query)}" if query else search


# The search behind a unit picker: units in the user's scope, only those where the user holds
# one of ``roles`` (if given), only in ``under``'s subtree (if given). Lazy: widgets declared
# with a form's class name it before the URLs are loaded.
unit_search_url = lazy(_unit_search_url, str)
