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


class Category(models.TextChoices):
    SAFETY = "safety", "Microbial and viral safety"
    IDENTITY = "identity", "Identity"
    GENETIC = "genetic", "Genetic stability"
    PLURIPOTENCY = "pluripotency", "Pluripotency"
    VECTOR = "vector", "Residual vector"
    VIABILITY = "viability", "Post-thaw viability and recovery"
    HLA = "hla", "HLA typing"


class SpecKind(models.TextChoices):
    QUALITATIVE = "qualitative", "Qualitative"
    QUANTITATIVE = "quantitative", "Quantitative"
    STR_IDENTITY = "str_identity", "STR identity (Tanabe score against the parent line)"


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

    code = models.SlugField(max_length=40)
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=16, choices=Category.choices)
    method = models.CharField(max_length=200)
    spec_kind = models.CharField(max_length=16, choices=SpecKind.choices)
    allowed_results = models.JSONField(default=list, blank=True)
    accepted_results = models.JSONField(default=list, blank=True)
    unit = models.CharField(max_length=32, blank=True)
    lower_limit = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    lower_inclusive = models.BooleanField(default=True)
    upper_limit = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    upper_inclusive = models.BooleanField(default=True)
    required_tiers = models.JSONField(
        default=list, blank=True, help_text="Bank tiers that need this test for release"
    )
    clinical_only = models.BooleanField(default=False)
    for_products = models.BooleanField(
        default=True, help_text="Also required for banks of differentiated products"
    )
    current = models.BooleanField(default=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    change_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
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
    def specification(self) -> str:
        """The acceptance criterion as a reader sees it: `≤ 5 EU/mL`, `negative`."""
        if self.spec_kind == SpecKind.QUALITATIVE:
            return " or ".join(self.accepted_results)
        if self.spec_kind == SpecKind.STR_IDENTITY:
            return f"Tanabe ≥ {_number(self.lower_limit)} % against the parent line"
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
        return f"any value{unit}"


def _number(value: object) -> str:
    text = f"{value}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class RawFile(models.Model):
    """The instrument's raw output for a result, kept as bytes with its checksum. A table of
    its own so the audit trail and list queries never carry the bytes."""

    sha256 = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField()
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="raw_file_sha256_hex"
            )
        ]


class StrFlag(models.TextChoices):
    NONE = "", "—"
    RELATED = "str_related", "STR related to parent line (Tanabe 80–90 %)"
    MISMATCH = "str_mismatch", "STR mismatch with parent line"


class QcResult(models.Model):
    """One test performed on a bank, judged against the specification version `test`."""

    bank = models.ForeignKey(CellBank, on_delete=models.PROTECT, related_name="qc_results")
    test = models.ForeignKey(QcTest, on_delete=models.PROTECT, related_name="results")
    value_text = models.TextField(
        blank=True, help_text="The qualitative result, or the STR profile"
    )
    value_number = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    unit = models.CharField(max_length=32, blank=True)
    method = models.CharField(max_length=200)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    instrument = models.ForeignKey(
        "equipment.Equipment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="qc_results",
    )
    tested_on = models.DateField()
    raw_file = models.ForeignKey(
        RawFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    raw_sha256 = models.CharField(max_length=64, blank=True)
    passed = models.BooleanField()
    flag = models.CharField(max_length=16, choices=StrFlag.choices, blank=True)
    str_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    judgement = models.CharField(
        max_length=300, blank=True, help_text="Why it passed or failed, in words"
    )
    comment = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    corrected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
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
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    bank = models.ForeignKey(CellBank, on_delete=models.PROTECT, related_name="nonconformities")
    result = models.ForeignKey(
        QcResult, on_delete=models.PROTECT, null=True, blank=True, related_name="nonconformities"
    )
    description = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    capa = models.TextField(blank=True, help_text="Corrective and preventive action")
    closure_reason = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_signature = models.OneToOneField(
        "Signature",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nonconformity",
        help_text="QA's signature of the closure (none on closures before it was asked)",
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name_plural = "nonconformities"
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


class Signature(models.Model):
    """An electronic signature (21 CFR 11.50/11.70): who (printed name), when, what it means,
    and the sha256 of the canonical record signed (`record`, kept verbatim)."""

    class Meaning(models.TextChoices):
        RELEASE = "approved for release", "Approved for release"
        EXCURSION = "excursion disposition approved", "Excursion disposition approved"
        NC_CLOSURE = "nonconformity closure approved", "Nonconformity closure approved"

    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField(default=timezone.now)
    meaning = models.CharField(max_length=40, choices=Meaning.choices)
    record_hash = models.CharField(max_length=64)
    record = models.TextField(help_text="The canonical JSON that was hashed")
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(record_hash__regex=r"^[0-9a-f]{64}$"), name="signature_hash_hex"
            ),
            models.CheckConstraint(condition=~Q(printed_name=""), name="signature_printed_name"),
        ]


class Release(models.Model):
    """A bank released for use and distribution, until a later result invalidates it."""

    bank = models.ForeignKey(CellBank, on_delete=models.PROTECT, related_name="releases")
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, related_name="release")
    released_at = models.DateTimeField(default=timezone.now)
    invalidated_at = models.DateTimeField(null=True, blank=True)
    invalidated_reason = models.TextField(blank=True)

    class Meta:
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

    release = models.OneToOneField(Release, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(max_length=100, unique=True, help_text="COA-<bank code>-<n>")
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)
    public = models.BooleanField(default=True)
    language = models.CharField(
        pgettext_lazy("certificate", "language"),
        max_length=16,
        choices=CertificateLanguage.choices,
        default=CertificateLanguage.ENGLISH,
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=CertificateLanguage.values),
                name="certificate_language_known",
            )
        ]

    def __str__(self) -> str:
        return self.number


class QcEvent(models.Model):
    """The bank's quality history, written by the service that did the work."""

    class Kind(models.TextChoices):
        RESULT = "result", "Result recorded"
        CORRECTION = "correction", "Result corrected"
        NC_OPENED = "nc_opened", "Nonconformity opened"
        NC_CLOSED = "nc_closed", "Nonconformity closed"
        RELEASED = "released", "Released"
        INVALIDATED = "invalidated", "Release invalidated"
        QUARANTINED = "quarantined", "Vials quarantined"
        EXCURSION = "excursion", "Excursion disposition"

    bank = models.ForeignKey(CellBank, on_delete=models.PROTECT, related_name="qc_events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    result = models.ForeignKey(
        QcResult, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    nonconformity = models.ForeignKey(
        Nonconformity, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    release = models.ForeignKey(
        Release, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    message = models.TextField(blank=True)

    class Meta:
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
        "equipment.Excursion", on_delete=models.PROTECT, related_name="review"
    )
    impact_assessment = models.TextField()
    signature = models.OneToOneField(
        Signature, on_delete=models.PROTECT, related_name="excursion_review"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
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

    review = models.ForeignKey(ExcursionReview, on_delete=models.PROTECT, related_name="decisions")
    flagged = models.OneToOneField(
        "equipment.ExcursionVial", on_delete=models.PROTECT, related_name="decision"
    )
    decision = models.CharField(max_length=8, choices=Disposition.choices, blank=True)
    status_before = models.CharField(max_length=16)
    status_after = models.CharField(max_length=16)

    class Meta:
        ordering = ["review_id", "flagged_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="") | Q(decision__in=Disposition.values),
                name="excursion_decision_known",
            ),
        ]
