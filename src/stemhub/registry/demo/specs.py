"""The shapes of the demo's donors and lines, and the differentiated products they share."""

from dataclasses import dataclass, field
from typing import Any

from stemhub.registry.demo.characterisation import HUMAN

PUBLISHED = "published"


def disease(ontology: str, term_id: str, label: str, *, affected: bool = True) -> dict[str, Any]:
    return {
        "ontology": ontology,
        "term_id": term_id,
        "label": label,
        "affected": affected,
        "primary": True,
    }


@dataclass(frozen=True)
class DonorSpec:
    code: str
    sex: str
    age_bin: str
    species: str = HUMAN
    ethnicity: str = ""
    diseases: tuple[dict[str, Any], ...] = ()
    family_history: str = ""
    medical_history: str = ""
    hla: tuple[int, int] | None = None  # haplotype indexes; None: drawn from the donor's seed


@dataclass(frozen=True)
class LineSpec:
    key: str
    institution: str
    line_type: str
    donor: str
    recipe: str
    year: int
    species: str = HUMAN
    summary: str = ""
    subclone_of: str = ""
    modification: dict[str, Any] | None = None
    status: str = PUBLISHED
    review_comment: str = ""  # the curator's comment when the review returned the line
    returned_first: str = ""  # a review round that returned the line before it was published
    availability: str = "available"
    availability_reason: str = ""
    clinical_studies: tuple[str, ...] = ()
    products: tuple[dict[str, Any], ...] = ()
    synonyms: tuple[str, ...] = ()
    teratoma: bool = False
    germ_layers: tuple[str, ...] = ()  # only these layers shown (incomplete evidence)
    karyotype: str = ""  # a constitutional abnormal karyotype
    edit: tuple[dict[str, Any], str] | None = None  # (changes, reason) after publication
    extra: dict[str, Any] = field(default_factory=dict)


def product(
    kind: str, name: str, protocol: str, markers: str, *, clinical: bool = False
) -> dict[str, Any]:
    return {
        "kind": kind,
        "name": name,
        "protocol": protocol,
        "markers": markers,
        "clinical_grade": clinical,
    }


DA_PROGENITORS = product(
    "neural_progenitors",
    "Midbrain dopaminergic progenitors",
    "Dual SMAD inhibition (LDN193189, SB431542), floor-plate patterning with SHH and "
    "CHIR99021; cryopreserved at day 16.",
    "FOXA2, LMX1A, OTX2; <1% OCT4",
)
DA_NEURONS = product(
    "neurons",
    "Midbrain dopaminergic neurons",
    "Floor-plate progenitors matured with BDNF, GDNF, ascorbic acid, dbcAMP and DAPT to day 35.",
    "TH, FOXA2, NURR1, MAP2",
)
CORTICAL_NEURONS = product(
    "neurons",
    "Cortical glutamatergic neurons",
    "Dual SMAD inhibition, neural rosette selection, maturation on laminin to day 60.",
    "TBR1, CTIP2, MAP2, VGLUT1",
)
MOTOR_NEURONS = product(
    "neurons",
    "Spinal motor neurons",
    "Neural induction, patterning with retinoic acid and SAG, maturation to day 28.",
    "HB9 (MNX1), ISL1, ChAT",
)
STRIATAL_NEURONS = product(
    "neurons",
    "Striatal medium spiny neurons",
    "Dual SMAD inhibition, activin A patterning, maturation with BDNF to day 45.",
    "DARPP-32, CTIP2, GABA",
)
NPC = product(
    "neural_progenitors",
    "Neural progenitor cells",
    "Dual SMAD inhibition, expansion with EGF and FGF2 on poly-L-ornithine/laminin.",
    "SOX1, PAX6, NESTIN",
)
CARDIOMYOCYTES = product(
    "cardiomyocytes",
    "Ventricular-like cardiomyocytes",
    "Wnt modulation (CHIR99021, then IWP2), metabolic selection in lactate medium, day 20.",
    ">85% cTnT+; NKX2-5, MLC2v",
)
HEPATOCYTES = product(
    "hepatocytes",
    "Hepatocyte-like cells",
    "Activin A definitive endoderm, BMP4/FGF2 hepatic specification, HGF and oncostatin M "
    "maturation to day 25.",
    "ALB, AFP, A1AT, HNF4A",
)
RPE = product(
    "rpe",
    "Retinal pigment epithelium",
    "Nicotinamide and activin A directed differentiation, enrichment of pigmented foci, day 60.",
    "RPE65, BEST1, MITF, ZO-1",
)
AIRWAY = product(
    "other",
    "Airway epithelium (air-liquid interface)",
    "Anterior foregut endoderm, NKX2-1+ lung progenitors, air-liquid interface culture.",
    "NKX2-1, FOXJ1, MUC5AC, CFTR",
)
ERYTHROID = product(
    "other",
    "Erythroid progenitors",
    "Hematopoietic induction via embryoid bodies, EPO/SCF erythroid expansion.",
    "CD235a, CD71, HBB, HBG",
)
