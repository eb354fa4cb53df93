"""Distribution of lines to researchers: requests under a versioned licence, their review,
the vials allocated and shipped, and what the researcher reports back.

A request's status changes only through the services, each of which writes a `RequestEvent`;
the timeline of a request is those rows.
"""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.models import Institution
from stemhub.biobank.models import CellBank, Vial
from stemhub.core.models import HistoryEvent
from stemhub.registry.models import CellLine


class IntendedUse(models.TextChoices):
    BASIC_RESEARCH = "basic_research", _("Basic research")
    COMMERCIAL = "commercial", _("Commercial")
    CLINICAL = "clinical", _("Clinical")


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    AWAITING_COMMITTEE = "awaiting_committee", _("Awaiting the access committee")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ALLOCATED = "allocated", _("Vials allocated")
    SHIPPED = "shipped", _("Shipped")
    RECEIVED = "received", _("Received")
    REPORTED = "reported", _("Post-thaw results reported")


# Requests in these states hold no vials and will never hold any.
CLOSED = [RequestStatus.REJECTED, RequestStatus.WITHDRAWN]
# Requests whose vials have left the bank.
SENT = [RequestStatus.SHIPPED, RequestStatus.RECEIVED, RequestStatus.REPORTED]

MAX_VIALS_PER_REQUEST = 20
# Stored in English, as signed; pages show it in the reader's language.
SIGNATURE_MEANING = gettext_noop("accepted the licence terms")


