"""What the reports app adds to the home page (core.hooks): each user's figures at a glance.

A cadre sees their units' models by status and how many wait for them (drafts and returned
registrations); a reviewer or an admin sees the key figures of the current half-year for the top
unit of their scope (the report's total row, ``key_figures``), with a link to its report. One
``key_figures`` call at most per page.

Both are kept in the cache (``core.versions``) under the user's scope: the statuses under the
registry's version, the key figures under the figures' version (models, commendations, the tree),
so a figure is counted again only after a write to what it counts.
"""

from __future__ import annotations

from django.db.models import F

from core import hooks
from core.versions import kept
from models_registry.choices import EDITABLE_STATUSES, Status
from models_registry.filters import COUNTS_CACHE_SECONDS, kept_in_scope
from organisations.choices import Role
from organisations.models import Organisation
from organisations.querysets import user_memberships_paths
from reports.formatting import span
from reports.periods import default_period
from reports.selectors import figures_version, key_figures, models_by_status

OVERSEEING_ROLES = (Role.REVIEWER, Role.ADMIN)


def _statuses(user) -> dict:
    counts = kept_in_scope("home-statuses", user, Role.CADRE, lambda: models_by_status(user))
    return {
        "is_cadre": True,
        "statuses": [
            {"value": value, "label": label, "count": counts[value]}
            for value, label in Status.choices
            if counts.get(value)
        ],
        "models_total": sum(counts.values()),
        "awaiting": sum(counts.get(status, 0) for status in EDITABLE_STATUSES),
    }


def _top_unit(paths: list[str]) -> Organisation | None:
    """The shallowest of these units; current units before those merged away, then by name."""
    return (
        Organisation.objects.filter(path__in=paths)
        .order_by("depth", F("valid_to").asc(nulls_first=True), "name")
        .first()
    )


def _key_figures(user, unit: Organisation) -> dict:
    period = default_period()
    total = key_figures(user, unit, period)
    return {
        "unit_id": unit.pk,
        "unit_name": unit.name,
        "period_key": period.key,
        "period_name": period.name,
        "period_span": span(period.as_dict()),
        "active": total["active"],
        "new": total["new"],
        "recognised": total["recognised"],
        "commended_collectives": total["commended_collectives"],
        "commended_individuals": total["commended_individuals"],
    }


def _kept_key_figures(user, overseen: list[str]) -> dict | None:
    """The key figures of the top unit of ``overseen``, kept under the figures' version (any
    write to what they count, or to the tree, counts them again), these paths and the period.

    Nothing kept (``None``) when no unit has these paths.
    """
    scope = f"{default_period().key}|{overseen!r}"

    def count() -> dict:
        unit = _top_unit(overseen)
        return {"unit": _key_figures(user, unit) if unit is not None else None}

    return kept("home-figures", figures_version(), scope, count, COUNTS_CACHE_SECONDS)["unit"]


@hooks.register(hooks.HOME)
def figures_panel(request) -> hooks.Panel | None:
    """A cadre's models by status; a reviewer's or admin's key figures of the current period.

    Memberships decide (superusers without one get no panel: their scope is the whole country).
    """
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = user_memberships_paths(user)
    context = {}
    if any(role == Role.CADRE for role, _ in memberships):
        context.update(_statuses(user))
    overseen = sorted(path for role, path in memberships if role in OVERSEEING_ROLES)
    if overseen:
        figures = _kept_key_figures(user, overseen)
        if figures is not None:
            context["figures"] = figures
    if not context:
        return None
    return hooks.Panel("reports/partials/_home_figures.html", context, order=20)
