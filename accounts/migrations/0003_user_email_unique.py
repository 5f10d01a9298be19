"""One account per e-mail address, whatever its case, held by the database: a unique index on
``lower(email)`` over the accounts that have one. The services check it first and answer in
Vietnamese; the index settles the races their check cannot see.

Existing duplicates stop the migration with their addresses and accounts named: they are
resolved by hand (one account keeps the address) before migrating again.
"""

from django.db import migrations

INDEX = "accounts_user_email_unique_ci"


def duplicate_emails(connection) -> list[tuple[str, list[str]]]:
    """Each address (lower-cased) that more than one account has, with their usernames."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lower(email), array_agg(username ORDER BY username) FROM auth_user"
            " WHERE email <> '' GROUP BY lower(email) HAVING count(*) > 1 ORDER BY 1"
        )
        return [(email, list(usernames)) for email, usernames in cursor.fetchall()]


def check_no_duplicate_emails(apps, schema_editor) -> None:
    duplicates = duplicate_emails(schema_editor.connection)
    if duplicates:
        lines = "\n".join(
            f"  {email}: {', '.join(usernames)}" for email, usernames in duplicates
        )
        raise RuntimeError(
            "Cannot make e-mail addresses unique: these addresses are used by more than one "
            f"account (compared without case). Leave each address on one account, then migrate "
            f"again.\n{lines}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_account_profile_sso_subject"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(check_no_duplicate_emails, migrations.RunPython.noop),
        migrations.RunSQL(
            f"CREATE UNIQUE INDEX {INDEX} ON auth_user (lower(email)) WHERE email <> ''",
            f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
