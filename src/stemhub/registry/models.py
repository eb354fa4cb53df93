"""The hPSC registry: lines, donors, derivation, ethics, characterisation and their history.

Field groups follow hPSCreg's export (domain guide §2) so that exchange maps one to one.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.models import Institution
from stemhub.registry.naming import HUMAN, TypeLetter


class LineType(models.TextChoices):
    # hPSCreg registers human lines only (hESC, hiPSC); Cellosaurus files any species' line as
    # "Embryonic stem cell" or "Induced pluripotent stem cell" with a species field, as `ESC`
    # and `iPSC` do here. Nuclear-transfer and parthenogenetic ESC name no species.
    HESC = "hESC", "Human embryonic stem cell (hESC)"
    NT_ESC = "NT-ESC", "Nuclear-transfer ESC (NT-ESC)"
    PARTHENOGENETIC_ESC = "pESC", "Parthenogenetic ESC"
    HIPSC = "hiPSC", "Human induced pluripotent stem cell (hiPSC)"
    ESC = "ESC", "Embryonic stem cell, non-human (ESC)"
    IPSC = "iPSC", "Induced pluripotent stem cell, non-human (iPSC)"

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
    OWN = "own", "Registered here"
    HPSCREG = "hpscreg", "hPSCreg"
    CELLOSAURUS = "cellosaurus", "Cellosaurus"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    RETURNED = "returned", "Returned"
    PUBLISHED = "published", "Published"


class Availability(models.TextChoices):
    NOT_AVAILABLE = "not_available", "Not available"
    AVAILABLE = "available", "Available"
    EXPAND_TO_ORDER = "expand_to_order", "Expand to order"
    RESTRICTED = "restricted", "Restricted distribution"
    RECALLED = "recalled", "Recalled"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    UNKNOWN = "unknown", "Unknown"


class DerivationMethod(models.TextChoices):
    EMBRYO = "embryo", "From embryo"
    SCNT = "scnt", "Somatic cell nuclear transfer"
    PARTHENOGENESIS = "parthenogenesis", "Parthenogenesis"
    REPROGRAMMING = "reprogramming", "Reprogramming"


class Vector(models.TextChoices):
    SENDAI = "sendai", "Sendai virus"
    EPISOMAL = "episomal", "Episomal plasmid"
    MRNA = "mrna", "mRNA"
    LENTIVIRAL = "lentiviral", "Lentivirus"
    RETROVIRAL = "retroviral", "Retrovirus"
    OTHER = "other", "Other"
    NONE = "none", "Vector-free"


INTEGRATING_VECTORS = frozenset({Vector.LENTIVIRAL, Vector.RETROVIRAL})

AGE_BINS = [f"{start}-{start + 4}" for start in range(0, 100, 5)] + ["100+", "embryo", "fetus"]
AGE_BIN_CHOICES = [(b, b) for b in AGE_BINS]

SPECIES = [
    ("Homo sapiens", "Human"),
    ("Mus musculus", "Mouse"),
    ("Macaca mulatta", "Rhesus macaque"),
    ("Macaca fascicularis", "Crab-eating macaque"),
    ("Callithrix jacchus", "Marmoset"),
    ("Oryctolagus cuniculus", "Rabbit"),
    ("Rattus norvegicus", "Rat"),
    ("Sus scrofa", "Pig"),
    ("Bos taurus", "Cattle"),
    ("Pan troglodytes", "Chimpanzee"),
]


class Donor(models.Model):
    """One person (or embryo) from whom one or more lines were derived."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="donors")
    code = models.CharField(max_length=64, help_text="The provider's own donor reference")
    species = models.CharField(max_length=64, default=HUMAN)
    sex = models.CharField(max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    age_bin = models.CharField(max_length=8, choices=AGE_BIN_CHOICES, blank=True)
    ethnicity = models.CharField(max_length=100, blank=True)
    family_history = models.TextField(blank=True)
    medical_history = models.TextField(blank=True)
    hla_typing = models.TextField(blank=True, help_text="GL string")
    name_donor_number = models.CharField(
        max_length=3, blank=True, help_text="Donor number used in the standard names of its lines"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="donor_code_unique"),
            models.CheckConstraint(
                condition=Q(age_bin="") | Q(age_bin__in=AGE_BINS), name="donor_age_bin_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution.provider_code} donor {self.code}"


class DonorDisease(models.Model):
    class Ontology(models.TextChoices):
        DOID = "DOID", "Disease Ontology"
        EFO = "EFO", "Experimental Factor Ontology"
        NCIT = "NCIt", "NCI Thesaurus"
        ICD10 = "ICD-10", "ICD-10"
        MONDO = "MONDO", "Mondo"
        ORPHANET = "ORDO", "Orphanet"

    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="diseases")
    ontology = models.CharField(max_length=8, choices=Ontology.choices)
    term_id = models.CharField(max_length=32, help_text="e.g. DOID:1307, EFO_0000249, C3171, G30.9")
    label = models.CharField(max_length=200)
    affected = models.BooleanField(default=True, help_text="Affected (true) or carrier (false)")
    primary = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["donor", "ontology", "term_id"], name="donor_disease_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.term_id})"


class CellLine(models.Model):
    # General
    name = models.CharField(max_length=64, unique=True, help_text="Standard name")
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
    line_type = models.CharField(max_length=8, choices=LineType.choices)
    species = models.CharField(max_length=64, default=HUMAN)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="cell_lines",
        help_text="The institution whose staff manage this record",
    )
    donor = models.ForeignKey(
        Donor, on_delete=models.PROTECT, related_name="cell_lines", null=True, blank=True
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="subclones", null=True, blank=True
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.OWN)
    external_accession = models.CharField(max_length=32, blank=True)
    external_release = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    availability = models.CharField(
        max_length=16, choices=Availability.choices, default=Availability.NOT_AVAILABLE
    )
    clinical_grade = models.BooleanField(default=False)
    description = models.TextField(blank=True)

    # Derivation
    derivation_method = models.CharField(
        max_length=16, choices=DerivationMethod.choices, blank=True
    )
    source_cell_type_id = models.CharField(max_length=32, blank=True, help_text="Cell Ontology id")
    source_cell_type = models.CharField(max_length=100, blank=True)
    vector = models.CharField(max_length=16, choices=Vector.choices, blank=True)
    vector_integrating = models.BooleanField(null=True, blank=True)
    vector_excisable = models.BooleanField(null=True, blank=True)
    vector_absence_confirmed = models.BooleanField(null=True, blank=True)
    reprogramming_factors = models.JSONField(default=list, blank=True)
    derivation_date = models.DateField(null=True, blank=True)
    passage_at_reprogramming = models.PositiveIntegerField(null=True, blank=True)
    derivation_country = models.CharField(max_length=2, blank=True)
    derivation_gmp = models.BooleanField(default=False)

    # Culture
    culture_medium = models.CharField(max_length=200, blank=True)
    surface_coating = models.CharField(max_length=100, blank=True)
    feeder_cells = models.CharField(max_length=100, blank=True)
    passage_method = models.CharField(max_length=100, blank=True)
    o2_concentration = models.CharField(max_length=16, blank=True)
    co2_concentration = models.CharField(max_length=16, blank=True)

    # Ethics and consent
    consent_obtained = models.BooleanField(null=True, blank=True)
    consent_reference = models.CharField(max_length=200, blank=True)
    ethics_approval = models.CharField(max_length=200, blank=True)
    ethics_approval_date = models.DateField(
        null=True, blank=True, help_text="When the ethics committee approved the derivation"
    )
    use_research = models.BooleanField(default=True)
    use_commercial = models.BooleanField(null=True, blank=True)
    use_clinical = models.BooleanField(null=True, blank=True)
    restrictions = models.TextField(blank=True)
    managed_access = models.BooleanField(default=False)
    jurisdiction = models.CharField(max_length=64, blank=True)

    # Genotype
    hla_typing = models.TextField(blank=True, help_text="GL string of the line itself")
    str_profile = models.JSONField(
        default=dict, blank=True, help_text='Locus → alleles, e.g. {"TH01": ["6", "9.3"]}'
    )
    genome_wide_analysis = models.TextField(blank=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0, help_text="Published versions so far")

    class Meta:
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
    line = models.ForeignKey(CellLine, on_delete=models.CASCADE, related_name="synonyms")
    name = models.CharField(max_length=100, db_index=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["line", "name"], name="synonym_once")]

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    class ProviderRole(models.TextChoices):
        GENERATOR = "generator", "Generator"
        OWNER = "owner", "Owner"
        DISTRIBUTOR = "distributor", "Distributor"

    line = models.ForeignKey(CellLine, on_delete=models.CASCADE, related_name="providers")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16, choices=ProviderRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["line", "institution", "role"], name="provider_role_once"
            )
        ]


