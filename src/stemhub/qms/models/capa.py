"""Corrective and preventive action (ISO 20387 8.7, 8.9): one record and one workflow for
every source of trouble. Other records open a CAPA through `qms.capa.capa_open` and keep the
link by its source and the source record's id."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CapaSource(models.TextChoices):
    NONCONFORMITY = "nonconformity", _("Nonconformity")
    DEVIATION = "deviation", _("Deviation")
    COMPLAINT = "complaint", _("Complaint")
    AUDIT_FINDING = "audit_finding", _("Audit finding")
    EXCURSION = "excursion", _("Temperature excursion")
    PROFICIENCY = "proficiency", _("Proficiency-test failure")
    INTERNAL_QC = "internal_qc", _("Internal QC rule violation")
    RECALL = "recall", _("Recall")
    OTHER = "other", _("Other")


class CapaStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATION = "investigation", _("Investigation")
    ACTIONS = "actions", _("Actions under way")
    EFFECTIVENESS = "effectiveness", _("Effectiveness check")
    CLOSED = "closed", _("Closed")


class Capa(models.Model):
    institution = models.ForeignKey(
        "accounts.Institution",
        on_delete=models.PROTECT,
        related_name="capas",
        verbose_name=_("institution"),
    )
    source = models.CharField(_("source"), max_length=16, choices=CapaSource.choices)
    # The record that raised it (NC id, excursion id, ...), and how people cite it (`NC-12`).
    source_id = models.PositiveBigIntegerField(_("source record"), null=True, blank=True)
    source_label = models.CharField(_("source reference"), max_length=80, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=16, choices=CapaStatus.choices, default=CapaStatus.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_capas",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due on"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("raised by"),
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closure_signature = models.OneToOneField(
        "quality.Signature",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closure signature"),
    )

    class Meta:
        verbose_name = _("CAPA")
        verbose_name_plural = _("CAPAs")
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["institution", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    source__in=[
                        "nonconformity",
                        "deviation",
                        "complaint",
                        "audit_finding",
                        "excursion",
                        "proficiency",
                        "internal_qc",
                        "recall",
                        "other",
                    ]
                ),
                name="qms_capa_source_known",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["open", "investigation", "actions", "effectiveness", "closed"]
                ),
                name="qms_capa_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed")
                | Q(closed_at__isnull=False, closure_signature__isnull=False),
                name="qms_capa_closed_signed",
            ),
            # One CAPA per source record: a second failure of the same record joins the first.
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=Q(source_id__isnull=False),
                name="qms_capa_one_per_source_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """How people cite it: `CAPA-2026-0007` (year raised, then the record's id)."""
        return f"CAPA-{self.raised_at:%Y}-{self.pk:04d}"
