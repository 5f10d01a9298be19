"""Shared fixtures: a small organisation tree and one user per role."""

from dataclasses import dataclass

import pytest

from organisations import services
from organisations.choices import OrganisationKind, OrganisationLevel, Role
from organisations.models import Organisation
from tests.factories import OrganisationFactory, UserFactory, user_with_role


@dataclass
class Tree:
    """Two provinces, a former province merged into the first, wards and residential areas."""

    province: Organisation
    ward: Organisation
    residential: Organisation
    other_ward: Organisation
    other_province: Organisation
    other_province_ward: Organisation
    former_province: Organisation
    former_ward: Organisation
    former_residential: Organisation


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Attachments and exports written by a test go to a folder of its own."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


# The rows data migrations seed: a transactional test's flush empties their tables.
SEEDING_MIGRATIONS = (
    "models_registry.migrations.0002_seed_themes_and_indicators",
    "reviews.migrations.0002_seed_default_rubric",
)


@pytest.fixture
def seeded_rows(transactional_db):
    """Tests that commit for real (threads, the live server) get the seeded rows back.

    Re-running the migrations' own seeding functions (idempotent) is used rather than
    serialized rollback, which breaks once another transactional test has flushed the tables
    and recreated the content types with new ids.
    """
    from importlib import import_module

    from django.apps import apps

    for module in SEEDING_MIGRATIONS:
        import_module(module).seed(apps, None)


@pytest.fixture
def tree(db) -> Tree:
    province = OrganisationFactory(
        name="Tỉnh Thái Nguyên", code="T19", level=OrganisationLevel.PROVINCE
    )
    ward = OrganisationFactory(name="Phường Chùa Hang", code="T19-CH", parent=province)
    residential = OrganisationFactory(
        name="Tổ dân phố 9",
        code="T19-CH-9",
        parent=ward,
        kind=OrganisationKind.RESIDENTIAL_AREA,
        level=OrganisationLevel.RESIDENTIAL,
    )
    other_ward = OrganisationFactory(name="Phường Gia Sàng", code="T19-GS", parent=province)
    other_province = OrganisationFactory(
        name="Thành phố Hà Nội", code="T01", level=OrganisationLevel.PROVINCE
    )
    other_province_ward = OrganisationFactory(
        name="Phường Quan Hoa", code="T01-QH", parent=other_province
    )
    former_province = OrganisationFactory(
        name="Tỉnh Bắc Kạn (cũ)", code="T06", level=OrganisationLevel.PROVINCE
    )
    former_ward = OrganisationFactory(name="Phường Đức Xuân", code="T06-DX", parent=former_province)
    former_residential = OrganisationFactory(
        name="Tổ 15",
        code="T06-DX-15",
        parent=former_ward,
        kind=OrganisationKind.RESIDENTIAL_AREA,
        level=OrganisationLevel.RESIDENTIAL,
    )
    services.organisation_set_predecessors(
        organisation=province, predecessors=[former_province], by=None
    )
    return Tree(
        *(
            Organisation.objects.get(pk=unit.pk)
            for unit in (
                province,
                ward,
                residential,
                other_ward,
                other_province,
                other_province_ward,
                former_province,
                former_ward,
                former_residential,
            )
        )
    )


@pytest.fixture
def cadre(tree):
    """A cadre of the ward (sees the ward and its residential areas)."""
    return user_with_role(tree.ward, Role.CADRE, username="canbo")


@pytest.fixture
def reviewer(tree):
    """A reviewer of the province (sees the province and the former province merged into it)."""
    return user_with_role(tree.province, Role.REVIEWER, username="thamdinh")


@pytest.fixture
def admin_user(tree):
    """An admin of the province (also staff in the admin site, limited to the province)."""
    return user_with_role(tree.province, Role.ADMIN, username="quantri")


@pytest.fixture
def other_reviewer(tree):
    """A reviewer of the other province."""
    return user_with_role(tree.other_province, Role.REVIEWER, username="thamdinh.khac")


@pytest.fixture
def superuser(db):
    return UserFactory(username="sieuquantri", is_superuser=True, is_staff=True)


@pytest.fixture
def client_for(client):
    """A test client logged in as the given user."""

    def log_in(user):
        client.force_login(user)
        return client

    return log_in
