from django.db import migrations

# The report groups a subtree's models by the path prefix of each child unit, an expression
# PostgreSQL has no statistics for: it guesses hundreds of thousands of groups and sorts a
# national scan instead of hashing a few hundred groups. Expression statistics for each depth
# (treebeard's steps are 4 characters) tell it how few there are.
PREFIX_LENGTHS = range(8, 33, 4)


def _create():
    statements = [
        f"CREATE STATISTICS IF NOT EXISTS organisation_path_prefix_{length} "
        f"ON (substring(path::text, 1, {length})) FROM organisations_organisation"
        for length in PREFIX_LENGTHS
    ]
    return ";\n".join([*statements, "ANALYZE organisations_organisation"])


def _drop():
    return ";\n".join(
        f"DROP STATISTICS IF EXISTS organisation_path_prefix_{length}" for length in PREFIX_LENGTHS
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_report_jobs"),
        ("organisations", "0001_organisation_tree_and_memberships"),
    ]

    operations = [migrations.RunSQL(_create(), _drop())]
