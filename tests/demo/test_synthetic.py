"""The synthetic national registry: spread, consistent workflows, searchable, re-runnable."""

import copy
import io
from collections import Counter, defaultdict
from datetime import date

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from demo import synthetic
from demo.synthetic import loading
from demo.synthetic.tree import find_synthetic_root, generate_organisation_tree
from models_registry.choices import STATUS_DATE_FIELDS, Actor, EventAction, Field, ModelKind, Status
from models_registry.models import (
    DanVanModel,
    ResultReport,
    ResultValue,
    Theme,
    WorkflowEvent,
)
from organisations.choices import OrganisationLevel
from organisations.mergers import tree_changed
from organisations.models import Organisation
from tests.conftest import registry_changed
from tests.db_snapshots import built_once
from tests.factories import OrganisationFactory

MODELS = 2_000

# The status fields a model may carry in each status: those of the steps that lead there.
REACHED = {
    Status.DRAFT: set(),
    Status.SUBMITTED: {Status.SUBMITTED, Status.RETURNED},
    Status.RETURNED: {Status.SUBMITTED, Status.RETURNED},
    Status.REJECTED: {Status.SUBMITTED, Status.RETURNED, Status.REJECTED},
    Status.ACCEPTED: {Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED},
    Status.DISCONTINUED: {Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED, Status.DISCONTINUED},
    Status.PROPOSED: {Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED, Status.PROPOSED},
    Status.RECOGNISED: {
        Status.SUBMITTED,
        Status.RETURNED,
        Status.ACCEPTED,
        Status.PROPOSED,
        Status.RECOGNISED,
    },
    Status.NOT_RECOGNISED: {
        Status.SUBMITTED,
        Status.RETURNED,
        Status.ACCEPTED,
        Status.PROPOSED,
        Status.NOT_RECOGNISED,
    },
}
# The order the steps happen in.
SEQUENCE = [Status.SUBMITTED, Status.ACCEPTED, Status.PROPOSED, Status.RECOGNISED]


def generate(**options) -> str:
    out = io.StringIO()
    call_command("generate_data", models=MODELS, seed=11, stdout=out, **options)
    return out.getvalue()


def fingerprint() -> list[tuple]:
    return list(
        DanVanModel.objects.order_by("pk").values_list(
            "name", "field", "status", "start_date", "owning_unit_id"
        )
    )


def history(name: str):
    return apps.get_model("models_registry", name).objects


