"""The default release panel (domain guide §3), loaded by a data migration and by
`stemhub quality defaults`.

Which tiers need which test is our reading of what leading banks do: donor-derived safety
(viruses) and the one-off characterisation (karyotype, germ layers, residual vector, HLA) on the
master bank; sterility, mycoplasma and post-thaw viability on every bank; identity and
endotoxin on every bank made for use (master, working, distribution). HTLV, CMV, EBV and HLA
typing are for clinical-grade material only; pluripotency, germ layers and residual vector do
not apply to banks of differentiated products.
"""

from decimal import Decimal
from typing import Any

SEED, MCB, WCB, DIST = "seed", "mcb", "wcb", "distribution"
EVERY = sorted([SEED, MCB, WCB, DIST])
FOR_USE = sorted([MCB, WCB, DIST])

NEG = {"allowed_results": ["negative", "positive"], "accepted_results": ["negative"]}


def _virus(code: str, name: str, clinical: bool = False) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "category": "safety",
        "method": "PCR (nucleic acid test)",
        "spec_kind": "qualitative",
        **NEG,
        "required_tiers": [MCB],
        "clinical_only": clinical,
    }


def _marker(code: str, name: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"{name} positive cells",
        "category": "pluripotency",
        "method": "Flow cytometry",
        "spec_kind": "quantitative",
        "unit": "%",
        "lower_limit": Decimal("70"),
        "upper_limit": Decimal("100"),
        "required_tiers": sorted([MCB, WCB]),
        "for_products": False,
    }


DEFAULT_PANEL: list[dict[str, Any]] = [
    {
        "code": "sterility",
        "name": "Sterility (bacteria and fungi)",
        "category": "safety",
        "method": "Ph. Eur. 2.6.1 / USP <71> culture, 14 days",
        "spec_kind": "qualitative",
        "allowed_results": ["no growth", "growth"],
        "accepted_results": ["no growth"],
        "required_tiers": EVERY,
    },
    {
        "code": "mycoplasma",
        "name": "Mycoplasma",
        "category": "safety",
        "method": "PCR",
        **NEG,
        "spec_kind": "qualitative",
        "required_tiers": EVERY,
    },
    {
        "code": "endotoxin",
        "name": "Endotoxin",
        "category": "safety",
        "method": "LAL kinetic chromogenic assay",
        "spec_kind": "quantitative",
        "unit": "EU/mL",
        "upper_limit": Decimal("5"),
        "required_tiers": FOR_USE,
    },
    _virus("hiv", "HIV-1/2"),
    _virus("hbv", "Hepatitis B virus"),
    _virus("hcv", "Hepatitis C virus"),
    _virus("htlv", "HTLV-I/II", clinical=True),
    _virus("cmv", "Cytomegalovirus", clinical=True),
    _virus("ebv", "Epstein–Barr virus", clinical=True),
    {
        "code": "str-identity",
        "name": "STR identity",
        "category": "identity",
        "method": "STR profiling, compared with the parent line (CLASTR Tanabe)",
        "spec_kind": "str_identity",
        "unit": "%",
        "lower_limit": Decimal("80"),
        "required_tiers": FOR_USE,
    },
    {
        "code": "karyotype",
        "name": "Karyotype",
        "category": "genetic",
        "method": "G-banding, 20 metaphases",
        "spec_kind": "qualitative",
        "allowed_results": ["normal", "abnormal"],
        "accepted_results": ["normal"],
        "required_tiers": sorted([MCB, WCB]),
    },
    _marker("oct4", "OCT4"),
    _marker("nanog", "NANOG"),
    _marker("ssea4", "SSEA-4"),
    _marker("tra-1-60", "TRA-1-60"),
    {
        "code": "germ-layers",
        "name": "Three germ layer differentiation",
        "category": "pluripotency",
        "method": "Embryoid bodies or directed differentiation, marker staining",
        "spec_kind": "qualitative",
        "allowed_results": ["demonstrated", "not demonstrated"],
        "accepted_results": ["demonstrated"],
        "required_tiers": [MCB],
        "for_products": False,
    },
    {
        "code": "residual-vector",
        "name": "Residual reprogramming vector (Sendai/episomal)",
        "category": "vector",
        "method": "RT-PCR (Sendai) or PCR (episomal)",
        "spec_kind": "qualitative",
        "allowed_results": ["not detected", "detected"],
        "accepted_results": ["not detected"],
        "required_tiers": [MCB],
        "for_products": False,
    },
    {
        "code": "viability",
        "name": "Post-thaw viability",
        "category": "viability",
        "method": "Trypan blue exclusion, automated counter",
        "spec_kind": "quantitative",
        "unit": "%",
        "lower_limit": Decimal("70"),
        "upper_limit": Decimal("100"),
        "required_tiers": EVERY,
    },
    {
        "code": "recovery",
        "name": "Post-thaw recovery",
        "category": "viability",
        "method": "Viable cells recovered / cells frozen",
        "spec_kind": "quantitative",
        "unit": "%",
        "lower_limit": Decimal("50"),
        "required_tiers": FOR_USE,
    },
    {
        "code": "hla",
        "name": "HLA typing",
        "category": "hla",
        "method": "NGS typing, concordance with the donor",
        "spec_kind": "qualitative",
        "allowed_results": ["concordant", "discordant"],
        "accepted_results": ["concordant"],
        "required_tiers": [MCB],
        "clinical_only": True,
    },
]


def install_defaults(model: Any) -> list[str]:
    """Create version 1 of every default test whose code is not in the catalogue yet; the codes
    created. Tests already there (perhaps revised) are left alone."""
    have = set(model.objects.values_list("code", flat=True))
    created = []
    for spec in DEFAULT_PANEL:
        if spec["code"] in have:
            continue
        model.objects.create(version=1, current=True, **spec)
        created.append(spec["code"])
    return created
