"""Locus names: the human default loci of CLASTR and the spellings found in the wild.

Names are matched case-insensitively, ignoring spaces, underscores and hyphens, so that
``penta_d``, ``PentaD`` and ``Penta D`` are one locus. A locus outside the lists (``Dog PEZ8``)
is upper-cased with its whitespace collapsed, as CLASTR does with its parameter names, so two
spellings of it that differ only in case are one locus too.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["AMELOGENIN", "HUMAN_LOCI", "OTHER_HUMAN_LOCI", "normalise_locus"]

AMELOGENIN = "Amelogenin"

# CLASTR's human default markers (domain guide §5), in its display order.
HUMAN_LOCI: tuple[str, ...] = (
    AMELOGENIN,
    "CSF1PO",
    "D2S1338",
    "D3S1358",
    "D5S818",
    "D7S820",
    "D8S1179",
    "D13S317",
    "D16S539",
    "D18S51",
    "D19S433",
    "D21S11",
    "FGA",
    "Penta D",
    "Penta E",
    "TH01",
    "TPOX",
    "vWA",
)

# CLASTR's optional human markers: recognised for their standard spelling only.
OTHER_HUMAN_LOCI: tuple[str, ...] = (
    "D1S1656",
    "D2S441",
    "D6S1043",
    "D10S1248",
    "D12S391",
    "D22S1045",
    "DYS391",
    "F13A01",
    "F13B",
    "FESFPS",
    "LPL",
    "Penta C",
    "SE33",
)

_SEPARATORS = re.compile(r"[\s_\-]+")


def _squash(name: str) -> str:
    return _SEPARATORS.sub("", name).upper()


# Misspellings CLASTR accepts (letter O for digit 0 and back, short Amelogenin names).
_ALIASES = {
    "AM": AMELOGENIN,
    "AMEL": AMELOGENIN,
    "CSF1P0": "CSF1PO",
    "THO1": "TH01",
    "F13A1": "F13A01",
    "FES/FPS": "FESFPS",
}
_CANONICAL: dict[str, str] = {
    **{_squash(name): name for name in (*HUMAN_LOCI, *OTHER_HUMAN_LOCI)},
    **{_squash(alias): name for alias, name in _ALIASES.items()},
}


@lru_cache(maxsize=4096)
def normalise_locus(name: str) -> str:
    """The standard spelling of a locus; an unknown locus upper-cased, whitespace collapsed."""
    cleaned = " ".join(name.split())
    return _CANONICAL.get(_squash(cleaned), cleaned.upper())
