"""Every history row's free text is `note` (core.models.HistoryEvent)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0007_qms_signature_meanings"),
    ]

    operations = [
        migrations.RenameField(model_name="qcevent", old_name="message", new_name="note"),
        migrations.AlterField(
            model_name="qcevent",
            name="note",
            field=models.TextField(blank=True, verbose_name="note"),
        ),
    ]
