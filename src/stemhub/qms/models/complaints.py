"""Complaints (ISO 20387 7.13): what a researcher, a hospital, a member of the public or a
regulator told the biobank was wrong, how it was received, and how it ended. A complaint that
needs corrective action opens a CAPA (source "complaint")."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ComplainantKind(models.TextChoices):
    RESEARCHER = "researcher", _("Researcher")
    HOSPITAL = "hospital", _("Hospital")
    PUBLIC = "public", _("Member of the public")
    REGULATOR = "regulator", _("Regulator")
    OTHER = "other", _("Other")


class ComplaintChannel(models.TextChoices):
    WEB = "web", _("Public web form")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Telephone")
    LETTER = "letter", _("Letter")
    IN_PERSON = "in_person", _("In person")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_REVIEW = "in_review", _("Under review")
    CLOSED = "closed", _("Closed")


# What the public form accepts, and the columns hold.
NAME_LENGTH = 200
CONTACT_LENGTH = 200
ORGANISATION_LENGTH = 200
REFERENCE_LENGTH = 120
DESCRIPTION_LENGTH = 5000


class Complaint(models.Model):
    institution = models.ForeignKey(
        "accounts.Institution",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("receiving institution"),
    )
    complainant_kind = models.CharField(
        _("complainant"), max_length=16, choices=ComplainantKind.choices
    )
    # All three may be blank: a complaint may be anonymous.
    complainant_name = models.CharField(_("name"), max_length=NAME_LENGTH, blank=True)
    complainant_contact = models.CharField(
        _("contact (e-mail or telephone)"), max_length=CONTACT_LENGTH, blank=True
    )
    complainant_organisation = models.CharField(
        _("complainant's institution"), max_length=ORGANISATION_LENGTH, blank=True
    )
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("channel"), max_length=16, choices=ComplaintChannel.choices)
    description = models.TextField(_("what happened"), max_length=DESCRIPTION_LENGTH)
    related_reference = models.CharField(
        _("related item"),
        max_length=REFERENCE_LENGTH,
        blank=True,
        help_text=_("A cell line, lot, certificate, shipment or request it concerns"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
    )
    outcome = models.TextField(_("outcome"), blank=True)
    # Null when it came through the public form.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    capa = models.OneToOneField(
        "qms.Capa",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaint",
        verbose_name=_("CAPA"),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["institution", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(complainant_kind__in=ComplainantKind.values),
                name="qms_complaint_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=ComplaintChannel.values),
                name="qms_complaint_channel_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ComplaintStatus.values),
                name="qms_complaint_status_known",
            ),
            models.CheckConstraint(condition=~Q(description=""), name="qms_complaint_described"),
            # Closed with an outcome, by someone, at a time; otherwise none of these.
            models.CheckConstraint(
                condition=(
                    Q(status="closed", closed_by__isnull=False, closed_at__isnull=False)
                    & ~Q(outcome="")
                )
                | Q(~Q(status="closed"), closed_by__isnull=True, closed_at__isnull=True),
                name="qms_complaint_closed_with_outcome",
            ),
            # A complaint typed in by staff names who typed it; only the web form has nobody.
            models.CheckConstraint(
                condition=Q(channel="web") | Q(recorded_by__isnull=False),
                name="qms_complaint_recorded_by_staff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_complainant_kind_display()}"

    @property
    def number(self) -> str:
        """How people cite it: `CMP-2026-0003`."""
        return f"CMP-{self.recorded_at:%Y}-{self.pk:04d}"
