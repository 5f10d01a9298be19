"""The models' copy of their unit's path (kept by the database) and the scoped search it serves."""

import pytest
from django.db import connection

from models_registry.choices import Status
from models_registry.filters import DanVanModelFilter, list_version
from models_registry.models import DanVanModel, DanVanModelHistory
from organisations import services as organisation_services
from organisations.choices import Role
from organisations.models import Organisation
from tests.factories import DanVanModelFactory, user_with_role

WORDS = "Hòa giải ở cơ sở"


def copies() -> dict[int, str]:
    """Each model's copy of its unit's path, as stored."""
    return dict(DanVanModel.objects.values_list("pk", "owning_path"))


def paths() -> dict[int, str]:
    """Each model's unit's path, read through the unit."""
    return dict(DanVanModel.objects.values_list("pk", "owning_unit__path"))


def test_a_new_model_copies_its_units_path(tree):
    model = DanVanModelFactory(owning_unit=tree.residential)
    model.refresh_from_db()
    assert model.owning_path == tree.residential.path != ""


def test_a_model_moved_to_another_unit_copies_the_new_path(tree):
    model = DanVanModelFactory(owning_unit=tree.ward)
    model.owning_unit = tree.other_province_ward
    model.save()
    model.refresh_from_db()
    assert model.owning_path == tree.other_province_ward.path


def test_a_stale_copy_written_back_does_not_stick(tree):
    model = DanVanModelFactory(owning_unit=tree.ward)
    model.owning_path = tree.other_province.path  # what an old in-memory object would hold
    model.save()
    DanVanModel.objects.filter(pk=model.pk).update(owning_path="")
    DanVanModel.objects.bulk_update([model], ["owning_path"])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE models_registry_danvanmodel SET owning_path = %s WHERE id = %s",
            [tree.other_province.path, model.pk],
        )
    assert copies() == paths() == {model.pk: tree.ward.path}


def test_moving_a_unit_rewrites_its_subtrees_copies_without_audit_rows(tree):
    in_ward = DanVanModelFactory(owning_unit=tree.ward, status=Status.SUBMITTED)
    in_area = DanVanModelFactory(owning_unit=tree.residential, status=Status.SUBMITTED)
    elsewhere = DanVanModelFactory(owning_unit=tree.other_ward, status=Status.SUBMITTED)
    events, version = DanVanModelHistory.objects.count(), list_version()

    organisation_services.organisation_move(
        organisation=tree.ward, parent=tree.other_province, by=None
    )

    moved_ward = Organisation.objects.get(pk=tree.ward.pk)
    assert moved_ward.path.startswith(tree.other_province.path)
    assert copies() == paths()
    assert copies()[in_area.pk].startswith(moved_ward.path)
    assert copies()[in_ward.pk] == moved_ward.path
    assert copies()[elsewhere.pk] == tree.other_ward.path
    # Nobody changed the models: no history rows; the list's cached counts are dropped.
    assert DanVanModelHistory.objects.count() == events
    assert list_version() > version


def test_the_copy_is_not_in_the_audit_trail():
    history_fields = {field.name for field in DanVanModelHistory._meta.get_fields()}
    assert "owning_unit" in history_fields
    assert "owning_path" not in history_fields


@pytest.fixture
def everywhere(tree, cadre):
    """A model with the same words owned by every unit of the tree, submitted and draft."""
    made = []
    for unit in (
        tree.province,
        tree.ward,
        tree.residential,
        tree.other_ward,
        tree.other_province,
        tree.other_province_ward,
        tree.former_province,
        tree.former_ward,
        tree.former_residential,
    ):
        for status in (Status.SUBMITTED, Status.ACCEPTED, Status.DRAFT):
            made.append(
                DanVanModelFactory(
                    owning_unit=unit, status=status, name=f"{WORDS} – {unit.name} ({status})"
                )
            )
    DanVanModelFactory(owning_unit=tree.ward, status=Status.SUBMITTED, name="Nuôi dê sinh sản")
    return made


