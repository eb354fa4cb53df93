"""Derivation recipes and characterisation results for the demo lines.

Values vary from line to line but come from a random generator seeded with the line's (or
donor's) key, so every load writes the same data.
"""

import random
from datetime import date
from typing import Any

HUMAN = "Homo sapiens"

# Common European five-locus haplotypes (A, C, B, DRB1, DQB1), most frequent first.
HAPLOTYPES = (
    ("A*01:01", "C*07:01", "B*08:01", "DRB1*03:01", "DQB1*02:01"),
    ("A*03:01", "C*07:02", "B*07:02", "DRB1*15:01", "DQB1*06:02"),
    ("A*02:01", "C*05:01", "B*44:02", "DRB1*04:01", "DQB1*03:01"),
    ("A*02:01", "C*07:02", "B*07:02", "DRB1*15:01", "DQB1*06:02"),
    ("A*29:02", "C*16:01", "B*44:03", "DRB1*07:01", "DQB1*02:01"),
    ("A*01:01", "C*06:02", "B*57:01", "DRB1*07:01", "DQB1*03:03"),
    ("A*03:01", "C*04:01", "B*35:01", "DRB1*01:01", "DQB1*05:01"),
    ("A*02:01", "C*03:04", "B*15:01", "DRB1*04:01", "DQB1*03:02"),
    ("A*02:01", "C*03:04", "B*40:01", "DRB1*13:02", "DQB1*06:04"),
    ("A*30:01", "C*06:02", "B*13:02", "DRB1*07:01", "DQB1*02:01"),
    ("A*24:02", "C*07:02", "B*07:02", "DRB1*15:01", "DQB1*06:02"),
    ("A*11:01", "C*04:01", "B*35:01", "DRB1*01:01", "DQB1*05:01"),
    ("A*33:01", "C*08:02", "B*14:02", "DRB1*01:02", "DQB1*05:01"),
    ("A*23:01", "C*04:01", "B*44:03", "DRB1*07:01", "DQB1*02:01"),
    ("A*31:01", "C*03:04", "B*40:01", "DRB1*04:04", "DQB1*03:02"),
    ("A*25:01", "C*12:03", "B*18:01", "DRB1*15:01", "DQB1*06:02"),
    # Common Han Chinese haplotypes, for the haplobank's homozygous lines (never drawn at random)
    ("A*02:07", "C*01:02", "B*46:01", "DRB1*09:01", "DQB1*03:03"),
    ("A*33:03", "C*03:02", "B*58:01", "DRB1*03:01", "DQB1*02:01"),
    ("A*11:01", "C*07:02", "B*40:01", "DRB1*09:01", "DQB1*03:03"),
)
DRAWN = 16  # random donors draw from the European haplotypes above
_GL_ORDER = (0, 2, 1, 3, 4)  # GL strings list A, B, C, DRB1, DQB1


def hla_gl_string(first: int, second: int) -> str:
    """The GL string of a diplotype, e.g. HLA-A*01:01+HLA-A*02:01^HLA-B*08:01+..."""
    one, two = HAPLOTYPES[first], HAPLOTYPES[second]
    return "^".join(f"HLA-{one[i]}+HLA-{two[i]}" for i in _GL_ORDER)


def random_diplotype(rng: random.Random) -> tuple[int, int]:
    return rng.randrange(DRAWN), rng.randrange(DRAWN)


# Alleles seen often at the standard human STR loci.
_STR_ALLELES = {
    "CSF1PO": ("9", "10", "11", "12", "13"),
    "D2S1338": ("17", "18", "19", "20", "21", "22", "23", "24", "25"),
    "D3S1358": ("14", "15", "16", "17", "18"),
    "D5S818": ("9", "10", "11", "12", "13"),
    "D7S820": ("8", "9", "10", "11", "12"),
    "D8S1179": ("10", "11", "12", "13", "14", "15"),
    "D13S317": ("8", "9", "10", "11", "12", "13"),
    "D16S539": ("9", "10", "11", "12", "13"),
    "D18S51": ("12", "13", "14", "15", "16", "17", "18"),
    "D19S433": ("12", "13", "14", "14.2", "15", "15.2", "16"),
    "D21S11": ("28", "29", "30", "30.2", "31", "31.2", "32.2"),
    "FGA": ("19", "20", "21", "22", "23", "24", "25"),
    "Penta D": ("9", "10", "11", "12", "13"),
    "Penta E": ("7", "10", "11", "12", "13", "14", "15"),
    "TH01": ("6", "7", "8", "9", "9.3"),
    "TPOX": ("8", "9", "10", "11"),
    "vWA": ("15", "16", "17", "18", "19"),
}


