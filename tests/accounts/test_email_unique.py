"""One account per e-mail address, held by the database (migration accounts 0003): the unique
index on lower(email), the migration's refusal of existing duplicates, and the services telling
the loser of a race the same as their own check does."""

import threading
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from accounts import services
from accounts.imports import AccountRow
from organisations.choices import Role
from tests.reviews.test_concurrency import RACERS, race

User = get_user_model()
migration = import_module("accounts.migrations.0003_user_email_unique")


def test_the_database_refuses_a_second_account_with_the_same_address_in_any_case(db):
    User.objects.create_user("mot", email="hoa@example.vn")
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        User.objects.create_user("hai", email="HOA@Example.vn")
    assert services.email_index_refusal(refused.value) == "hoa@example.vn"


def test_accounts_without_an_address_are_many(db):
    for username in ("mot", "hai", "ba"):
        User.objects.create_user(username, email="")
    assert User.objects.filter(email="").count() == 3


def test_other_integrity_errors_are_not_taken_for_the_address(db):
    User.objects.create_user("mot")
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        User.objects.create_user("mot")
    assert services.email_index_refusal(refused.value) is None


def run_migration_sql(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def test_the_migration_stops_on_existing_duplicates_and_names_them(db):
    check, create_index = migration.Migration.operations
    # As before the migration (the test's transaction puts the index back).
    run_migration_sql(create_index.reverse_sql)
    User.objects.create_user("canbo.hoa", email="Hoa@example.vn")
    User.objects.create_user("hoa.nguyen", email="hoa@example.vn")
    User.objects.create_user("lan", email="lan@example.vn")
    User.objects.create_user("khong.email", email="")
    User.objects.create_user("khong.email2", email="")
    editor = SimpleNamespace(connection=connection)

    with pytest.raises(RuntimeError) as stopped:
        check.code(None, editor)
    assert "hoa@example.vn: canbo.hoa, hoa.nguyen" in str(stopped.value)
    assert "lan@example.vn" not in str(stopped.value)
    assert "khong.email" not in str(stopped.value)

    # Once each address is left on one account the migration goes through.
    User.objects.filter(username="hoa.nguyen").update(email="hoa.nguyen@example.vn")
    check.code(None, editor)
    run_migration_sql(create_index.sql)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("hai", email="LAN@example.vn")


def row(tree, sheet_row, email, name):
    return AccountRow(sheet_row, name, "", email, "", tree.ward, Role.CADRE)


def test_an_import_losing_the_address_to_another_write_names_its_row(tree, admin_user, monkeypatch):
    rows = [row(tree, 2, "an@example.vn", "Nguyễn Văn An"), row(tree, 3, "ba@example.vn", "Lê Ba")]
    User.objects.create_user("nguoi.khac", email="BA@example.vn")
    # The address was taken after the file was checked: the check does not see it.
    monkeypatch.setattr(services, "taken_emails", lambda emails: set())

    with pytest.raises(ValidationError) as refused:
        services.accounts_import(rows=rows, by=admin_user)
    assert refused.value.messages == [f"Dòng 3: {services.EMAIL_TAKEN}"]
    assert not User.objects.filter(email="an@example.vn").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded_rows")
def test_two_admins_creating_accounts_with_one_address_at_once(tree, admin_user, monkeypatch):
    """Both admins' checks pass before either account is written (they wait for each other
    there); the database lets one through and the other is told in the service's words."""
    checked = threading.Barrier(len(RACERS))
    real_check = services._check_email_free

    def check_then_wait(email, **kwargs):
        real_check(email, **kwargs)
        if threading.current_thread().name in RACERS:
            checked.wait(timeout=10)

    monkeypatch.setattr(services, "_check_email_free", check_then_wait)

    def create(name):
        return lambda: services.account_create(
            full_name=name,
            email="chung@example.vn" if name == "Nguyễn Văn Một" else "CHUNG@example.vn",
            phone="",
            organisation=tree.ward,
            role=Role.CADRE,
            by=admin_user,
        )

    outcomes, _ = race(one=create("Nguyễn Văn Một"), two=create("Trần Thị Hai"))

    created = [o for o in outcomes.values() if isinstance(o, tuple)]
    refused = [o for o in outcomes.values() if isinstance(o, ValidationError)]
    assert len(created) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert refused[0].message_dict == {"email": [services.EMAIL_TAKEN]}
    assert User.objects.filter(email__iexact="chung@example.vn").count() == 1


def test_editing_into_a_taken_address_that_the_check_missed(tree, admin_user, monkeypatch):
    person, _ = services.account_create(
        full_name="Lê Thị Hoà",
        email="",
        phone="",
        organisation=tree.ward,
        role=Role.CADRE,
        by=admin_user,
    )
    User.objects.create_user("nguoi.khac", email="hoa@example.vn")
    monkeypatch.setattr(services, "_check_email_free", lambda email, **kwargs: None)

    with pytest.raises(ValidationError) as refused:
        services.account_update(
            user=person, full_name="Lê Thị Hoà", email="Hoa@example.vn", phone="", by=admin_user
        )
    assert refused.value.message_dict == {"email": [services.EMAIL_TAKEN]}


def test_django_user_admin_answers_a_taken_address_on_its_form(client, superuser):
    """The superusers' user admin says the address is taken, as the portal's pages do, instead
    of letting the index refuse the save as a server error."""
    User.objects.create_user("mot", email="hoa@example.vn")
    other = User.objects.create_user("hai", email="")
    client.force_login(superuser)
    url = f"/quan-tri/auth/user/{other.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("groups", "user_permissions", "password")
    }
    data.update(
        email="HOA@example.vn",
        date_joined_0=other.date_joined.strftime("%d/%m/%Y"),
        date_joined_1=other.date_joined.strftime("%H:%M:%S"),
        last_login_0="",
        last_login_1="",
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    answer = client.post(url, data)
    assert answer.status_code == 200
    assert services.EMAIL_TAKEN in answer.content.decode()
    other.refresh_from_db()
    assert other.email == ""
