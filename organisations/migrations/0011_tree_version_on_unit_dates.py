"""The tree's version also moves when a unit's dates change.

A report's scope (``reports.scope``) follows each merger from the day it took effect, read from
the units' dates, and is kept in memory under the tree's version: a unit's new end date must
make it read again.
"""

from django.db import migrations

FORWARD = """
DROP TRIGGER organisations_tree_changed ON organisations_organisation;
CREATE TRIGGER organisations_tree_changed
AFTER INSERT OR DELETE OR UPDATE OF path, valid_from, valid_to OR TRUNCATE
ON organisations_organisation
FOR EACH STATEMENT EXECUTE FUNCTION organisations_tree_changed();
"""

BACKWARD = """
DROP TRIGGER organisations_tree_changed ON organisations_organisation;
CREATE TRIGGER organisations_tree_changed
AFTER INSERT OR DELETE OR UPDATE OF path OR TRUNCATE ON organisations_organisation
FOR EACH STATEMENT EXECUTE FUNCTION organisations_tree_changed();
"""


class Migration(migrations.Migration):
    dependencies = [("organisations", "0010_derive_document_heading")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
