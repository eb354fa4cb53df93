"""Controlled documents (ISO 20387 8.3): SOPs, forms, policies and specifications, each with
numbered versions that go draft → in review → approved → effective → superseded or obsolete.

At most one version of a document is effective at a time: a partial unique index says so, so
two approvals racing cannot both put their version in force. Reviews and approvals are
electronic signatures (`quality.Signature`) bound to the sha256 of the version's record,
including the sha256 of its attached file.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stemhub.core.names import in_reader_language


class DocumentKind(models.TextChoices):
    SOP = "sop", _("Standard operating procedure")
    FORM = "form", _("Form")
    POLICY = "policy", _("Policy")
    SPECIFICATION = "specification", _("Specification")
    MANUAL = "manual", _("Quality manual")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved, not yet effective")
    EFFECTIVE = "effective", _("Effective")
    SUPERSEDED = "superseded", _("Superseded")
    OBSOLETE = "obsolete", _("Obsolete")


class ControlledDocument(models.Model):
    """One document under control at one institution, cited by its number (`SOP-BB-012`)."""

    institution = models.ForeignKey(
        "accounts.Institution",
        on_delete=models.PROTECT,
        related_name="controlled_documents",
        verbose_name=_("institution"),
    )
    number = models.CharField(_("document number"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    title_zh = models.CharField(_("Chinese title"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("periodic review interval (months)"), default=24
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("why withdrawn"), blank=True)

    class Meta:
        verbose_name = _("controlled document")
        verbose_name_plural = _("controlled documents")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "number"], name="qms_document_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__regex=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"),
                name="qms_document_number_format",
            ),
            models.CheckConstraint(
                condition=Q(review_interval_months__gte=1, review_interval_months__lte=120),
                name="qms_document_review_interval",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawn_reason=""),
                name="qms_document_withdrawn_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def display_title(self) -> str:
        """The title in the reader's language, where a Chinese one is given."""
        return in_reader_language(self.title, self.title_zh)

    @property
    def label(self) -> str:
        """How a page names it: `SOP-QC-001 Recording QC results`, in the reader's language."""
        return f"{self.number} {self.display_title}"


class DocumentFile(models.Model):
    """The file a version carries (PDF or DOCX), kept with its sha256; write-once."""

    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("sha256"), max_length=64)
    content = models.BinaryField(_("content"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("document file")
        verbose_name_plural = _("document files")
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="qms_file_sha256_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DocumentVersion(models.Model):
    """Version `number` of a document. `retraining_required`: the approver says whether staff
    must be trained again on this version (a new authorisation cycle) or only read it."""

    document = models.ForeignKey(
        ControlledDocument,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("document"),
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    change_summary = models.TextField(_("what changed"), blank=True)
    file = models.ForeignKey(
        DocumentFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("file"),
    )
    retraining_required = models.BooleanField(_("retraining required"), default=False)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    review_due = models.DateField(_("periodic review due"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    review_signature = models.OneToOneField(
        "quality.Signature",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("review signature"),
    )
    approval_signature = models.OneToOneField(
        "quality.Signature",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approval signature"),
    )
    retired_at = models.DateTimeField(_("superseded or withdrawn at"), null=True, blank=True)
    retired_reason = models.TextField(_("why superseded or withdrawn"), blank=True)
    # Its Chinese where the platform wrote the reason (a supersession); empty for a person's.
    retired_reason_zh = models.TextField(_("why superseded (Chinese)"), blank=True)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="qms_version_number_unique"
            ),
            # The one version in force: at most one effective version per document.
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status="effective"),
                name="qms_one_effective_version",
            ),
            # One revision at a time: at most one version in draft or in review.
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status__in=["draft", "in_review"]),
                name="qms_one_open_revision",
            ),
            # A version in force has a periodic review date.
            models.CheckConstraint(
                condition=~Q(status="effective") | Q(review_due__isnull=False),
                name="qms_version_effective_review_due",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "draft",
                        "in_review",
                        "approved",
                        "effective",
                        "superseded",
                        "obsolete",
                    ]
                ),
                name="qms_version_status_known",
            ),
            # Approved or later: signed, with an effective date.
            models.CheckConstraint(
                condition=Q(status__in=["draft", "in_review"])
                | Q(approval_signature__isnull=False, effective_from__isnull=False),
                name="qms_version_approved_signed",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["superseded", "obsolete"])
                | (Q(retired_at__isnull=False) & ~Q(retired_reason="")),
                name="qms_version_retired_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.number} v{self.number}"

    @property
    def label(self) -> str:
        """How records cite it: `SOP-BB-012 v3`."""
        return f"{self.document.number} v{self.number}"

    @property
    def display_retired_reason(self) -> str:
        return in_reader_language(self.retired_reason, self.retired_reason_zh)


class Acknowledgement(models.Model):
    """A person's "read and understood" of one version; once per person and version."""

    version = models.ForeignKey(
        DocumentVersion,
        on_delete=models.PROTECT,
        related_name="acknowledgements",
        verbose_name=_("version"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="document_acknowledgements",
        verbose_name=_("person"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), default=timezone.now)

    class Meta:
        verbose_name = _("read-and-understood acknowledgement")
        verbose_name_plural = _("read-and-understood acknowledgements")
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="qms_acknowledged_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.version}"


class PeriodicReview(models.Model):
    """A QA manager's signed periodic review of the version in force: it either confirms the
    version (the next review falls `review_interval_months` later) or starts a revision (a new
    draft version). Append-only."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed, still fit for use")
        REVISION = "revision", _("Revision needed")

    version = models.ForeignKey(
        DocumentVersion,
        on_delete=models.PROTECT,
        related_name="periodic_reviews",
        verbose_name=_("version"),
    )
    reviewed_on = models.DateField(_("reviewed on"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)
    revision = models.ForeignKey(
        DocumentVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revision started"),
    )
    signature = models.OneToOneField(
        "quality.Signature",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewer's signature"),
    )

    class Meta:
        verbose_name = _("periodic review")
        verbose_name_plural = _("periodic reviews")
        ordering = ["-reviewed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="confirmed", next_review_due__isnull=False)
                | Q(outcome="revision", revision__isnull=False),
                name="qms_periodic_review_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} reviewed {self.reviewed_on:%Y-%m-%d}"
