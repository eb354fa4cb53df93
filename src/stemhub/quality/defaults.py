"""The default release panel (domain guide §3), loaded by a data migration and by
`stemhub quality defaults`.

Which tiers need which test is our reading of what leading banks do: donor-derived safety
(viruses) and the one-off characterisation (karyotype, germ layers, residual vector, HLA) on the
master bank; sterility, mycoplasma and post-thaw viability on every bank; identity and
endotoxin on every bank made for use (master, working, distribution). HTLV, CMV, EBV and HLA
typing are for clinical-grade material only; pluripotency, germ layers and residual vector do
not apply to banks of differentiated products.

The names, methods and result words are stored in English as written here; each is marked for
translation (`gettext_noop`), and the pages show it in the reader's language (`wording.term`).
"""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

SEED, MCB, WCB, DIST = "seed", "mcb", "wcb", "distribution"
EVERY = sorted([SEED, MCB, WCB, DIST])
FOR_USE = sorted([MCB, WCB, DIST])

NEGATIVE, POSITIVE = gettext_noop("negative"), gettext_noop("positive")
NEG = {"allowed_results": [NEGATIVE, POSITIVE], "accepted_results": [NEGATIVE]}


def _virus(code: str, name: str, clinical: bool = False) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "category": "safety",
        "method": gettext_noop("PCR (nucleic acid test)"),
        "spec_kind": "qualitative",
        **NEG,
        "required_tiers": [MCB],
        "clinical_only": clinical,
    }


def _marker(code: str, name: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "category": "pluripotency",
        "method": gettext_noop("Flow cytometry"),
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
        "name": gettext_noop("Sterility (bacteria and fungi)"),
        "category": "safety",
        "method": gettext_noop("Ph. Eur. 2.6.1 / USP <71> culture, 14 days"),
        "spec_kind": "qualitative",
        "allowed_results": [gettext_noop("no growth"), gettext_noop("growth")],
        "accepted_results": ["no growth"],
        "required_tiers": EVERY,
    },
    {
        "code": "mycoplasma",
        "name": gettext_noop("Mycoplasma"),
        "category": "safety",
        "method": "PCR",
        **NEG,
        "spec_kind": "qualitative",
        "required_tiers": EVERY,
    },
    {
        "code": "endotoxin",
        "name": gettext_noop("Endotoxin"),
        "category": "safety",
        "method": gettext_noop("LAL kinetic chromogenic assay"),
        "spec_kind": "quantitative",
        "unit": "EU/mL",
        "upper_limit": Decimal("5"),
        "required_tiers": FOR_USE,
    },
    _virus("hiv", "HIV-1/2"),
    _virus("hbv", gettext_noop("Hepatitis B virus")),
    _virus("hcv", gettext_noop("Hepatitis C virus")),
    _virus("htlv", "HTLV-I/II", clinical=True),
    _virus("cmv", gettext_noop("Cytomegalovirus"), clinical=True),
    _virus("ebv", gettext_noop("Epstein–Barr virus"), clinical=True),
    {
        "code": "str-identity",
        "name": gettext_noop("STR identity"),
        "category": "identity",
        "method": gettext_noop("STR profiling, compared with the parent line (CLASTR Tanabe)"),
        "spec_kind": "str_identity",
        "unit": "%",
        "lower_limit": Decimal("80"),
        "required_tiers": FOR_USE,
    },
    {
        "code": "karyotype",
        "name": gettext_noop("Karyotype"),
        "category": "genetic",
        "method": gettext_noop("G-banding, 20 metaphases"),
        "spec_kind": "qualitative",
        "allowed_results": [gettext_noop("normal"), gettext_noop("abnormal")],
        "accepted_results": ["normal"],
        "required_tiers": sorted([MCB, WCB]),
    },
    _marker("oct4", gettext_noop("OCT4 positive cells")),
    _marker("nanog", gettext_noop("NANOG positive cells")),
    _marker("ssea4", gettext_noop("SSEA-4 positive cells")),
    _marker("tra-1-60", gettext_noop("TRA-1-60 positive cells")),
    {
        "code": "germ-layers",
        "name": gettext_noop("Three germ layer differentiation"),
        "category": "pluripotency",
        "method": gettext_noop("Embryoid bodies or directed differentiation, marker staining"),
        "spec_kind": "qualitative",
        "allowed_results": [gettext_noop("demonstrated"), gettext_noop("not demonstrated")],
        "accepted_results": ["demonstrated"],
        "required_tiers": [MCB],
        "for_products": False,
    },
    {
        "code": "residual-vector",
        "name": gettext_noop("Residual reprogramming vector (Sendai/episomal)"),
        "category": "vector",
        "method": gettext_noop("RT-PCR (Sendai) or PCR (episomal)"),
        "spec_kind": "qualitative",
        "allowed_results": [gettext_noop("not detected"), gettext_noop("detected")],
        "accepted_results": ["not detected"],
        "required_tiers": [MCB],
        "for_products": False,
    },
    {
        "code": "viability",
        "name": gettext_noop("Post-thaw viability"),
        "category": "viability",
        "method": gettext_noop("Trypan blue exclusion, automated counter"),
        "spec_kind": "quantitative",
        "unit": "%",
        "lower_limit": Decimal("70"),
        "upper_limit": Decimal("100"),
        "required_tiers": EVERY,
    },
    {
        "code": "recovery",
        "name": gettext_noop("Post-thaw recovery"),
        "category": "viability",
        "method": gettext_noop("Viable cells recovered / cells frozen"),
        "spec_kind": "quantitative",
        "unit": "%",
        "lower_limit": Decimal("50"),
        "required_tiers": FOR_USE,
    },
    {
        "code": "hla",
        "name": gettext_noop("HLA typing"),
        "category": "hla",
        "method": gettext_noop("NGS typing, concordance with the donor"),
        "spec_kind": "qualitative",
        "allowed_results": [gettext_noop("concordant"), gettext_noop("discordant")],
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
