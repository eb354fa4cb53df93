"""The audit trail: one immutable row per inserted, updated or deleted row of an audited table.

Rows are written only by database triggers (`stemhub.audit.triggers`), never by Django, and the
table refuses UPDATE and DELETE. The model is unmanaged so that Django's `flush` (used between
transactional tests) leaves it alone; its migration creates the table through the schema editor.
Actor and institution are plain ids without database foreign keys: the trail outlives users.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy


class Operation(models.TextChoices):
    # A context, as "Created" also heads columns of dates elsewhere.
    INSERT = "INSERT", pgettext_lazy("audit operation", "Created")
    UPDATE = "UPDATE", pgettext_lazy("audit operation", "Changed")
    DELETE = "DELETE", pgettext_lazy("audit operation", "Deleted")


class AuditEvent(models.Model):
    Operation = Operation

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField()
    model = models.CharField(max_length=100, help_text="app_label.modelname")
    table_name = models.CharField(max_length=63)
    row_pk = models.CharField(max_length=64)
    operation = models.CharField(max_length=6, choices=Operation.choices)
    old_values = models.JSONField(null=True, help_text="UPDATE: the changed columns' old values")
    new_values = models.JSONField(null=True, help_text="UPDATE: the changed columns' new values")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, blank=True)
    reason = models.TextField(blank=True)
    institution = models.ForeignKey(
        "accounts.Institution",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    txid = models.CharField(max_length=64, blank=True, help_text="Database transaction")
    db_user = models.CharField(max_length=63, blank=True, help_text="Database role (PostgreSQL)")

    class Meta:
        managed = False
        db_table = "audit_event"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["model", "row_pk", "id"], name="audit_event_record"),
            models.Index(fields=["at"], name="audit_event_at"),
            models.Index(fields=["institution", "at"], name="audit_event_institution_at"),
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.model} {self.row_pk} at {self.at:%Y-%m-%d %H:%M:%S}"

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(column, old, new) for every column this event touched."""
        old = self.old_values or {}
        new = self.new_values or {}
        return [(column, old.get(column), new.get(column)) for column in sorted({*old, *new})]
