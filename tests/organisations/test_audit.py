"""Organisations, memberships and mergers are in the audit trail: what changed, and by whom."""

import pytest
from django.apps import apps

from organisations import services
from organisations.choices import OrganisationLevel, Role
from organisations.models import Organisation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def history(model_name: str, **lookups):
    """The trail's rows of one history table, oldest first."""
    table = apps.get_model("organisations", model_name)
    return list(table.objects.filter(**lookups).select_related("pgh_context").order_by("pgh_id"))


def who(event) -> int | None:
    return event.pgh_context.metadata.get("user") if event.pgh_context else None


def test_a_unit_made_renamed_and_moved_is_in_the_trail_by_its_author(tree, admin_user):
    unit = services.organisation_create(
        parent=tree.province,
        organisation=Organisation(name="Phường Gia Sàng", code="TEST-GS", level="commune"),
        by=admin_user,
    )
    services.organisation_update(organisation=unit, by=admin_user, name="Phường Gia Sàng mới")
    services.organisation_move(organisation=unit, parent=tree.other_province, by=admin_user)

    made, renamed, moved = history("OrganisationHistory", pgh_obj=unit)
    assert (made.pgh_label, made.name, made.code) == ("insert", "Phường Gia Sàng", "TEST-GS")
    assert (renamed.pgh_label, renamed.name) == ("update", "Phường Gia Sàng mới")
    tree.other_province.refresh_from_db()
    assert moved.pgh_label == "update" and moved.path.startswith(tree.other_province.path)
    assert {who(made), who(renamed), who(moved)} == {admin_user.pk}


def test_a_merger_is_in_the_trail_by_its_author(tree, admin_user):
    older = services.organisation_create(
        parent=tree.province,
        organisation=Organisation(name="Xã Cũ", code="TEST-XC", level=OrganisationLevel.COMMUNE),
        by=None,
    )
    services.organisation_set_predecessors(
        organisation=tree.ward, predecessors=[older], by=admin_user
    )
    services.organisation_set_predecessors(organisation=tree.ward, predecessors=[], by=admin_user)

    added, removed = history("MergerLinkHistory", to_organisation=older)
    assert (added.pgh_label, added.from_organisation_id) == ("add", tree.ward.pk)
    assert (removed.pgh_label, removed.from_organisation_id) == ("remove", tree.ward.pk)
    assert who(added) == who(removed) == admin_user.pk


def test_a_membership_granted_and_revoked_is_in_the_trail(client_for, tree, admin_user):
    user = UserFactory(username="canbo.moi")
    membership = services.membership_grant(
        user=user, organisation=tree.ward, role=Role.CADRE, by=admin_user
    )
    # Revoked in the admin site: the request's user is the author.
    response = client_for(admin_user).post(
        f"/quan-tri/organisations/membership/{membership.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302

    granted, revoked = history("MembershipHistory", user=user)
    assert (granted.pgh_label, granted.organisation_id, granted.role) == (
        "insert",
        tree.ward.pk,
        Role.CADRE,
    )
    assert revoked.pgh_label == "delete" and revoked.role == Role.CADRE
    assert who(granted) == who(revoked) == admin_user.pk


def test_rubric_versions_are_in_the_trail_by_their_author(client_for, superuser):
    from reviews.models import Rubric

    first = Rubric.objects.get(is_active=True)
    client = client_for(superuser)
    changelist = "/quan-tri/reviews/rubric/"
    client.post(changelist, {"action": "make_new_version", "_selected_action": [first.pk]})
    new = Rubric.objects.get(version=first.version + 1)
    client.post(changelist, {"action": "activate", "_selected_action": [new.pk]})

    rubrics = apps.get_model("reviews", "RubricHistory").objects.select_related("pgh_context")
    made, activated = rubrics.filter(pgh_obj=new).order_by("pgh_id")
    assert (made.pgh_label, made.is_active) == ("insert", False)
    assert (activated.pgh_label, activated.is_active) == ("update", True)
    retired = rubrics.get(pgh_obj=first, pgh_label="update")
    assert retired.is_active is False
    criteria = apps.get_model("reviews", "RubricCriterionHistory").objects.filter(
        pgh_obj__rubric=new
    )
    assert criteria.count() == first.criteria.count() > 0
    assert {who(event) for event in [made, activated, retired, *criteria]} == {superuser.pk}