def str_profile(rng: random.Random, sex: str) -> dict[str, list[str]]:
    """A plausible STR profile on the 18 standard human loci (one allele when homozygous)."""
    profile = {"Amelogenin": ["X", "Y"] if sex == "male" else ["X"]}
    for locus, alleles in _STR_ALLELES.items():
        picked = {rng.choice(alleles), rng.choice(alleles)}
        profile[locus] = sorted(picked, key=float)
    return profile


KARYOTYPE_OF_SPECIES = {
    HUMAN: ("46,XX", "46,XY"),
    "Mus musculus": ("40,XX", "40,XY"),
    "Macaca mulatta": ("42,XX", "42,XY"),
    "Macaca fascicularis": ("42,XX", "42,XY"),
    "Callithrix jacchus": ("46,XX", "46,XY"),
    "Oryctolagus cuniculus": ("44,XX", "44,XY"),
    "Sus scrofa": ("38,XX", "38,XY"),
}


def karyotypes(
    rng: random.Random, species: str, sex: str, special: str = ""
) -> list[dict[str, Any]]:
    female, male = KARYOTYPE_OF_SPECIES[species]
    karyotype = special or (male if sex == "male" else female)
    return [
        {
            "karyotype": karyotype,
            "method": "G-banding",
            "passage": rng.randint(10, 22),
            "normal": not special,
        }
    ]


def _percent(rng: random.Random, low: float, high: float) -> str:
    return f"{rng.uniform(low, high):.1f}"


def markers(rng: random.Random, species: str) -> list[dict[str, str | None]]:
    flow = "Flow cytometry"
    if species == "Mus musculus":
        surface: tuple[str, str, str, str | None] = (
            "SSEA-1",
            flow,
            "positive",
            _percent(rng, 88, 97),
        )
    elif species == "Oryctolagus cuniculus":
        surface = ("Alkaline phosphatase", "Histochemical staining", "positive", None)
    else:
        surface = ("SSEA-4", flow, "positive", _percent(rng, 92, 99.5))
    rows: list[tuple[str, str, str, str | None]] = [
        ("OCT4", flow, "positive", _percent(rng, 91, 99.6)),
        ("NANOG", "Immunostaining", "positive", None),
        surface,
    ]
    if species == HUMAN:
        rows += [
            ("TRA-1-60", flow, "positive", _percent(rng, 85, 98.5)),
            ("SSEA-1", flow, "negative", _percent(rng, 0.2, 2.5)),
        ]
    return [
        dict(zip(("marker", "method", "result", "percent_positive"), r, strict=True)) for r in rows
    ]


def germ_layers(
    rng: random.Random, *, teratoma: bool, layers: tuple[str, ...] = ()
) -> list[dict[str, str]]:
    directed = [
        ("endoderm", "Definitive endoderm", "SOX17, FOXA2, CXCR4"),
        ("mesoderm", "Lateral plate mesoderm, cardiomyocytes", "Brachyury (TBXT), HAND1, cTnT"),
        ("ectoderm", "Neuroectoderm", "PAX6, NESTIN, SOX1"),
    ]
    teratoma_rows = [
        ("endoderm", "Gut-like epithelium", "AFP, FOXA2"),
        ("mesoderm", "Cartilage, smooth muscle", "alpha-SMA"),
        ("ectoderm", "Neural rosettes, pigmented epithelium", "βIII-tubulin (TUBB3)"),
    ]
    mode = "in_vivo" if teratoma else rng.choice(("in_vitro_directed", "in_vitro_spontaneous"))
    source = teratoma_rows if teratoma else directed
    return [
        {"germ_layer": layer, "mode": mode, "cell_types": cells, "markers": found}
        for layer, cells, found in source
        if not layers or layer in layers
    ]


