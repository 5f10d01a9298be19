"""A commendation round of earlier years, imported from its annex in one transaction.

The round goes through the same services as one built by hand (created, each line nominated,
its decision recorded, published), each leaving its event row; the records the file creates go
through the registry's import, with its events and audit context. It is marked historical: its
signed decision file is optional, and its publication tells nobody (it is a record of the past).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from organisations.choices import Role
from organisations.selectors import has_role_on
from reviews.models import CommendationRound
from reviews.resources import AnnexImportPlanner, AnnexPlan
from reviews.services.rounds import (
    commendation_nominate,
    round_create,
    round_publish,
    round_record_decision,
)

IMPORTER_ROLES = (Role.ADMIN,)


class AnnexRefused(ValidationError):
    """The file (or the decision) is refused; ``plan`` names every error by its row."""

    def __init__(self, plan: AnnexPlan):
        self.plan = plan
        super().__init__(plan.messages(), code="annex")


def can_import_rounds(user, unit) -> bool:
    """Admins of ``unit`` (or above) import its rounds of earlier years."""
    return user.is_authenticated and has_role_on(user, unit, IMPORTER_ROLES)


def annex_planner(*, by, fields: Mapping, decision: Mapping, dry_run: bool) -> AnnexImportPlanner:
    return AnnexImportPlanner(
        user=by,
        organising_unit=fields["organising_unit"],
        period_start=fields["period_start"],
        decision_number=decision["number"],
        decision_date=decision["decided_on"],
        dry_run=dry_run,
    )


@transaction.atomic
def round_import_historical(
    *, by, fields: Mapping, decision: Mapping, dataset, file_name: str = ""
) -> CommendationRound:
    """Create, fill, decide and publish a historical round from its annex: all rows or none."""
    if not can_import_rounds(by, fields["organising_unit"]):
        raise PermissionDenied("Chỉ quản trị của đơn vị tổ chức mới nhập được đợt lịch sử.")
    file_name = os.path.basename(str(file_name or ""))[:255]
    # Planned for real: the registry's import lock is taken, so two confirmations of one file
    # run one after the other and the second finds the decision already imported.
    planner = annex_planner(by=by, fields=fields, decision=decision, dry_run=False)
    plan = planner.plan_dataset(dataset)
    if plan.refused:
        raise AnnexRefused(plan)
    with pghistory.context(source="import", file=file_name, user=by.pk):
        commendation_round = round_create(by=by, fields=fields, historical=True)
        planner.write_records(file_name)
        for line in plan.lines:
            commendation_nominate(
                commendation_round=commendation_round,
                by=by,
                model=line.target(planner.records),
                form=line.form,
                citation=line.citation,
            )
        round_record_decision(
            commendation_round=commendation_round,
            by=by,
            number=decision["number"],
            decided_on=decision["decided_on"],
            signer=decision["signer"],
            authority=decision["authority"],
        )
        return round_publish(commendation_round=commendation_round, by=by)
