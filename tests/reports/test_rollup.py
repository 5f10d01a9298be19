"""The report roll-up gives every figure the recount gives, and is kept so by every change.

The data: the hand-counted registry of ``test_figures`` (models in every state, commendations,
one revoked, indicator values, a former province merged in) and the 2025 reform of
``test_mergers_by_date`` (wards merged across a former district line, a province merged by date),
all under one national root; and, apart, the historical import of ``test_history_proof``. After
each kind of change every report — national, provinces, a former province, a former city, wards
— is compared, figure by figure, with the recount from the models, for years, halves and a period
that is not whole months; and the roll-up's rows with a rebuild from scratch.
"""

import dataclasses
import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.db.models import F

from models_registry import services as registry_services
from models_registry.choices import Status
from models_registry.models import DanVanModel, Indicator
from organisations import services as organisation_services
from organisations.choices import OrganisationLevel
from organisations.models import Organisation
from reports import rollup
from reports.models import CommendationFact, IndicatorCount, ModelCount, RollupState
from reports.periods import ReportPeriod, half_period, year_period
from reports.scope import report_scope
from reports.selectors import report_figures
from reviews import services as review_services
from reviews.models import Commendation
from tests.factories import DanVanModelFactory, OrganisationFactory
from tests.reports.test_figures import at, registry  # noqa: F401
from tests.reports.test_history_proof import history, unit  # noqa: F401
from tests.reports.test_mergers_by_date import reform  # noqa: F401

PERIODS = (
    year_period(2025),
    half_period(2025, 1),
    half_period(2025, 2),
    year_period(2024),
    half_period(2023, 1),
    year_period(2026),
    # Not whole months: counted from the models, whatever the roll-up holds.
    ReportPeriod(
        "", "15/02–20/11/2025", "custom", datetime.date(2025, 2, 15), datetime.date(2025, 11, 20)
    ),
)


def rows(model) -> set[tuple]:
    fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
    values = model.objects.values_list(*fields)
    if model is ModelCount:
        return {row for row in values if row[-1]}
    if model is IndicatorCount:
        return {row for row in values if row[-1]}
    return set(values)


def assert_kept():
    """The roll-up the triggers kept holds the rows a rebuild counts (zeros aside)."""
    assert rollup.current()
    kept = {model: rows(model) for model in (ModelCount, IndicatorCount, CommendationFact)}
    rollup.rebuild_rollup()
    for model, before in kept.items():
        assert before == rows(model), model.__name__


def assert_exact(user, units):
    """Every figure of every report of ``units`` equals the recount's."""
    assert rollup.current()
    for pk in units:
        organisation = Organisation.objects.get(pk=pk)
        for period in PERIODS:
            rolled_up = report_figures(user, organisation, period)
            recounted = report_figures(user, organisation, period, recount=True)
            rolled_up.pop("generated_at")
            recounted.pop("generated_at")
            assert rolled_up == recounted, (organisation.name, period.name)


@pytest.fixture
def country(registry, reform, tree):  # noqa: F811
    """Every province under one national root, then the roll-up built anew (the moves made it
    stale)."""
    national = organisation_services.organisation_create(
        parent=None,
        organisation=Organisation(
            name="Trung ương", code="TW", kind=tree.province.kind, level=OrganisationLevel.CENTRAL
        ),
        by=None,
    )
    for root in Organisation.objects.get_root_nodes().exclude(pk=national.pk):
        organisation_services.organisation_move(organisation=root, parent=national, by=None)
    assert not rollup.current()  # paths moved
    rollup.rebuild_rollup()
    for part in dataclasses.fields(tree):
        getattr(tree, part.name).refresh_from_db()
    national.refresh_from_db()
    units = reform["units"]
    return {
        "national": national,
        "units": [
            national.pk,
            tree.province.pk,
            tree.other_province.pk,
            tree.former_province.pk,
            tree.ward.pk,
            units["phu_tho"].pk,
            units["hoa_binh"].pk,
            units["city"].pk,
            units["ward"].pk,
            units["tan_hoa"].pk,
        ],
        "models": registry,
    }


def test_the_national_report_is_summed_from_the_roll_up(country, superuser):
    period = year_period(2025)
    assert rollup.answers_models(report_scope(country["national"], period.end), period)
    assert_exact(superuser, country["units"])
    # The registry's six active models (five of the province and H) and the reform's six.
    assert report_figures(superuser, country["national"], period)["total"]["active"] == 12


