"""The one choke point: Organisation.objects.visible_to(user) and the subtree helper."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from organisations import services
from organisations.choices import Role
from organisations.models import Membership, Organisation
from organisations.querysets import scope_paths
from tests.factories import OrganisationFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db


def names(queryset):
    return set(queryset.values_list("name", flat=True))


def test_reviewer_of_a_province_sees_nothing_of_another(tree, reviewer, other_reviewer):
    visible = names(Organisation.objects.visible_to(reviewer))
    assert {"Tỉnh Thái Nguyên", "Phường Chùa Hang", "Tổ dân phố 9", "Phường Gia Sàng"} <= visible
    assert not visible & {"Thành phố Hà Nội", "Phường Quan Hoa"}

    other = names(Organisation.objects.visible_to(other_reviewer))
    assert other == {"Thành phố Hà Nội", "Phường Quan Hoa"}


def test_cadre_of_a_ward_sees_the_ward_and_its_residential_areas_only(tree, cadre):
    assert names(Organisation.objects.visible_to(cadre)) == {"Phường Chùa Hang", "Tổ dân phố 9"}


def test_merged_predecessor_rolls_up_under_its_successor(tree, reviewer, cadre):
    visible = names(Organisation.objects.visible_to(reviewer))
    assert {"Tỉnh Bắc Kạn (cũ)", "Phường Đức Xuân", "Tổ 15"} <= visible
    # The merger is the province's: a ward's cadre does not inherit it.
    assert "Phường Đức Xuân" not in names(Organisation.objects.visible_to(cadre))


def test_merger_recorded_on_a_descendant_and_chained_mergers_roll_up(tree, reviewer):
    older = OrganisationFactory(name="Xã Rất Cũ")
    older_hamlet = OrganisationFactory(name="Thôn Rất Cũ", parent=older)
    oldest = OrganisationFactory(name="Xã Cũ Nhất")
    # The ward (inside the reviewer's province) absorbed an older commune, which had itself
    # absorbed an even older one.
    services.organisation_set_predecessors(organisation=tree.ward, predecessors=[older], by=None)
    services.organisation_set_predecessors(organisation=older, predecessors=[oldest], by=None)
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)  # fresh user: no cached scope

    visible = names(Organisation.objects.visible_to(reviewer))
    assert {"Xã Rất Cũ", "Thôn Rất Cũ", "Xã Cũ Nhất"} <= visible
    assert older_hamlet.name in visible


def test_merger_cycles_do_not_loop_forever(tree, reviewer):
    services.organisation_set_predecessors(
        organisation=tree.former_province, predecessors=[tree.province], by=None
    )
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)
    assert "Tỉnh Bắc Kạn (cũ)" in names(Organisation.objects.visible_to(reviewer))


def test_anonymous_inactive_and_unassigned_users_see_nothing(tree):
    assert not Organisation.objects.visible_to(AnonymousUser()).exists()
    assert not Organisation.objects.visible_to(UserFactory()).exists()
    inactive = user_with_role(tree.province, Role.REVIEWER, is_active=False)
    assert not Organisation.objects.visible_to(inactive).exists()


def test_superuser_sees_everything(tree, superuser):
    assert Organisation.objects.visible_to(superuser).count() == Organisation.objects.count()


def test_scope_can_be_limited_to_roles(tree):
    user = user_with_role(tree.ward, Role.CADRE)
    services.membership_grant(
        user=user, organisation=tree.other_province, role=Role.REVIEWER, by=None
    )
    as_reviewer = names(Organisation.objects.visible_to(user, roles=[Role.REVIEWER]))
    assert as_reviewer == {"Thành phố Hà Nội", "Phường Quan Hoa"}
    everything = names(Organisation.objects.visible_to(user))
    assert {"Phường Chùa Hang", "Thành phố Hà Nội"} <= everything


def test_overlapping_memberships_collapse_to_the_widest(tree):
    user = user_with_role(tree.ward, Role.CADRE)
    services.membership_grant(user=user, organisation=tree.province, role=Role.CADRE, by=None)
    assert scope_paths(user)[0] == tree.province.path
    assert tree.ward.path not in scope_paths(user)


def test_other_models_scope_through_the_same_helper(tree, reviewer, cadre, other_reviewer):
    memberships = Membership.objects.visible_to(reviewer)
    assert set(memberships.values_list("user__username", flat=True)) == {"thamdinh", "canbo"}
    assert not Membership.objects.visible_to(cadre).filter(user=reviewer).exists()


def test_scope_is_computed_once_per_request_user(tree, reviewer, django_assert_max_num_queries):
    list(Organisation.objects.visible_to(reviewer))
    with django_assert_max_num_queries(1):
        list(Organisation.objects.visible_to(reviewer))
        # visible_to builds a lazy queryset; only the evaluation above hits the database.
        Organisation.objects.visible_to(reviewer).filter(name__startswith="P")


def test_subtree_filter_uses_the_path_index(tree, reviewer):
    queryset = Organisation.objects.visible_to(reviewer).order_by().values("pk")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # With sequential and whole-index scans ruled out, only an index that can answer the
        # prefix condition itself remains: proof that the subtree filter is a range scan (a large
        # table chooses it by itself, see bench/).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on organisations_organisation_path_" in plan, plan
    assert "_like" in plan and "Index Cond: (((path)::text ~>=~" in plan, plan
