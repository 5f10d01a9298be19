"""Reads of the review pages: the queue and its counters, changes since the previous submission,
the proposal with its score sheets, the sheet a reviewer fills in."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from models_registry import history
from models_registry import services as registry
from models_registry.choices import Status
from models_registry.models import DanVanModel
from organisations.choices import Role
from reviews import services
from reviews.models import Rubric
from reviews.selectors import review as selectors
from tests.factories import DanVanModelFactory, UserFactory, user_with_role
from tests.reviews.conftest import full_scores


def waiting_for(model, days: int, field: str = "submitted_at") -> None:
    """Pretend ``model`` reached its status ``days`` days ago."""
    moment = timezone.now() - datetime.timedelta(days=days)
    DanVanModel.objects.filter(pk=model.pk).update(**{field: moment})


@pytest.fixture
def waiting(tree, cadre, reviewer, proposed_model):
    """Three submitted registrations and a proposal, waiting different numbers of days."""
    models = {}
    for name, unit, days in (
        ("Ba ngày", tree.ward, 3),
        ("Mười ngày", tree.residential, 10),
        ("Hà Nội", tree.other_province_ward, 20),
    ):
        models[name] = DanVanModelFactory(owning_unit=unit, name=name, status=Status.SUBMITTED)
        waiting_for(models[name], days)
    waiting_for(proposed_model, 7, "proposed_at")
    models["Đề nghị"] = proposed_model
    DanVanModelFactory(owning_unit=tree.ward, name="Đã duyệt", status=Status.ACCEPTED)
    return models


def test_queue_is_the_reviewers_scope_oldest_first(waiting, reviewer):
    rows = selectors.with_waiting_days(selectors.review_queue(reviewer))
    assert [(row.name, row.waiting_days) for row in rows] == [
        ("Mười ngày", 10),
        (waiting["Đề nghị"].name, 7),
        ("Ba ngày", 3),
    ]


def test_queue_of_a_cadre_or_a_stranger_is_empty(waiting, cadre):
    # A cadre sees these models, but does not review them.
    assert not selectors.review_queue(cadre).exists()
    assert not selectors.review_queue(UserFactory()).exists()


def test_superuser_queue_covers_every_province(waiting, superuser):
    names = {row.name for row in selectors.review_queue(superuser)}
    assert names == {"Ba ngày", "Mười ngày", "Hà Nội", waiting["Đề nghị"].name}


def test_queue_counts(waiting, reviewer, other_reviewer):
    assert selectors.queue_counts(reviewer) == selectors.QueueCounts(2, 1, 10)
    assert selectors.queue_counts(other_reviewer) == selectors.QueueCounts(1, 0, 20)
    nobody = user_with_role(waiting["Ba ngày"].owning_unit, Role.CADRE)
    assert selectors.queue_counts(nobody) == selectors.QueueCounts(0, 0, None)


def test_waiting_days_count_calendar_days():
    now = timezone.make_aware(datetime.datetime(2025, 11, 20, 8, 0))
    assert selectors.waiting_days(now - datetime.timedelta(hours=1), now) == 0
    assert selectors.waiting_days(now - datetime.timedelta(hours=9), now) == 1  # yesterday
    assert selectors.waiting_days(now - datetime.timedelta(days=30), now) == 30
    assert selectors.waiting_days(None, now) == 0


def test_changes_since_previous_submission(submitted_model, cadre, reviewer):
    assert selectors.changes_since_previous_submission(submitted_model) is None  # first time
    services.registration_return(model=submitted_model, by=reviewer, reason="Bổ sung mục tiêu.")
    registry.model_update(
        model=submitted_model,
        by=cadre,
        fields={
            "goals": "Bê tông hóa 3 km đường liên thôn.",
            "start_date": datetime.date(2025, 4, 1),
        },
    )
    registry.model_submit(model=submitted_model, by=cadre)
    submitted_model.refresh_from_db()

    resubmission = selectors.changes_since_previous_submission(submitted_model)

    # Only what the cadre changed; not the status, its dates or the reviewer's reason.
    assert resubmission.changes == [
        (
            "Mục tiêu, tiêu chí đánh giá",
            "Bê tông hóa 2 km đường liên thôn.",
            "Bê tông hóa 3 km đường liên thôn.",
        ),
        ("Ngày bắt đầu", "01/03/2025", "01/04/2025"),
    ]
    first = submitted_model.events.filter(action="submitted").get()
    assert resubmission.previous_at <= first.created_at < submitted_model.submitted_at


def test_changes_are_worded_as_the_model_history_words_them(submitted_model, cadre, reviewer):
    services.registration_return(model=submitted_model, by=reviewer, reason="Bổ sung.")
    registry.model_update(model=submitted_model, by=cadre, fields={"contact_name": "Lò Thị Mai"})
    registry.model_submit(model=submitted_model, by=cadre)
    submitted_model.refresh_from_db()
    change = ("Người liên hệ", "Nguyễn Văn An", "Lò Thị Mai")
    assert selectors.changes_since_previous_submission(submitted_model).changes == [change]
    entries = history.model_history(submitted_model)
    assert any(entry.changes == [change] for entry in entries)


def test_changes_compare_with_the_submission_before_the_last(submitted_model, cadre, reviewer):
    """Three submissions: the reviewer sees what changed since the second, not the first."""
    for goals in ("Mục tiêu lần hai.", "Mục tiêu lần ba."):
        services.registration_return(model=submitted_model, by=reviewer, reason="Sửa mục tiêu.")
        registry.model_update(model=submitted_model, by=cadre, fields={"goals": goals})
        registry.model_submit(model=submitted_model, by=cadre)
    submitted_model.refresh_from_db()
    changes = selectors.changes_since_previous_submission(submitted_model).changes
    assert changes == [("Mục tiêu, tiêu chí đánh giá", "Mục tiêu lần hai.", "Mục tiêu lần ba.")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded_rows")
def test_changes_list_themes_and_territory_changed_since(submitted_model, tree, cadre, reviewer):
    """Committed for real: the link rows are stamped with their transaction's time."""
    from models_registry.models import Theme

    poverty = Theme.objects.get(name="Giảm nghèo bền vững")
    services.registration_return(model=submitted_model, by=reviewer, reason="Bổ sung địa bàn.")
    registry.model_update(
        model=submitted_model,
        by=cadre,
        fields={},
        relations={"themes": [poverty], "territory": [tree.residential]},
    )
    registry.model_submit(model=submitted_model, by=cadre)
    submitted_model.refresh_from_db()
    changes = selectors.changes_since_previous_submission(submitted_model).changes
    assert sorted(changes) == [
        ("Chủ đề", "—", "Giảm nghèo bền vững"),
        ("Địa bàn thực hiện", "—", "Tổ dân phố 9"),
    ]


