"""Quality control of cell banks: the test catalogue, results, nonconformities, releases with
their electronic signatures, and certificates of analysis.

A test's specification is versioned: revising it writes a new `QcTest` row and retires the old
one, and every result keeps the version it was judged against. Releases are signed (21 CFR
Part 11: printed name, date-time, meaning, bound to a hash of the record signed); a release that
a later result invalidates keeps its signature, marked superseded.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stemhub.biobank.models import BankTier, CellBank
from stemhub.core.models import HistoryEvent
from stemhub.quality import wording


class Category(models.TextChoices):
    SAFETY = "safety", _("Microbial and viral safety")
    IDENTITY = "identity", _("Identity")
    GENETIC = "genetic", _("Genetic stability")
    PLURIPOTENCY = "pluripotency", _("Pluripotency")
    VECTOR = "vector", _("Residual vector")
    VIABILITY = "viability", _("Post-thaw viability and recovery")
    HLA = "hla", _("HLA typing")


class SpecKind(models.TextChoices):
    QUALITATIVE = "qualitative", _("Qualitative")
    QUANTITATIVE = "quantitative", _("Quantitative")
    STR_IDENTITY = "str_identity", _("STR identity (Tanabe score against the parent line)")


ALL_TIERS = sorted(t.value for t in BankTier)


class QcTest(models.Model):
    """One version of a test and its acceptance specification.

    Qualitative: the result is one of `allowed_results` and passes when it is in
    `accepted_results`. Quantitative: a number in `unit`, passing within the limits (each limit
    optional, inclusive or not). STR identity: the bank's profile against its line's, passing at
    a Tanabe score of at least `lower_limit` %.
    Required for release of banks whose tier is in `required_tiers`; `clinical_only` tests
    only for clinical-grade material, and tests with `for_products` false only for banks of
    undifferentiated lines."""

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    method = models.CharField(_("method"), max_length=200)
    spec_kind = models.CharField(_("spec kind"), max_length=16, choices=SpecKind.choices)
    allowed_results = models.JSONField(_("allowed results"), default=list, blank=True)
    accepted_results = models.JSONField(_("accepted results"), default=list, blank=True)
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    lower_limit = models.DecimalField(
        _("lower limit"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    lower_inclusive = models.BooleanField(_("lower inclusive"), default=True)
    upper_limit = models.DecimalField(
        _("upper limit"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    upper_inclusive = models.BooleanField(_("upper inclusive"), default=True)
    required_tiers = models.JSONField(
        _("required tiers"),
        default=list,
        blank=True,
        help_text=_("Bank tiers that need this test for release"),
    )
    clinical_only = models.BooleanField(_("clinical only"), default=False)
    for_products = models.BooleanField(
        _("for products"),
        default=True,
        help_text=_("Also required for banks of differentiated products"),
    )
    current = models.BooleanField(_("current"), default=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    change_reason = models.TextField(_("change reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("QC test")
        verbose_name_plural = _("QC tests")
        ordering = ["category", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="qc_test_version_once"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(current=True), name="qc_test_one_current_version"
            ),
            models.CheckConstraint(
                condition=Q(spec_kind__in=[k.value for k in SpecKind]), name="qc_test_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(category__in=[c.value for c in Category]),
                name="qc_test_category_known",
            ),
            models.CheckConstraint(
                condition=Q(lower_limit__isnull=True)
                | Q(upper_limit__isnull=True)
                | Q(lower_limit__lte=models.F("upper_limit")),
                name="qc_test_limits_ordered",
            ),
            models.CheckConstraint(
                condition=Q(current=True, superseded_at__isnull=True)
                | Q(current=False, superseded_at__isnull=False),
                name="qc_test_superseded_when_retired",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def required_tier_labels(self) -> list[str]:
        """The tiers that need this test, in words ("Master cell bank", not `mcb`)."""
        labels = dict(BankTier.choices)
        return [str(labels.get(tier, tier)) for tier in self.required_tiers]

    @property
    def required_tier_words(self) -> str:
        """The tiers that need this test, listed in the reader's language."""
        return wording.listing(self.required_tier_labels)

    @property
    def allowed_result_words(self) -> str:
        """A qualitative test's possible results, listed in the reader's language."""
        return wording.listing(wording.term(word) for word in self.allowed_results)

    @property
    def specification(self) -> str:
        """The acceptance criterion as recorded (in English: the signed QC record holds it):
        `≤ 5 EU/mL`, `negative`. `wording.specification` shows it in the reader's language."""
        if self.spec_kind == SpecKind.QUALITATIVE:
            return " or ".join(self.accepted_results)
        if self.spec_kind == SpecKind.STR_IDENTITY:
            return wording.SPEC_STR % {"limit": _number(self.lower_limit)}
        unit = f" {self.unit}" if self.unit else ""
        low, high = self.lower_limit, self.upper_limit
        if low is not None and high is not None:
            left = "≤" if self.lower_inclusive else "<"
            right = "≤" if self.upper_inclusive else "<"
            return f"{_number(low)} {left} x {right} {_number(high)}{unit}"
        if low is not None:
            return f"{'≥' if self.lower_inclusive else '>'} {_number(low)}{unit}"
        if high is not None:
            return f"{'≤' if self.upper_inclusive else '<'} {_number(high)}{unit}"
        if self.unit:
            return wording.SPEC_ANY_UNIT % {"unit": self.unit}
        return wording.SPEC_ANY


