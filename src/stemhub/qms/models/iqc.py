"""Internal quality control of the bank's assays and external quality assessment (ISO 20387
7.8.2, 7.11): control materials with their target mean and SD, the control runs judged by
the Westgard rules (append-only: a correction is a new run naming the one it corrects), and
proficiency-testing schemes whose rounds are scored as z = (x − X) / σpt."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Assay(models.TextChoices):
    """The bank's assays that run controls, each with its usual unit (`ASSAY_UNITS`)."""

    VIABILITY = "viability", _("Viability count")
    MYCOPLASMA_PCR = "mycoplasma_pcr", _("Mycoplasma PCR")
    ENDOTOXIN = "endotoxin", _("Endotoxin")
    CD34_COUNT = "cd34_count", _("CD34+ count")
    OTHER = "other", _("Other assay")


ASSAY_UNITS = {
    "viability": "%",
    "mycoplasma_pcr": "Ct",
    "endotoxin": "EU/mL",
    "cd34_count": "cells/µL",
    "other": "",
}
ASSAY_VALUES = [assay.value for assay in Assay]


class ControlMaterial(models.Model):
    """One lot of a control at one level for an assay, with the target it is judged against.
    The target mean and SD never change once a run is recorded: a new lot or a re-established
    target is a new material."""

    institution = models.ForeignKey(
        "accounts.Institution",
        on_delete=models.PROTECT,
        related_name="control_materials",
        verbose_name=_("institution"),
    )
    assay = models.CharField(_("assay"), max_length=24, choices=Assay.choices)
    name = models.CharField(_("name"), max_length=120)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    lot = models.CharField(_("lot"), max_length=60)
    target_mean = models.DecimalField(_("target mean"), max_digits=12, decimal_places=4)
    target_sd = models.DecimalField(_("target SD"), max_digits=12, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=24, blank=True)  # blank: a unitless index
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    qc_test = models.ForeignKey(
        "quality.QcTest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("QC test"),
    )
    instrument = models.ForeignKey(
        "equipment.Equipment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="control_materials",
        verbose_name=_("instrument"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("control material")
        verbose_name_plural = _("control materials")
        ordering = ["assay", "level", "-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(assay__in=ASSAY_VALUES), name="qms_control_assay"),
            models.CheckConstraint(condition=Q(target_sd__gt=0), name="qms_control_sd_positive"),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=3), name="qms_control_level_1_to_3"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="qms_control_valid_to_after_from",
            ),
            models.UniqueConstraint(
                fields=["institution", "assay", "level", "lot"], name="qms_control_lot_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} L{self.level} {self.lot}"


class ControlRun(models.Model):
    """One control measurement in an analytical run (`analytical_run` joins the levels
    measured together), judged by the Westgard rules when recorded. Append-only: a correction
    is a new row naming the run it corrects, with the reason."""

    material = models.ForeignKey(
        ControlMaterial,
        on_delete=models.PROTECT,
        related_name="runs",
        verbose_name=_("control material"),
    )
    analytical_run = models.UUIDField(_("analytical run"), default=uuid.uuid4)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=4)
    run_at = models.DateTimeField(_("run at"))
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("operator"),
    )
    instrument = models.ForeignKey(
        "equipment.Equipment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("instrument"),
    )
    # The rules the analytical run violated (codes such as "2-2s") and the earlier runs of
    # the same assay that took part in them (ControlRun ids).
    rules_violated = models.JSONField(_("rules violated"), default=list, blank=True)
    earlier_runs = models.JSONField(_("earlier runs involved"), default=list, blank=True)
    # The control levels whose measurements broke the rules (of this run or the earlier ones).
    levels_involved = models.JSONField(_("levels involved"), default=list, blank=True)
    accepted = models.BooleanField(_("accepted"))
    comment = models.TextField(_("comment"), blank=True)
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        verbose_name=_("corrects"),
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("control run")
        verbose_name_plural = _("control runs")
        ordering = ["run_at", "id"]
        indexes = [models.Index(fields=["material", "run_at"])]
        constraints = [
            # A correction says why; an original run has no reason to give.
            models.CheckConstraint(
                condition=(Q(corrects__isnull=True) & Q(correction_reason=""))
                | (Q(corrects__isnull=False) & ~Q(correction_reason="")),
                name="qms_control_run_correction_reason",
            ),
            # A run that violates nothing is accepted.
            models.CheckConstraint(
                condition=~Q(rules_violated=[]) | Q(accepted=True),
                name="qms_control_run_rejected_names_a_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.material} {self.run_at:%Y-%m-%d %H:%M}: {self.value}"

    @property
    def own_rules(self) -> list[str]:
        """The rules as this level's chart shows them: all of a rejected run (none of its
        results stand), and a warning only where this level raised it."""
        if not self.accepted or self.material.level in self.levels_involved:
            return list(self.rules_violated)
        return []


class ProficiencyScheme(models.Model):
    """An external quality assessment scheme the institution takes part in."""

    institution = models.ForeignKey(
        "accounts.Institution",
        on_delete=models.PROTECT,
        related_name="proficiency_schemes",
        verbose_name=_("institution"),
    )
    provider = models.CharField(_("provider"), max_length=120)
    name = models.CharField(_("scheme"), max_length=200)
    assay = models.CharField(_("assay"), max_length=24, choices=Assay.choices)
    unit = models.CharField(_("unit"), max_length=24, blank=True)  # blank: a unitless index
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("proficiency-testing scheme")
        verbose_name_plural = _("proficiency-testing schemes")
        ordering = ["provider", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(assay__in=ASSAY_VALUES), name="qms_pt_assay"),
            models.UniqueConstraint(
                fields=["institution", "provider", "name"], name="qms_pt_scheme_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.name}"


class Grade(models.TextChoices):
    SATISFACTORY = "satisfactory", _("Satisfactory")
    QUESTIONABLE = "questionable", _("Questionable")
    UNSATISFACTORY = "unsatisfactory", _("Unsatisfactory")


class ProficiencyRound(models.Model):
    """One round of a scheme: the sample received, the lab's result and its score
    z = (x − X) / σpt, rounded to two decimals as providers report it, graded |z| ≤ 2
    satisfactory, 2 < |z| < 3 questionable, |z| ≥ 3 unsatisfactory (a database check keeps
    the grade consistent with z)."""

    scheme = models.ForeignKey(
        ProficiencyScheme,
        on_delete=models.PROTECT,
        related_name="rounds",
        verbose_name=_("scheme"),
    )
    round_code = models.CharField(_("round"), max_length=40)
    sample_id = models.CharField(_("sample"), max_length=60)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("result due on"))
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    assigned_value = models.DecimalField(
        _("assigned value"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    sigma_pt = models.DecimalField(
        _("SD for proficiency assessment"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    result = models.DecimalField(
        _("our result"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    z = models.DecimalField(_("z-score"), max_digits=8, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review"), blank=True)

    class Meta:
        verbose_name = _("proficiency-testing round")
        verbose_name_plural = _("proficiency-testing rounds")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "round_code", "sample_id"], name="qms_pt_round_sample_once"
            ),
            models.CheckConstraint(
                condition=Q(sigma_pt__isnull=True) | Q(sigma_pt__gt=0),
                name="qms_pt_sigma_positive",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("received_on")),
                name="qms_pt_due_after_received",
            ),
            # A score needs the three numbers it is made of.
            models.CheckConstraint(
                condition=Q(z__isnull=True)
                | Q(result__isnull=False, assigned_value__isnull=False, sigma_pt__isnull=False),
                name="qms_pt_z_from_its_numbers",
            ),
            # The grade follows z: |z| <= 2, 2 < |z| < 3, |z| >= 3.
            models.CheckConstraint(
                condition=(Q(z__isnull=True) & Q(grade=""))
                | (Q(grade="satisfactory") & Q(z__gte=-2, z__lte=2))
                | (
                    Q(grade="questionable")
                    & ((Q(z__gt=2) & Q(z__lt=3)) | (Q(z__lt=-2) & Q(z__gt=-3)))
                )
                | (Q(grade="unsatisfactory") & (Q(z__gte=3) | Q(z__lte=-3))),
                name="qms_pt_grade_follows_z",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.round_code} {self.sample_id}"

    @property
    def needs_review(self) -> bool:
        return self.grade == Grade.QUESTIONABLE and self.reviewed_at is None
