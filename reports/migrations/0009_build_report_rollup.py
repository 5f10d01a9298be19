from django.conf import settings
from django.db import migrations

# The roll-up built once from what is there (a copy of reports.rollup's statements as they are
# now; later builds use ``manage.py rebuild_report_rollup``).
REBUILD_SQL = """
INSERT INTO reports_modelcount (anchor, field, kind, actor, event, grain, bucket, since, n)
SELECT left(o.path, 8), m.field, m.kind, m.actor, e.event, e.grain, e.bucket, e.since, count(*)
FROM models_registry_danvanmodel m
JOIN organisations_organisation o ON o.id = m.owning_unit_id
CROSS JOIN LATERAL reports_rollup_events(
    %(zone)s, m.submitted_at, m.accepted_at, m.replicated_from_id IS NOT NULL, m.recognised_at,
    m.is_outstanding, m.outstanding_at, m.discontinued_at
) AS e
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

INSERT INTO reports_indicatorcount (anchor, indicator_id, grain, bucket, total, reports)
SELECT left(o.path, g.length), v.indicator_id, g.grain, date_trunc(g.span, r.period_end)::date,
       sum(v.value), count(*)
FROM models_registry_resultvalue v
JOIN models_registry_resultreport r ON r.id = v.report_id
JOIN models_registry_danvanmodel m ON m.id = r.model_id
JOIN organisations_organisation o ON o.id = m.owning_unit_id
CROSS JOIN reports_rollup_indicator_grains() AS g
GROUP BY 1, 2, 3, 4;

INSERT INTO reports_commendationfact
    (commendation_id, round_id, model_id, anchor, field, kind, actor, form, decision_date)
SELECT line.id, line.round_id, line.model_id, o.path, m.field, m.kind, m.actor, line.form,
       round.decision_date
FROM reviews_commendation line
JOIN reviews_commendationround round ON round.id = line.round_id
JOIN models_registry_danvanmodel m ON m.id = line.model_id
JOIN organisations_organisation o ON o.id = m.owning_unit_id
WHERE round.status = 'published' AND line.revoked_at IS NULL
  AND round.decision_date IS NOT NULL;

INSERT INTO reports_rollupstate (id, time_zone, stale, built_at)
VALUES (1, %(zone)s, false, now())
ON CONFLICT (id) DO UPDATE
SET time_zone = EXCLUDED.time_zone, stale = false, built_at = EXCLUDED.built_at;
"""


def build(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(REBUILD_SQL, {"zone": settings.TIME_ZONE})
        for table in ("reports_modelcount", "reports_indicatorcount", "reports_commendationfact"):
            cursor.execute(f"ANALYZE {table}")


def forget(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_rollupstate")
        for table in ("reports_modelcount", "reports_indicatorcount", "reports_commendationfact"):
            cursor.execute(f"DELETE FROM {table}")


class Migration(migrations.Migration):
    dependencies = [("reports", "0008_report_rollup_triggers")]

    operations = [migrations.RunPython(build, forget)]
