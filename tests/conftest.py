"""Shared fixtures: a small organisation tree and one user per role."""

from dataclasses import dataclass, fields
from datetime import datetime, time
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from organisations import services
from organisations.choices import OrganisationKind, OrganisationLevel, Role
from organisations.mergers import _BUMP_SQL as TREE_VERSION_BUMP
from organisations.mergers import tree_changed
from organisations.models import Organisation
from tests.db_snapshots import built_once
from tests.factories import OrganisationFactory, UserFactory, user_with_role
from tests.object_store import object_store, on_object_store  # noqa: F401 - fixtures


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


# Hashing a password the production way (PBKDF2, a million rounds) is most of the CPU a factory's
# user costs; tests that are about password handling ask for `production_password_hashers`.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashers():
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture
def production_password_hashers(settings):
    """The hashers the portal runs with, for tests of password handling itself."""
    from danvan import settings as portal_settings

    settings.PASSWORD_HASHERS = portal_settings.PASSWORD_HASHERS


@pytest.fixture(scope="session", autouse=True)
def quick_flush():
    """A transactional test's flush empties the tables by DELETE with the triggers off, then does
    what the tables' TRUNCATE triggers would have done, instead of Django's TRUNCATE: TRUNCATE
    gives each of the hundred-odd tables and their indexes new files, most of a second each time
    for tables that hold a few rows. Needs a superuser, as tests/db_snapshots.py does; anyone
    else flushes the usual way."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    from tests.db_snapshots import may_restore

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables or not may_restore():
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            # Inside the flush's transaction: foreign keys and triggers are off until its end.
            "SET LOCAL session_replication_role = replica",
            *(
                f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))}"
                for table in tables
            ),
            "SET LOCAL session_replication_role = origin",
            # The statement triggers on TRUNCATE: organisations' migration 0006 and the
            # registry's 0014.
            TREE_VERSION_BUMP,
            "SELECT nextval('models_registry_list_version')",
        ]

    DatabaseOperations.sql_flush = sql_flush
    try:
        yield
    finally:
        DatabaseOperations.sql_flush = truncate


VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# Half an hour either side of midnight in Vietnam: the hours at which the UTC date and the Vietnam
# date differ (00:30) or are about to (23:30). A test that formats a date must pass at both.
VIETNAM_CLOCK_TIMES = {"23:30 Vietnam": time(23, 30), "00:30 Vietnam": time(0, 30)}


def pytest_addoption(parser):
    parser.addoption(
        "--vietnam-clock",
        metavar="HH:MM",
        help="run the whole session with the clock at this Vietnam time of today (ticking on), "
        "e.g. 00:30, when the UTC date is still the day before",
    )


@pytest.fixture(scope="session", autouse=True)
def session_vietnam_clock(request):
    """The whole session at the hour asked for by --vietnam-clock (none by default)."""
    asked = request.config.getoption("--vietnam-clock")
    if not asked:
        yield None
        return
    moment = datetime.combine(
        datetime.now(VIETNAM).date(), time.fromisoformat(asked), tzinfo=VIETNAM
    )
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Tests on the demo data, committed once (``demo_load``), run last, after pytest-django's
    own ordering, so that no other test sees its rows: first those that only read it (each in
    a transaction rolled back), then the browser journeys on the demo site (see
    tests/e2e/conftest.py), which commit what they add."""

    def demo_order(item) -> int:
        names = getattr(item, "fixturenames", ())
        if "demo_load" not in names:
            return 0
        return 2 if "demo_site" in names else 1

    order = {id(item): demo_order(item) for item in items}
    for item in items:
        if order[id(item)]:
            item.add_marker(pytest.mark.django_db)
    items.sort(key=lambda item: order[id(item)])


def pytest_generate_tests(metafunc):
    if "vietnam_clock" in metafunc.fixturenames:
        metafunc.parametrize("vietnam_clock", list(VIETNAM_CLOCK_TIMES), indirect=True, ids=str)


