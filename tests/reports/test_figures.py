"""Every figure of the report against a small registry counted by hand.

The province report for 2025 (previous period: 2024). Times are Vietnam time: a model accepted
at 23:30 on 31/12/2025 is in 2025, one accepted at 00:10 on 01/01/2026 is not.

| m | unit                    | field    | kind/actor | submitted  | accepted         | then       |
| A | ward                    | economy  | model/coll | 15/02/2025 | 01/03/2025       |            |
| B | residential (ward)      | culture  | model/coll | 01/04/2024 | 01/05/2024       | recognised |
| C | other ward              | security | model/coll | 01/12/2025 | 31/12/2025 23:30 |            |
| D | other ward              | security | model/coll | 20/12/2025 | 01/01/2026 00:10 |            |
| E | former ward (merged in) | politics | model/coll | 01/12/2022 | 01/01/2023       | stopped    |
| F | former residential      | economy  | model/coll | 15/01/2023 | 01/02/2023       | stopped    |
| G | ward                    | economy  | exemplar/i | 20/03/2025 | 01/04/2025       | replica    |
| H | other province          | economy  | model/coll | 20/04/2025 | 01/05/2025       | elsewhere  |
| I | ward                    | economy  | model/coll | 01/10/2025 | —                | waiting    |
| J | ward                    | economy  | model/coll | 01/02/2025 | —                | rejected   |

B was recognised on 01/06/2025 and marked outstanding on 01/07/2025; E was discontinued on
31/12/2024, F on 01/02/2025; G is replicated from A; H belongs to another province.
Commendations: B (Giấy khen) and G (Biểu dương) in a round decided 18/11/2025; A's commendation
in that round revoked; F in a round decided 01/11/2024; H in the other province's 2025 round.
"""

import dataclasses
import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from models_registry.choices import Status
from models_registry.models import DanVanModel, Indicator, ResultReport, ResultValue
from organisations.choices import OrganisationLevel
from organisations.mergers import tree_changed
from organisations.models import Organisation
from organisations.services import organisation_create, organisation_move
from reports.periods import half_period, year_period
from reports.scope import report_scope
from reports.selectors import report_figures
from reviews.choices import CommendationForm, RoundKind, RoundStatus
from reviews.models import Commendation, CommendationRound
from tests.conftest import registry_changed
from tests.db_snapshots import built_once
from tests.factories import DanVanModelFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day, month, year, hour=9, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=VN)


def model(unit, name, *, status, submitted, accepted=None, **extra):
    return DanVanModelFactory(
        owning_unit=unit,
        name=name,
        status=status,
        submitted_at=submitted,
        accepted_at=accepted,
        **extra,
    )


def published_round(unit, decided, *lines):
    commendation_round = CommendationRound.objects.create(
        title=f"Đợt {decided:%Y}",
        kind=RoundKind.ANNUAL,
        period_start=datetime.date(decided.year, 1, 1),
        period_end=datetime.date(decided.year, 12, 31),
        organising_unit=unit,
        held_on=decided,
        status=RoundStatus.PUBLISHED,
        decision_number=f"{decided:%d%m}/QĐ",
        decision_date=decided,
        decision_signer="Trần Thị Lan",
        decision_authority="Ban Dân vận",
    )
    for position, (commended, form, revoked) in enumerate(lines, start=1):
        Commendation.objects.create(
            round=commendation_round,
            model=commended,
            form=form,
            position=position,
            revoked_at=at(1, 12, 2025) if revoked else None,
        )
    return commendation_round


@pytest.fixture
def registry(tree, request):
    """The hand-counted registry, written once and then copied back (tests/db_snapshots.py)."""
    return built_once(
        request,
        "hand-counted registry",
        lambda: build_registry(tree),
        keys=lambda built: {name: model.pk for name, model in built.items()},
        load=load_registry,
        restored=registry_changed,
    )


def load_registry(pks: dict[str, int]) -> dict:
    models = DanVanModel.objects.in_bulk(pks.values())
    return {name: models[pk] for name, pk in pks.items()}


