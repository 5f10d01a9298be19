from django.db import migrations

# The national report lists each field's first outstanding models of the period by name: read in
# name order from this index, the period's dates checked in it, no model row is read but the
# fifty listed (reports.selectors._outstanding). It serves the report only, so the reports own it.
INDEX = """
CREATE INDEX IF NOT EXISTS reports_outstanding_by_name ON models_registry_danvanmodel
    (field, name, id, outstanding_at) WHERE is_outstanding
"""


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0009_build_report_rollup"),
        ("models_registry", "0012_start_precision_and_event_effective_date"),
    ]

    operations = [
        migrations.RunSQL(INDEX, "DROP INDEX IF EXISTS reports_outstanding_by_name"),
    ]