def _number(value: object) -> str:
    text = f"{value}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class RawFile(models.Model):
    """The instrument's raw output for a result, kept as bytes with its checksum. A table of
    its own so the audit trail and list queries never carry the bytes."""

    sha256 = models.CharField("SHA-256", max_length=64)
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"))
    content = models.BinaryField(_("content"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("raw file")
        verbose_name_plural = _("raw files")
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="raw_file_sha256_hex"
            )
        ]


class StrFlag(models.TextChoices):
    NONE = "", "—"
    RELATED = "str_related", _("STR related to parent line (Tanabe 80–90 %)")
    MISMATCH = "str_mismatch", _("STR mismatch with parent line")


class QcResult(models.Model):
    """One test performed on a bank, judged against the specification version `test`."""

    bank = models.ForeignKey(
        CellBank, on_delete=models.PROTECT, related_name="qc_results", verbose_name=_("bank")
    )
    test = models.ForeignKey(
        QcTest, on_delete=models.PROTECT, related_name="results", verbose_name=_("test")
    )
    value_text = models.TextField(
        _("value text"), blank=True, help_text=_("The qualitative result, or the STR profile")
    )
    value_number = models.DecimalField(
        _("value number"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    method = models.CharField(_("method"), max_length=200)
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
        related_name="qc_results",
        verbose_name=_("instrument"),
    )
    tested_on = models.DateField(_("tested on"))
    raw_file = models.ForeignKey(
        RawFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("raw file"),
    )
    raw_sha256 = models.CharField(_("raw file SHA-256"), max_length=64, blank=True)
    passed = models.BooleanField(_("passed"))
    flag = models.CharField(_("flag"), max_length=16, choices=StrFlag.choices, blank=True)
    str_score = models.DecimalField(
        _("STR score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    judgement = models.CharField(
        _("judgement"), max_length=300, blank=True, help_text=_("Why it passed or failed, in words")
    )
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)

    class Meta:
        verbose_name = _("QC result")
        verbose_name_plural = _("QC results")
        ordering = ["bank_id", "tested_on", "id"]
        indexes = [models.Index(fields=["bank", "test"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(flag__in=[f.value for f in StrFlag]), name="qc_result_flag_known"
            ),
            models.CheckConstraint(
                condition=Q(raw_file__isnull=True, raw_sha256="")
                | Q(raw_file__isnull=False, raw_sha256__regex=r"^[0-9a-f]{64}$"),
                name="qc_result_raw_file_has_checksum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank} {self.test.code}"

    @property
    def value_display(self) -> str:
        if self.value_number is not None:
            return f"{_number(self.value_number)} {self.unit}".strip()
        return self.value_text


class Nonconformity(models.Model):
    """A departure from specification or procedure, open until QA closes it with a reason."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    bank = models.ForeignKey(
        CellBank, on_delete=models.PROTECT, related_name="nonconformities", verbose_name=_("bank")
    )
    result = models.ForeignKey(
        QcResult,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nonconformities",
        verbose_name=_("result"),
    )
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    capa = models.TextField("CAPA", blank=True, help_text=_("Corrective and preventive action"))
    closure_reason = models.TextField(_("closure reason"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closure_signature = models.OneToOneField(
        "Signature",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nonconformity",
        verbose_name=_("closure signature"),
        help_text=_("QA's signature of the closure (none on closures before it was asked)"),
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("nonconformity")
        verbose_name_plural = _("nonconformities")
        indexes = [models.Index(fields=["bank", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_by__isnull=True, closed_at__isnull=True)
                | (
                    Q(status="closed", closed_by__isnull=False, closed_at__isnull=False)
                    & ~Q(closure_reason="")
                ),
                name="nonconformity_closed_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"NC-{self.pk} {self.bank}"

    @property
    def number(self) -> str:
        """How people cite it: `NC-12`."""
        return f"NC-{self.pk}"


class Signature(models.Model):
    """An electronic signature (21 CFR 11.50/11.70): who (printed name), when, what it means,
    and the sha256 of the canonical record signed (`record`, kept verbatim)."""

    class Meaning(models.TextChoices):
        # The value is what the signature record holds, in English as signed; the label is
        # how a page shows it, in the reader's language.
        RELEASE = "approved for release", _("Approved for release")
        EXCURSION = "excursion disposition approved", _("Excursion disposition approved")
        NC_CLOSURE = "nonconformity closure approved", _("Nonconformity closure approved")
        # The quality management system's signatures (qms)
        DOCUMENT_REVIEWED = "document reviewed", _("Document reviewed")
        DOCUMENT_APPROVED = "document approved", _("Document approved")
        COMPETENCE_ASSESSED = "competence assessed", _("Competence assessed")
        CAPA_CLOSED = "CAPA closure approved", _("CAPA closure approved")
        AUDIT_REPORT = "audit report approved", _("Audit report approved")
        MANAGEMENT_REVIEW = "management review approved", _("Management review approved")

    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signer"),
    )
    printed_name = models.CharField(_("printed name"), max_length=200)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    meaning = models.CharField(_("meaning"), max_length=40, choices=Meaning.choices)
    record_hash = models.CharField(_("record hash"), max_length=64)
    record = models.TextField(_("record"), help_text=_("The canonical JSON that was hashed"))
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    superseded_reason = models.TextField(_("superseded reason"), blank=True)

    class Meta:
        verbose_name = _("electronic signature")
        verbose_name_plural = _("electronic signatures")
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(record_hash__regex=r"^[0-9a-f]{64}$"), name="signature_hash_hex"
            ),
            models.CheckConstraint(condition=~Q(printed_name=""), name="signature_printed_name"),
        ]


class Release(models.Model):
    """A bank released for use and distribution, until a later result invalidates it."""

    bank = models.ForeignKey(
        CellBank, on_delete=models.PROTECT, related_name="releases", verbose_name=_("bank")
    )
    signature = models.OneToOneField(
        Signature, on_delete=models.PROTECT, related_name="release", verbose_name=_("signature")
    )
    released_at = models.DateTimeField(_("released at"), default=timezone.now)
    invalidated_at = models.DateTimeField(_("invalidated at"), null=True, blank=True)
    invalidated_reason = models.TextField(_("invalidated reason"), blank=True)

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        ordering = ["-released_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank"],
                condition=Q(invalidated_at__isnull=True),
                name="one_standing_release_per_bank",
            ),
            models.CheckConstraint(
                condition=Q(invalidated_at__isnull=True, invalidated_reason="")
                | (Q(invalidated_at__isnull=False) & ~Q(invalidated_reason="")),
                name="release_invalidated_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Release of {self.bank} at {self.released_at:%Y-%m-%d %H:%M}"

    @property
    def standing(self) -> bool:
        return self.invalidated_at is None


class CertificateLanguage(models.TextChoices):
    """What a certificate of analysis is printed in: Chinese, English, or both (bilingual
    headings and labels, values once, as Chinese accredited laboratories issue them)."""

    CHINESE = "zh-hans", pgettext_lazy("certificate language", "Chinese")
    ENGLISH = "en", pgettext_lazy("certificate language", "English")
    BILINGUAL = "bilingual", pgettext_lazy("certificate language", "Chinese and English")


class Certificate(models.Model):
    """The certificate of analysis of a release: the PDF as issued and its sha256 (which the
    public verification page checks). Rendered by `stemhub.quality.coa` in the language chosen
    when it was issued, which is kept so that rendering it again gives the same bytes."""

    release = models.OneToOneField(
        Release, on_delete=models.PROTECT, related_name="certificate", verbose_name=_("release")
    )
    number = models.CharField(
        _("number"), max_length=100, unique=True, help_text=_("COA-<bank code>-<n>")
    )
    pdf = models.BinaryField("PDF")
    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    public = models.BooleanField(_("public"), default=True)
    language = models.CharField(
        pgettext_lazy("certificate", "language"),
        max_length=16,
        choices=CertificateLanguage.choices,
        default=CertificateLanguage.ENGLISH,
    )

    class Meta:
        verbose_name = _("certificate of analysis")
        verbose_name_plural = _("certificates of analysis")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=CertificateLanguage.values),
                name="certificate_language_known",
            )
        ]

    def __str__(self) -> str:
        return self.number


class QcEvent(HistoryEvent):
    """The bank's quality history, written by the service that did the work."""

    class Kind(models.TextChoices):
        RESULT = "result", _("Result recorded")
        CORRECTION = "correction", _("Result corrected")
        NC_OPENED = "nc_opened", _("Nonconformity opened")
        NC_CLOSED = "nc_closed", _("Nonconformity closed")
        RELEASED = "released", _("Released")
        INVALIDATED = "invalidated", _("Release invalidated")
        QUARANTINED = "quarantined", _("Vials quarantined")
        EXCURSION = "excursion", _("Excursion disposition")

    bank = models.ForeignKey(
        CellBank, on_delete=models.PROTECT, related_name="qc_events", verbose_name=_("bank")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    result = models.ForeignKey(
        QcResult,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("result"),
    )
    nonconformity = models.ForeignKey(
        Nonconformity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("nonconformity"),
    )
    release = models.ForeignKey(
        Release,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("release"),
    )

    class Meta:
        verbose_name = _("QC event")
        verbose_name_plural = _("QC events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["bank", "at"])]


class Disposition(models.TextChoices):
    """What QA decides for a vial that was in a unit during a temperature excursion."""

    RELEASE = "release", _("Release from quarantine")
    KEEP = "keep", _("Keep quarantined")
    DESTROY = "destroy", _("Destroy")


class ExcursionReview(models.Model):
    """QA's disposition of a temperature excursion: the impact assessment and a decision for
    every vial that was in the unit, under the QA manager's electronic signature. An excursion
    without a review awaits a decision."""

    excursion = models.OneToOneField(
        "equipment.Excursion",
        on_delete=models.PROTECT,
        related_name="review",
        verbose_name=_("excursion"),
    )
    impact_assessment = models.TextField(_("impact assessment"))
    signature = models.OneToOneField(
        Signature,
        on_delete=models.PROTECT,
        related_name="excursion_review",
        verbose_name=_("signature"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)

    class Meta:
        verbose_name = _("excursion review")
        verbose_name_plural = _("excursion reviews")
        ordering = ["-reviewed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(impact_assessment=""), name="excursion_review_assessed"
            ),
        ]

    def __str__(self) -> str:
        return f"Review of excursion {self.excursion_id}"


class ExcursionVialDecision(models.Model):
    """The decision for one flagged vial, and its status before and after. A vial that had
    already left the bank (distributed, thawed, destroyed) gets no decision."""

    review = models.ForeignKey(
        ExcursionReview,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("review"),
    )
    flagged = models.OneToOneField(
        "equipment.ExcursionVial",
        on_delete=models.PROTECT,
        related_name="decision",
        verbose_name=_("flagged vial"),
    )
    decision = models.CharField(
        _("decision"), max_length=8, choices=Disposition.choices, blank=True
    )
    status_before = models.CharField(_("status before"), max_length=16)
    status_after = models.CharField(_("status after"), max_length=16)

    class Meta:
        verbose_name = _("excursion vial decision")
        verbose_name_plural = _("excursion vial decisions")
        ordering = ["review_id", "flagged_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="") | Q(decision__in=Disposition.values),
                name="excursion_decision_known",
            ),
        ]
