from django.db import migrations

# The functions and triggers that keep the report roll-up current in the transaction of every
# change (reports/rollup.py explains the design). Nothing is kept until the roll-up has been
# built (the state row exists): before that, and while it is stale, the reports recount.
# The models' events are filed under the owning unit's path cut to 2 levels (8 characters); the
# indicator sums and the commendations under the owning unit's path itself.
FUNCTIONS = r"""
CREATE FUNCTION reports_rollup_path(unit bigint) RETURNS varchar LANGUAGE sql STABLE AS $$
    SELECT path FROM organisations_organisation WHERE id = unit
$$;

CREATE FUNCTION reports_rollup_events(
    zone text, submitted timestamptz, accepted timestamptz, replicated boolean,
    recognised timestamptz, outstanding boolean, outstanding_at timestamptz,
    discontinued timestamptz
) RETURNS TABLE (event varchar, grain varchar, bucket date, since date)
LANGUAGE sql IMMUTABLE AS $$
    SELECT e.event, g.grain,
           date_trunc(CASE g.grain WHEN 'Y' THEN 'year' ELSE 'month' END, e.day)::date,
           e.since
    FROM (VALUES
        ('registered'::varchar, (coalesce(submitted, accepted) AT TIME ZONE zone)::date,
         NULL::date),
        ('accepted', (accepted AT TIME ZONE zone)::date, NULL),
        ('replicated', CASE WHEN replicated THEN (accepted AT TIME ZONE zone)::date END, NULL),
        ('recognised', (recognised AT TIME ZONE zone)::date, NULL),
        ('outstanding', CASE WHEN outstanding THEN (outstanding_at AT TIME ZONE zone)::date END,
         NULL),
        ('dropped', CASE WHEN accepted <= discontinued
                         THEN (discontinued AT TIME ZONE zone)::date END, NULL),
        ('dropped_early', CASE WHEN accepted > discontinued
                               THEN (discontinued AT TIME ZONE zone)::date END,
         date_trunc('month', accepted AT TIME ZONE zone)::date)
    ) AS e (event, day, since)
    CROSS JOIN (VALUES ('M'::varchar), ('Y')) AS g (grain)
    WHERE e.day IS NOT NULL AND (g.grain = 'M' OR e.event <> 'dropped_early')
$$;

CREATE FUNCTION reports_rollup_model_add(
    zone text, model models_registry_danvanmodel, sign integer
) RETURNS void LANGUAGE sql AS $$
    INSERT INTO reports_modelcount AS counted
        (anchor, field, kind, actor, event, grain, bucket, since, n)
    SELECT left(reports_rollup_path(model.owning_unit_id), 8), model.field, model.kind, model.actor,
           e.event, e.grain, e.bucket, e.since, sign
    FROM reports_rollup_events(
        zone, model.submitted_at, model.accepted_at, model.replicated_from_id IS NOT NULL,
        model.recognised_at, model.is_outstanding, model.outstanding_at, model.discontinued_at
    ) AS e
    ORDER BY e.event, e.grain, e.bucket
    ON CONFLICT (anchor, field, kind, actor, event, grain, bucket, since)
    DO UPDATE SET n = counted.n + EXCLUDED.n
$$;

-- The indicator sums are kept by unit path (M, Y) and by province path (m, y: for the national
-- report, which needs no finer rule).
CREATE FUNCTION reports_rollup_indicator_grains()
RETURNS TABLE (grain varchar, span text, length integer) LANGUAGE sql IMMUTABLE AS $$
    VALUES ('M'::varchar, 'month', 255), ('Y', 'year', 255), ('m', 'month', 8), ('y', 'year', 8)
$$;

-- The indicator values of one model (of one of its reports, when ``report`` is given) added to
-- the roll-up ``sign`` times, under ``unit``'s anchor and with ``period_end`` (NULL: each
-- report's own).
CREATE FUNCTION reports_rollup_values_add(
    model bigint, report bigint, unit bigint, period_end date, sign integer
) RETURNS void LANGUAGE sql AS $$
    INSERT INTO reports_indicatorcount AS counted
        (anchor, indicator_id, grain, bucket, total, reports)
    SELECT left(reports_rollup_path(unit), g.length), value.indicator_id, g.grain,
           date_trunc(g.span, coalesce(period_end, result.period_end))::date AS bucket,
           sign * sum(value.value), sign * count(*)
    FROM models_registry_resultreport result
    JOIN models_registry_resultvalue value ON value.report_id = result.id
    CROSS JOIN reports_rollup_indicator_grains() AS g
    WHERE result.model_id = model AND (report IS NULL OR result.id = report)
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (anchor, indicator_id, grain, bucket)
    DO UPDATE SET total = counted.total + EXCLUDED.total,
                  reports = counted.reports + EXCLUDED.reports
$$;

CREATE FUNCTION reports_rollup_value_add(
    report bigint, indicator bigint, amount numeric, sign integer
) RETURNS void LANGUAGE sql AS $$
    INSERT INTO reports_indicatorcount AS counted
        (anchor, indicator_id, grain, bucket, total, reports)
    SELECT left(reports_rollup_path(model.owning_unit_id), g.length), indicator, g.grain,
           date_trunc(g.span, result.period_end)::date,
           sign * amount, sign
    FROM models_registry_resultreport result
    JOIN models_registry_danvanmodel model ON model.id = result.model_id
    CROSS JOIN reports_rollup_indicator_grains() AS g
    WHERE result.id = report
    ORDER BY g.grain
    ON CONFLICT (anchor, indicator_id, grain, bucket)
    DO UPDATE SET total = counted.total + EXCLUDED.total,
                  reports = counted.reports + EXCLUDED.reports
$$;

-- The commendation facts of some commendations read again from the rows they come from: those
-- of one commendation, one round or one model.
CREATE FUNCTION reports_rollup_commendations_refresh(
    by_commendation bigint, by_round bigint, by_model bigint
) RETURNS void LANGUAGE sql AS $$
    DELETE FROM reports_commendationfact
    WHERE commendation_id = by_commendation OR round_id = by_round OR model_id = by_model;
    INSERT INTO reports_commendationfact
        (commendation_id, round_id, model_id, anchor, field, kind, actor, form, decision_date)
    SELECT line.id, line.round_id, line.model_id, reports_rollup_path(model.owning_unit_id),
           model.field, model.kind, model.actor, line.form, round.decision_date
    FROM reviews_commendation line
    JOIN reviews_commendationround round ON round.id = line.round_id
    JOIN models_registry_danvanmodel model ON model.id = line.model_id
    WHERE (line.id = by_commendation OR line.round_id = by_round OR line.model_id = by_model)
      AND round.status = 'published' AND line.revoked_at IS NULL
      AND round.decision_date IS NOT NULL
$$;

CREATE FUNCTION reports_rollup_zone() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT time_zone FROM reports_rollupstate WHERE id = 1
$$;

CREATE FUNCTION reports_rollup_model_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    zone text := reports_rollup_zone();
BEGIN
    IF zone IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM reports_rollup_model_add(zone, OLD, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM reports_rollup_model_add(zone, NEW, 1);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF OLD.owning_unit_id IS DISTINCT FROM NEW.owning_unit_id THEN
            PERFORM reports_rollup_values_add(NEW.id, NULL, OLD.owning_unit_id, NULL, -1);
            PERFORM reports_rollup_values_add(NEW.id, NULL, NEW.owning_unit_id, NULL, 1);
        END IF;
        IF (OLD.owning_unit_id, OLD.field, OLD.kind, OLD.actor)
                IS DISTINCT FROM (NEW.owning_unit_id, NEW.field, NEW.kind, NEW.actor) THEN
            PERFORM reports_rollup_commendations_refresh(NULL, NULL, NEW.id);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER reports_rollup_model_inserted
AFTER INSERT OR DELETE ON models_registry_danvanmodel
FOR EACH ROW EXECUTE FUNCTION reports_rollup_model_changed();

CREATE TRIGGER reports_rollup_model_updated
AFTER UPDATE ON models_registry_danvanmodel
FOR EACH ROW
WHEN ((OLD.owning_unit_id, OLD.field, OLD.kind, OLD.actor, OLD.replicated_from_id IS NULL,
       OLD.submitted_at, OLD.accepted_at, OLD.recognised_at, OLD.is_outstanding,
       OLD.outstanding_at, OLD.discontinued_at)
      IS DISTINCT FROM
      (NEW.owning_unit_id, NEW.field, NEW.kind, NEW.actor, NEW.replicated_from_id IS NULL,
       NEW.submitted_at, NEW.accepted_at, NEW.recognised_at, NEW.is_outstanding,
       NEW.outstanding_at, NEW.discontinued_at))
EXECUTE FUNCTION reports_rollup_model_changed();

CREATE FUNCTION reports_rollup_value_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF reports_rollup_zone() IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM reports_rollup_value_add(OLD.report_id, OLD.indicator_id, OLD.value, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM reports_rollup_value_add(NEW.report_id, NEW.indicator_id, NEW.value, 1);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER reports_rollup_value_changed
AFTER INSERT OR DELETE OR UPDATE OF report_id, indicator_id, value
ON models_registry_resultvalue
FOR EACH ROW EXECUTE FUNCTION reports_rollup_value_changed();

CREATE FUNCTION reports_rollup_report_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_unit bigint;
    new_unit bigint;
BEGIN
    IF reports_rollup_zone() IS NULL THEN
        RETURN NULL;
    END IF;
    -- The values are still filed under the old model and date: move them, as they are now.
    SELECT owning_unit_id INTO old_unit FROM models_registry_danvanmodel WHERE id = OLD.model_id;
    SELECT owning_unit_id INTO new_unit FROM models_registry_danvanmodel WHERE id = NEW.model_id;
    PERFORM reports_rollup_values_add(NEW.model_id, NEW.id, old_unit, OLD.period_end, -1);
    PERFORM reports_rollup_values_add(NEW.model_id, NEW.id, new_unit, NEW.period_end, 1);
    RETURN NULL;
END;
$$;

CREATE TRIGGER reports_rollup_report_changed
AFTER UPDATE OF model_id, period_end ON models_registry_resultreport
FOR EACH ROW
WHEN ((OLD.model_id, OLD.period_end) IS DISTINCT FROM (NEW.model_id, NEW.period_end))
EXECUTE FUNCTION reports_rollup_report_changed();

CREATE FUNCTION reports_rollup_commendation_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF reports_rollup_zone() IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        DELETE FROM reports_commendationfact WHERE commendation_id = OLD.id;
    ELSE
        PERFORM reports_rollup_commendations_refresh(NEW.id, NULL, NULL);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER reports_rollup_commendation_changed
AFTER INSERT OR DELETE OR UPDATE OF round_id, model_id, form, revoked_at
ON reviews_commendation
FOR EACH ROW EXECUTE FUNCTION reports_rollup_commendation_changed();

CREATE FUNCTION reports_rollup_round_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF reports_rollup_zone() IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM reports_rollup_commendations_refresh(NULL, NEW.id, NULL);
    RETURN NULL;
END;
$$;

CREATE TRIGGER reports_rollup_round_changed
AFTER UPDATE OF status, decision_date ON reviews_commendationround
FOR EACH ROW
WHEN ((OLD.status, OLD.decision_date) IS DISTINCT FROM (NEW.status, NEW.decision_date))
EXECUTE FUNCTION reports_rollup_round_changed();

-- A unit moved: the paths the roll-up is filed under changed, so it is not read until it is
-- built again (``rebuild_report_rollup``).
CREATE FUNCTION reports_rollup_tree_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reports_rollupstate SET stale = true WHERE id = 1 AND NOT stale;
    RETURN NULL;
END;
$$;

CREATE TRIGGER reports_rollup_units_moved
AFTER UPDATE OF path ON organisations_organisation
FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path)
EXECUTE FUNCTION reports_rollup_tree_changed();

CREATE INDEX indicatorcount_bucket ON reports_indicatorcount
    (grain, bucket, anchor varchar_pattern_ops) INCLUDE (indicator_id, total, reports);
CREATE INDEX modelcount_bucket ON reports_modelcount (grain, bucket);
"""

