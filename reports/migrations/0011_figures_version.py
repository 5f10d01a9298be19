"""A version number of what the key figures count, moved on by every write, for the home page.

The home page's key figures of a unit (``reports.panels``) are kept in the cache under the version
read at the start of the request; a statement that writes models, commendations, their rounds or
the organisation tree (units, mergers) moves the version on, so the next request counts again.
"""

from django.db import migrations

TABLES = (
    "models_registry_danvanmodel",
    "reviews_commendation",
    "reviews_commendationround",
    "organisations_organisation",
    "organisations_organisation_merged_from",
)

FORWARD = [
    "CREATE SEQUENCE IF NOT EXISTS reports_figures_version",
    """
    CREATE OR REPLACE FUNCTION reports_figures_version_move() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM nextval('reports_figures_version');
        RETURN NULL;
    END
    $$
    """,
    *(
        f"""
        CREATE TRIGGER reports_figures_version_move
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_version_move()
        """
        for table in TABLES
    ),
]
BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS reports_figures_version_move ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS reports_figures_version_move()",
    "DROP SEQUENCE IF EXISTS reports_figures_version",
]


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0010_outstanding_by_name"),
        ("models_registry", "0016_review_queue_and_editable_indexes"),
        ("reviews", "0008_round_decision_heading_and_signer"),
        ("organisations", "0010_derive_document_heading"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
