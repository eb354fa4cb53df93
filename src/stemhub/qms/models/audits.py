"""Audits and management review (ISO 20387 8.8, 8.9): the audit programme (internal audits,
external assessments such as CNAS's, a regulator's inspections, audits of suppliers), each
audit's checklist and findings, and the yearly management review with the inputs it was given.

An audit goes planned → in progress → reported (its report approved by an electronic
signature) → closed, once the CAPA of every finding is closed. A major or minor finding must
have its CAPA before the report is approved; an observation may have one. A management review
is recorded once, signed, with a frozen snapshot of its inputs, and never changed.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stemhub.core.names import in_reader_language
from stemhub.qms.clauses import unknown_clauses


class AuditKind(models.TextChoices):
    INTERNAL = "internal", _("Internal audit")
    EXTERNAL = "external", _("External assessment")
    REGULATOR = "regulator", _("Regulator inspection")
    SUPPLIER = "supplier", _("Supplier audit")


class AuditStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    REPORTED = "reported", _("Reported")
    CLOSED = "closed", _("Closed")


class ChecklistAnswer(models.TextChoices):
    NOT_CHECKED = "not_checked", _("Not checked")
    CONFORM = "conform", _("Conforms")
    NONCONFORM = "nonconform", _("Does not conform")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class FindingGrade(models.TextChoices):
    MAJOR = "major", _("Major nonconformity")
    MINOR = "minor", _("Minor nonconformity")
    OBSERVATION = "observation", _("Observation")


# Grades whose finding must have a CAPA before the report is approved.
GRADES_NEEDING_CAPA = (FindingGrade.MAJOR, FindingGrade.MINOR)


def validate_clause_ids(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("A list of clause numbers, such as 7.10"))
    unknown = unknown_clauses(value)
    if unknown:
        raise ValidationError(
            _("Not clauses of ISO 20387:2018: %(ids)s"), params={"ids": ", ".join(unknown)}
        )


def validate_clause_id(value: str) -> None:
    if unknown_clauses([value]):
        raise ValidationError(_("%(id)s is not a clause of ISO 20387:2018"), params={"id": value})


class Audit(models.Model):
    """One entry of the audit programme: planned, then performed and reported."""

    institution = models.ForeignKey(
        "accounts.Institution",
        on_delete=models.PROTECT,
        related_name="audits",
        verbose_name=_("institution"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AuditKind.choices)
    title = models.CharField(_("title"), max_length=200)
    title_zh = models.CharField(_("Chinese title"), max_length=200, blank=True)
    clauses = models.JSONField(_("clauses covered"), default=list, validators=[validate_clause_ids])
    area = models.CharField(
        _("area or auditee"),
        max_length=200,
        blank=True,
        help_text=_("A department, a process, or the supplier audited"),
    )
    planned_on = models.DateField(_("planned for"))
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    lead_auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead auditor"),
    )
    external_body = models.CharField(
        _("external body"),
        max_length=200,
        blank=True,
        help_text=_("Who assesses or inspects, for an external audit (CNAS, a regulator)"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AuditStatus.choices, default=AuditStatus.PLANNED
    )
    report_summary = models.TextField(_("report summary"), blank=True)
    report_submitted_at = models.DateTimeField(_("report submitted at"), null=True, blank=True)
    report_signature = models.OneToOneField(
        "quality.Signature",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("report approval signature"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("planned by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ["planned_on", "id"]
        indexes = [models.Index(fields=["institution", "planned_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["internal", "external", "regulator", "supplier"]),
                name="qms_audit_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "in_progress", "reported", "closed"]),
                name="qms_audit_status_known",
            ),
            # Someone leads it: one of our auditors, or the body that assesses us.
            models.CheckConstraint(
                condition=Q(lead_auditor__isnull=False) | ~Q(external_body=""),
                name="qms_audit_has_auditor",
            ),
            models.CheckConstraint(
                condition=Q(status="planned") | Q(started_on__isnull=False),
                name="qms_audit_started_when_under_way",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=False, ended_on__gte=models.F("started_on")),
                name="qms_audit_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "in_progress"])
                | (
                    Q(report_signature__isnull=False, ended_on__isnull=False)
                    & ~Q(report_summary="")
                ),
                name="qms_audit_reported_signed",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="qms_audit_closed_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """How people cite it: `AUD-2026-0003` (the year planned, then the record's id)."""
        return f"AUD-{self.planned_on:%Y}-{self.pk or 0:04d}"

    @property
    def display_title(self) -> str:
        """The title in the reader's language, where a Chinese one is given."""
        return in_reader_language(self.title, self.title_zh)

    @property
    def awaiting_approval(self) -> bool:
        return self.status == AuditStatus.IN_PROGRESS and self.report_submitted_at is not None

    @property
    def auditor_name(self) -> str:
        if self.lead_auditor is not None:
            return str(self.lead_auditor.display_name)
        return self.external_body


class AuditChecklistItem(models.Model):
    """One question of an audit's checklist, and what the auditor found."""

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("audit")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    clause = models.CharField(_("clause"), max_length=8, validators=[validate_clause_id])
    question = models.TextField(_("question"))
    question_zh = models.TextField(_("question in Chinese"), blank=True)
    answer = models.CharField(
        _("answer"),
        max_length=16,
        choices=ChecklistAnswer.choices,
        default=ChecklistAnswer.NOT_CHECKED,
    )
    evidence = models.TextField(_("evidence"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit checklist item")
        verbose_name_plural = _("audit checklist items")
        ordering = ["audit", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "position"], name="qms_checklist_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(answer__in=["not_checked", "conform", "nonconform", "not_applicable"]),
                name="qms_checklist_answer_known",
            ),
            # A nonconformity is stated with its objective evidence.
            models.CheckConstraint(
                condition=~Q(answer="nonconform") | ~Q(evidence=""),
                name="qms_checklist_nonconform_evidence",
            ),
            models.CheckConstraint(
                condition=Q(answer="not_checked") | Q(answered_by__isnull=False),
                name="qms_checklist_answered_by",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clause} {self.question}"

    @property
    def question_text(self) -> str:
        return in_reader_language(self.question, self.question_zh)


class AuditFinding(models.Model):
    """What an audit found, graded; a major or minor finding opens a CAPA."""

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="findings", verbose_name=_("audit")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    grade = models.CharField(_("grade"), max_length=12, choices=FindingGrade.choices)
    clause = models.CharField(_("clause"), max_length=8, validators=[validate_clause_id])
    description = models.TextField(_("description"))
    evidence = models.TextField(_("evidence"), blank=True)
    checklist_item = models.ForeignKey(
        AuditChecklistItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("checklist question"),
    )
    capa = models.OneToOneField(
        "qms.Capa",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_finding",
        verbose_name=_("CAPA"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("audit finding")
        verbose_name_plural = _("audit findings")
        ordering = ["audit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="qms_finding_number_unique"),
            models.CheckConstraint(
                condition=Q(grade__in=["major", "minor", "observation"]),
                name="qms_finding_grade_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.get_grade_display()}"

    @property
    def label(self) -> str:
        """How a CAPA cites it: `AUD-2026-0003/F2`."""
        return f"{self.audit.number}/F{self.number}"

    @property
    def needs_capa(self) -> bool:
        return self.grade in GRADES_NEEDING_CAPA and self.capa_id is None


class ManagementReview(models.Model):
    """A management review, recorded once and signed, with the inputs it was given."""

    institution = models.ForeignKey(
        "accounts.Institution",
        on_delete=models.PROTECT,
        related_name="management_reviews",
        verbose_name=_("institution"),
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    held_on = models.DateField(_("held on"))
    attendees = models.TextField(_("attendees"))
    inputs = models.JSONField(_("inputs"), default=dict)
    decisions = models.TextField(_("decisions"))
    actions = models.TextField(pgettext_lazy("management review", "actions"), blank=True)
    signature = models.OneToOneField(
        "quality.Signature",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approval signature"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("management review")
        verbose_name_plural = _("management reviews")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="qms_review_period_order",
            ),
            models.CheckConstraint(
                condition=Q(held_on__gte=models.F("period_start")),
                name="qms_review_held_after_start",
            ),
            models.UniqueConstraint(
                fields=["institution", "period_start", "period_end"],
                name="qms_review_one_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.period_start:%Y-%m-%d} – {self.period_end:%Y-%m-%d})"

    @property
    def number(self) -> str:
        return f"MR-{self.period_end:%Y}-{self.pk or 0:02d}"
