"""Rubric versions: a sheet keeps the version it began on; the admin never edits a used one."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from organisations.choices import Role
from reviews import services
from reviews.models import Appraisal, Rubric, RubricCriterion
from tests.factories import user_with_role
from tests.reviews.conftest import full_scores

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:reviews_rubric_changelist")


def change_url(rubric):
    return reverse("admin:reviews_rubric_change", args=[rubric.pk])


@pytest.fixture
def first_version(db):
    """The rubric seeded by the migrations, in force."""
    return Rubric.objects.active().get()


@pytest.fixture
def sheet(proposed_model, reviewer, first_version):
    """The reviewer's score sheet on the first version."""
    return services.appraisal_save(
        model=proposed_model, by=reviewer, scores=full_scores(first_version, minus=1)
    )


def scores_of(appraisal):
    return {score.criterion_id: score.score for score in appraisal.scores.all()}


def new_version_in_force(source, by) -> Rubric:
    """A new version with one criterion rescaled, one dropped and one added, then activated."""
    new = services.rubric_new_version(source=source, by=by)
    criteria = list(new.criteria.all())
    criteria[0].max_score = 30
    criteria[0].save()
    criteria[-1].delete()
    RubricCriterion.objects.create(
        rubric=new, position=99, title="Ứng dụng chuyển đổi số", max_score=5
    )
    return services.rubric_activate(rubric=new, by=by)


def test_new_version_copies_the_criteria_and_waits(first_version, superuser):
    new = services.rubric_new_version(source=first_version, by=superuser)
    assert new.version == first_version.version + 1 and not new.is_active
    assert [(c.title, c.max_score) for c in new.criteria.all()] == [
        (c.title, c.max_score) for c in first_version.criteria.all()
    ]
    assert not set(new.criteria.values_list("pk", flat=True)) & set(
        first_version.criteria.values_list("pk", flat=True)
    )
    assert Rubric.objects.active().get() == first_version


def test_a_sheet_keeps_its_version_and_scores_after_a_new_one(sheet, first_version, superuser):
    before_scores, before_total = scores_of(sheet), sheet.total
    before_criteria = [(c.title, c.max_score) for c in first_version.criteria.all()]

    new = new_version_in_force(first_version, superuser)

    sheet = Appraisal.objects.get(pk=sheet.pk)
    assert sheet.rubric == first_version
    assert scores_of(sheet) == before_scores and sheet.total == before_total
    assert [(c.title, c.max_score) for c in first_version.criteria.all()] == before_criteria
    assert Rubric.objects.active().get() == new
    first_version.refresh_from_db()
    assert not first_version.is_active


def test_a_corrected_sheet_stays_on_its_version(sheet, first_version, reviewer, superuser):
    new = new_version_in_force(first_version, superuser)
    with pytest.raises(ValidationError):  # the new version's criteria are not this sheet's
        services.appraisal_save(model=sheet.proposal.model, by=reviewer, scores=full_scores(new))
    corrected = services.appraisal_save(
        model=sheet.proposal.model, by=reviewer, scores=full_scores(first_version)
    )
    assert corrected.pk == sheet.pk and corrected.rubric == first_version
    assert set(scores_of(corrected)) == set(first_version.criteria.values_list("pk", flat=True))
    assert corrected.total == first_version.max_total


def test_a_new_sheet_uses_the_version_in_force(sheet, first_version, tree, superuser):
    new = new_version_in_force(first_version, superuser)
    colleague = user_with_role(tree.province, Role.REVIEWER, username="thamdinh.hai")
    second = services.appraisal_save(
        model=sheet.proposal.model, by=colleague, scores=full_scores(new)
    )
    assert second.rubric == new
    assert set(scores_of(second)) == set(new.criteria.values_list("pk", flat=True))
    assert second.total == new.max_total
    assert Appraisal.objects.get(pk=sheet.pk).rubric == first_version


def test_only_one_version_is_in_force(first_version):
    with pytest.raises(IntegrityError), transaction.atomic():
        Rubric.objects.create(name="Thử", version=first_version.version + 1, is_active=True)
    assert Rubric.objects.active().count() == 1