def pluritests(rng: random.Random) -> list[dict[str, Any]]:
    return [
        {
            "pluripotency_score": round(rng.uniform(21.0, 38.0), 2),
            "novelty_score": round(rng.uniform(1.05, 1.55), 2),
            "passage": rng.randint(12, 20),
        }
    ]


_KSR_MEDIUM = "KnockOut DMEM, 20% KnockOut Serum Replacement, 8 ng/mL FGF2"
_MEF = "Mitomycin C-inactivated mouse embryonic fibroblasts"
_OSKM = ["OCT4", "SOX2", "KLF4", "MYC"]
_FEEDER_FREE = {
    "culture_medium": "mTeSR1",
    "surface_coating": "Matrigel (hESC-qualified)",
    "passage_method": "EDTA 0.5 mM, clump passaging",
    "o2_concentration": "5%",
    "co2_concentration": "5%",
}
_E8_VTN = {
    "culture_medium": "Essential 8",
    "surface_coating": "Vitronectin (VTN-N)",
    "passage_method": "EDTA 0.5 mM, clump passaging",
    "o2_concentration": "5%",
    "co2_concentration": "5%",
}
_GMP = {
    "culture_medium": "StemFit AK03N (xeno-free)",
    "surface_coating": "Laminin-511 E8 fragment (iMatrix-511)",
    "passage_method": "TrypLE Select, single cells with ROCK inhibitor",
    "o2_concentration": "5%",
    "co2_concentration": "5%",
    "derivation_gmp": True,
}
_ON_MEF = {
    "culture_medium": _KSR_MEDIUM,
    "feeder_cells": _MEF,
    "surface_coating": "Gelatin 0.1%",
    "passage_method": "Mechanical dissection",
    "o2_concentration": "21%",
    "co2_concentration": "5%",
}
_FIBROBLAST = {"source_cell_type_id": "CL:0000057", "source_cell_type": "Dermal fibroblast"}
_PBMC = {
    "source_cell_type_id": "CL:0000842",
    "source_cell_type": "Peripheral blood mononuclear cell",
}
_NON_INTEGRATING = {"vector_integrating": False, "vector_absence_confirmed": True}

