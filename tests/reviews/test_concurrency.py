"""Two reviewers (or admins) acting at the same moment, from two real database connections.

The services lock the model's row: whoever takes it first wins, the other waits for the commit,
then finds the state moved on and is told it was already handled. Rubric versions are changed
one admin at a time in the same way. Rows committed here are real, so these tests run outside
the test transaction (and restore the migrations' seeded rows).
"""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from core.models import Notification
from models_registry.choices import Status
from models_registry.models import WorkflowEvent
from organisations.choices import Role
from reviews import services
from reviews.models import Appraisal, Rubric
from reviews.services import recognition, registration
from tests.factories import user_with_role
from tests.reviews.conftest import full_scores

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded_rows")]

HOLD_SECONDS = 0.5
RACERS = ("one", "two")


@pytest.fixture
def second_reviewer(tree):
    return user_with_role(tree.province, Role.REVIEWER, username="thamdinh.hai")


@pytest.fixture
def lock_timeline(monkeypatch):
    """Whoever gets the model's row lock first keeps it a while; times are recorded.

    ``asked`` holds when each thread asked for the lock; ``released`` when the first holder
    finished its transaction: a thread that asked before that moment really waited on the lock.
    """
    real = registration._locked_model
    guard = threading.Lock()
    timeline = {"asked": {}, "first": None, "released": None}

    def slow_locked_model(model):
        if threading.current_thread().name not in RACERS:  # fixtures setting the scene
            return real(model)
        timeline["asked"][threading.current_thread().name] = time.monotonic()
        locked = real(model)
        with guard:
            first = timeline["first"] is None
            if first:
                timeline["first"] = threading.current_thread().name
        if first:
            time.sleep(HOLD_SECONDS)  # still inside the service's transaction, lock held
        return locked

    # Each service module holds its own reference to the shared helper.
    for module in (registration, recognition):
        monkeypatch.setattr(module, "_locked_model", slow_locked_model)
    return timeline