def test_a_wrong_roll_up_row_shows_and_a_rebuild_mends_it(country, superuser):
    """The national figures are read from the roll-up: a row made wrong shows in them."""
    national, period = country["national"], year_period(2025)
    right = report_figures(superuser, national, period)["total"]["new"]
    changed = ModelCount.objects.filter(
        event="accepted", grain="Y", bucket=datetime.date(2025, 1, 1)
    )
    assert changed.update(n=F("n") + 1)
    assert report_figures(superuser, national, period)["total"]["new"] > right
    assert report_figures(superuser, national, period, recount=True)["total"]["new"] == right
    rollup.rebuild_rollup()
    assert report_figures(superuser, national, period)["total"]["new"] == right


def test_a_province_s_totals_are_summed_from_the_roll_up_unless_its_scope_is_finer(
    country,
    superuser,
    reform,  # noqa: F811
    tree,
):
    """A province's rows are its communes, finer than the roll-up's anchors, so its models are
    counted; its trend chart and its funnel's previous period count the whole scope and are
    summed from the roll-up, unless the scope itself leaves out something below a province (a
    former province whose wards were merged into another province's)."""
    province = Organisation.objects.get(pk=tree.province.pk)
    period = year_period(2025)
    scope = report_scope(province, period.end)
    assert not rollup.answers_models(scope, period)
    assert rollup.answers_totals(scope, period)
    former = Organisation.objects.get(pk=reform["units"]["hoa_binh"].pk)
    assert not rollup.answers_totals(
        report_scope(former, datetime.date(2026, 12, 31)), year_period(2026)
    )

    right = report_figures(superuser, province, period)["trend"]["new"]
    changed = ModelCount.objects.filter(
        anchor=province.path, event="accepted", grain="M", bucket__year=2025
    ).order_by("bucket")[:1]
    month = changed[0].bucket.month
    assert ModelCount.objects.filter(pk__in=changed).update(n=F("n") + 1)
    wrong = report_figures(superuser, province, period)["trend"]["new"]
    assert wrong[month - 1] == right[month - 1] + 1
    recounted = report_figures(superuser, province, period, recount=True)["trend"]["new"]
    assert recounted == right
    rollup.rebuild_rollup()
    assert report_figures(superuser, province, period)["trend"]["new"] == right

    def previous_accepted(**options) -> int:
        funnel = report_figures(superuser, province, period, **options)["funnel"]
        return next(stage["previous"] for stage in funnel if stage["key"] == "accepted")

    right = previous_accepted()
    year_before = ModelCount.objects.filter(
        anchor=province.path, event="accepted", grain="Y", bucket=datetime.date(2024, 1, 1)
    )[:1]
    assert ModelCount.objects.filter(pk__in=year_before).update(n=F("n") + 1)
    assert previous_accepted() == right + 1
    assert previous_accepted(recount=True) == right
    rollup.rebuild_rollup()
    assert previous_accepted() == right


STAGES = (
    "submitted_model",  # registered and sent for review
    "accepted_model",
    "proposed_model",  # with a result report
    "recognised_model",
    "draft_round",
    "published_round",  # commended
)


def ward_line(country, tree) -> list[int]:
    """The reports a registration of the ward counts in: the ward's, its province's and the
    national one. No other report's figures change with it (both the roll-up's and the
    recount's stay as they were), and its rows under any other unit are checked by
    ``assert_kept``."""
    return [country["national"].pk, tree.province.pk, tree.ward.pk]


def test_each_step_of_the_workflow_keeps_it_exact(country, superuser, request, tree):
    """After each step of the ward's registration, the reports it counts in agree with the
    recount and the kept roll-up with a rebuild; after the last, every report."""
    for stage in STAGES:
        request.getfixturevalue(stage)
        assert_exact(superuser, ward_line(country, tree))
        assert_kept()
    assert_exact(superuser, country["units"])


def test_results_outstanding_discontinuation_and_revocation(
    country, superuser, reviewer, cadre, request, tree
):
    request.getfixturevalue("published_round")
    model = DanVanModel.objects.get(name="Hiến đất làm đường")
    participants = Indicator.objects.get(code="participants")
    registry_services.result_report_create(
        model=model,
        by=cadre,
        period_start=datetime.date(2025, 7, 1),
        period_end=datetime.date(2025, 12, 31),
        narrative="Vận động 300 người tham gia.",
        values={participants: Decimal("300")},
    )
    # The ward's model: the reports it counts in, and the kept roll-up (see ``ward_line``).
    assert_exact(superuser, ward_line(country, tree))
    assert_kept()
    review_services.model_mark_outstanding(model=model, by=reviewer, outstanding=True)
    assert_exact(superuser, ward_line(country, tree))
    assert_kept()
    commendation = Commendation.objects.get(model=model)
    review_services.commendation_revoke(commendation=commendation, by=reviewer, reason="Sai sót")
    assert_exact(superuser, ward_line(country, tree))
    assert_kept()
    other = country["models"]["A"]
    registry_services.model_discontinue(
        model=other, by=cadre, reason="Hết kinh phí", discontinued_on=datetime.date(2025, 9, 1)
    )
    assert_exact(superuser, country["units"])
    assert_kept()


