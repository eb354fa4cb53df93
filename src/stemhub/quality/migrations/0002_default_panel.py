"""The default release panel (stemhub.quality.defaults), version 1 of each test."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def load(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from stemhub.quality.defaults import install_defaults

    install_defaults(apps.get_model("quality", "QcTest"))


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
