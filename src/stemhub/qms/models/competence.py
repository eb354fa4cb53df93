"""Personnel competence (ISO 20387 6.2): job roles and what they require, training records,
competence assessments signed by an assessor, and authorisations to perform a regulated task,
each with an expiry.

A regulated task (`Task`) is governed at an institution by one controlled document
(`TaskProcedure`): the SOP whose effective version a person must have read, and for a version
that requires it, been trained on, before the platform lets them do the task
(`qms.competence.require_authorised`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stemhub.core.names import BilingualName


class Task(models.TextChoices):
    """The regulated work the platform gates by competence."""

    QC_RESULT = "qc_result", _("Entering QC results")
    RELEASE = "release", _("Signing bank releases")
    BANK_CREATE = "bank_create", _("Creating cell banks")
    VIAL_THAW = "vial_thaw", _("Thawing vials")
    VIAL_DISPOSE = "vial_dispose", _("Disposing of vials")
    REQUEST_REVIEW = "request_review", _("Reviewing distribution requests")
    CORD_RESERVATION = "cord_reservation", _("Confirming cord unit reservations")


TASK_VALUES = [task.value for task in Task]


class TaskProcedure(models.Model):
    """The controlled document that governs a task at an institution."""

    institution = models.ForeignKey(
        "accounts.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("institution"),
    )
    task = models.CharField(_("task"), max_length=24, choices=Task.choices)
    document = models.ForeignKey(
        "qms.ControlledDocument",
        on_delete=models.PROTECT,
        related_name="governed_tasks",
        verbose_name=_("governing document"),
    )

    class Meta:
        verbose_name = _("task procedure")
        verbose_name_plural = _("task procedures")
        ordering = ["task"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "task"], name="qms_one_procedure_per_task"
            ),
            models.CheckConstraint(condition=Q(task__in=TASK_VALUES), name="qms_procedure_task"),
        ]

    def __str__(self) -> str:
        return f"{self.get_task_display()}: {self.document.number}"


class JobRole(BilingualName, models.Model):
    """A job at an institution (cell bank technician, QC analyst ...) and what it requires."""

    institution = models.ForeignKey(
        "accounts.Institution",
        on_delete=models.PROTECT,
        related_name="job_roles",
        verbose_name=_("institution"),
    )
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("Chinese name"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("job role")
        verbose_name_plural = _("job roles")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="qms_job_role_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def english_name(self) -> str:
        return self.name

    @property
    def chinese_name(self) -> str:
        return self.name_zh


class JobRoleRequirement(models.Model):
    """One thing a job role requires: reading (or being trained on) a document's version in
    force, being authorised for a task, or a skill proven by a training record."""

    job_role = models.ForeignKey(
        JobRole, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("job role")
    )
    document = models.ForeignKey(
        "qms.ControlledDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document"),
    )
    task = models.CharField(_("task"), max_length=24, choices=Task.choices, blank=True)
    skill = models.CharField(_("skill"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("training requirement")
        verbose_name_plural = _("training requirements")
        constraints = [
            # Exactly one of document, task, skill.
            models.CheckConstraint(
                condition=(
                    Q(document__isnull=False, task="", skill="")
                    | (Q(document__isnull=True, skill="") & ~Q(task=""))
                    | (Q(document__isnull=True, task="") & ~Q(skill=""))
                ),
                name="qms_requirement_one_kind",
            ),
        ]

    def __str__(self) -> str:
        if self.document is not None:
            return str(self.document.number)
        return str(self.get_task_display()) if self.task else self.skill


class JobRoleMembership(models.Model):
    job_role = models.ForeignKey(
        JobRole, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("job role")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="job_roles",
        verbose_name=_("person"),
    )
    since = models.DateField(_("since"), default=timezone.localdate)

    class Meta:
        verbose_name = _("job role membership")
        verbose_name_plural = _("job role memberships")
        constraints = [
            models.UniqueConstraint(fields=["job_role", "user"], name="qms_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.job_role}"


class TrainingRecord(models.Model):
    """Training a person received: a course, or a document version they were trained on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="training_records",
        verbose_name=_("trainee"),
    )
    course = models.CharField(_("course"), max_length=200)
    document_version = models.ForeignKey(
        "qms.DocumentVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_records",
        verbose_name=_("document version"),
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trainer"),
    )
    external_trainer = models.CharField(_("external trainer"), max_length=200, blank=True)
    trained_on = models.DateField(_("trained on"))
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_file = models.ForeignKey(
        "qms.DocumentFile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evidence file"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-trained_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(trainer__isnull=False) | ~Q(external_trainer=""),
                name="qms_training_has_trainer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.course} ({self.trained_on:%Y-%m-%d})"


class CompetenceAssessment(models.Model):
    """An assessor's judgement that a person can (or cannot yet) do a task, signed."""

    class Outcome(models.TextChoices):
        COMPETENT = "competent", _("Competent")
        NOT_YET = "not_yet", _("Not yet competent")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="competence_assessments",
        verbose_name=_("person assessed"),
    )
    task = models.CharField(_("task"), max_length=24, choices=Task.choices)
    document_version = models.ForeignKey(
        "qms.DocumentVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("under document version"),
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessor"),
    )
    assessed_on = models.DateField(_("assessed on"))
    method = models.CharField(_("method"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    signature = models.OneToOneField(
        "quality.Signature",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessor's signature"),
    )

    class Meta:
        verbose_name = _("competence assessment")
        verbose_name_plural = _("competence assessments")
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(task__in=TASK_VALUES), name="qms_assessment_task"),
            models.CheckConstraint(
                condition=~Q(assessor=models.F("user")), name="qms_assessor_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_task_display()} {self.get_outcome_display()}"


class Authorisation(models.Model):
    """Leave to perform a task alone, from `valid_from` until `expires_on` (or revocation)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="authorisations",
        verbose_name=_("person"),
    )
    task = models.CharField(_("task"), max_length=24, choices=Task.choices)
    assessment = models.ForeignKey(
        CompetenceAssessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="authorisations",
        verbose_name=_("competence assessment"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    valid_from = models.DateField(_("valid from"))
    expires_on = models.DateField(_("expires on"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("why revoked"), blank=True)

    class Meta:
        verbose_name = _("authorisation")
        verbose_name_plural = _("authorisations")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(task__in=TASK_VALUES), name="qms_authorisation_task"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("valid_from")),
                name="qms_authorisation_expires_after_start",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                name="qms_authorisation_revoked_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_task_display()} until {self.expires_on:%Y-%m-%d}"
