"""Who may review, appraise, recognise, propose and commend what.

Views ask these to show or hide actions; services ask them again, under the row lock.
"""

from __future__ import annotations

from models_registry import rules as registry_rules
from models_registry.choices import Status
from organisations.choices import Role
from organisations.selectors import has_role_on
from reviews.querysets import ROUND_MANAGER_ROLES

REVIEWER_ROLES = (Role.REVIEWER,)

# A cadre proposes an accepted model for recognition, or proposes again after a refusal.
PROPOSABLE_STATUSES = (Status.ACCEPTED, Status.NOT_RECOGNISED)


def is_reviewer_of(user, model) -> bool:
    """Reviewers of a unit covering the model's owning unit (cadres never review)."""
    return user.is_authenticated and has_role_on(user, model.owning_unit, REVIEWER_ROLES)


def can_decide_registration(user, model) -> bool:
    return model.status == Status.SUBMITTED and is_reviewer_of(user, model)


def can_appraise(user, model) -> bool:
    return model.status == Status.PROPOSED and is_reviewer_of(user, model)


def can_mark_outstanding(user, model) -> bool:
    return model.status == Status.RECOGNISED and is_reviewer_of(user, model)


def can_propose(user, model) -> bool:
    """Cadres of the owning unit propose their accepted model for recognition."""
    return model.status in PROPOSABLE_STATUSES and registry_rules.can_register_in(
        user, model.owning_unit
    )


def can_manage_round(user, commendation_round) -> bool:
    """Reviewers and admins of the organising unit build, decide and publish a round."""
    return user.is_authenticated and has_role_on(
        user, commendation_round.organising_unit, ROUND_MANAGER_ROLES
    )
