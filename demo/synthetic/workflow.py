"""The workflow a synthetic model went through, dated, up to the day the data set describes."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

from demo.synthetic.draws import cumulative, pick
from demo.synthetic.words import (
    DISCONTINUE_REASONS,
    NOT_RECOGNISED_REASONS,
    REJECT_REASONS,
    RETURN_REASONS,
)
from models_registry.choices import EventAction, Status

# The data set describes the registry as it stood on this day, whatever day it is generated
# on, so that one seed always gives the same data.
AS_OF = date(2026, 11, 15)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
EPOCH_DATE = _EPOCH.date()
_EPOCH_SECONDS = _EPOCH.timestamp()
_EPOCH_ORDINAL = EPOCH_DATE.toordinal()
AS_OF_DAY = (AS_OF - EPOCH_DATE).days


def office_time(day: int, rng: random.Random) -> datetime:
    """A time in office hours (08:00–17:00 in Vietnam) on the ``day``-th day after 2000-01-01."""
    return datetime.fromtimestamp(
        _EPOCH_SECONDS + day * 86_400 + 3_600 + int(rng.random() * 32_400), UTC
    )


def date_of(day: int) -> date:
    """The ``day``-th day after 2000-01-01."""
    return date.fromordinal(_EPOCH_ORDINAL + day)


# The status a model ends in, before recent ones are cut short at ``AS_OF``.
_OUTCOMES = (
    Status.DRAFT,
    Status.SUBMITTED,
    Status.RETURNED,
    Status.REJECTED,
    Status.DISCONTINUED,
    Status.ACCEPTED,
    Status.PROPOSED,
    Status.NOT_RECOGNISED,
    Status.RECOGNISED,
)


def _until_as_of(steps: list) -> list:
    """The steps taken by ``AS_OF`` (days only grow along a path)."""
    while steps[-1][2] > AS_OF_DAY:
        steps.pop()
    return steps


_OUTCOME_WEIGHTS = cumulative([3, 3, 2, 3, 5, 26, 8, 4, 46])


def workflow(rng: random.Random, start_day: int) -> list[tuple[str, str, int, str]]:
    """The workflow a model went through: ``(action, new status, day, reason)`` in order.

    The outcome is drawn first; steps that would fall after ``AS_OF`` are cut off, so recent
    models are still waiting where older ones are long recognised.
    """
    day = start_day - rng.randrange(15, 75)
    steps = [(EventAction.CREATED, Status.DRAFT, day, "")]
    outcome = _OUTCOMES[pick(_OUTCOME_WEIGHTS, rng)]
    if outcome == Status.DRAFT:
        return steps
    day += rng.randrange(1, 20)
    steps.append((EventAction.SUBMITTED, Status.SUBMITTED, day, ""))
    if outcome == Status.SUBMITTED:  # still waiting for the reviewers
        return _until_as_of(steps)
    if outcome == Status.RETURNED:
        day += rng.randrange(3, 15)
        steps.append((EventAction.RETURNED, Status.RETURNED, day, rng.choice(RETURN_REASONS)))
        return _until_as_of(steps)
    if rng.random() < 0.08:  # sent back once, corrected and sent again
        day += rng.randrange(3, 15)
        steps.append((EventAction.RETURNED, Status.RETURNED, day, rng.choice(RETURN_REASONS)))
        day += rng.randrange(2, 20)
        steps.append((EventAction.RESUBMITTED, Status.SUBMITTED, day, ""))
    day += rng.randrange(5, 30)
    if outcome == Status.REJECTED:
        steps.append((EventAction.REJECTED, Status.REJECTED, day, rng.choice(REJECT_REASONS)))
        return _until_as_of(steps)
    steps.append((EventAction.ACCEPTED, Status.ACCEPTED, day, ""))
    if outcome == Status.DISCONTINUED:
        day += rng.randrange(90, 900)
        reason = rng.choice(DISCONTINUE_REASONS)
        steps.append((EventAction.DISCONTINUED, Status.DISCONTINUED, day, reason))
        return _until_as_of(steps)
    if outcome == Status.ACCEPTED:
        return _until_as_of(steps)
    day = max(day + 30, start_day + rng.randrange(240, 540))
    steps.append((EventAction.PROPOSED, Status.PROPOSED, day, ""))
    day += rng.randrange(15, 75)
    if outcome == Status.RECOGNISED:
        steps.append((EventAction.RECOGNISED, Status.RECOGNISED, day, ""))
    elif outcome == Status.NOT_RECOGNISED:
        reason = rng.choice(NOT_RECOGNISED_REASONS)
        steps.append((EventAction.NOT_RECOGNISED, Status.NOT_RECOGNISED, day, reason))
    return _until_as_of(steps)
