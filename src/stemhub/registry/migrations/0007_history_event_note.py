"""Every history row's free text is `note` (core.models.HistoryEvent)."""

from django.conf import settings
from django.db import migrations, models
import django.utils.timezone


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("registry", "0006_cell_line_chinese_name"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="availabilitychange",
            name="recall_and_withdrawal_need_a_reason",
        ),
        migrations.RemoveConstraint(
            model_name="lineversion",
            name="line_version_has_reason",
        ),
        migrations.RenameField(model_name="curationevent", old_name="comment", new_name="note"),
        migrations.RenameField(model_name="lineversion", old_name="reason", new_name="note"),
        migrations.RenameField(model_name="availabilitychange", old_name="reason", new_name="note"),
        migrations.AlterField(
            model_name="availabilitychange",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="at"),
        ),
        migrations.AlterField(
            model_name="availabilitychange",
            name="note",
            field=models.TextField(blank=True, verbose_name="note"),
        ),
        migrations.AlterField(
            model_name="curationevent",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="at"),
        ),
        migrations.AlterField(
            model_name="curationevent",
            name="note",
            field=models.TextField(blank=True, verbose_name="note"),
        ),
        migrations.AlterField(
            model_name="lineversion",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="at"),
        ),
        migrations.AlterField(
            model_name="lineversion",
            name="note",
            field=models.TextField(blank=True, verbose_name="note"),
        ),
        migrations.AddConstraint(
            model_name="availabilitychange",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("to_availability__in", ["recalled", "withdrawn"]), _negated=True),
                    models.Q(("note", ""), _negated=True),
                    _connector="OR",
                ),
                name="recall_and_withdrawal_need_a_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="lineversion",
            constraint=models.CheckConstraint(
                condition=models.Q(("note", ""), _negated=True), name="line_version_has_reason"
            ),
        ),
    ]
