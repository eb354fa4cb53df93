"""API shapes of a cell line record (see records.py for the record itself)."""

from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from stemhub.core.api import Percent, one_of
from stemhub.registry.models import Availability


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class DiseaseIO(Strict):
    # Ontology and id may be left out for a disease the registry knows by name ("parkinsons").
    ontology: str = ""
    term_id: str = ""
    label: str
    affected: bool = True
    primary: bool = True


class DonorIO(Strict):
    code: str
    sex: str = "unknown"
    age_bin: str = ""
    ethnicity: str = ""
    family_history: str = ""
    medical_history: str = ""
    hla_typing: str = ""
    diseases: list[DiseaseIO] = []


class ProviderIO(Strict):
    institution: str
    role: str


class KaryotypeIO(Strict):
    karyotype: str
    method: str = ""
    passage: int | None = None
    normal: bool | None = None


class MarkerIO(Strict):
    marker: str
    method: str
    result: str
    percent_positive: Decimal | None = None


class MarkerIn(MarkerIO):
    """A marker as a client sends it: the percentage as a JSON number (MarkerIO answers it as
    text, exactly as stored)."""

    percent_positive: Percent | None = None


class PluriTestIO(Strict):
    pluripotency_score: float
    novelty_score: float
    passage: int | None = None


class DifferentiationIO(Strict):
    germ_layer: str
    mode: str
    cell_types: str = ""
    markers: str = ""


class OmicsIO(Strict):
    kind: str
    repository: str
    accession: str
    checksum: str = ""


class ModificationIO(Strict):
    kind: str = "variant"
    gene: str
    hgvs: str = ""
    zygosity: str = ""
    method: str = ""
    isogenic_control: str | None = None


class ClinicalStudyIO(Strict):
    nct_id: str
    title: str = ""


class PublicationIO(Strict):
    pmid: str = ""
    doi: str = ""
    title: str = ""
    year: int | None = None


class XrefIO(Strict):
    database: str
    accession: str


class ProductIO(Strict):
    kind: str
    name: str
    protocol: str = ""
    markers: str = ""
    clinical_grade: bool = False


class LineFields(Strict):
    """Every field a user may write; on update, only the fields sent are changed."""

    name_zh: str | None = None
    line_type: str | None = None
    species: str | None = None
    clinical_grade: bool | None = None
    description: str | None = None
    parent: str | None = None
    synonyms: list[str] | None = None
    providers: list[ProviderIO] | None = None
    donor: DonorIO | None = None
    derivation_method: str | None = None
    source_cell_type_id: str | None = None
    source_cell_type: str | None = None
    vector: str | None = None
    vector_integrating: bool | None = None
    vector_excisable: bool | None = None
    vector_absence_confirmed: bool | None = None
    reprogramming_factors: list[str] | None = None
    derivation_date: date | None = None
    passage_at_reprogramming: int | None = None
    derivation_country: str | None = None
    derivation_gmp: bool | None = None
    culture_medium: str | None = None
    surface_coating: str | None = None
    feeder_cells: str | None = None
    passage_method: str | None = None
    o2_concentration: str | None = None
    co2_concentration: str | None = None
    consent_obtained: bool | None = None
    consent_reference: str | None = None
    ethics_approval: str | None = None
    ethics_approval_date: date | None = None
    use_research: bool | None = None
    use_commercial: bool | None = None
    use_clinical: bool | None = None
    restrictions: str | None = None
    managed_access: bool | None = None
    jurisdiction: str | None = None
    hla_typing: str | None = None
    str_profile: dict[str, list[str]] | None = None
    genome_wide_analysis: str | None = None
    karyotypes: list[KaryotypeIO] | None = None
    markers: list[MarkerIn] | None = None
    pluritests: list[PluriTestIO] | None = None
    differentiations: list[DifferentiationIO] | None = None
    omics: list[OmicsIO] | None = None
    modifications: list[ModificationIO] | None = None
    clinical_studies: list[ClinicalStudyIO] | None = None
    publications: list[PublicationIO] | None = None
    xrefs: list[XrefIO] | None = None
    products: list[ProductIO] | None = None


class LineCreate(LineFields):
    name: str
    line_type: str
    institution: str | None = None


class LineUpdate(LineFields):
    reason: str = ""


class XrefOut(XrefIO):
    url: str | None


class LineOut(Schema):
    name: str
    name_zh: str
    institution: str
    source: str
    external_accession: str
    status: str
    availability: str
    parent: str | None
    version: int
    published_at: str | None
    genetically_modified: bool
    line_type: str
    species: str
    clinical_grade: bool
    description: str
    synonyms: list[str]
    providers: list[ProviderIO]
    donor: DonorIO | None
    derivation_method: str
    source_cell_type_id: str
    source_cell_type: str
    vector: str
    vector_integrating: bool | None
    vector_excisable: bool | None
    vector_absence_confirmed: bool | None
    reprogramming_factors: list[str]
    derivation_date: str | None
    passage_at_reprogramming: int | None
    derivation_country: str
    derivation_gmp: bool
    culture_medium: str
    surface_coating: str
    feeder_cells: str
    passage_method: str
    o2_concentration: str
    co2_concentration: str
    consent_obtained: bool | None
    consent_reference: str
    ethics_approval: str
    ethics_approval_date: str | None
    use_research: bool
    use_commercial: bool | None
    use_clinical: bool | None
    restrictions: str
    managed_access: bool
    jurisdiction: str
    hla_typing: str
    str_profile: dict[str, Any]
    genome_wide_analysis: str
    karyotypes: list[KaryotypeIO]
    markers: list[MarkerIO]
    pluritests: list[PluriTestIO]
    differentiations: list[DifferentiationIO]
    omics: list[OmicsIO]
    modifications: list[ModificationIO]
    clinical_studies: list[ClinicalStudyIO]
    publications: list[PublicationIO]
    xrefs: list[XrefOut]
    products: list[ProductIO]


class LineSummary(Schema):
    name: str
    name_zh: str
    line_type: str
    species: str
    institution: str
    status: str
    availability: str
    clinical_grade: bool


class TransitionIn(Strict):
    comment: str = ""


class ReturnIn(Strict):
    comment: str = Field(min_length=1, description="What the submitter must change")


class AvailabilityIn(Strict):
    availability: str = one_of(Availability.values)
    reason: str = ""


class ChecklistOut(Schema):
    key: str
    label: str
    done: bool
    required: bool


class HistoryEntry(Schema):
    at: str
    kind: str
    actor: str
    summary: str
    details: dict[str, Any]


class Page(Schema):
    count: int
    limit: int
    offset: int