def build_registry(tree):
    m = {}
    m["A"] = model(
        tree.ward, "A", status=Status.ACCEPTED, submitted=at(15, 2, 2025), accepted=at(1, 3, 2025)
    )
    m["B"] = model(
        tree.residential,
        "B",
        field="culture_society",
        status=Status.RECOGNISED,
        submitted=at(1, 4, 2024),
        accepted=at(1, 5, 2024),
        recognised_at=at(1, 6, 2025),
        is_outstanding=True,
        outstanding_at=at(1, 7, 2025),
    )
    m["C"] = model(
        tree.other_ward,
        "C",
        field="security_defence",
        status=Status.ACCEPTED,
        submitted=at(1, 12, 2025),
        accepted=at(31, 12, 2025, 23, 30),
    )
    m["D"] = model(
        tree.other_ward,
        "D",
        field="security_defence",
        status=Status.ACCEPTED,
        submitted=at(20, 12, 2025),
        accepted=at(1, 1, 2026, 0, 10),
    )
    m["E"] = model(
        tree.former_ward,
        "E",
        field="political_system",
        status=Status.DISCONTINUED,
        submitted=at(1, 12, 2022),
        accepted=at(1, 1, 2023),
        discontinued_at=at(31, 12, 2024),
    )
    m["F"] = model(
        tree.former_residential,
        "F",
        status=Status.DISCONTINUED,
        submitted=at(15, 1, 2023),
        accepted=at(1, 2, 2023),
        discontinued_at=at(1, 2, 2025),
    )
    m["G"] = model(
        tree.ward,
        "G",
        kind="exemplar",
        actor="individual",
        person_name="Nông Văn Hạnh",
        person_position="Trưởng Ban công tác Mặt trận",
        status=Status.ACCEPTED,
        submitted=at(20, 3, 2025),
        accepted=at(1, 4, 2025),
        replicated_from=m["A"],
    )
    m["H"] = model(
        tree.other_province_ward,
        "H",
        status=Status.ACCEPTED,
        submitted=at(20, 4, 2025),
        accepted=at(1, 5, 2025),
    )
    m["I"] = model(tree.ward, "I", status=Status.SUBMITTED, submitted=at(1, 10, 2025))
    m["J"] = model(
        tree.ward,
        "J",
        status=Status.REJECTED,
        submitted=at(1, 2, 2025),
        rejected_at=at(1, 3, 2025),
    )
    # Recognition for the commended ones (a commendation needs nothing else in the figures).
    published_round(
        tree.province,
        datetime.date(2025, 11, 18),
        (m["B"], CommendationForm.CERTIFICATE, False),
        (m["G"], CommendationForm.PRAISE, False),
        (m["A"], CommendationForm.MERIT, True),
    )
    published_round(
        tree.province, datetime.date(2024, 11, 1), (m["F"], CommendationForm.PRAISE, False)
    )
    published_round(
        tree.other_province, datetime.date(2025, 11, 18), (m["H"], CommendationForm.MERIT, False)
    )
    participants = Indicator.objects.get(code="participants")
    for owner, end, value in (
        (m["A"], datetime.date(2025, 6, 30), 120),
        (m["B"], datetime.date(2024, 12, 31), 50),  # ends before the period
        (m["H"], datetime.date(2025, 6, 30), 999),  # another province
    ):
        report = ResultReport.objects.create(
            model=owner, period_start=end.replace(month=1, day=1), period_end=end, narrative="x"
        )
        ResultValue.objects.create(report=report, indicator=participants, value=value)
    return m


@pytest.fixture
def figures(registry, reviewer, tree):
    return report_figures(reviewer, tree.province, year_period(2025))


def test_totals_by_measure(figures):
    assert figures["total"] == {
        "active": 5,  # A B C F G (E stopped before the year, D accepted after it)
        "new": 3,  # A C G
        "maintained": 2,  # B F
        "replicated": 1,  # G
        "recognised": 1,  # B
        "outstanding": 1,  # B
        "commended_collectives": 1,  # B (A's commendation was revoked)
        "commended_individuals": 1,  # G
    }


def test_by_field(figures):
    by_field = figures["by_field"]
    assert by_field["economy"]["active"] == 3  # A F G
    assert by_field["economy"]["new"] == 2  # A G
    assert by_field["economy"]["maintained"] == 1  # F
    assert by_field["culture_society"]["active"] == 1  # B
    assert by_field["culture_society"]["commended_collectives"] == 1
    assert by_field["security_defence"]["new"] == 1  # C, accepted at 23:30 on the last day
    assert by_field["political_system"]["active"] == 0  # E was discontinued the day before
    assert by_field["economy"]["commended_individuals"] == 1  # G


def test_by_kind_and_actor(figures):
    rows = {row["key"]: row["counts"] for row in figures["by_kind_actor"]}
    assert rows["exemplar-individual"]["active"] == 1
    assert rows["exemplar-individual"]["commended_individuals"] == 1
    assert rows["model-collective"]["active"] == 4
    assert rows["model-collective"]["commended_collectives"] == 1


def test_children_rows_add_up_and_include_the_merged_province(figures, tree):
    rows = {row["name"]: row for row in figures["children"]}
    assert rows["Phường Chùa Hang"]["total"]["active"] == 3  # A B G
    assert rows["Phường Chùa Hang"]["counts"]["active"]["culture_society"] == 1  # B
    assert rows["Phường Gia Sàng"]["total"]["new"] == 1  # C
    assert rows["Tỉnh Bắc Kạn (cũ)"]["note"] == "sáp nhập vào"
    assert rows["Tỉnh Bắc Kạn (cũ)"]["total"]["active"] == 1  # F
    for measure, total in figures["total"].items():
        assert sum(row["total"][measure] for row in figures["children"]) == total, measure


