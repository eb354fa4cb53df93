"""The hPSC registry: lines, donors, derivation, ethics, characterisation and their history.

Field groups follow hPSCreg's export (domain guide §2) so that exchange maps one to one.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from stemhub.accounts.models import Institution
from stemhub.core.models import HistoryEvent
from stemhub.registry.naming import HUMAN, TypeLetter


class LineType(models.TextChoices):
    # hPSCreg registers human lines only (hESC, hiPSC); Cellosaurus files any species' line as
    # "Embryonic stem cell" or "Induced pluripotent stem cell" with a species field, as `ESC`
    # and `iPSC` do here. Nuclear-transfer and parthenogenetic ESC name no species.
    HESC = "hESC", _("Human embryonic stem cell (hESC)")
    NT_ESC = "NT-ESC", _("Nuclear-transfer ESC (NT-ESC)")
    PARTHENOGENETIC_ESC = "pESC", _("Parthenogenetic ESC")
    HIPSC = "hiPSC", _("Human induced pluripotent stem cell (hiPSC)")
    ESC = "ESC", _("Embryonic stem cell, non-human (ESC)")
    IPSC = "iPSC", _("Induced pluripotent stem cell, non-human (iPSC)")

    @classmethod
    def name_letter(cls, value: str) -> TypeLetter:
        """The type letter of an hPSCreg standard name: `i` induced, `e` embryonic."""
        return "i" if value in (cls.HIPSC, cls.IPSC) else "e"

    @classmethod
    def of(cls, *, induced: bool, species: str) -> "LineType":
        """The type of an induced or embryonic line of `species`."""
        if species == HUMAN:
            return cls.HIPSC if induced else cls.HESC
        return cls.IPSC if induced else cls.ESC


HUMAN_ONLY_TYPES = (LineType.HESC, LineType.HIPSC)
NON_HUMAN_TYPES = (LineType.ESC, LineType.IPSC)
TYPE_SPECIES_RULE = _("hESC and hiPSC are human lines; a line of another species is ESC or iPSC.")


def type_species_problem(line_type: str, species: str) -> str:
    """Why this type does not fit this species ('' when it does)."""
    human = species == HUMAN
    if (line_type in HUMAN_ONLY_TYPES and not human) or (line_type in NON_HUMAN_TYPES and human):
        return str(TYPE_SPECIES_RULE)
    return ""


class Source(models.TextChoices):
    OWN = "own", _("Registered here")
    HPSCREG = "hpscreg", "hPSCreg"
    CELLOSAURUS = "cellosaurus", "Cellosaurus"


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("curation status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("curation status", "Submitted")
    IN_REVIEW = "in_review", pgettext_lazy("curation status", "In review")
    RETURNED = "returned", pgettext_lazy("curation status", "Returned")
    PUBLISHED = "published", pgettext_lazy("curation status", "Published")


class Availability(models.TextChoices):
    NOT_AVAILABLE = "not_available", pgettext_lazy("availability of a line", "Not available")
    AVAILABLE = "available", pgettext_lazy("availability of a line", "Available")
    EXPAND_TO_ORDER = "expand_to_order", pgettext_lazy("availability of a line", "Expand to order")
    RESTRICTED = "restricted", pgettext_lazy("availability of a line", "Restricted distribution")
    RECALLED = "recalled", pgettext_lazy("availability of a line", "Recalled")
    WITHDRAWN = "withdrawn", pgettext_lazy("availability of a line", "Withdrawn")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", _("Unknown")


class DerivationMethod(models.TextChoices):
    EMBRYO = "embryo", _("From embryo")
    SCNT = "scnt", _("Somatic cell nuclear transfer")
    PARTHENOGENESIS = "parthenogenesis", _("Parthenogenesis")
    REPROGRAMMING = "reprogramming", _("Reprogramming")


class Vector(models.TextChoices):
    SENDAI = "sendai", _("Sendai virus")
    EPISOMAL = "episomal", _("Episomal plasmid")
    MRNA = "mrna", "mRNA"
    LENTIVIRAL = "lentiviral", _("Lentivirus")
    RETROVIRAL = "retroviral", _("Retrovirus")
    OTHER = "other", _("Other")
    NONE = "none", _("Vector-free")


INTEGRATING_VECTORS = frozenset({Vector.LENTIVIRAL, Vector.RETROVIRAL})

AGE_BINS = [f"{start}-{start + 4}" for start in range(0, 100, 5)] + ["100+", "embryo", "fetus"]
AGE_BIN_CHOICES: list[tuple[str, StrOrPromise]] = [
    *((b, b) for b in AGE_BINS if b[0].isdigit()),
    ("embryo", _("embryo")),
    ("fetus", _("fetus")),
]

SPECIES = [
    ("Homo sapiens", _("Human")),
    ("Mus musculus", _("Mouse")),
    ("Macaca mulatta", _("Rhesus macaque")),
    ("Macaca fascicularis", _("Crab-eating macaque")),
    ("Callithrix jacchus", _("Marmoset")),
    ("Oryctolagus cuniculus", _("Rabbit")),
    ("Rattus norvegicus", _("Rat")),
    ("Sus scrofa", _("Pig")),
    ("Bos taurus", _("Cattle")),
    ("Pan troglodytes", _("Chimpanzee")),
]


class Donor(models.Model):
    """One person (or embryo) from whom one or more lines were derived."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="donors"
    )
    code = models.CharField(
        verbose_name=_("donor code"),
        max_length=64,
        help_text=_("The provider's own donor reference"),
    )
    species = models.CharField(verbose_name=_("species"), max_length=64, default=HUMAN)
    sex = models.CharField(
        verbose_name=_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN
    )
    age_bin = models.CharField(
        verbose_name=_("age at sampling"), max_length=8, choices=AGE_BIN_CHOICES, blank=True
    )
    ethnicity = models.CharField(verbose_name=_("ethnicity / ancestry"), max_length=100, blank=True)
    family_history = models.TextField(verbose_name=_("family history"), blank=True)
    medical_history = models.TextField(verbose_name=_("medical history"), blank=True)
    hla_typing = models.TextField(
        verbose_name=_("HLA typing"), blank=True, help_text=_("GL string")
    )
    name_donor_number = models.CharField(
        verbose_name=_("donor number in names"),
        max_length=3,
        blank=True,
        help_text=_("Donor number used in the standard names of its lines"),
    )

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="donor_code_unique"),
            models.CheckConstraint(
                condition=Q(age_bin="") | Q(age_bin__in=AGE_BINS), name="donor_age_bin_known"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(provider)s donor %(code)s") % {
            "provider": self.institution.provider_code,
            "code": self.code,
        }


