"""On PostgreSQL, a GIN index over the search text's tsvector for ranked full-text search.
SQLite has no such index; the catalogue falls back to term matching there."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CREATE = (
    "CREATE INDEX IF NOT EXISTS catalogue_entry_fulltext ON catalogue_catalogueentry "
    "USING gin (to_tsvector('simple'::regconfig, search_text))"
)
DROP = "DROP INDEX IF EXISTS catalogue_entry_fulltext"


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