def test_an_empty_version_cannot_be_put_in_force(first_version, superuser):
    empty = Rubric.objects.create(name="Trống", version=first_version.version + 1)
    with pytest.raises(ValidationError):
        services.rubric_activate(rubric=empty, by=superuser)
    assert Rubric.objects.active().get() == first_version


# --- the admin pages --------------------------------------------------------------------------


def test_admin_shows_a_used_version_read_only_and_refuses_changes(
    client_for, superuser, sheet, first_version
):
    client = client_for(superuser)
    response = client.get(change_url(first_version))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()

    response = client.post(change_url(first_version), {"name": "Đổi tên"})
    assert response.status_code == 403
    first_version.refresh_from_db()
    assert first_version.name != "Đổi tên"


def test_admin_lets_an_unused_version_be_edited(client_for, superuser, first_version):
    new = services.rubric_new_version(source=first_version, by=superuser)
    response = client_for(superuser).get(change_url(new))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is True
    assert 'name="_save"' in response.content.decode()


def test_admin_actions_make_a_new_version_then_put_it_in_force(
    client_for, superuser, sheet, first_version
):
    client = client_for(superuser)
    response = client.post(
        CHANGELIST,
        {"action": "make_new_version", "_selected_action": [first_version.pk]},
        follow=True,
    )
    assert response.status_code == 200
    new = Rubric.objects.get(version=first_version.version + 1)
    assert "Đã tạo" in response.content.decode()
    assert new.criteria.count() == first_version.criteria.count() and not new.is_active

    response = client.post(
        CHANGELIST, {"action": "activate", "_selected_action": [new.pk]}, follow=True
    )
    assert "Từ nay các phiếu chấm mới dùng" in response.content.decode()
    assert Rubric.objects.active().get() == new
    assert Appraisal.objects.get(pk=sheet.pk).rubric == first_version


def test_admin_activate_needs_exactly_one_version(client_for, superuser, first_version):
    new = services.rubric_new_version(source=first_version, by=superuser)
    response = client_for(superuser).post(
        CHANGELIST,
        {"action": "activate", "_selected_action": [first_version.pk, new.pk]},
        follow=True,
    )
    assert "Hãy chọn đúng một phiên bản." in response.content.decode()
    assert Rubric.objects.active().get() == first_version


# --- a national rubric: province admins read it, superusers manage it --------------------------


def test_province_admins_read_the_rubric_but_cannot_change_it(
    client_for, admin_user, first_version
):
    client = client_for(admin_user)
    index = client.get(reverse("admin:index"))
    assert CHANGELIST in index.content.decode()

    listing = client.get(CHANGELIST)
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "dùng chung toàn quốc: chỉ quản trị hệ thống tạo phiên bản mới" in body
    assert 'name="action"' not in body  # no action offered: neither new version nor activate
    assert reverse("admin:reviews_rubric_add") not in body

    page = client.get(change_url(first_version))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    content = page.content.decode()
    assert 'name="_save"' not in content and "quản trị đơn vị chỉ xem" in content
    assert first_version.criteria.first().title in content

    client.post(change_url(first_version), {"name": "Đổi tên"})
    client.post(CHANGELIST, {"action": "make_new_version", "_selected_action": [first_version.pk]})
    assert client.get(reverse("admin:reviews_rubric_add")).status_code == 403
    first_version.refresh_from_db()
    assert first_version.name != "Đổi tên"
    assert Rubric.objects.count() == 1


def test_only_superusers_make_or_activate_versions(admin_user, reviewer, first_version, superuser):
    for user in (admin_user, reviewer):
        with pytest.raises(PermissionDenied):
            services.rubric_new_version(source=first_version, by=user)
    new = services.rubric_new_version(source=first_version, by=superuser)
    with pytest.raises(PermissionDenied):
        services.rubric_activate(rubric=new, by=admin_user)
    assert Rubric.objects.active().get() == first_version


def test_cadres_and_reviewers_do_not_reach_the_admin_rubric(client_for, cadre, reviewer):
    for user in (cadre, reviewer):
        response = client_for(user).get(CHANGELIST)
        assert response.status_code == 302 and "login" in response["Location"]
