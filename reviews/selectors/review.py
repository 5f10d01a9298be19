"""Reads of the review pages: the reviewer's queue and its counters, what changed since the last
submission, a model's proposal with its score sheets, the sheet a reviewer fills in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from core.text import word_diff
from models_registry import history
from models_registry.choices import QUEUE_STATUSES, WORKFLOW_FIELDS, EventAction, Status
from models_registry.filters import kept_in_scope
from models_registry.models import DanVanModel
from models_registry.querysets import waiting_since
from organisations.choices import Role
from organisations.selectors import user_roles
from reviews.classification import classify
from reviews.models import Appraisal, AppraisalScore, Proposal, Rubric

# Written by the workflow and the reviewers' decisions, never by the registrant: a difference
# there is not a change the registrant made between two submissions.
NOT_THE_REGISTRANTS = {"id", "created_by", *WORKFLOW_FIELDS}

# How a closed proposal ended, in the words of the panel.
PROPOSAL_OUTCOMES = {
    "": "Đang thẩm định",
    Status.RECOGNISED: "Công nhận",
    Status.NOT_RECOGNISED: "Không công nhận",
    "returned": "Trả lại để bổ sung minh chứng",
}


def is_reviewer_anywhere(user) -> bool:
    """Whether ``user`` reviews for at least one unit (superusers review everywhere)."""
    return user.is_authenticated and Role.REVIEWER in user_roles(user)


def review_queue(user) -> QuerySet[DanVanModel]:
    """Models waiting for ``user`` as a reviewer, oldest first by the day they began waiting.

    ``waiting_since`` is when the model reached its current status (submitted or proposed).
    """
    return (
        DanVanModel.objects.visible_to(user, [Role.REVIEWER])
        .filter(status__in=QUEUE_STATUSES)
        .annotate(waiting_since=waiting_since())
        .select_related("owning_unit")
        .order_by(F("waiting_since").asc(nulls_first=True), "pk")
    )


def waiting_days(since: datetime | None, now: datetime | None = None) -> int:
    """Calendar days (local time) from ``since`` to ``now``."""
    if since is None:
        return 0
    now = now or timezone.now()
    return max(0, (timezone.localdate(now) - timezone.localdate(since)).days)


def with_waiting_days(models, now: datetime | None = None) -> list[DanVanModel]:
    """``models`` (from ``review_queue``), each given ``waiting_days``."""
    now = now or timezone.now()
    rows = list(models)
    for model in rows:
        model.waiting_days = waiting_days(model.waiting_since, now)
    return rows


@dataclass(frozen=True)
class QueueCounts:
    submitted: int
    proposed: int
    oldest_days: int | None

    @property
    def total(self) -> int:
        return self.submitted + self.proposed


def queue_counts(user) -> QueueCounts:
    """How many registrations and proposals wait for ``user``, and the longest wait (one query).

    Kept like the list's counts by field (``core.versions``): under the registry's version and
    the user's reviewer scope, so the queue is counted again after any write to the models; the
    days are counted from the oldest wait at each request.
    """
    figures = kept_in_scope("review-queue", user, Role.REVIEWER, lambda: _counted_queue(user))
    oldest = figures["oldest"]
    return QueueCounts(
        figures["submitted"],
        figures["proposed"],
        waiting_days(oldest) if oldest is not None else None,
    )


def _counted_queue(user) -> dict:
    return (
        review_queue(user)
        .order_by()
        .aggregate(
            submitted=Count("pk", filter=Q(status=Status.SUBMITTED)),
            proposed=Count("pk", filter=Q(status=Status.PROPOSED)),
            oldest=Min("waiting_since"),
        )
    )


@dataclass
class Resubmission:
    previous_at: datetime
    changes: list[tuple[str, str, str]]

    @property
    def compared(self) -> list[tuple[str, str, str]]:
        """Each change with the words the registrant removed in ``<del>`` and those they added
        in ``<ins>`` (escaped, safe to show)."""
        return [
            (label, *word_diff(str(before), str(after))) for label, before, after in self.changes
        ]


def changes_since_previous_submission(model: DanVanModel, user=None) -> Resubmission | None:
    """What the registrant changed, field by field, between the previous submission and now.

    The snapshot is the audit row the previous submission wrote (its ``submitted_at`` is no later
    than that submission's event); only the registration's own fields count, not the workflow's.
    Themes, territory and coordinating units are compared from their link rows since then.
    """
    submissions = list(
        model.events.filter(action__in=[EventAction.SUBMITTED, EventAction.RESUBMITTED])
        .order_by("-created_at", "-pk")
        .values_list("created_at", flat=True)[:2]
    )
    if len(submissions) < 2:
        return None
    snapshot = (
        model.history.filter(status=Status.SUBMITTED, submitted_at__lte=submissions[1])
        .order_by("-submitted_at", "pgh_id")
        .first()
    )
    if snapshot is None:
        return None
    diff = {}
    for model_field in DanVanModel._meta.concrete_fields:
        name = model_field.attname
        if model_field.name in NOT_THE_REGISTRANTS or not hasattr(snapshot, name):
            continue
        before, after = getattr(snapshot, name), getattr(model, name)
        if before != after:
            diff[name] = (before, after)
    diff.update(history.relation_changes_since(model, submissions[1]))
    # The reader names the units and origins they may see, and no others.
    return Resubmission(snapshot.submitted_at, history.field_changes(diff, user=user))


@dataclass
class ScoreSheet:
    appraisal: Appraisal
    scores: list[AppraisalScore]
    max_total: int

    @property
    def classification(self) -> str:
        """The saved total's band on the sheet's own rubric version."""
        return classify(self.appraisal.total, self.appraisal.rubric.bands.all())


@dataclass
class ProposalSummary:
    proposal: Proposal
    outcome: str
    sheets: list[ScoreSheet] = field(default_factory=list)
    is_open: bool = False
    ended_at: datetime | None = None

    @property
    def average_total(self) -> float | None:
        if not self.sheets:
            return None
        return sum(sheet.appraisal.total for sheet in self.sheets) / len(self.sheets)


def latest_proposal(model: DanVanModel) -> ProposalSummary | None:
    """The model's current (or last) proposal, its result reports and every score sheet.

    A fixed number of queries however many sheets and criteria there are.
    """
    proposal = (
        Proposal.objects.filter(model=model)
        .select_related("proposed_by")
        .prefetch_related(
            "result_reports",
            Prefetch(
                "appraisals",
                Appraisal.objects.select_related("reviewer", "rubric").prefetch_related(
                    Prefetch("scores", AppraisalScore.objects.select_related("criterion")),
                    "rubric__bands",
                ),
            ),
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if proposal is None:
        return None
    sheets = [
        ScoreSheet(
            appraisal,
            list(appraisal.scores.all()),
            sum(score.criterion.max_score for score in appraisal.scores.all()),
        )
        for appraisal in proposal.appraisals.all()
    ]
    outcome = PROPOSAL_OUTCOMES.get(proposal.outcome, "")
    ended_at = proposal.closed_at
    is_open = proposal.closed_at is None and model.status == Status.PROPOSED
    if proposal.closed_at is None and not is_open:
        # The model was discontinued while proposed: the appraisal ended without a conclusion.
        outcome = f"Không kết luận: mô hình đã {model.get_status_display().lower()}"
        ended_at = model.discontinued_at
    return ProposalSummary(proposal, outcome, sheets, is_open=is_open, ended_at=ended_at)


@dataclass
class SheetToFill:
    """The sheet ``user`` fills in for a proposed model: their own, or a new one."""

    rubric: Rubric | None
    appraisal: Appraisal | None
    criteria: list
    scores: dict[int, int]


def sheet_to_fill(model: DanVanModel, user) -> SheetToFill:
    """The rubric a reviewer's sheet uses: its own when correcting it, else the active one."""
    appraisal = (
        Appraisal.objects.filter(proposal__model=model, proposal__closed_at__isnull=True)
        .filter(reviewer=user)
        .select_related("rubric")
        .prefetch_related("scores", "rubric__bands")
        .first()
    )
    rubric = (
        appraisal.rubric if appraisal else Rubric.objects.active().prefetch_related("bands").first()
    )
    criteria = list(rubric.criteria.all()) if rubric else []
    scores = (
        {score.criterion_id: score.score for score in appraisal.scores.all()} if appraisal else {}
    )
    return SheetToFill(rubric, appraisal, criteria, scores)
