"""A version number of the registry's rows, moved on by every write, for the list's counts.

The list's counts by field are cached for a short while under the version read at the start of
the request (``models_registry.filters``); a statement that writes models or their theme links
moves the version on, so the next request counts again.
"""

from django.db import migrations

TABLES = ("models_registry_danvanmodel", "models_registry_danvanmodel_themes")

FORWARD = [
    "CREATE SEQUENCE IF NOT EXISTS models_registry_list_version",
    """
    CREATE OR REPLACE FUNCTION models_registry_list_version_move() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM nextval('models_registry_list_version');
        RETURN NULL;
    END
    $$
    """,
    *(
        f"""
        CREATE TRIGGER list_version_move AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION models_registry_list_version_move()
        """
        for table in TABLES
    ),
]
BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS list_version_move ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS models_registry_list_version_move()",
    "DROP SEQUENCE IF EXISTS models_registry_list_version",
]


class Migration(migrations.Migration):
    dependencies = [("models_registry", "0013_export_job_lease")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