class DonorDisease(models.Model):
    class Ontology(models.TextChoices):
        DOID = "DOID", _("Disease Ontology")
        EFO = "EFO", _("Experimental Factor Ontology")
        NCIT = "NCIt", _("NCI Thesaurus")
        ICD10 = "ICD-10", "ICD-10"
        MONDO = "MONDO", "Mondo"
        ORPHANET = "ORDO", "Orphanet"

    donor = models.ForeignKey(
        Donor, verbose_name=_("donor"), on_delete=models.CASCADE, related_name="diseases"
    )
    ontology = models.CharField(verbose_name=_("ontology"), max_length=8, choices=Ontology.choices)
    term_id = models.CharField(
        verbose_name=_("term id"),
        max_length=32,
        help_text=_("e.g. DOID:1307, EFO_0000249, C3171, G30.9"),
    )
    label = models.CharField(verbose_name=_("label"), max_length=200)
    affected = models.BooleanField(
        verbose_name=_("affected"), default=True, help_text=_("Affected (true) or carrier (false)")
    )
    primary = models.BooleanField(verbose_name=_("primary"), default=True)

    class Meta:
        verbose_name = _("donor disease")
        verbose_name_plural = _("donor diseases")
        constraints = [
            models.UniqueConstraint(
                fields=["donor", "ontology", "term_id"], name="donor_disease_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.term_id})"


class CellLine(models.Model):
    # General
    name = models.CharField(
        verbose_name=_("standard name"), max_length=64, unique=True, help_text=_("Standard name")
    )
    # The standard name is a code (hPSCreg's, in Latin letters); Chinese readers also know a
    # line by a descriptive name, which the catalogue search finds by any part of it.
    name_zh = models.CharField(
        _("Chinese name"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_("The line's name in Chinese, e.g. 帕金森病患者来源诱导多能干细胞系."),
    )
    line_type = models.CharField(
        verbose_name=_("line type"), max_length=8, choices=LineType.choices
    )
    species = models.CharField(verbose_name=_("species"), max_length=64, default=HUMAN)
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="cell_lines",
        help_text=_("The institution whose staff manage this record"),
    )
    donor = models.ForeignKey(
        Donor,
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        related_name="cell_lines",
        null=True,
        blank=True,
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent line"),
        on_delete=models.PROTECT,
        related_name="subclones",
        null=True,
        blank=True,
    )
    source = models.CharField(
        verbose_name=_("source"), max_length=16, choices=Source.choices, default=Source.OWN
    )
    external_accession = models.CharField(
        verbose_name=_("external accession"), max_length=32, blank=True
    )
    external_release = models.CharField(
        verbose_name=_("external release"), max_length=32, blank=True
    )
    status = models.CharField(
        verbose_name=_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    availability = models.CharField(
        verbose_name=_("availability"),
        max_length=16,
        choices=Availability.choices,
        default=Availability.NOT_AVAILABLE,
    )
    clinical_grade = models.BooleanField(verbose_name=_("clinical grade"), default=False)
    description = models.TextField(verbose_name=_("description"), blank=True)

    # Derivation
    derivation_method = models.CharField(
        verbose_name=_("derivation method"),
        max_length=16,
        choices=DerivationMethod.choices,
        blank=True,
    )
    source_cell_type_id = models.CharField(
        verbose_name=_("source cell type id"),
        max_length=32,
        blank=True,
        help_text=_("Cell Ontology id"),
    )
    source_cell_type = models.CharField(
        verbose_name=_("source cell type"), max_length=100, blank=True
    )
    vector = models.CharField(
        verbose_name=_("vector"), max_length=16, choices=Vector.choices, blank=True
    )
    vector_integrating = models.BooleanField(
        verbose_name=_("vector integrating"), null=True, blank=True
    )
    vector_excisable = models.BooleanField(
        verbose_name=_("vector excisable"), null=True, blank=True
    )
    vector_absence_confirmed = models.BooleanField(
        verbose_name=_("vector absence confirmed"), null=True, blank=True
    )
    reprogramming_factors = models.JSONField(
        verbose_name=_("reprogramming factors"), default=list, blank=True
    )
    derivation_date = models.DateField(verbose_name=_("derivation date"), null=True, blank=True)
    passage_at_reprogramming = models.PositiveIntegerField(
        verbose_name=_("passage at reprogramming"), null=True, blank=True
    )
    derivation_country = models.CharField(
        verbose_name=_("derivation country"), max_length=2, blank=True
    )
    derivation_gmp = models.BooleanField(verbose_name=_("derived under GMP"), default=False)

    # Culture
    culture_medium = models.CharField(verbose_name=_("culture medium"), max_length=200, blank=True)
    surface_coating = models.CharField(
        verbose_name=_("surface coating"), max_length=100, blank=True
    )
    feeder_cells = models.CharField(verbose_name=_("feeder cells"), max_length=100, blank=True)
    passage_method = models.CharField(verbose_name=_("passage method"), max_length=100, blank=True)
    o2_concentration = models.CharField(
        verbose_name=_("O₂ concentration"), max_length=16, blank=True
    )
    co2_concentration = models.CharField(
        verbose_name=_("CO₂ concentration"), max_length=16, blank=True
    )

    # Ethics and consent
    consent_obtained = models.BooleanField(
        verbose_name=_("consent obtained"), null=True, blank=True
    )
    consent_reference = models.CharField(
        verbose_name=_("consent reference"), max_length=200, blank=True
    )
    ethics_approval = models.CharField(
        verbose_name=_("ethics approval"), max_length=200, blank=True
    )
    ethics_approval_date = models.DateField(
        verbose_name=_("ethics approval date"),
        null=True,
        blank=True,
        help_text=_("When the ethics committee approved the derivation"),
    )
    use_research = models.BooleanField(verbose_name=_("research use permitted"), default=True)
    use_commercial = models.BooleanField(
        verbose_name=_("commercial use permitted"), null=True, blank=True
    )
    use_clinical = models.BooleanField(
        verbose_name=_("clinical use permitted"), null=True, blank=True
    )
    restrictions = models.TextField(verbose_name=_("restrictions"), blank=True)
    managed_access = models.BooleanField(verbose_name=_("managed access"), default=False)
    jurisdiction = models.CharField(verbose_name=_("jurisdiction"), max_length=64, blank=True)

    # Genotype
    hla_typing = models.TextField(
        verbose_name=_("HLA typing"), blank=True, help_text=_("GL string of the line itself")
    )
    str_profile = models.JSONField(
        verbose_name=_("STR profile"),
        default=dict,
        blank=True,
        help_text=_('Locus → alleles, e.g. {"TH01": ["6", "9.3"]}'),
    )
    genome_wide_analysis = models.TextField(verbose_name=_("genome wide analysis"), blank=True)

    created_at = models.DateTimeField(
        verbose_name=_("created at"), default=timezone.now, editable=False
    )
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)
    published_at = models.DateTimeField(verbose_name=_("published at"), null=True, blank=True)
    version = models.PositiveIntegerField(
        verbose_name=_("version"), default=0, help_text=_("Published versions so far")
    )

    class Meta:
        verbose_name = _("cell line")
        verbose_name_plural = _("cell lines")
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "availability"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(line_type__in=[t.value for t in LineType]), name="line_type_known"
            ),
            models.CheckConstraint(
                condition=(~Q(line_type__in=[t.value for t in HUMAN_ONLY_TYPES]) | Q(species=HUMAN))
                & (~Q(line_type__in=[t.value for t in NON_HUMAN_TYPES]) | ~Q(species=HUMAN)),
                name="line_type_fits_species",
                violation_error_message=TYPE_SPECIES_RULE,
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="line_status_known"
            ),
            models.CheckConstraint(
                condition=Q(availability__in=[a.value for a in Availability]),
                name="line_availability_known",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="line_not_its_own_parent"
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | ~Q(status=Status.DRAFT),
                name="line_published_has_left_draft",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # named on the field here; the database constraint `line_type_fits_species` backs it
        if problem := type_species_problem(self.line_type, self.species):
            raise ValidationError({"line_type": problem})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def genetically_modified(self) -> bool:
        return self.modifications.exists()


class Synonym(models.Model):
    line = models.ForeignKey(
        CellLine, verbose_name=_("cell line"), on_delete=models.CASCADE, related_name="synonyms"
    )
    name = models.CharField(verbose_name=_("name"), max_length=100, db_index=True)

    class Meta:
        verbose_name = _("synonym")
        verbose_name_plural = _("synonyms")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["line", "name"], name="synonym_once")]

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    class ProviderRole(models.TextChoices):
        GENERATOR = "generator", _("Generator")
        OWNER = "owner", _("Owner")
        DISTRIBUTOR = "distributor", _("Distributor")

    line = models.ForeignKey(
        CellLine, verbose_name=_("cell line"), on_delete=models.CASCADE, related_name="providers"
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(verbose_name=_("role"), max_length=16, choices=ProviderRole.choices)

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        constraints = [
            models.UniqueConstraint(
                fields=["line", "institution", "role"], name="provider_role_once"
            )
        ]


class Karyotype(models.Model):
    line = models.ForeignKey(
        CellLine, verbose_name=_("cell line"), on_delete=models.CASCADE, related_name="karyotypes"
    )
    karyotype = models.CharField(
        verbose_name=_("karyotype"), max_length=200, help_text=_("ISCN, e.g. 46,XX")
    )
    method = models.CharField(
        verbose_name=_("method"),
        max_length=64,
        blank=True,
        help_text=_("G-banding, SNP array, ..."),
    )
    passage = models.PositiveIntegerField(verbose_name=_("passage"), null=True, blank=True)
    normal = models.BooleanField(verbose_name=_("normal"), null=True, blank=True)

    class Meta:
        verbose_name = _("karyotype")
        verbose_name_plural = _("karyotypes")


class MarkerResult(models.Model):
    class Result(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEGATIVE = "negative", _("Negative")

    line = models.ForeignKey(
        CellLine, verbose_name=_("cell line"), on_delete=models.CASCADE, related_name="markers"
    )
    marker = models.CharField(verbose_name=_("marker"), max_length=64)
    method = models.CharField(
        verbose_name=_("method"),
        max_length=64,
        help_text=_("Flow cytometry, immunostaining, qPCR..."),
    )
    result = models.CharField(verbose_name=_("result"), max_length=8, choices=Result.choices)
    percent_positive = models.DecimalField(
        verbose_name=_("% positive"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("marker result")
        verbose_name_plural = _("marker results")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_positive__isnull=True)
                | Q(percent_positive__gte=0, percent_positive__lte=100),
                name="marker_percent_0_to_100",
            )
        ]


class PluriTest(models.Model):
    line = models.ForeignKey(
        CellLine, verbose_name=_("cell line"), on_delete=models.CASCADE, related_name="pluritests"
    )
    pluripotency_score = models.FloatField(verbose_name=_("pluripotency score"))
    novelty_score = models.FloatField(verbose_name=_("novelty score"))
    passage = models.PositiveIntegerField(verbose_name=_("passage"), null=True, blank=True)

    class Meta:
        verbose_name = _("PluriTest result")
        verbose_name_plural = _("PluriTest results")


class GermLayer(models.TextChoices):
    ENDODERM = "endoderm", _("Endoderm")
    MESODERM = "mesoderm", _("Mesoderm")
    ECTODERM = "ectoderm", _("Ectoderm")


class Differentiation(models.Model):
    class Mode(models.TextChoices):
        IN_VIVO = "in_vivo", _("In vivo (teratoma)")
        IN_VITRO_SPONTANEOUS = "in_vitro_spontaneous", _("In vitro, spontaneous")
        IN_VITRO_DIRECTED = "in_vitro_directed", _("In vitro, directed")

    line = models.ForeignKey(
        CellLine,
        verbose_name=_("cell line"),
        on_delete=models.CASCADE,
        related_name="differentiations",
    )
    germ_layer = models.CharField(
        verbose_name=_("germ layer"), max_length=8, choices=GermLayer.choices
    )
    mode = models.CharField(
        verbose_name=pgettext_lazy("differentiation", "mode"), max_length=24, choices=Mode.choices
    )
    cell_types = models.CharField(verbose_name=_("cell types"), max_length=200, blank=True)
    markers = models.CharField(verbose_name=_("markers"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("differentiation")
        verbose_name_plural = _("differentiations")


class OmicsDataset(models.Model):
    class Kind(models.TextChoices):
        GENOME = "genome", _("Genome")
        EPIGENOME = "epigenome", _("Epigenome")
        TRANSCRIPTOME = "transcriptome", _("Transcriptome")
        PROTEOME = "proteome", _("Proteome")

    line = models.ForeignKey(
        CellLine, verbose_name=_("cell line"), on_delete=models.CASCADE, related_name="omics"
    )
    kind = models.CharField(verbose_name=_("kind"), max_length=16, choices=Kind.choices)
    repository = models.CharField(
        verbose_name=_("repository"), max_length=64, help_text=_("EGA, ENA, GEO, PRIDE, ...")
    )
    accession = models.CharField(verbose_name=_("accession"), max_length=64)
    checksum = models.CharField(verbose_name=_("checksum"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("omics dataset")
        verbose_name_plural = _("omics datasets")


class GeneticModification(models.Model):
    class Zygosity(models.TextChoices):
        HETEROZYGOUS = "heterozygous", _("Heterozygous")
        HOMOZYGOUS = "homozygous", _("Homozygous")
        HEMIZYGOUS = "hemizygous", _("Hemizygous")
        COMPOUND = "compound_heterozygous", _("Compound heterozygous")

    class Kind(models.TextChoices):
        VARIANT = "variant", _("Variant (introduced or corrected)")
        KNOCK_IN = "knock_in", _("Knock-in")
        KNOCK_OUT = "knock_out", _("Knock-out")
        TRANSGENE = "transgene", _("Transgene")
        ISOGENIC = "isogenic", _("Isogenic correction")

    line = models.ForeignKey(
        CellLine,
        verbose_name=_("cell line"),
        on_delete=models.CASCADE,
        related_name="modifications",
    )
    kind = models.CharField(
        verbose_name=_("kind"), max_length=16, choices=Kind.choices, default=Kind.VARIANT
    )
    gene = models.CharField(verbose_name=_("gene"), max_length=32)
    hgvs = models.CharField(verbose_name=_("HGVS variant"), max_length=200, blank=True)
    zygosity = models.CharField(
        verbose_name=_("zygosity"), max_length=24, choices=Zygosity.choices, blank=True
    )
    method = models.CharField(
        verbose_name=_("method"), max_length=64, blank=True, help_text=_("CRISPR/Cas9, TALEN, ...")
    )
    isogenic_control = models.ForeignKey(
        CellLine,
        verbose_name=_("isogenic control"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("genetic modification")
        verbose_name_plural = _("genetic modifications")


class ClinicalStudy(models.Model):
    line = models.ForeignKey(
        CellLine,
        verbose_name=_("cell line"),
        on_delete=models.CASCADE,
        related_name="clinical_studies",
    )
    nct_id = models.CharField(verbose_name=_("NCT id"), max_length=11)
    title = models.CharField(verbose_name=_("title"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("clinical study")
        verbose_name_plural = _("clinical studies")
        constraints = [
            models.CheckConstraint(
                condition=Q(nct_id__regex=r"^NCT[0-9]{8}$"), name="clinical_study_nct_id_format"
            ),
            models.UniqueConstraint(fields=["line", "nct_id"], name="clinical_study_once"),
        ]


class Publication(models.Model):
    line = models.ForeignKey(
        CellLine, verbose_name=_("cell line"), on_delete=models.CASCADE, related_name="publications"
    )
    pmid = models.CharField(verbose_name=_("PMID"), max_length=12, blank=True)
    doi = models.CharField(verbose_name=_("DOI"), max_length=200, blank=True)
    title = models.CharField(verbose_name=_("title"), max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(
        verbose_name=_("year"), null=True, blank=True, help_text=_("Year published")
    )

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.CheckConstraint(
                condition=~Q(pmid="") | ~Q(doi=""), name="publication_has_pmid_or_doi"
            )
        ]


class CrossReference(models.Model):
    URL_TEMPLATES = {
        "hPSCreg": "https://hpscreg.eu/cell-line/{}",
        "Cellosaurus": "https://www.cellosaurus.org/{}",
        "BioSamples": "https://www.ebi.ac.uk/biosamples/samples/{}",
        "EBiSC": "https://cells.ebisc.org/{}",
        "Wikidata": "https://www.wikidata.org/wiki/{}",
    }

    line = models.ForeignKey(
        CellLine, verbose_name=_("cell line"), on_delete=models.CASCADE, related_name="xrefs"
    )
    database = models.CharField(verbose_name=_("database"), max_length=32)
    accession = models.CharField(verbose_name=_("accession"), max_length=100)

    class Meta:
        verbose_name = _("cross-reference")
        verbose_name_plural = _("cross-references")
        ordering = ["database", "accession"]
        constraints = [
            models.UniqueConstraint(fields=["line", "database", "accession"], name="xref_once")
        ]
        indexes = [models.Index(fields=["database", "accession"])]

    @property
    def url(self) -> str | None:
        template = self.URL_TEMPLATES.get(self.database)
        return template.format(self.accession) if template else None


class DerivedProduct(models.Model):
    """A differentiated product made from a line: a lineage record parent → product."""

    class Kind(models.TextChoices):
        NEURAL_PROGENITORS = "neural_progenitors", _("Neural progenitors")
        NEURONS = "neurons", _("Neurons")
        RPE = "rpe", _("Retinal pigment epithelium")
        CARDIOMYOCYTES = "cardiomyocytes", _("Cardiomyocytes")
        HEPATOCYTES = "hepatocytes", _("Hepatocytes")
        MSC = "msc", _("Mesenchymal stromal cells")
        OTHER = "other", _("Other")

    line = models.ForeignKey(
        CellLine, verbose_name=_("cell line"), on_delete=models.PROTECT, related_name="products"
    )
    kind = models.CharField(verbose_name=_("kind"), max_length=24, choices=Kind.choices)
    name = models.CharField(verbose_name=_("name"), max_length=100)
    protocol = models.TextField(verbose_name=_("protocol"), blank=True)
    markers = models.CharField(verbose_name=_("markers"), max_length=200, blank=True)
    clinical_grade = models.BooleanField(verbose_name=_("clinical grade"), default=False)
    created_at = models.DateTimeField(
        verbose_name=_("created at"), default=timezone.now, editable=False
    )

    class Meta:
        verbose_name = _("differentiated product")
        verbose_name_plural = _("differentiated products")
        constraints = [models.UniqueConstraint(fields=["line", "name"], name="product_name_once")]


# History: explicit event rows written by the services that did the work.


class CurationEvent(HistoryEvent):
    line = models.ForeignKey(
        CellLine,
        verbose_name=_("cell line"),
        on_delete=models.CASCADE,
        related_name="curation_events",
    )
    from_status = models.CharField(
        verbose_name=_("from status"), max_length=16, choices=Status.choices
    )
    to_status = models.CharField(verbose_name=_("to status"), max_length=16, choices=Status.choices)

    class Meta:
        verbose_name = _("curation event")
        verbose_name_plural = _("curation events")
        ordering = ["at", "id"]


# The reason of version 1 when the curator gives none: stored in English, as the history keeps
# it, and shown in the reader's language (`selectors.line_history`).
PUBLISHED_AFTER_REVIEW = gettext_noop("Published after review")


class LineVersion(HistoryEvent):
    """One change to a published line: who, when, why, and each field's old → new value."""

    line = models.ForeignKey(
        CellLine, verbose_name=_("cell line"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(verbose_name=_("version number"))
    changes = models.JSONField(verbose_name=_("changes"), help_text=_('{"field": [old, new], ...}'))

    class Meta:
        verbose_name = _("line version")
        verbose_name_plural = _("line versions")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["line", "number"], name="line_version_number_once"),
            models.CheckConstraint(condition=~Q(note=""), name="line_version_has_reason"),
        ]


class AvailabilityChange(HistoryEvent):
    line = models.ForeignKey(
        CellLine,
        verbose_name=_("cell line"),
        on_delete=models.CASCADE,
        related_name="availability_changes",
    )
    from_availability = models.CharField(
        verbose_name=_("from availability"), max_length=16, choices=Availability.choices
    )
    to_availability = models.CharField(
        verbose_name=_("to availability"), max_length=16, choices=Availability.choices
    )

    class Meta:
        verbose_name = _("availability change")
        verbose_name_plural = _("availability changes")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(to_availability__in=[Availability.RECALLED, Availability.WITHDRAWN])
                | ~Q(note=""),
                name="recall_and_withdrawal_need_a_reason",
            )
        ]


# Standard names: every name ever issued, so none is issued twice.


class NameCounter(models.Model):
    """The last donor number issued for a provider code and type letter; locked to allocate."""

    provider_code = models.CharField(verbose_name=_("provider code"), max_length=5)
    type_letter = models.CharField(verbose_name=_("type letter"), max_length=1)
    last_donor_number = models.PositiveIntegerField(verbose_name=_("last donor number"), default=0)

    class Meta:
        verbose_name = _("name counter")
        verbose_name_plural = _("name counters")
        constraints = [
            models.UniqueConstraint(
                fields=["provider_code", "type_letter"], name="name_counter_once"
            ),
            models.CheckConstraint(
                condition=Q(type_letter__in=["i", "e"]), name="name_counter_type_letter"
            ),
            models.CheckConstraint(
                condition=Q(last_donor_number__lte=999), name="name_counter_three_digits"
            ),
        ]


class IssuedName(models.Model):
    name = models.CharField(verbose_name=_("name"), max_length=15, unique=True)
    provider_code = models.CharField(verbose_name=_("provider code"), max_length=5)
    type_letter = models.CharField(verbose_name=_("type letter"), max_length=1)
    donor_number = models.CharField(verbose_name=_("donor number"), max_length=3)
    clone_letter = models.CharField(verbose_name=_("clone letter"), max_length=1)
    subclone_of = models.CharField(verbose_name=_("subclone of"), max_length=15, blank=True)
    issued_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the server's command line issued it"),
    )
    issued_at = models.DateTimeField(
        verbose_name=pgettext_lazy("a standard name", "issued at"), default=timezone.now
    )

    class Meta:
        verbose_name = _("issued name")
        verbose_name_plural = _("issued names")
        indexes = [models.Index(fields=["provider_code", "type_letter", "donor_number"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(type_letter__in=["i", "e"]), name="issued_name_type_letter"
            )
        ]