class Karyotype(models.Model):
    line = models.ForeignKey(CellLine, on_delete=models.CASCADE, related_name="karyotypes")
    karyotype = models.CharField(max_length=200, help_text="ISCN, e.g. 46,XX")
    method = models.CharField(max_length=64, blank=True, help_text="G-banding, SNP array, ...")
    passage = models.PositiveIntegerField(null=True, blank=True)
    normal = models.BooleanField(null=True, blank=True)


class MarkerResult(models.Model):
    class Result(models.TextChoices):
        POSITIVE = "positive", "Positive"
        NEGATIVE = "negative", "Negative"

    line = models.ForeignKey(CellLine, on_delete=models.CASCADE, related_name="markers")
    marker = models.CharField(max_length=64)
    method = models.CharField(max_length=64, help_text="Flow cytometry, immunostaining, qPCR...")
    result = models.CharField(max_length=8, choices=Result.choices)
    percent_positive = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_positive__isnull=True)
                | Q(percent_positive__gte=0, percent_positive__lte=100),
                name="marker_percent_0_to_100",
            )
        ]


class PluriTest(models.Model):
    line = models.ForeignKey(CellLine, on_delete=models.CASCADE, related_name="pluritests")
    pluripotency_score = models.FloatField()
    novelty_score = models.FloatField()
    passage = models.PositiveIntegerField(null=True, blank=True)