def race(**jobs):
    """Run each job in its own thread and connection, all released at once; their outcomes."""
    barrier = threading.Barrier(len(jobs))
    outcomes = {}
    finished = {}

    def run(name, job):
        try:
            barrier.wait(timeout=10)
            outcomes[name] = job()
        except Exception as error:  # the outcome under test, whatever it is
            outcomes[name] = error
        finally:
            finished[name] = time.monotonic()
            connection.close()

    threads = [
        threading.Thread(target=run, args=(name, job), name=name) for name, job in jobs.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a service never returned: deadlock?"
    return outcomes, finished


def decide(service, model, by, tree):
    """The job of one reviewer: one review service on ``model``."""
    calls = {
        "accept": lambda: services.registration_accept(model=model, by=by),
        "return": lambda: services.registration_return(model=model, by=by, reason="Thiếu ảnh"),
        "reject": lambda: services.registration_reject(model=model, by=by, reason="Trùng"),
        "recognise": lambda: services.model_recognise(
            model=model,
            by=by,
            decision_number="125/QĐ-BDVTU",
            decision_date=datetime.date(2025, 11, 10),
            decision_signer="Trần Thị Lan",
            decision_issuer=tree.province,
        ),
        "not_recognise": lambda: services.model_not_recognise(
            model=model, by=by, reason="Chưa đủ kết quả"
        ),
    }
    return calls[service]


RESULTS = {
    "accept": Status.ACCEPTED,
    "return": Status.RETURNED,
    "reject": Status.REJECTED,
    "recognise": Status.RECOGNISED,
    "not_recognise": Status.NOT_RECOGNISED,
}


@pytest.mark.parametrize(
    ("first", "second", "start"),
    [
        ("accept", "return", "submitted_model"),
        ("reject", "accept", "submitted_model"),
        ("recognise", "not_recognise", "appraised_model"),
    ],
)
def test_two_reviewers_one_model_exactly_one_wins(
    request, tree, cadre, reviewer, second_reviewer, lock_timeline, first, second, start
):
    model = request.getfixturevalue(start)
    model.refresh_from_db()
    starting_status = model.status
    events_before = WorkflowEvent.objects.filter(model=model).count()
    notifications_before = Notification.objects.count()

    outcomes, finished = race(
        one=decide(first, model, reviewer, tree), two=decide(second, model, second_reviewer, tree)
    )

    winner = lock_timeline["first"]
    loser = "two" if winner == "one" else "one"
    error = outcomes[loser]
    assert isinstance(error, ValidationError), outcomes
    assert error.code == "already_handled"
    assert "đã được xử lý" in error.messages[0]
    assert not isinstance(outcomes[winner], Exception)
    # The loser asked for the lock while the winner held it, and got it only afterwards.
    assert lock_timeline["asked"][loser] < finished[winner]

    won = {"one": first, "two": second}[winner]
    model.refresh_from_db()
    assert model.status == RESULTS[won]
    new_events = WorkflowEvent.objects.filter(model=model).order_by("pk")[events_before:]
    assert [(e.from_status, e.to_status) for e in new_events] == [(starting_status, RESULTS[won])]
    assert new_events[0].actor == (reviewer if winner == "one" else second_reviewer)
    # Committed for real: the registrant was told once, of the winning decision only.
    assert Notification.objects.count() == notifications_before + 1
    assert Notification.objects.order_by("-pk").first().recipient == cadre


@pytest.fixture
def appraised_model(proposed_model, reviewer):
    services.appraisal_save(model=proposed_model, by=reviewer, scores=full_scores())
    return proposed_model


def test_two_reviewers_appraise_the_same_proposal_at_once(
    proposed_model, reviewer, second_reviewer, lock_timeline
):
    outcomes, _ = race(
        one=lambda: services.appraisal_save(
            model=proposed_model, by=reviewer, scores=full_scores()
        ),
        two=lambda: services.appraisal_save(
            model=proposed_model, by=second_reviewer, scores=full_scores(minus=1)
        ),
    )
    assert all(isinstance(outcome, Appraisal) for outcome in outcomes.values()), outcomes
    sheets = Appraisal.objects.filter(proposal__model=proposed_model)
    assert {sheet.reviewer for sheet in sheets} == {reviewer, second_reviewer}
    assert all(sheet.scores.count() == len(full_scores()) for sheet in sheets)
    proposed_model.refresh_from_db()
    assert proposed_model.status == Status.PROPOSED


def test_a_double_click_on_save_keeps_one_sheet(proposed_model, reviewer, lock_timeline):
    outcomes, _ = race(
        one=lambda: services.appraisal_save(
            model=proposed_model, by=reviewer, scores=full_scores()
        ),
        two=lambda: services.appraisal_save(
            model=proposed_model, by=reviewer, scores=full_scores()
        ),
    )
    assert all(isinstance(outcome, Appraisal) for outcome in outcomes.values()), outcomes
    sheet = Appraisal.objects.get(proposal__model=proposed_model)
    assert sheet.scores.count() == len(full_scores())


def test_two_admins_activate_two_versions_at_once(superuser):
    """The second waits for the first, then puts its own version in force: one is active."""
    seeded = Rubric.objects.active().get()
    first = services.rubric_new_version(source=seeded, by=superuser)
    second = services.rubric_new_version(source=seeded, by=superuser)
    first_holds_lock = threading.Event()

    def activate_first_and_linger():
        # The service's transaction is part of this one: its row locks last until the commit.
        with transaction.atomic():
            services.rubric_activate(rubric=first, by=superuser)
            first_holds_lock.set()
            time.sleep(HOLD_SECONDS)

    def activate_second_meanwhile():
        first_holds_lock.wait(timeout=10)
        return services.rubric_activate(rubric=second, by=superuser)

    outcomes, _ = race(one=activate_first_and_linger, two=activate_second_meanwhile)
    assert not any(isinstance(outcome, Exception) for outcome in outcomes.values()), outcomes
    assert list(Rubric.objects.active()) == [second]


def test_two_admins_make_new_versions_at_once(superuser):
    """Each gets its own version number: the second waits for the first."""
    seeded = Rubric.objects.active().get()
    first_holds_lock = threading.Event()

    def copy_and_linger():
        with transaction.atomic():
            services.rubric_new_version(source=seeded, by=superuser)
            first_holds_lock.set()
            time.sleep(HOLD_SECONDS)

    def copy_meanwhile():
        first_holds_lock.wait(timeout=10)
        return services.rubric_new_version(source=seeded, by=superuser)

    outcomes, _ = race(one=copy_and_linger, two=copy_meanwhile)
    assert not any(isinstance(outcome, Exception) for outcome in outcomes.values()), outcomes
    versions = sorted(Rubric.objects.values_list("version", flat=True))
    assert versions == [seeded.version, seeded.version + 1, seeded.version + 2]