def test_unchanged_resubmission_lists_nothing(submitted_model, cadre, reviewer):
    services.registration_return(model=submitted_model, by=reviewer, reason="Xem lại.")
    registry.model_submit(model=submitted_model, by=cadre)
    submitted_model.refresh_from_db()
    assert selectors.changes_since_previous_submission(submitted_model).changes == []


def test_latest_proposal_with_every_sheet_in_fixed_queries(tree, proposed_model, reviewer):
    services.appraisal_save(
        model=proposed_model, by=reviewer, scores=full_scores(), comment="Rất tốt."
    )
    with CaptureQueriesContext(connection) as one_sheet:
        summary = selectors.latest_proposal(proposed_model)
    for minus in (1, 2):
        other = user_with_role(tree.province, Role.REVIEWER)
        services.appraisal_save(model=proposed_model, by=other, scores=full_scores(minus=minus))
    with CaptureQueriesContext(connection) as three_sheets:
        summary = selectors.latest_proposal(proposed_model)
        totals = [(sheet.appraisal.total, sheet.max_total) for sheet in summary.sheets]
        titles = [score.criterion.title for score in summary.sheets[0].scores]
        reports = list(summary.proposal.result_reports.all())
    assert len(three_sheets) == len(one_sheet)
    assert totals == [(100, 100), (93, 100), (86, 100)]
    assert summary.average_total == pytest.approx(93)
    assert titles[0] == "Mục tiêu, tiêu chí rõ ràng" and len(titles) == 7
    assert len(reports) == 1
    assert summary.outcome == "Đang thẩm định"


def test_latest_proposal_is_the_newest_after_a_return_for_evidence(proposed_model, cadre, reviewer):
    services.model_return_for_evidence(model=proposed_model, by=reviewer, reason="Thiếu ảnh.")
    summary = selectors.latest_proposal(proposed_model)
    assert summary.outcome == "Trả lại để bổ sung minh chứng"
    report = proposed_model.result_reports.get()
    proposal = services.model_propose(
        model=proposed_model, by=cadre, result_reports=[report], note="Đã bổ sung ảnh."
    )
    summary = selectors.latest_proposal(proposed_model)
    assert summary.proposal == proposal and summary.outcome == "Đang thẩm định"
    assert summary.sheets == [] and summary.average_total is None


def test_sheet_to_fill_keeps_the_rubric_a_sheet_began_on(tree, proposed_model, reviewer, superuser):
    first = Rubric.objects.active().get()
    new = services.rubric_new_version(source=first, by=superuser)
    new.criteria.filter(position=1).update(title="Mục tiêu rõ, đo đếm được")
    services.appraisal_save(model=proposed_model, by=reviewer, scores=full_scores(first))
    services.rubric_activate(rubric=new, by=superuser)

    own = selectors.sheet_to_fill(proposed_model, reviewer)
    assert own.rubric == first and own.appraisal is not None
    assert own.scores == full_scores(first)

    colleague = user_with_role(tree.province, Role.REVIEWER)
    fresh = selectors.sheet_to_fill(proposed_model, colleague)
    assert fresh.rubric == new and fresh.appraisal is None and fresh.scores == {}
    assert fresh.criteria[0].title == "Mục tiêu rõ, đo đếm được"