RECIPES: dict[str, dict[str, Any]] = {
    "embryo_mef": {"derivation_method": "embryo", **_ON_MEF},
    "embryo_e8": {"derivation_method": "embryo", **_E8_VTN},
    "embryo_gmp": {"derivation_method": "embryo", **_GMP},
    "parthenogenesis": {
        "derivation_method": "parthenogenesis",
        "source_cell_type_id": "CL:0000023",
        "source_cell_type": "Oocyte (metaphase II, chemically activated)",
        **_FEEDER_FREE,
    },
    "scnt": {
        "derivation_method": "scnt",
        **_FIBROBLAST,
        "source_cell_type": "Dermal fibroblast (nucleus donor)",
        **_ON_MEF,
    },
    "sendai_fibroblast": {
        "derivation_method": "reprogramming",
        **_FIBROBLAST,
        "vector": "sendai",
        **_NON_INTEGRATING,
        "reprogramming_factors": _OSKM,
        "passage_at_reprogramming": 4,
        **_FEEDER_FREE,
    },
    "sendai_pbmc": {
        "derivation_method": "reprogramming",
        **_PBMC,
        "vector": "sendai",
        **_NON_INTEGRATING,
        "reprogramming_factors": _OSKM,
        **_FEEDER_FREE,
    },
    "episomal_pbmc": {
        "derivation_method": "reprogramming",
        **_PBMC,
        "vector": "episomal",
        **_NON_INTEGRATING,
        "reprogramming_factors": ["OCT4", "SOX2", "KLF4", "L-MYC", "LIN28"],
        **_E8_VTN,
    },
    "episomal_cord_blood_gmp": {
        "derivation_method": "reprogramming",
        "source_cell_type_id": "CL:0000037",
        "source_cell_type": "Cord blood CD34+ hematopoietic stem cell",
        "vector": "episomal",
        **_NON_INTEGRATING,
        "reprogramming_factors": ["OCT4", "SOX2", "KLF4", "L-MYC", "LIN28"],
        **_GMP,
    },
    "mrna_fibroblast": {
        "derivation_method": "reprogramming",
        **_FIBROBLAST,
        "vector": "mrna",
        **_NON_INTEGRATING,
        "reprogramming_factors": ["OCT4", "SOX2", "KLF4", "MYC", "LIN28"],
        "passage_at_reprogramming": 3,
        **_E8_VTN,
    },
    "lentiviral_fibroblast": {
        "derivation_method": "reprogramming",
        **_FIBROBLAST,
        "vector": "lentiviral",
        "vector_integrating": True,
        "vector_excisable": True,
        "vector_absence_confirmed": False,
        "reprogramming_factors": _OSKM,
        "passage_at_reprogramming": 5,
        **_FEEDER_FREE,
    },
    "retroviral_fibroblast": {
        "derivation_method": "reprogramming",
        **_FIBROBLAST,
        "vector": "retroviral",
        "vector_integrating": True,
        "vector_excisable": False,
        "reprogramming_factors": _OSKM,
        "passage_at_reprogramming": 6,
        **_ON_MEF,
    },
    "mouse_esc_2i": {
        "derivation_method": "embryo",
        "culture_medium": "N2B27 with 2i (PD0325901, CHIR99021) and LIF",
        "surface_coating": "Gelatin 0.1%",
        "passage_method": "Accutase, single cells",
        "o2_concentration": "21%",
        "co2_concentration": "5%",
    },
    "mouse_parthenogenesis": {
        "derivation_method": "parthenogenesis",
        "source_cell_type_id": "CL:0000023",
        "source_cell_type": "Oocyte (strontium-activated)",
        "culture_medium": "N2B27 with 2i (PD0325901, CHIR99021) and LIF",
        "surface_coating": "Gelatin 0.1%",
        "passage_method": "Accutase, single cells",
    },
    "mouse_ipsc_retroviral": {
        "derivation_method": "reprogramming",
        "source_cell_type_id": "CL:0000057",
        "source_cell_type": "Tail-tip fibroblast",
        "vector": "retroviral",
        "vector_integrating": True,
        "reprogramming_factors": ["Oct4", "Sox2", "Klf4", "c-Myc"],
        "culture_medium": "KnockOut DMEM, 15% FBS, LIF",
        "feeder_cells": _MEF,
        "passage_method": "Trypsin, single cells",
    },
    "primate_esc_mef": {"derivation_method": "embryo", **_ON_MEF},
    "primate_scnt": {
        "derivation_method": "scnt",
        "source_cell_type_id": "CL:0000057",
        "source_cell_type": "Skin fibroblast (nucleus donor)",
        **_ON_MEF,
    },
    "primate_ipsc_sendai": {
        "derivation_method": "reprogramming",
        "source_cell_type_id": "CL:0000057",
        "source_cell_type": "Skin fibroblast",
        "vector": "sendai",
        **_NON_INTEGRATING,
        "reprogramming_factors": _OSKM,
        **_FEEDER_FREE,
    },
    "rabbit_esc_mef": {
        "derivation_method": "embryo",
        **_ON_MEF,
        "culture_medium": "KnockOut DMEM, 20% KnockOut Serum Replacement, 10 ng/mL FGF2",
    },
    "pig_ipsc_lentiviral": {
        "derivation_method": "reprogramming",
        "source_cell_type_id": "CL:0000057",
        "source_cell_type": "Fetal fibroblast",
        "vector": "lentiviral",
        "vector_integrating": True,
        "vector_excisable": False,
        "reprogramming_factors": _OSKM,
        **_ON_MEF,
    },
}


def derivation_date(rng: random.Random, year: int) -> date:
    return date(year, rng.randint(1, 12), rng.randint(1, 28))