def searched(user, text: str) -> tuple[set[int], dict, list[int]]:
    """The rows the list's search finds, its counts by field and its first page's ids."""
    filterset = DanVanModelFilter.lenient({"q": text}, user=user)
    counts, page, _ = filterset.searched_counts_and_page(1, 100)
    return set(filterset.qs.values_list("pk", flat=True)), counts, page


def conditions(filterset) -> str:
    """The WHERE clause of the list's query."""
    return str(filterset.qs.query).split(" WHERE ", 1)[1]


def joined_only(user, text: str) -> set[int]:
    """The same search with the scope only through the units."""
    return set(DanVanModel.objects.visible_to(user).matching(text).values_list("pk", flat=True))


@pytest.mark.parametrize("role_fixture", ["reviewer", "admin_user", "cadre"])
@pytest.mark.parametrize("text", ["hoa giai", "hoà giải ở", "ĐỨC XUÂN", "nuoi d"])
def test_a_scoped_search_finds_what_the_scope_alone_finds(request, everywhere, role_fixture, text):
    user = request.getfixturevalue(role_fixture)
    found, counts, page = searched(user, text)
    expected = joined_only(user, text)
    assert found == expected
    assert sum(counts.values()) == len(expected)
    assert set(page) == expected


def test_the_province_scope_includes_the_units_merged_into_it(everywhere, tree, reviewer, cadre):
    found, _, _ = searched(reviewer, "hoa giai")
    owners = set(DanVanModel.objects.filter(pk__in=found).values_list("owning_unit", flat=True))
    assert owners == {
        tree.province.pk,
        tree.ward.pk,
        tree.residential.pk,
        tree.other_ward.pk,
        tree.former_province.pk,
        tree.former_ward.pk,
        tree.former_residential.pk,
    }
    assert "owning_path" in conditions(DanVanModelFilter.lenient({"q": "x"}, user=reviewer))
    # The cadre of the ward: the ward and its area, their drafts too, found through the units.
    found, _, _ = searched(cadre, "hoa giai")
    assert len(found) == 6
    assert "owning_path" not in conditions(DanVanModelFilter.lenient({"q": "x"}, user=cadre))


def test_a_wrong_copy_never_shows_a_model_out_of_scope(everywhere, tree, reviewer):
    outside = DanVanModel.objects.filter(
        owning_unit=tree.other_province_ward, status=Status.SUBMITTED
    )
    with connection.cursor() as cursor:
        # Past the copy trigger, as no write through the portal could.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE models_registry_danvanmodel SET owning_path = %s WHERE id = %s",
            [tree.ward.path, outside.get().pk],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
    found, _, _ = searched(reviewer, "hoa giai")
    assert outside.get().pk not in found
    assert found == joined_only(reviewer, "hoa giai")


def test_a_superusers_search_reads_no_copy(everywhere, superuser):
    filterset = DanVanModelFilter.lenient({"q": "hoa giai"}, user=superuser)
    assert "owning_path" not in conditions(filterset)
    found, counts, _ = searched(superuser, "hoa giai")
    assert found == joined_only(superuser, "hoa giai") == {model.pk for model in everywhere}
    assert sum(counts.values()) == len(everywhere)


def test_a_user_of_two_units_searches_both(everywhere, tree):
    user = user_with_role(tree.residential, Role.CADRE, username="canbo.hai.noi")
    organisation_services.membership_grant(
        user=user, organisation=tree.other_province, role=Role.REVIEWER, by=None
    )
    user.refresh_from_db()
    found, _, _ = searched(user, "hoa giai")
    assert found == joined_only(user, "hoa giai")
    units = set(DanVanModel.objects.filter(pk__in=found).values_list("owning_unit", flat=True))
    assert units == {tree.residential.pk, tree.other_province.pk, tree.other_province_ward.pk}
