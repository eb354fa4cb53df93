"""Populations and their haplotype frequency sets (issue 15).

A `Population` (Han Chinese of a region, CAU ...) selects the haplotype frequency set that
imputes the typings of the patients, cord units and adult donors that carry it; one population is
the network's default, used for everyone whose population is not given. A `HaplotypeSet` is one
version of a population's set, kept as loaded (the file's bytes and their SHA-256) with its
provenance: source, sample size, the IPD-IMGT/HLA release it was validated against, the typing
resolution found in its names. Versions are history: the database refuses to change or delete
them; loading a new version replaces the set in use (the newest version is the one in use).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stemhub.core.models import HistoryEvent
from stemhub.core.names import BilingualName


class Resolution(models.TextChoices):
    TWO_FIELD = "two_field", _("Two-field alleles")
    G_GROUP = "g_group", _("G groups")
    P_GROUP = "p_group", _("P groups")


class FileFormat(models.TextChoices):
    CSV = "csv", _("CSV (haplotype,count,frequency)")
    HAPLOMAT = "haplomat", _("Hapl-o-Mat output")


class Population(BilingualName, models.Model):
    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        help_text=_(
            "2 to 16 capital letters, digits or hyphens, starting with a letter: CAU, CHN-S"
        ),
    )
    name = models.CharField(_("name (English)"), max_length=120, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(
        _("default population"),
        default=False,
        help_text=_("Used for every patient, unit and donor whose population is not given"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("population")
        verbose_name_plural = _("populations")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z][A-Z0-9-]{1,15}$"), name="population_code_pattern"
            ),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_population"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.display_name})"

    @property
    def english_name(self) -> str:
        return self.name

    @property
    def chinese_name(self) -> str:
        return self.name_zh


class HaplotypeSet(HistoryEvent):
    """One version of a population's haplotype frequency set, as loaded (``actor`` loaded it,
    ``note`` says why)."""

    population = models.ForeignKey(
        Population, on_delete=models.PROTECT, related_name="sets", verbose_name=_("population")
    )
    version = models.PositiveIntegerField(_("version"))
    source = models.CharField(
        _("source"),
        max_length=300,
        help_text=_("Where the frequencies come from: study, registry, publication or DOI"),
    )
    sample_size = models.PositiveIntegerField(
        _("sample size (people)"),
        null=True,
        blank=True,
        help_text=_("How many people the frequencies were estimated from"),
    )
    imgt_release = models.CharField(_("IPD-IMGT/HLA release"), max_length=16)
    resolution = models.CharField(_("resolution"), max_length=16, choices=Resolution.choices)
    loci = models.CharField(_("loci"), max_length=100)
    haplotype_count = models.PositiveIntegerField(_("haplotypes"))
    frequency_sum = models.FloatField(_("sum of frequencies"))
    file_format = models.CharField(
        _("file format"), max_length=16, choices=FileFormat.choices, default=FileFormat.CSV
    )
    filename = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    content = models.BinaryField(_("content"))

    class Meta:
        ordering = ["population", "-version"]
        verbose_name = _("haplotype frequency set")
        verbose_name_plural = _("haplotype frequency sets")
        constraints = [
            models.UniqueConstraint(
                fields=["population", "version"], name="one_haplotype_set_per_version"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="haplotype_set_version_1"),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="haplotype_set_sha256_hex"
            ),
            models.CheckConstraint(
                condition=Q(resolution__in=[r.value for r in Resolution]),
                name="haplotype_set_resolution_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.population.code} v{self.version}"

    @property
    def label(self) -> str:
        return f"{self.population.code} v{self.version}"
