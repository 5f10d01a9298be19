"""The owning unit's tree path copied on each model, and an index of its subtrees with the words.

A scoped search found every match in the country from the word index and only then kept the
scope's, through the units. The index ``danvanmodel_scoped_search`` holds each model's words and
its subtrees as words of their own ("donvi" and the path of its unit and of each unit above it,
``danvan_subtree_words``), so a scope's search asks for its words and any of its subtrees in one
condition, and reads the scope's part of the index alone. A search over the whole country asks
the word column itself and keeps its index (``danvanmodel_search``).

Tried first: a range of paths on a btree_gin column beside the words. A province's range is
thousands of keys, gathered one by one into a bitmap the words are then checked against, which
cost as much as it saved; and the planner took that two-column index for the country's searches
too, for which it is no better and was wrongly thought cheaper.

The copy is kept by the database alone: every insert and update of a model takes its unit's path,
whatever was written in the column, and a unit moved in the tree (treebeard rewrites the paths of
a whole subtree in one statement) rewrites the copies of its models. Neither is a change anybody
made to a model: the audit trail does not track the column, nor do the report roll-up's triggers
look at it.

A write racing a move of its unit may keep the path read before the move; the copy only narrows
a search whose scope ``visible_to`` still decides through the unit, so such a row would be missed
by the scope's searches until its next write, never shown out of scope.

The copies are filled in one statement, in the transaction that creates the triggers (the new
column holds an exclusive lock on the models until then), before the index is built. The fill
writes every row once: on a large registry, reindex the table afterwards (REINDEX TABLE
CONCURRENTLY; each index holds the old row versions too).
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations, models

import models_registry.querysets

# Tree paths are steps of 4 characters (treebeard's ``steplen`` of the units). The words are
# lower-cased as ``to_tsquery('simple', …)`` reads them (``DanVanModelQuerySet.matching``).
FUNCTION = """
CREATE FUNCTION danvan_subtree_words(path text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT array_to_tsvector(array_agg(lower('donvi' || left(path, length))))
    FROM generate_series(4, length(path), 4) AS length
$$;
"""
DROP_FUNCTION = "DROP FUNCTION danvan_subtree_words(text);"

TRIGGERS = """
CREATE FUNCTION models_registry_owning_path() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.owning_path := (SELECT path FROM organisations_organisation WHERE id = NEW.owning_unit_id);
    RETURN NEW;
END
$$;

CREATE TRIGGER owning_path_copy
BEFORE INSERT OR UPDATE ON models_registry_danvanmodel
FOR EACH ROW EXECUTE FUNCTION models_registry_owning_path();

CREATE FUNCTION models_registry_owning_path_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The copy trigger above reads the unit's new path again; the condition spares the rows
    -- that hold it already (a move back within the same transaction).
    UPDATE models_registry_danvanmodel SET owning_path = NEW.path
    WHERE owning_unit_id = NEW.id AND owning_path IS DISTINCT FROM NEW.path;
    RETURN NULL;
END
$$;

CREATE TRIGGER models_registry_owning_path_moved
AFTER UPDATE OF path ON organisations_organisation
FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path)
EXECUTE FUNCTION models_registry_owning_path_moved();
"""

DROP_TRIGGERS = """
DROP TRIGGER models_registry_owning_path_moved ON organisations_organisation;
DROP FUNCTION models_registry_owning_path_moved();
DROP TRIGGER owning_path_copy ON models_registry_danvanmodel;
DROP FUNCTION models_registry_owning_path();
"""

# Before the triggers (the copy trigger would look every unit up again), with the units locked
# against moves until the moves' trigger exists; the models are locked already. Each unit is
# looked up from the model's row, so the models are read, and their new versions written, in
# the table's order: a join would write them in the units' order, and the planner, reading the
# start date no longer in step with the table, would give up walking the index on the start
# date for the country's searches and lists (the first rows in order, read from the table).
FILL = """
LOCK TABLE organisations_organisation IN SHARE ROW EXCLUSIVE MODE;
UPDATE models_registry_danvanmodel model SET owning_path = (
    SELECT unit.path FROM organisations_organisation unit WHERE unit.id = model.owning_unit_id
);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("models_registry", "0017_review_queue_page_index"),
        ("organisations", "0010_derive_document_heading"),
    ]

    operations = [
        migrations.AddField(
            model_name="danvanmodel",
            name="owning_path",
            field=models.CharField(
                db_collation="C",
                default="",
                editable=False,
                max_length=255,
                verbose_name="đường dẫn đơn vị chủ trì",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RunSQL(TRIGGERS, DROP_TRIGGERS),
        migrations.RunSQL(FUNCTION, DROP_FUNCTION),
        migrations.AddIndex(
            model_name="danvanmodel",
            index=GinIndex(
                models_registry.querysets.ScopedWords(), name="danvanmodel_scoped_search"
            ),
        ),
    ]