def test_funnel_against_the_previous_year(figures):
    funnel = {stage["key"]: stage for stage in figures["funnel"]}
    assert funnel["registered"]["current"] == 6  # A C D G I J (D: sent in 2025)
    assert funnel["registered"]["previous"] == 1  # B
    assert funnel["accepted"]["current"] == 3 and funnel["accepted"]["previous"] == 1
    assert funnel["recognised"]["current"] == 1 and funnel["recognised"]["previous"] == 0
    assert funnel["outstanding"]["current"] == 1
    assert funnel["commended"]["current"] == 2 and funnel["commended"]["previous"] == 1  # F
    assert funnel["registered"]["change"] == 5


def test_commendations_by_form_and_actor(figures):
    rows = {row["form"]: row for row in figures["commendations"]["rows"]}
    assert rows["certificate"]["collective"] == 1
    assert rows["praise"]["individual"] == 1
    assert rows["merit"]["total"] == 0  # revoked in scope; the other province's not counted
    assert figures["commendations"]["total"]["total"] == 2


def test_indicators_sum_reports_ending_in_the_period(figures):
    participants = next(row for row in figures["indicators"] if row["code"] == "participants")
    assert Decimal(participants["total"]) == 120
    assert participants["reports"] == 1


def test_outstanding_listed_by_field(figures):
    assert [m["name"] for m in figures["outstanding"]["culture_society"]] == ["B"]
    assert figures["outstanding"]["economy"] == []


def test_trend_by_month(figures):
    trend = figures["trend"]
    assert trend["granularity"] == "month"
    assert len(trend["labels"]) == 12 and trend["labels"][0] == "01/2025"
    assert sum(trend["new"]) == 3
    assert trend["new"][11] == 1  # C in December
    assert trend["recognised"][5] == 1  # B in June


def test_the_day_after_the_period_does_not_count(registry, reviewer, tree):
    second_half = report_figures(reviewer, tree.province, half_period(2025, 2))
    assert second_half["total"]["new"] == 1  # C only: D is accepted on 01/01/2026
    next_year = report_figures(reviewer, tree.province, year_period(2026))
    assert next_year["total"]["new"] == 1  # D
    assert next_year["total"]["maintained"] == 4  # A B C G (F stopped in 2025)


def test_a_commune_report_counts_only_its_subtree(registry, reviewer, tree):
    ward = report_figures(reviewer, tree.ward, year_period(2025))
    assert ward["total"]["active"] == 3  # A B G
    rows = {row["name"]: row for row in ward["children"]}
    assert rows["Phường Chùa Hang"]["note"] == "trực tiếp"
    assert rows["Tổ dân phố 9"]["total"]["active"] == 1  # B


def test_a_unit_outside_the_scope_is_refused(registry, other_reviewer, tree):
    with pytest.raises(PermissionDenied):
        report_figures(other_reviewer, tree.province, year_period(2025))
    # The other province's own report never sees this province's models.
    theirs = report_figures(other_reviewer, tree.other_province, year_period(2025))
    assert theirs["total"]["active"] == 1  # H
    assert theirs["commendations"]["total"]["total"] == 1


def test_a_fixed_number_of_queries(registry, reviewer, tree, django_assert_num_queries):
    # The scope check, a savepoint and its release, the memory settings, the roll-up's state,
    # the tree's version, and 7 reads: the trend from the roll-up, the models, the commendations,
    # the units of the rows, the indicators and their names, the outstanding models.
    report_figures(reviewer, tree.province, year_period(2025))
    with django_assert_num_queries(13):
        report_figures(reviewer, tree.province, year_period(2025))
    # The tree changed: the scope is counted again from the merger links (read once a process),
    # the links within its subtrees and the other roots of the tree.
    tree_changed()
    with django_assert_num_queries(16):
        report_figures(reviewer, tree.province, year_period(2025))


def test_the_national_report_counts_every_unit_without_filtering(
    registry, tree, superuser, monkeypatch
):
    """Under a single national root the report filters nothing: the same figures as filtering
    by the root's subtree, and the provinces' rows add up to them."""
    national = organisation_create(
        parent=None,
        organisation=Organisation(
            name="Trung ương", code="TW", kind=tree.province.kind, level=OrganisationLevel.CENTRAL
        ),
        by=None,
    )
    for root in Organisation.objects.get_root_nodes().exclude(pk=national.pk):
        organisation_move(organisation=root, parent=national, by=None)
    national.refresh_from_db()
    assert report_scope(national).whole_tree
    assert not report_scope(Organisation.objects.get(pk=tree.province.pk)).whole_tree

    period = year_period(2025)
    fast = report_figures(superuser, national, period)
    monkeypatch.setattr(
        "reports.selectors.report_scope",
        lambda unit, as_of: dataclasses.replace(report_scope(unit, as_of), whole_tree=False),
    )
    filtered = report_figures(superuser, national, period)
    for figures in (fast, filtered):
        figures.pop("generated_at")
    assert fast == filtered
    assert fast["total"]["active"] == 6  # the province's five and H
    assert fast["total"]["commended_collectives"] == 2  # B and H
    assert sum(child["total"]["active"] for child in fast["children"]) == 6
