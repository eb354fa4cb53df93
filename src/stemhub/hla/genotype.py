"""What a parsed typing is: per locus, one or more genotypes of two positions each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "EIGHT_LOCI",
    "MATCH_LOCI",
    "SCORED_LOCI",
    "LocusTyping",
    "Position",
    "PositionKind",
    "Typing",
]

# The loci counted in match totals (10/10), the same less DQB1 (8/8), and every locus scored:
# those plus DPB1, graded and judged for T-cell-epitope permissiveness but not counted.
MATCH_LOCI: tuple[str, ...] = ("A", "B", "C", "DRB1", "DQB1")
EIGHT_LOCI: tuple[str, ...] = ("A", "B", "C", "DRB1")
SCORED_LOCI: tuple[str, ...] = (*MATCH_LOCI, "DPB1")

PositionKind = Literal[
    "allele",  # a name of two or more fields, e.g. A*01:01:01:01 or A*02:01
    "allele_list",  # A*02:01/A*02:05
    "g_group",
    "p_group",
    "mac",
    "xx",  # A*02:XX or a first field alone (A*02)
    "serology",
]


@dataclass(frozen=True, slots=True)
class Position:
    """One chromosome at one locus: every allele the typing allows there.

    ``alleles`` holds allele ids of the reference tables (nulls included); ``names`` the typed
    names a list or MAC expanded to; ``antigen`` the antigen of a serological typing.
    """

    token: str
    kind: PositionKind
    alleles: frozenset[int]
    names: tuple[str, ...]
    antigen: str | None = None


@dataclass(frozen=True, slots=True)
class LocusTyping:
    """``genotypes`` has more than one entry when the GL string has genotype ambiguity (``|``)."""

    locus: str
    genotypes: tuple[tuple[Position, Position], ...]

    @property
    def text(self) -> str:
        return "|".join(f"{a.token}+{b.token}" for a, b in self.genotypes)


@dataclass(frozen=True, slots=True)
class Typing:
    """A parsed GL string; ``release`` names the IPD-IMGT/HLA release it was resolved against."""

    release: str
    loci: Mapping[str, LocusTyping]

    def typed(self, locus: str) -> bool:
        return locus in self.loci

    @property
    def gl_string(self) -> str:
        return "^".join(self.loci[locus].text for locus in sorted(self.loci))
