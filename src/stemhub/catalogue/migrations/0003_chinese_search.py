"""Chinese in the catalogue: the line's and the provider's Chinese names and the diseases in
Chinese on each entry (filled by the next `catalogue_entry_refresh` or `stemhub catalogue
rebuild`, as the registry's Chinese names are entered), the search text's CJK grams (`catalogue.grams`), and on PostgreSQL the pg_trgm extension with two
GIN trigram indexes, on the search text (substring search of three characters or more) and on
the grams (one and two characters). SQLite needs neither: its LIKE scans the table, which is
fast at the sizes a laptop demo holds."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from stemhub.catalogue.grams import gram_text

CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS catalogue_entry_text_trgm ON catalogue_catalogueentry "
    "USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS catalogue_entry_grams_trgm ON catalogue_catalogueentry "
    "USING gin (search_grams gin_trgm_ops)",
)
DROP = (
    "DROP INDEX IF EXISTS catalogue_entry_grams_trgm",
    "DROP INDEX IF EXISTS catalogue_entry_text_trgm",
)


def fill_grams(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    CatalogueEntry = apps.get_model("catalogue", "CatalogueEntry")
    batch = []
    for entry in CatalogueEntry.objects.only("pk", "search_text").iterator(chunk_size=2000):
        entry.search_grams = gram_text(entry.search_text)
        if entry.search_grams:
            batch.append(entry)
        if len(batch) >= 2000:
            CatalogueEntry.objects.bulk_update(batch, ["search_grams"])
            batch = []
    CatalogueEntry.objects.bulk_update(batch, ["search_grams"])


def create_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_fulltext_index")]

    operations = [
        migrations.AddField(
            model_name="catalogueentry",
            name="institution_name_zh",
            field=models.CharField(blank=True, db_default="", default="", max_length=200),
        ),
        migrations.AddField(
            model_name="catalogueentry",
            name="name_zh",
            field=models.CharField(blank=True, db_default="", default="", max_length=200),
        ),
        migrations.AddField(
            model_name="catalogueentry",
            name="summary_zh",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="The diseases in Chinese",
                max_length=300,
            ),
        ),
        migrations.AddField(
            model_name="catalogueentry",
            name="search_grams",
            field=models.TextField(
                blank=True,
                db_default="",
                default="",
                help_text=(
                    "The CJK characters and character pairs of the search text (catalogue.grams)"
                ),
            ),
        ),
        migrations.AlterField(
            model_name="catalogueentry",
            name="names_text",
            field=models.TextField(
                help_text="Name, synonyms and Chinese name, lower case, one per line"
            ),
        ),
        migrations.RunPython(fill_grams, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
