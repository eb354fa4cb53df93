# The audit table is unmanaged (Django's flush must not empty it), so this migration creates it
# with the schema editor, which writes the right DDL for SQLite and PostgreSQL alike. The
# triggers that fill it and guard it are installed after every migrate (stemhub.audit.triggers).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from stemhub.audit.context import SQLITE_CONTEXT_TABLE


def create_tables(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.create_model(apps.get_model("audit", "AuditEvent"))
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TABLE IF NOT EXISTS {SQLITE_CONTEXT_TABLE} (id integer PRIMARY KEY "
            "AUTOINCREMENT, actor_id bigint NULL, actor_label text NOT NULL, "
            "reason text NOT NULL, txid text NOT NULL)"
        )


def drop_tables(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.delete_model(apps.get_model("audit", "AuditEvent"))
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {SQLITE_CONTEXT_TABLE}")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("at", models.DateTimeField()),
                ("model", models.CharField(help_text="app_label.modelname", max_length=100)),
                ("table_name", models.CharField(max_length=63)),
                ("row_pk", models.CharField(max_length=64)),
                (
                    "operation",
                    models.CharField(
                        choices=[("INSERT", "Created"), ("UPDATE", "Changed"), ("DELETE", "Deleted")],
                        max_length=6,
                    ),
                ),
                (
                    "old_values",
                    models.JSONField(help_text="UPDATE: the changed columns' old values", null=True),
                ),
                (
                    "new_values",
                    models.JSONField(help_text="UPDATE: the changed columns' new values", null=True),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("actor_label", models.CharField(blank=True, max_length=150)),
                ("reason", models.TextField(blank=True)),
                (
                    "institution",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.institution",
                    ),
                ),
                ("txid", models.CharField(blank=True, help_text="Database transaction", max_length=64)),
                (
                    "db_user",
                    models.CharField(blank=True, help_text="Database role (PostgreSQL)", max_length=63),
                ),
            ],
            options={
                "db_table": "audit_event",
                "ordering": ["id"],
                "managed": False,
                "indexes": [
                    models.Index(fields=["model", "row_pk", "id"], name="audit_event_record"),
                    models.Index(fields=["at"], name="audit_event_at"),
                    models.Index(fields=["institution", "at"], name="audit_event_institution_at"),
                ],
            },
        ),
        migrations.RunPython(create_tables, drop_tables),
    ]
