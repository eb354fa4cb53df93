"""Corrective and preventive action (ISO 20387 8.7, 8.9): one record and one workflow for
every source of trouble. Other records open a CAPA through `qms.capa.capa_open` and keep the
link by its source and the source record's id."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stemhub.core.models import HistoryEvent
from stemhub.core.names import in_reader_language


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


class EffectivenessResult(models.TextChoices):
    EFFECTIVE = "effective", _("Effective")
    NOT_EFFECTIVE = "not_effective", _("Not effective")


# The fishbone (Ishikawa) diagram's six categories, in the order the diagram draws them.
class FishboneCategory(models.TextChoices):
    MAN = "man", _("People")
    MACHINE = "machine", _("Equipment")
    METHOD = "method", _("Method")
    MATERIAL = "material", _("Material")
    MEASUREMENT = "measurement", _("Measurement")
    ENVIRONMENT = "environment", _("Environment")


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
    # The Chinese of a title and description the platform wrote (core.bilingual); empty for
    # a person's own words, shown as typed.
    title_zh = models.CharField(_("Chinese title"), max_length=200, blank=True)
    description_zh = models.TextField(_("Chinese description"), blank=True)
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
    # The investigation (ISO 20387 8.7.1 b): what happened, what was done at once, and why.
    problem_statement = models.TextField(_("problem statement"), blank=True)
    containment = models.TextField(_("containment and immediate correction"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    # Five whys: the answers in order, each the cause of the one before.
    five_whys = models.JSONField(_("five whys"), default=list, blank=True)
    # Fishbone: {category: [cause, ...]} for the categories of FishboneCategory.
    fishbone = models.JSONField(_("fishbone causes"), default=dict, blank=True)
    investigated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("investigated by"),
    )
    investigated_at = models.DateTimeField(_("investigated at"), null=True, blank=True)
    # The effectiveness check (8.7.1 e): how success is judged, by when, and the verdict.
    effectiveness_criteria = models.TextField(_("effectiveness criteria"), blank=True)
    effectiveness_due_on = models.DateField(_("effectiveness check due on"), null=True, blank=True)
    effectiveness_result = models.CharField(
        _("effectiveness result"),
        max_length=16,
        choices=EffectivenessResult.choices,
        blank=True,
    )
    effectiveness_note = models.TextField(_("effectiveness evidence"), blank=True)
    effectiveness_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("effectiveness verified by"),
    )
    effectiveness_verified_at = models.DateTimeField(
        _("effectiveness verified at"), null=True, blank=True
    )
    closure_summary = models.TextField(_("closure summary"), blank=True)
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
            # Actions follow a root cause; the effectiveness check follows the actions.
            models.CheckConstraint(
                condition=Q(status__in=["open", "investigation"]) | ~Q(root_cause=""),
                name="qms_capa_actions_after_root_cause",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["effectiveness", "closed"])
                | (Q(effectiveness_due_on__isnull=False) & ~Q(effectiveness_criteria="")),
                name="qms_capa_effectiveness_planned",
            ),
            models.CheckConstraint(
                condition=Q(
                    effectiveness_result="",
                    effectiveness_verified_by__isnull=True,
                    effectiveness_verified_at__isnull=True,
                )
                | Q(
                    effectiveness_result__in=["effective", "not_effective"],
                    effectiveness_verified_by__isnull=False,
                    effectiveness_verified_at__isnull=False,
                ),
                name="qms_capa_effectiveness_verified",
            ),
            # Closed only once the check found the actions effective; open ones have no closure.
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(effectiveness_result="effective"),
                name="qms_capa_closed_effective",
            ),
            models.CheckConstraint(
                condition=Q(status="closed")
                | Q(closed_at__isnull=True, closure_signature__isnull=True),
                name="qms_capa_unclosed_unsigned",
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
    def display_title(self) -> str:
        """The title in the reader's language, where the platform wrote it in theirs."""
        return in_reader_language(self.title, self.title_zh)

    @property
    def display_description(self) -> str:
        return in_reader_language(self.description, self.description_zh)

    @property
    def number(self) -> str:
        """How people cite it: `CAPA-2026-0007` (year raised, then the record's id)."""
        return f"CAPA-{self.raised_at:%Y}-{self.pk:04d}"

    @property
    def is_closed(self) -> bool:
        return self.status == CapaStatus.CLOSED

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status != CapaStatus.CLOSED and self.due_on < today


class ActionKind(models.TextChoices):
    CORRECTIVE = "corrective", _("Corrective")
    PREVENTIVE = "preventive", _("Preventive")


class CapaAction(models.Model):
    """One corrective or preventive action: who does what by when, and, once done, what was
    done and the evidence of it."""

    capa = models.ForeignKey(
        Capa, on_delete=models.PROTECT, related_name="actions", verbose_name=_("CAPA")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ActionKind.choices)
    description = models.TextField(_("description"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="capa_actions",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due on"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    done_note = models.TextField(_("what was done"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_file = models.ForeignKey(
        "qms.DocumentFile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evidence file"),
    )

    class Meta:
        verbose_name = _("CAPA action")
        verbose_name_plural = _("CAPA actions")
        ordering = ["capa_id", "due_on", "id"]
        indexes = [models.Index(fields=["owner", "done_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["corrective", "preventive"]), name="qms_capa_action_kind"
            ),
            models.CheckConstraint(condition=~Q(description=""), name="qms_capa_action_described"),
            # Done means when, by whom and what: all three, or none of them.
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, done_by__isnull=True, done_note="")
                | (Q(done_at__isnull=False, done_by__isnull=False) & ~Q(done_note="")),
                name="qms_capa_action_done_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.capa.number} #{self.pk}: {self.description[:60]}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class CapaEventKind(models.TextChoices):
    OPENED = "opened", pgettext_lazy("CAPA event", "Opened")
    INVESTIGATION = "investigation", _("Investigation recorded")
    ACTION_ADDED = "action_added", _("Action added")
    ACTION_DONE = "action_done", _("Action done")
    REASSIGNED = "reassigned", _("Owner or due date changed")
    EFFECTIVENESS_STARTED = "effectiveness_started", _("Effectiveness check planned")
    EFFECTIVE = "effective", _("Found effective")
    NOT_EFFECTIVE = "not_effective", _("Found not effective")
    CLOSED = "closed", _("Closed and signed")


class CapaEvent(HistoryEvent):
    """The CAPA's history, one row per step, written by the service that took it; never
    changed (append-only, `audit.registry.IMMUTABLE`)."""

    capa = models.ForeignKey(
        Capa, on_delete=models.PROTECT, related_name="events", verbose_name=_("CAPA")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=CapaEventKind.choices)
    # The platform opens some CAPAs itself (capa_open_by_platform): no person acted.
    actor = models.ForeignKey(  # type: ignore[assignment]  # no person: the platform acted
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    status_after = models.CharField(_("status after"), max_length=16, choices=CapaStatus.choices)
    action = models.ForeignKey(
        CapaAction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("action"),
    )

    class Meta:
        verbose_name = _("CAPA event")
        verbose_name_plural = _("CAPA events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["capa", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CapaEventKind.values), name="qms_capa_event_kind_known"
            ),
        ]
