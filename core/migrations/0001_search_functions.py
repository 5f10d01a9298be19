from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

# unaccent() is only STABLE (its dictionary could change), so it cannot feed a stored generated
# column or an index. The wrapper names the dictionary explicitly and is declared IMMUTABLE, the
# usual PostgreSQL idiom; every search column of the portal is filled by it.
CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION danvan_search_text(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$;
"""
DROP_FUNCTION = "DROP FUNCTION IF EXISTS danvan_search_text(text);"


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunSQL(CREATE_FUNCTION, DROP_FUNCTION),
    ]