@pytest.fixture
def vietnam_clock(request):
    """The clock frozen (then ticking) at 23:30 or 00:30 Vietnam time on a day of the current year.

    Today's date stays in the current year so that defaults such as "this year's report" still
    point at the data a test builds.
    """
    today = datetime.now(VIETNAM).date()
    moment = datetime.combine(
        today.replace(month=6, day=30), VIETNAM_CLOCK_TIMES[request.param], tzinfo=VIETNAM
    )
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: what an earlier test kept (the list's counts,
    under a version its rolled-back rows moved on) is not read by the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Attachments and exports written by a test go to a folder of its own."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


# The rows data migrations seed: a transactional test's flush empties their tables.
SEEDING_MIGRATIONS = (
    "models_registry.migrations.0002_seed_themes_and_indicators",
    "reviews.migrations.0002_seed_default_rubric",
    "reviews.migrations.0007_seed_default_bands",
    "organisations.migrations.0008_seed_standard_bodies",
)


def reseed(modules=SEEDING_MIGRATIONS) -> None:
    """Run the data migrations' own seeding functions again (they are idempotent)."""
    from importlib import import_module

    from django.apps import apps

    for module in modules:
        import_module(module).seed(apps, None)


@pytest.fixture
def seeded_rows(transactional_db):
    """Tests that commit for real (threads, the live server) get the seeded rows back.

    Re-running the migrations' own seeding functions (idempotent) is used rather than
    serialized rollback, which breaks once another transactional test has flushed the tables
    and recreated the content types with new ids.
    """
    reseed()


@dataclass(frozen=True)
class DemoLoad:
    output: str  # what the load printed (its first run's summary)
    media: Path  # where its files were kept


@pytest.fixture(scope="session")
def demo_load(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data (``load_demo``), loaded once for the session and committed.

    Loading the demo (hundreds of models through the services, with their files) costs far more
    than any test on it, so the tests that read it (tests/demo) and the browser journeys on the
    demo site share one load. They run after every other test (``pytest_collection_modifyitems``
    above), so no other test sees these rows; they are removed when the session ends.
    """
    media = tmp_path_factory.mktemp("demo-private")
    output = StringIO()
    with override_settings(PRIVATE_MEDIA_ROOT=media), django_db_blocker.unblock():
        call_command("load_demo", stdout=output)
    try:
        yield DemoLoad(output=output.getvalue(), media=media)
    finally:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)
            reseed(SEEDING_MIGRATIONS)


def build_tree() -> Tree:
    """The tree written through the factories and services."""
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


def load_tree(pks: list[int]) -> Tree:
    units = Organisation.objects.in_bulk(pks)
    return Tree(*(units[pk] for pk in pks))


def registry_changed() -> None:
    """After rows of the registry's models were copied back (triggers off): move the list's
    version on, as the statement trigger of models_registry's migration 0014 does."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('models_registry_list_version')")


@pytest.fixture
def tree(db, request) -> Tree:
    # Written through the services once, then copied back (tests/db_snapshots.py).
    return built_once(
        request,
        "tree",
        build_tree,
        keys=lambda built: [getattr(built, field.name).pk for field in fields(Tree)],
        load=load_tree,
        # A version never seen before, as the triggers would set: see organisations/mergers.py.
        restored=tree_changed,
    )


def role_user(request, unit: Organisation, role: str, username: str):
    """A user with ``role`` on ``unit``, written once and then copied back like the tree."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    return built_once(
        request,
        f"{username}:{role}",
        lambda: user_with_role(unit, role, username=username),
        keys=lambda user: user.pk,
        load=lambda pk: get_user_model().objects.get(pk=pk),
        context=(unit.pk, tuple(settings.PASSWORD_HASHERS)),  # the password's hash
    )


@pytest.fixture
def cadre(tree, request):
    """A cadre of the ward (sees the ward and its residential areas)."""
    return role_user(request, tree.ward, Role.CADRE, "canbo")


@pytest.fixture
def reviewer(tree, request):
    """A reviewer of the province (sees the province and the former province merged into it)."""
    return role_user(request, tree.province, Role.REVIEWER, "thamdinh")


@pytest.fixture
def admin_user(tree, request):
    """An admin of the province (also staff in the admin site, limited to the province)."""
    return role_user(request, tree.province, Role.ADMIN, "quantri")


@pytest.fixture
def other_reviewer(tree, request):
    """A reviewer of the other province."""
    return role_user(request, tree.other_province, Role.REVIEWER, "thamdinh.khac")


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