DROP = """
DROP INDEX modelcount_bucket;
DROP INDEX indicatorcount_bucket;
DROP TRIGGER reports_rollup_units_moved ON organisations_organisation;
DROP FUNCTION reports_rollup_tree_changed();
DROP TRIGGER reports_rollup_round_changed ON reviews_commendationround;
DROP FUNCTION reports_rollup_round_changed();
DROP TRIGGER reports_rollup_commendation_changed ON reviews_commendation;
DROP FUNCTION reports_rollup_commendation_changed();
DROP TRIGGER reports_rollup_report_changed ON models_registry_resultreport;
DROP FUNCTION reports_rollup_report_changed();
DROP TRIGGER reports_rollup_value_changed ON models_registry_resultvalue;
DROP FUNCTION reports_rollup_value_changed();
DROP TRIGGER reports_rollup_model_updated ON models_registry_danvanmodel;
DROP TRIGGER reports_rollup_model_inserted ON models_registry_danvanmodel;
DROP FUNCTION reports_rollup_model_changed();
DROP FUNCTION reports_rollup_zone();
DROP FUNCTION reports_rollup_commendations_refresh(bigint, bigint, bigint);
DROP FUNCTION reports_rollup_value_add(bigint, bigint, numeric, integer);
DROP FUNCTION reports_rollup_values_add(bigint, bigint, bigint, date, integer);
DROP FUNCTION reports_rollup_model_add(text, models_registry_danvanmodel, integer);
DROP FUNCTION reports_rollup_events(
    text, timestamptz, timestamptz, boolean, timestamptz, boolean, timestamptz, timestamptz
);
DROP FUNCTION reports_rollup_indicator_grains();
DROP FUNCTION reports_rollup_path(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0007_report_rollup"),
        ("models_registry", "0012_start_precision_and_event_effective_date"),
        ("reviews", "0005_historical_rounds"),
        ("organisations", "0008_seed_standard_bodies"),
    ]

    operations = [migrations.RunSQL(FUNCTIONS, DROP)]