def scalar(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


@pytest.fixture
def small_tree(db, request):
    """Three provinces, twelve communes, a few hundred units in all: generated once, then copied
    back (tests/db_snapshots.py)."""
    return built_once(
        request,
        "synthetic tree",
        lambda: generate_organisation_tree(300, provinces=3, communes=12, seed=7),
        keys=copy.deepcopy,
        load=copy.deepcopy,
        restored=tree_changed,
    )


def generate_registry() -> None:
    output = generate()
    assert "2.000 mô hình" in output


@pytest.fixture
def registry(small_tree, request):
    """The synthetic registry on the small tree, generated once, then copied back."""
    built_once(
        request,
        "synthetic registry",
        generate_registry,
        keys=lambda built: None,
        load=lambda keys: None,
        restored=registry_changed,
    )
    return small_tree


def test_models_are_spread_like_a_real_registry(registry):
    assert DanVanModel.objects.count() == MODELS
    fields = Counter(DanVanModel.objects.values_list("field", flat=True))
    assert set(fields) == set(Field.values)
    assert fields[Field.CULTURE_SOCIETY] > fields[Field.POLITICAL_SYSTEM]
    assert min(fields.values()) > MODELS * 0.05

    assert {kind for (kind,) in DanVanModel.objects.values_list("kind")} == set(ModelKind.values)
    assert {actor for (actor,) in DanVanModel.objects.values_list("actor")} == set(Actor.values)
    individuals = DanVanModel.objects.filter(actor=Actor.INDIVIDUAL)
    assert not individuals.filter(person_name="").exists()

    years = Counter(date.year for date in DanVanModel.objects.values_list("start_date", flat=True))
    assert set(years) == set(range(2016, 2027))
    assert years[2025] > years[2016]

    statuses = Counter(DanVanModel.objects.values_list("status", flat=True))
    carried_out = statuses[Status.ACCEPTED] + statuses[Status.PROPOSED]
    assert carried_out + statuses[Status.RECOGNISED] > MODELS * 0.7
    for status in (
        Status.DRAFT,
        Status.SUBMITTED,
        Status.RETURNED,
        Status.REJECTED,
        Status.DISCONTINUED,
        Status.NOT_RECOGNISED,
    ):
        assert 0 < statuses[status] < MODELS * 0.1, status

    levels = Counter(DanVanModel.objects.values_list("owning_unit__level", flat=True))
    assert levels[OrganisationLevel.COMMUNE] > levels[OrganisationLevel.PROVINCE] > 0
    assert levels[OrganisationLevel.RESIDENTIAL] > MODELS * 0.2
    per_province = Counter(
        path[:8] for path in DanVanModel.objects.values_list("owning_unit__path", flat=True)
    )
    # Today's provinces and, before 2025, the former provinces merged into them.
    assert len(per_province) == len(registry.provinces) + registry.former_provinces

    assert DanVanModel.objects.filter(replicated_from__isnull=False).count() > MODELS * 0.03
    assert DanVanModel.themes.through.objects.count() > MODELS
    assert ResultReport.objects.count() > MODELS * 0.1
    assert ResultValue.objects.count() > ResultReport.objects.count()


def test_tree_has_the_shape_of_the_2025_reform(small_tree):
    assert len(small_tree.provinces) == 3 and len(small_tree.communes) == 12
    assert small_tree.former_provinces == 2
    assert 2 * 12 <= small_tree.former_communes <= 4 * 12
    assert small_tree.mergers == small_tree.former_communes + small_tree.former_provinces
    get_parent = Organisation.objects.get_parent
    across = 0
    for commune in Organisation.objects.filter(pk__in=small_tree.communes):
        assert commune.valid_from == date(2025, 7, 1) and commune.valid_to is None
        province = get_parent(commune)
        assert province.pk in small_tree.provinces
        predecessors = list(commune.merged_from.all())
        assert 2 <= len(predecessors) <= 4, commune.code
        districts = set()
        for predecessor in predecessors:
            assert predecessor.level == OrganisationLevel.COMMUNE
            assert predecessor.valid_to == date(2025, 6, 30), predecessor.code
            district = get_parent(predecessor)
            assert district.level == OrganisationLevel.DISTRICT and district.valid_to
            # Under the commune's province, or under a former province merged into it.
            holder = get_parent(district)
            assert holder == province or holder in province.merged_from.all()
            districts.add(district.pk)
        across += len(districts) > 1
    assert across >= 2
    root = find_synthetic_root()
    former = Organisation.objects.filter(path__startswith=root.path, valid_to__isnull=False)
    assert former.count() > small_tree.former_communes
    assert set(former) == set(
        Organisation.objects.filter(path__startswith=root.path, name__endswith="(cũ)")
    )


def test_models_belong_to_the_units_of_their_time(registry):
    before, after = date(2025, 6, 30), date(2025, 7, 1)
    former_models = DanVanModel.objects.filter(
        owning_unit__path__startswith=find_synthetic_root().path
    )
    ended = Organisation.objects.filter(valid_to=before).values_list("path", flat=True)
    began = Organisation.objects.filter(valid_from=after).values_list("path", flat=True)
    old = new = 0
    for start, path in former_models.values_list("start_date", "owning_unit__path"):
        if any(path.startswith(prefix) for prefix in ended):
            assert start <= before
            old += 1
        if any(path.startswith(prefix) for prefix in began):
            assert start >= after
            new += 1
    assert old > MODELS * 0.3 and new > MODELS * 0.05


def test_status_dates_and_events_agree_with_statuses(registry):
    date_fields = {status: name for status, name in STATUS_DATE_FIELDS.items()}
    rows = DanVanModel.objects.values(
        "pk", "status", "status_reason", "decision_number", "created_at", *date_fields.values()
    )
    events = defaultdict(list)
    moves = (
        WorkflowEvent.objects.exclude(action=EventAction.RESULT_REPORTED)
        .order_by("model_id", "created_at", "pk")
        .values_list("model_id", "action", "from_status", "to_status")
    )
    for model_id, action, from_status, to_status in moves:
        events[model_id].append((action, from_status, to_status))

    for row in rows:
        status = row["status"]
        for step, name in date_fields.items():
            if step == status:
                assert row[name] is not None, (row["pk"], status, name)
            elif step not in REACHED[status]:
                assert row[name] is None, (row["pk"], status, name)
        moments = [row[date_fields[step]] for step in SEQUENCE if row[date_fields[step]]]
        assert moments == sorted(moments)
        if moments:
            assert row["created_at"] < moments[0]
        if status in (Status.REJECTED, Status.RETURNED, Status.NOT_RECOGNISED):
            assert row["status_reason"]
        if status == Status.RECOGNISED:
            assert row["decision_number"]

        chain = events[row["pk"]]
        assert chain[0] == (EventAction.CREATED, "", Status.DRAFT)
        assert chain[-1][2] == status
        for (_, _, before), (_, after_from, _) in zip(chain, chain[1:], strict=False):
            assert before == after_from


def test_search_finds_generated_names_without_diacritics(registry):
    found = DanVanModel.objects.matching("nuoi de")
    assert found.filter(name__contains="Nuôi dê").exists()

    named = set(
        DanVanModel.objects.filter(name__contains="Hiến đất làm đường").values_list("pk", flat=True)
    )
    assert named
    assert named <= set(
        DanVanModel.objects.matching("hien dat lam duong").values_list("pk", flat=True)
    )

    movement = DanVanModel.objects.matching("dan van kheo").count()
    assert MODELS * 0.05 < movement < MODELS * 0.6
    assert DanVanModel.objects.matching("camera an ninh").exists()


def test_every_reference_points_at_an_existing_row(registry):
    # Foreign keys were not checked row by row during the load, so check them all here.
    assert not scalar(
        """SELECT count(*) FROM models_registry_danvanmodel m
           LEFT JOIN organisations_organisation o ON o.id = m.owning_unit_id
           WHERE o.id IS NULL"""
    )
    root = find_synthetic_root()
    assert not DanVanModel.objects.exclude(owning_unit__path__startswith=root.path).exists()
    assert not scalar(
        """SELECT count(*) FROM models_registry_danvanmodel m
           LEFT JOIN models_registry_danvanmodel o ON o.id = m.replicated_from_id
           WHERE m.replicated_from_id IS NOT NULL
             AND (o.id IS NULL OR o.id >= m.id OR o.field <> m.field)"""
    )
    for table, column, target in (
        ("models_registry_danvanmodel_themes", "theme_id", "models_registry_theme"),
        ("models_registry_danvanmodel_themes", "danvanmodel_id", "models_registry_danvanmodel"),
        ("models_registry_danvanmodel_territory", "organisation_id", "organisations_organisation"),
        ("models_registry_workflowevent", "model_id", "models_registry_danvanmodel"),
        ("models_registry_resultreport", "model_id", "models_registry_danvanmodel"),
        ("models_registry_resultvalue", "report_id", "models_registry_resultreport"),
        ("models_registry_resultvalue", "indicator_id", "models_registry_indicator"),
    ):
        orphans = scalar(
            f"SELECT count(*) FROM {table} t LEFT JOIN {target} x ON x.id = t.{column} "
            "WHERE x.id IS NULL"
        )
        assert not orphans, (table, column)
    territories = DanVanModel.territory.through.objects.values_list(
        "organisation__level", flat=True
    )
    assert set(territories) == {OrganisationLevel.RESIDENTIAL}
    assert Theme.objects.filter(models__isnull=False).exists()


def test_models_carry_their_units_path(registry):
    # The load skips the trigger that copies it: the generator writes it.
    assert not scalar(
        """SELECT count(*) FROM models_registry_danvanmodel m
           JOIN organisations_organisation o ON o.id = m.owning_unit_id
           WHERE m.owning_path IS DISTINCT FROM o.path"""
    )


def test_synthetic_rows_skip_the_audit_trail_but_later_changes_do_not(registry):
    assert not history("DanVanModelHistory").exists()
    assert not history("ResultReportHistory").exists()
    model = DanVanModel.objects.first()
    model.name = "Nuôi dê sinh sản (đã sửa)"
    model.save()
    assert history("DanVanModelHistory").filter(pgh_obj=model).count() == 1


def test_command_refuses_a_second_run_and_replaces_on_request(registry):
    before = fingerprint()
    with pytest.raises(CommandError, match="--replace"):
        generate()
    assert DanVanModel.objects.count() == MODELS

    # Real data that points at a generated model keeps existing after the generated ones go.
    outside = OrganisationFactory(name="Xã Thật", code="REAL-1")
    original = DanVanModel.objects.filter(kind=ModelKind.MODEL).first()
    real = DanVanModel.objects.create(
        name="Mô hình thật", owning_unit=outside, replicated_from=original, status=Status.DRAFT
    )

    output = generate(replace=True)
    assert "Đã xóa 2.000 mô hình mẫu cũ" in output
    assert "Dùng lại cây đơn vị mẫu" in output
    real.refresh_from_db()
    assert real.replicated_from is None
    assert DanVanModel.objects.exclude(pk=real.pk).count() == MODELS
    assert [row for row in fingerprint() if row[0] != "Mô hình thật"] == before
    assert not WorkflowEvent.objects.filter(model_id=original.pk).exists()
    assert Organisation.objects.filter(code__startswith="SYN", depth=1).count() == 1


def test_command_rejects_a_negative_count(small_tree):
    with pytest.raises(CommandError):
        call_command("generate_data", models=-1, stdout=io.StringIO())


def test_indexes_are_rebuilt_and_triggers_ignored_without_superuser(small_tree, monkeypatch):
    table = DanVanModel._meta.db_table

    def indexes():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table]
            )
            return sorted(cursor.fetchall())

    before = indexes()
    monkeypatch.setattr(loading, "_may_skip_all_triggers", lambda cursor: False)
    result = synthetic.generate_models(300, seed=3, rebuild_indexes=True)
    assert result.models == DanVanModel.objects.count() == 300
    assert indexes() == before
    assert not history("DanVanModelHistory").exists()
    assert not history("ResultReportHistory").exists()
    assert synthetic.delete_synthetic_models() == 300
    assert not DanVanModel.objects.exists()
    assert not WorkflowEvent.objects.exists()


def test_the_report_rollup_is_counted_after_a_load(registry):
    """The load skips the triggers; the generator counts the report roll-up anew, so the
    national report summed from it equals the recount."""
    from reports import rollup
    from reports.models import ModelCount
    from reports.periods import year_period
    from reports.selectors import report_figures
    from tests.factories import UserFactory

    assert rollup.current()
    assert ModelCount.objects.exists()
    root = find_synthetic_root()
    admin = UserFactory(is_superuser=True)
    for year in (2023, 2025):
        period = year_period(year)
        rolled_up = report_figures(admin, root, period)
        recounted = report_figures(admin, root, period, recount=True)
        rolled_up.pop("generated_at")
        recounted.pop("generated_at")
        assert rolled_up == recounted
        assert rolled_up["total"]["active"] > 0
