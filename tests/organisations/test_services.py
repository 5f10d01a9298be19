"""Writes to the tree go through services: create, move, mergers, memberships."""

import pytest
from django.core.exceptions import ValidationError

from organisations import services
from organisations.choices import Role
from organisations.models import Organisation
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_move_takes_the_subtree_along(tree):
    services.organisation_move(organisation=tree.ward, parent=tree.other_province, by=None)
    residential = Organisation.objects.get(pk=tree.residential.pk)
    other_province = Organisation.objects.get(pk=tree.other_province.pk)
    assert residential.path.startswith(other_province.path)
    assert Organisation.objects.get_parent(residential).name == "Phường Chùa Hang"


def test_cannot_move_a_unit_under_its_own_descendant(tree):
    with pytest.raises(ValidationError, match="bên trong chính nó"):
        services.organisation_move(organisation=tree.province, parent=tree.residential, by=None)


def test_valid_to_before_valid_from_is_refused(db):
    from datetime import date

    with pytest.raises(ValidationError, match="Ngày hết hiệu lực"):
        OrganisationFactory(valid_from=date(2025, 7, 1), valid_to=date(2025, 6, 30))


def test_a_unit_cannot_be_merged_from_itself(tree):
    with pytest.raises(ValidationError):
        services.organisation_set_predecessors(
            organisation=tree.ward, predecessors=[tree.ward], by=None
        )


def test_admin_membership_opens_the_admin_site_with_the_admin_group(tree):
    user = UserFactory()
    services.membership_grant(user=user, organisation=tree.province, role=Role.ADMIN, by=None)
    user.refresh_from_db()
    assert user.is_staff
    assert user.has_perm("organisations.change_organisation")
    assert user.has_perm("organisations.add_membership")
    # Granting twice changes nothing.
    services.membership_grant(user=user, organisation=tree.province, role=Role.ADMIN, by=None)
    assert user.memberships.count() == 1


def test_cadre_membership_does_not_open_the_admin_site(tree):
    user = UserFactory()
    services.membership_grant(user=user, organisation=tree.ward, role=Role.CADRE, by=None)
    user.refresh_from_db()
    assert not user.is_staff


def test_search_column_ignores_diacritics(tree):
    assert list(Organisation.objects.matching("chua hang")) == [tree.ward]
    assert list(Organisation.objects.matching("CHÙA HANG")) == [tree.ward]
    assert list(Organisation.objects.matching("duc xuan")) == [tree.former_ward]
    assert list(Organisation.objects.matching("T19-GS")) == [tree.other_ward]
