"""The roll-up's model counts indexed by (grain, bucket, anchor), covering the rest of the row.

A province's trend chart sums its anchors' accepted and recognised events month by month: with the
anchor in the index, each month is one short range of it, not every province's rows of that month
read from the table (0.5 ms instead of 22 ms on the national data set). The national report reads
its year and month rows from the index alone.
"""

from django.db import migrations

FORWARD = """
DROP INDEX modelcount_bucket;
CREATE INDEX modelcount_bucket ON reports_modelcount
    (grain, bucket, anchor varchar_pattern_ops) INCLUDE (event, field, kind, actor, since, n);
"""

BACKWARD = """
DROP INDEX modelcount_bucket;
CREATE INDEX modelcount_bucket ON reports_modelcount (grain, bucket);
"""


class Migration(migrations.Migration):
    dependencies = [("reports", "0011_figures_version")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
