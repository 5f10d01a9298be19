"""The merger links kept in memory are read again exactly when the tree changed, and a change
rolled back leaves nothing behind."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from organisations import services
from organisations.mergers import current_merger_index, tree_changed
from organisations.models import Organisation, TreeVersion
from organisations.querysets import scope_paths, with_predecessors
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def widened(unit) -> set[str]:
    return set(with_predecessors([unit.path]))


def test_a_new_link_counts_at_once(tree):
    before = widened(tree.other_province)
    services.organisation_set_predecessors(
        organisation=tree.other_province_ward, predecessors=[tree.former_ward], by=None
    )
    assert widened(tree.other_province) == before | {tree.former_ward.path}


def test_an_unchanged_tree_is_read_from_memory(tree):
    widened(tree.province)
    with CaptureQueriesContext(connection) as queries:
        assert widened(tree.province) == {tree.province.path, tree.former_province.path}
    assert len(queries) == 1  # the version only


def test_a_rolled_back_link_leaves_nothing_behind(tree):
    before = widened(tree.other_province)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.organisation_set_predecessors(
            organisation=tree.other_province_ward, predecessors=[tree.former_ward], by=None
        )
        assert tree.former_ward.path in widened(tree.other_province)  # cached inside
        raise RuntimeError
    assert widened(tree.other_province) == before


def test_a_moved_unit_is_found_at_its_new_place(tree):
    outsider = OrganisationFactory(name="Xã Tân Long (cũ)", code="T19-TL")
    services.organisation_set_predecessors(
        organisation=tree.other_ward, predecessors=[outsider], by=None
    )
    assert Organisation.objects.get(pk=outsider.pk).path in widened(tree.province)
    services.organisation_move(
        organisation=Organisation.objects.get(pk=outsider.pk), parent=tree.other_province, by=None
    )
    moved = Organisation.objects.get(pk=outsider.pk)
    # Now under Hà Nội, and still merged into a ward of Thái Nguyên.
    assert moved.path in widened(tree.province)


def test_without_a_version_nothing_is_cached(tree):
    TreeVersion.objects.all().delete()
    widened(tree.province)
    with CaptureQueriesContext(connection) as queries:
        widened(tree.province)
    assert len(queries) == 2  # the version (none), then the links again
    tree_changed()
    assert TreeVersion.objects.count() == 1
    widened(tree.province)
    with CaptureQueriesContext(connection) as queries:
        widened(tree.province)
    assert len(queries) == 1


def test_a_cycle_of_mergers_ends(tree):
    services.organisation_set_predecessors(
        organisation=tree.former_province, predecessors=[tree.province], by=None
    )
    index = current_merger_index()
    rows = index.widened([("", tree.province.path)])
    assert {path for _, path, _ in rows} == {tree.province.path, tree.former_province.path}


def test_a_request_widens_with_the_version_read_along_with_its_users_scope(tree, reviewer):
    expected = widened(tree.province)
    scope_paths(reviewer)  # the memberships, read with the tree's version
    with CaptureQueriesContext(connection) as queries:
        assert set(with_predecessors([tree.province.path], user=reviewer)) == expected
    assert len(queries) == 0
    # A superuser's scope reads no version: the widening reads it.
    admin = UserFactory(is_superuser=True)
    scope_paths(admin)
    with CaptureQueriesContext(connection) as queries:
        assert set(with_predecessors([tree.province.path], user=admin)) == expected
    assert len(queries) == 1
