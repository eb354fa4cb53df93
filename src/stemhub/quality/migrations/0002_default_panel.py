"""The default release panel (stemhub.quality.defaults), version 1 of each test."""

from django.db import migrations


def load(apps, schema_editor):
    from stemhub.quality.defaults import install_defaults

    install_defaults(apps.get_model("quality", "QcTest"))


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