def test_a_model_moved_to_another_unit_takes_its_figures_along(country, superuser, tree):
    """An owning unit corrected (admin, raw SQL alike): its events, values and commendations
    move under the new unit in the same transaction.

    After each move the rows the triggers kept are those a rebuild counts (``assert_kept``, the
    check of the triggers); the reports, read from those rows, are compared with the recount
    once every model has moved and once more after a delete."""
    for model in country["models"].values():
        DanVanModel.objects.filter(pk=model.pk).update(owning_unit=tree.other_province_ward)
        assert_kept()
    assert_exact(superuser, country["units"])
    DanVanModel.objects.filter(pk=country["models"]["C"].pk).delete()
    assert_exact(superuser, country["units"])
    assert_kept()


def test_mergers_keep_it_current_and_moves_make_it_stale(country, superuser, reform, tree):  # noqa: F811
    # A merger link changes no path: the roll-up stays in use, and right.
    organisation_services.organisation_set_predecessors(
        organisation=tree.province,
        predecessors=[tree.former_province, reform["units"]["city"]],
        by=None,
    )
    assert rollup.current()
    assert_exact(superuser, country["units"])
    # A reorganisation moving a subtree: stale, so the reports recount, until a rebuild.
    new_province = OrganisationFactory(
        name="Tỉnh mới", code="TM", parent=Organisation.objects.get(pk=country["national"].pk)
    )
    organisation_services.organisation_move(
        organisation=Organisation.objects.get(pk=tree.ward.pk), parent=new_province, by=None
    )
    assert RollupState.objects.get().stale
    national = Organisation.objects.get(pk=country["national"].pk)
    stale = report_figures(superuser, national, year_period(2025))
    assert (
        stale["total"]
        == report_figures(superuser, national, year_period(2025), recount=True)["total"]
    )
    rollup.rebuild_rollup()
    assert_exact(superuser, [*country["units"], new_province.pk])


def test_a_historical_import_is_rolled_up_as_it_is_written(history):  # noqa: F811
    """The history import (units, then models with their dates) writes through the triggers;
    the national report, the former city, the successor province and a new ward agree with the
    recount."""
    national = Organisation.objects.get(code="TW")
    units = [national.pk, *(unit(code).pk for code in ("148", "17", "25"))]
    assert rollup.answers_models(
        report_scope(national, datetime.date(2023, 6, 30)), half_period(2023, 1)
    )
    assert_exact(history, units)
    assert_kept()


def test_nothing_is_kept_before_the_first_build(db, tree):
    RollupState.objects.all().delete()
    ModelCount.objects.all().delete()
    DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED, accepted_at=at(1, 3, 2025))
    assert not ModelCount.objects.exists()
    assert not rollup.current()
    rollup.rebuild_rollup()
    assert ModelCount.objects.filter(event="accepted").exists()


def test_the_worker_rebuilds_a_stale_roll_up_in_the_quiet_hours(country, superuser, tree, settings):
    settings.ROLLUP_REBUILD_HOURS = "1-5"
    vietnam = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
    new_province = OrganisationFactory(
        name="Tỉnh mới", code="TM", parent=Organisation.objects.get(pk=country["national"].pk)
    )
    organisation_services.organisation_move(
        organisation=Organisation.objects.get(pk=tree.ward.pk), parent=new_province, by=None
    )
    # Working hours: the reports recount, and the writers are not made to wait.
    assert not rollup.rebuild_when_stale(datetime.datetime(2026, 12, 7, 14, 0, tzinfo=vietnam))
    assert not rollup.rebuild_when_stale(datetime.datetime(2026, 12, 7, 5, 0, tzinfo=vietnam))
    assert RollupState.objects.get().stale
    # 01:00 Vietnam time is still 18:00 the day before in UTC: the local hour is what counts.
    assert rollup.rebuild_when_stale(datetime.datetime(2026, 12, 7, 1, 0, tzinfo=vietnam))
    assert rollup.current()
    assert_exact(superuser, [*country["units"], new_province.pk])
    # Current: nothing to do.
    assert not rollup.rebuild_when_stale(datetime.datetime(2026, 12, 7, 2, 0, tzinfo=vietnam))
    # Empty: only by hand.
    settings.ROLLUP_REBUILD_HOURS = ""
    RollupState.objects.update(stale=True)
    assert not rollup.rebuild_when_stale(datetime.datetime(2026, 12, 7, 2, 0, tzinfo=vietnam))
