"""Distribution of lines to researchers: requests under a versioned licence, their review,
the vials allocated and shipped, and what the researcher reports back.

A request's status changes only through the services, each of which writes a `RequestEvent`;
the timeline of a request is those rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from stemhub.accounts.models import Institution
from stemhub.biobank.models import CellBank, Vial
from stemhub.registry.models import CellLine


class IntendedUse(models.TextChoices):
    BASIC_RESEARCH = "basic_research", "Basic research"
    COMMERCIAL = "commercial", "Commercial"
    CLINICAL = "clinical", "Clinical"


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    AWAITING_COMMITTEE = "awaiting_committee", "Awaiting the access committee"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    ALLOCATED = "allocated", "Vials allocated"
    SHIPPED = "shipped", "Shipped"
    RECEIVED = "received", "Received"
    REPORTED = "reported", "Post-thaw results reported"


# Requests in these states hold no vials and will never hold any.
CLOSED = [RequestStatus.REJECTED, RequestStatus.WITHDRAWN]
# Requests whose vials have left the bank.
SENT = [RequestStatus.SHIPPED, RequestStatus.RECEIVED, RequestStatus.REPORTED]

MAX_VIALS_PER_REQUEST = 20
SIGNATURE_MEANING = "accepted the licence terms"


class LicenceVersion(models.Model):
    """One wording of the material transfer licence. Rows are never changed: a new wording is
    a new number, and each request stores the number its researcher accepted."""

    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    text = models.TextField()
    sha256 = models.CharField(max_length=64, help_text="Of the text, as the researcher saw it")
    effective_from = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="licence_has_text")]

    def __str__(self) -> str:
        return f"{self.title}, version {self.number}"


class DistributionRequest(models.Model):
    line = models.ForeignKey(CellLine, on_delete=models.PROTECT, related_name="requests")
    provider = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The institution that holds the line: its curators review the request",
    )
    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="distribution_requests"
    )
    project_title = models.CharField(max_length=300)
    project_summary = models.TextField()
    principal_investigator = models.CharField(max_length=200)
    recipient_institution = models.CharField(max_length=200)
    recipient_country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    intended_use = models.CharField(max_length=16, choices=IntendedUse.choices)
    ethics_reference = models.CharField(max_length=200)
    vials_requested = models.PositiveSmallIntegerField()
    licence = models.ForeignKey(LicenceVersion, on_delete=models.PROTECT, related_name="+")
    needs_committee = models.BooleanField(
        default=False, help_text="The line was under managed access when requested"
    )
    checks = models.JSONField(
        default=list, blank=True, help_text="Automatic check notes shown to the reviewers"
    )
    status = models.CharField(
        max_length=24, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    committee_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
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
        DistributionRequest, on_delete=models.PROTECT, related_name="signature"
    )
    licence = models.ForeignKey(LicenceVersion, on_delete=models.PROTECT, related_name="+")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_name = models.CharField(max_length=200)
    meaning = models.CharField(max_length=100, default=SIGNATURE_MEANING)
    signed_at = models.DateTimeField()
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(printed_name=""), name="signature_has_a_name")
        ]


class Allocation(models.Model):
    """A vial set aside for a request. A vial is allocated once, ever: a distributed vial
    never comes back, and a released allocation is deleted (its event keeps the barcodes)."""

    request = models.ForeignKey(
        DistributionRequest, on_delete=models.PROTECT, related_name="allocations"
    )
    vial = models.OneToOneField(Vial, on_delete=models.PROTECT, related_name="allocation")
    bank = models.ForeignKey(CellBank, on_delete=models.PROTECT, related_name="+")
    place = models.CharField(max_length=500, help_text="Storage place when allocated")
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    allocated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["request", "id"]


class Shipment(models.Model):
    request = models.OneToOneField(
        DistributionRequest, on_delete=models.PROTECT, related_name="shipment"
    )
    courier = models.CharField(max_length=100)
    tracking_number = models.CharField(max_length=100)
    dry_shipper = models.CharField(max_length=100, help_text="Dry shipper id or serial")
    temperature_logger = models.CharField(max_length=100, help_text="Temperature logger id")
    shipped_on = models.DateField()
    expected_on = models.DateField(null=True, blank=True)
    pack = models.JSONField(help_text="What the shipment carries, as promised when it left")
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_on__isnull=True) | Q(expected_on__gte=models.F("shipped_on")),
                name="shipment_expected_after_shipped",
            )
        ]


class Receipt(models.Model):
    request = models.OneToOneField(
        DistributionRequest, on_delete=models.PROTECT, related_name="receipt"
    )
    received_on = models.DateField()
    condition = models.TextField(blank=True, help_text="State of the package on arrival")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)


class Attachment(models.TextChoices):
    GOOD = "good", "Good (most colonies attached)"
    PARTIAL = "partial", "Partial"
    POOR = "poor", "Poor"
    NONE = "none", "None"


class ThawReport(models.Model):
    request = models.OneToOneField(
        DistributionRequest, on_delete=models.PROTECT, related_name="thaw_report"
    )
    thawed_on = models.DateField()
    viability = models.DecimalField(max_digits=5, decimal_places=2, help_text="% viable cells")
    recovery = models.DecimalField(
        max_digits=6, decimal_places=2, help_text="% of the promised cells recovered"
    )
    attachment = models.CharField(max_length=8, choices=Attachment.choices)
    problems = models.TextField(blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
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
        DistributionRequest, on_delete=models.PROTECT, related_name="results"
    )
    doi = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=500)
    summary = models.TextField(blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(doi="") | Q(doi__regex=DOI_PATTERN), name="result_doi_format"
            ),
            models.UniqueConstraint(
                fields=["request", "doi"], condition=~Q(doi=""), name="result_doi_once"
            ),
        ]


class RequestEvent(models.Model):
    """One step of a request's life, written by the service that took it."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved by the curator"
        COMMITTEE_APPROVED = "committee_approved", "Approved by the access committee"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        ALLOCATED = "allocated", "Vials allocated"
        SHIPPED = "shipped", "Shipped"
        RECEIVED = "received", "Receipt confirmed"
        THAW_REPORTED = "thaw_reported", "Post-thaw results reported"
        RESULT_REPORTED = "result_reported", "Result shared"

    request = models.ForeignKey(
        DistributionRequest, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    from_status = models.CharField(max_length=24, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=RequestStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["request", "at"])]