def licence_sha256(text: str, text_zh: str = "") -> str:
    """SHA-256 of a licence wording as a researcher reads it: the English text alone, or the
    English and Chinese texts together (a bilingual version is signed as one document)."""
    content = json.dumps({"en": text, "zh-hans": text_zh}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256((content if text_zh else text).encode()).hexdigest()


class LicenceVersion(models.Model):
    """One wording of the material transfer licence, in English and, from version 2, in
    Chinese too. Rows are never changed: a new wording is a new number, and each request stores
    the number its researcher accepted. Signing a bilingual version signs both texts."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    title_zh = models.CharField(_("title in Chinese"), max_length=200, blank=True)
    text_zh = models.TextField(_("text in Chinese"), blank=True)
    sha256 = models.CharField(
        _("SHA-256"), max_length=64, help_text=_("Of the texts, as the researcher saw them")
    )
    effective_from = models.DateTimeField(_("effective from"), default=timezone.now)

    class Meta:
        verbose_name = _("licence version")
        verbose_name_plural = _("licence versions")
        ordering = ["-number"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="licence_has_text")]

    def __str__(self) -> str:
        return gettext("%(title)s, version %(number)s") % {
            "title": self.title,
            "number": self.number,
        }

    def wordings(self) -> list[dict[str, str]]:
        """The texts of this version (`language`, `title`, `text`), the reader's language
        first: Chinese first in a Chinese interface, English first otherwise."""
        found = [{"language": "en", "title": self.title, "text": self.text}]
        if self.text_zh:
            title = self.title_zh or self.title
            chinese = {"language": "zh-hans", "title": title, "text": self.text_zh}
            found.insert(0 if get_language() == "zh-hans" else 1, chinese)
        return found


class DistributionRequest(models.Model):
    line = models.ForeignKey(
        CellLine, on_delete=models.PROTECT, related_name="requests", verbose_name=_("cell line")
    )
    provider = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("provider"),
        help_text=_("The institution that holds the line: its curators review the request"),
    )
    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="distribution_requests",
        verbose_name=_("researcher"),
    )
    project_title = models.CharField(_("project title"), max_length=300)
    project_summary = models.TextField(_("project summary"))
    principal_investigator = models.CharField(_("principal investigator"), max_length=200)
    recipient_institution = models.CharField(_("recipient institution"), max_length=200)
    recipient_country = models.CharField(
        _("recipient country"), max_length=2, help_text=_("ISO 3166-1 alpha-2")
    )
    intended_use = models.CharField(_("intended use"), max_length=16, choices=IntendedUse.choices)
    ethics_reference = models.CharField(_("ethics approval reference"), max_length=200)
    vials_requested = models.PositiveSmallIntegerField(_("vials requested"))
    licence = models.ForeignKey(
        LicenceVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("licence")
    )
    needs_committee = models.BooleanField(
        _("needs the access committee"),
        default=False,
        help_text=_("The line was under managed access when requested"),
    )
    checks = models.JSONField(
        _("automatic checks"),
        default=list,
        blank=True,
        help_text=_("Automatic check notes shown to the reviewers"),
    )
    status = models.CharField(
        _("status"), max_length=24, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    committee_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by the access committee member"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("distribution request")
        verbose_name_plural = _("distribution requests")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["provider", "status"]),
            models.Index(fields=["researcher", "submitted_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in RequestStatus]),
                name="distribution_request_status_known",
            ),
            models.CheckConstraint(
                condition=Q(intended_use__in=[u.value for u in IntendedUse]),
                name="distribution_request_use_known",
            ),
            models.CheckConstraint(
                condition=Q(vials_requested__gte=1, vials_requested__lte=MAX_VIALS_PER_REQUEST),
                name="distribution_request_vials_in_range",
            ),
            models.CheckConstraint(
                condition=Q(committee_by__isnull=True) | ~Q(committee_by=models.F("reviewed_by")),
                name="distribution_two_approvers_are_two_people",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"DR-{self.pk:05d}"


class LicenceSignature(models.Model):
    """The researcher's electronic signature of the licence: who, printed name, when, meaning,
    and a SHA-256 of the request as submitted together with the licence version and text."""

    request = models.OneToOneField(
        DistributionRequest,
        on_delete=models.PROTECT,
        related_name="signature",
        verbose_name=_("request"),
    )
    licence = models.ForeignKey(
        LicenceVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("licence")
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signer"),
    )
    printed_name = models.CharField(_("printed name"), max_length=200)
    meaning = models.CharField(_("meaning"), max_length=100, default=SIGNATURE_MEANING)
    signed_at = models.DateTimeField(_("signed at"))
    digest = models.CharField(_("digest"), max_length=64)

    class Meta:
        verbose_name = _("licence signature")
        verbose_name_plural = _("licence signatures")
        constraints = [
            models.CheckConstraint(condition=~Q(printed_name=""), name="signature_has_a_name")
        ]


class Allocation(models.Model):
    """A vial set aside for a request. A vial is allocated once, ever: a distributed vial
    never comes back, and a released allocation is deleted (its event keeps the barcodes)."""

    request = models.ForeignKey(
        DistributionRequest,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("request"),
    )
    vial = models.OneToOneField(
        Vial, on_delete=models.PROTECT, related_name="allocation", verbose_name=_("vial")
    )
    bank = models.ForeignKey(
        CellBank, on_delete=models.PROTECT, related_name="+", verbose_name=_("cell bank")
    )
    place = models.CharField(
        _("place"), max_length=500, help_text=_("Storage place when allocated")
    )
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("allocated by"),
    )
    allocated_at = models.DateTimeField(_("allocated at"), default=timezone.now)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["request", "id"]


class Shipment(models.Model):
    request = models.OneToOneField(
        DistributionRequest,
        on_delete=models.PROTECT,
        related_name="shipment",
        verbose_name=_("request"),
    )
    courier = models.CharField(_("courier"), max_length=100)
    tracking_number = models.CharField(_("tracking number"), max_length=100)
    dry_shipper = models.CharField(
        _("dry shipper"), max_length=100, help_text=_("Dry shipper id or serial")
    )
    temperature_logger = models.CharField(
        _("temperature logger"), max_length=100, help_text=_("Temperature logger id")
    )
    shipped_on = models.DateField(_("shipped on"))
    expected_on = models.DateField(_("expected on"), null=True, blank=True)
    pack = models.JSONField(
        _("shipment pack"), help_text=_("What the shipment carries, as promised when it left")
    )
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shipped by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_on__isnull=True) | Q(expected_on__gte=models.F("shipped_on")),
                name="shipment_expected_after_shipped",
            )
        ]


class Receipt(models.Model):
    request = models.OneToOneField(
        DistributionRequest,
        on_delete=models.PROTECT,
        related_name="receipt",
        verbose_name=_("request"),
    )
    received_on = models.DateField(_("received on"))
    condition = models.TextField(
        _("condition on arrival"), blank=True, help_text=_("State of the package on arrival")
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")


class Attachment(models.TextChoices):
    GOOD = "good", _("Good (most colonies attached)")
    PARTIAL = "partial", _("Partial")
    POOR = "poor", _("Poor")
    NONE = "none", pgettext_lazy("cell attachment after thawing", "None")


class ThawReport(models.Model):
    request = models.OneToOneField(
        DistributionRequest,
        on_delete=models.PROTECT,
        related_name="thaw_report",
        verbose_name=_("request"),
    )
    thawed_on = models.DateField(_("thawed on"))
    viability = models.DecimalField(
        _("viability"), max_digits=5, decimal_places=2, help_text=_("% viable cells")
    )
    recovery = models.DecimalField(
        _("recovery"),
        max_digits=6,
        decimal_places=2,
        # xgettext:no-python-format
        help_text=_("% of the promised cells recovered"),
    )
    attachment = models.CharField(_("attachment"), max_length=8, choices=Attachment.choices)
    problems = models.TextField(_("problems"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("post-thaw report")
        verbose_name_plural = _("post-thaw reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(viability__gte=0, viability__lte=100), name="thaw_viability_percent"
            ),
            models.CheckConstraint(condition=Q(recovery__gte=0), name="thaw_recovery_positive"),
            models.CheckConstraint(
                condition=Q(attachment__in=[a.value for a in Attachment]),
                name="thaw_attachment_known",
            ),
        ]


DOI_PATTERN = r"^10\.[0-9]{4,9}/\S+$"


class ResultReport(models.Model):
    """A publication or other result the researcher shares with the provider."""

    request = models.ForeignKey(
        DistributionRequest,
        on_delete=models.PROTECT,
        related_name="results",
        verbose_name=_("request"),
    )
    doi = models.CharField(_("DOI"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("result report")
        verbose_name_plural = _("result reports")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(doi="") | Q(doi__regex=DOI_PATTERN), name="result_doi_format"
            ),
            models.UniqueConstraint(
                fields=["request", "doi"], condition=~Q(doi=""), name="result_doi_once"
            ),
        ]


class RequestEvent(HistoryEvent):
    """One step of a request's life, written by the service that took it."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved by the curator")
        COMMITTEE_APPROVED = "committee_approved", _("Approved by the access committee")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ALLOCATED = "allocated", _("Vials allocated")
        SHIPPED = "shipped", _("Shipped")
        RECEIVED = "received", _("Receipt confirmed")
        THAW_REPORTED = "thaw_reported", _("Post-thaw results reported")
        RESULT_REPORTED = "result_reported", _("Result shared")

    request = models.ForeignKey(
        DistributionRequest,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("request"),
    )
    kind = models.CharField(_("event"), max_length=24, choices=Kind.choices)
    from_status = models.CharField(
        _("from status"), max_length=24, choices=RequestStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=24, choices=RequestStatus.choices)

    class Meta:
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["request", "at"])]
