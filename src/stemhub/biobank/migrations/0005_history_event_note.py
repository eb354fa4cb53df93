"""Every history row's free text is `note` (core.models.HistoryEvent)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("biobank", "0004_translated_labels"),
    ]

    operations = [
        migrations.RenameField(model_name="custodyevent", old_name="reason", new_name="note"),
        migrations.RenameField(model_name="containerevent", old_name="reason", new_name="note"),
        migrations.AlterField(
            model_name="containerevent",
            name="note",
            field=models.TextField(blank=True, verbose_name="note"),
        ),
        migrations.AlterField(
            model_name="custodyevent",
            name="note",
            field=models.TextField(blank=True, verbose_name="note"),
        ),
    ]