class GermLayer(models.TextChoices):
    ENDODERM = "endoderm", "Endoderm"
    MESODERM = "mesoderm", "Mesoderm"
    ECTODERM = "ectoderm", "Ectoderm"


class Differentiation(models.Model):
    class Mode(models.TextChoices):
        IN_VIVO = "in_vivo", "In vivo (teratoma)"
        IN_VITRO_SPONTANEOUS = "in_vitro_spontaneous", "In vitro, spontaneous"
        IN_VITRO_DIRECTED = "in_vitro_directed", "In vitro, directed"

    line = models.ForeignKey(CellLine, on_delete=models.CASCADE, related_name="differentiations")
    germ_layer = models.CharField(max_length=8, choices=GermLayer.choices)
    mode = models.CharField(max_length=24, choices=Mode.choices)
    cell_types = models.CharField(max_length=200, blank=True)
    markers = models.CharField(max_length=200, blank=True)


class OmicsDataset(models.Model):
    class Kind(models.TextChoices):
        GENOME = "genome", "Genome"
        EPIGENOME = "epigenome", "Epigenome"
        TRANSCRIPTOME = "transcriptome", "Transcriptome"
        PROTEOME = "proteome", "Proteome"

    line = models.ForeignKey(CellLine, on_delete=models.CASCADE, related_name="omics")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    repository = models.CharField(max_length=64, help_text="EGA, ENA, GEO, PRIDE, ...")
    accession = models.CharField(max_length=64)
    checksum = models.CharField(max_length=128, blank=True)


class GeneticModification(models.Model):
    class Zygosity(models.TextChoices):
        HETEROZYGOUS = "heterozygous", "Heterozygous"
        HOMOZYGOUS = "homozygous", "Homozygous"
        HEMIZYGOUS = "hemizygous", "Hemizygous"
        COMPOUND = "compound_heterozygous", "Compound heterozygous"

    class Kind(models.TextChoices):
        VARIANT = "variant", "Variant (introduced or corrected)"
        KNOCK_IN = "knock_in", "Knock-in"
        KNOCK_OUT = "knock_out", "Knock-out"
        TRANSGENE = "transgene", "Transgene"
        ISOGENIC = "isogenic", "Isogenic correction"

    line = models.ForeignKey(CellLine, on_delete=models.CASCADE, related_name="modifications")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.VARIANT)
    gene = models.CharField(max_length=32)
    hgvs = models.CharField(max_length=200, blank=True)
    zygosity = models.CharField(max_length=24, choices=Zygosity.choices, blank=True)
    method = models.CharField(max_length=64, blank=True, help_text="CRISPR/Cas9, TALEN, ...")
    isogenic_control = models.ForeignKey(
        CellLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )


class ClinicalStudy(models.Model):
    line = models.ForeignKey(CellLine, on_delete=models.CASCADE, related_name="clinical_studies")
    nct_id = models.CharField(max_length=11)
    title = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(nct_id__regex=r"^NCT[0-9]{8}$"), name="clinical_study_nct_id_format"
            ),
            models.UniqueConstraint(fields=["line", "nct_id"], name="clinical_study_once"),
        ]


class Publication(models.Model):
    line = models.ForeignKey(CellLine, on_delete=models.CASCADE, related_name="publications")
    pmid = models.CharField(max_length=12, blank=True)
    doi = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Year published")

    class Meta:
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

    line = models.ForeignKey(CellLine, on_delete=models.CASCADE, related_name="xrefs")
    database = models.CharField(max_length=32)
    accession = models.CharField(max_length=100)

    class Meta:
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
        NEURAL_PROGENITORS = "neural_progenitors", "Neural progenitors"
        NEURONS = "neurons", "Neurons"
        RPE = "rpe", "Retinal pigment epithelium"
        CARDIOMYOCYTES = "cardiomyocytes", "Cardiomyocytes"
        HEPATOCYTES = "hepatocytes", "Hepatocytes"
        MSC = "msc", "Mesenchymal stromal cells"
        OTHER = "other", "Other"

    line = models.ForeignKey(CellLine, on_delete=models.PROTECT, related_name="products")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    name = models.CharField(max_length=100)
    protocol = models.TextField(blank=True)
    markers = models.CharField(max_length=200, blank=True)
    clinical_grade = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["line", "name"], name="product_name_once")]


# History: explicit event rows written by the services that did the work.


class CurationEvent(models.Model):
    line = models.ForeignKey(CellLine, on_delete=models.CASCADE, related_name="curation_events")
    from_status = models.CharField(max_length=16, choices=Status.choices)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    comment = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class LineVersion(models.Model):
    """One change to a published line: who, when, why, and each field's old → new value."""

    line = models.ForeignKey(CellLine, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    changes = models.JSONField(help_text='{"field": [old, new], ...}')
    reason = models.TextField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["line", "number"], name="line_version_number_once"),
            models.CheckConstraint(condition=~Q(reason=""), name="line_version_has_reason"),
        ]


class AvailabilityChange(models.Model):
    line = models.ForeignKey(
        CellLine, on_delete=models.CASCADE, related_name="availability_changes"
    )
    from_availability = models.CharField(max_length=16, choices=Availability.choices)
    to_availability = models.CharField(max_length=16, choices=Availability.choices)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(to_availability__in=[Availability.RECALLED, Availability.WITHDRAWN])
                | ~Q(reason=""),
                name="recall_and_withdrawal_need_a_reason",
            )
        ]


# Standard names: every name ever issued, so none is issued twice.


class NameCounter(models.Model):
    """The last donor number issued for a provider code and type letter; locked to allocate."""

    provider_code = models.CharField(max_length=5)
    type_letter = models.CharField(max_length=1)
    last_donor_number = models.PositiveIntegerField(default=0)

    class Meta:
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
    name = models.CharField(max_length=15, unique=True)
    provider_code = models.CharField(max_length=5)
    type_letter = models.CharField(max_length=1)
    donor_number = models.CharField(max_length=3)
    clone_letter = models.CharField(max_length=1)
    subclone_of = models.CharField(max_length=15, blank=True)
    issued_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the server's command line issued it",
    )
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["provider_code", "type_letter", "donor_number"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(type_letter__in=["i", "e"]), name="issued_name_type_letter"
            )
        ]
