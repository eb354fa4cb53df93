"""Match counting: potential match per position, 0/1/2 per locus over both orientations.

Two typings match at a position when they share a group (P group by default: WMDA level AI3, as
Atlas and the WMDA validation count). Null alleles are handled before comparing: a null in a list
that also holds expressing alleles is ignored; a position typed only as null takes the other
position's groups (the locus is homozygous for the expressed allele); when both positions are
null-only they keep their null alleles, so only the same nulls match them.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from stemhub.hla.genotype import LocusTyping, Position
from stemhub.hla.tables import ReferenceTables

__all__ = [
    "GGroupMatcher",
    "GroupMatcher",
    "MatchLevel",
    "PGroupMatcher",
    "PositionSets",
    "matcher_for",
]

MatchLevel = Literal["p_group", "g_group"]
PositionSets = tuple[frozenset[int], frozenset[int]]
_POSITIONS_KEPT = 50_000


class GroupMatcher:
    """Counts matches at the level of one allele -> group table; subclasses pick the table."""

    level: MatchLevel

    def __init__(self, tables: ReferenceTables, allele_group: npt.NDArray[np.int32]) -> None:
        self.tables = tables
        self._allele_group = allele_group
        self._cache: dict[Position, tuple[frozenset[int], frozenset[int]]] = {}

    def groups(self, position: Position) -> tuple[frozenset[int], frozenset[int]]:
        """(groups of the expressing alleles, groups of the null alleles) of a position."""
        cached = self._cache.get(position)
        if cached is None:
            cached = self.position_groups(position)
            if len(self._cache) >= _POSITIONS_KEPT:
                self._cache.clear()  # positions hold allele sets: keep memory bounded
            self._cache[position] = cached
        return cached

    def position_groups(self, position: Position) -> tuple[frozenset[int], frozenset[int]]:
        """`groups` without the cache (which keeps the position, and its allele set, alive)."""
        ids = np.fromiter(position.alleles, dtype=np.int64, count=len(position.alleles))
        nulls = self.tables.is_null[ids]
        expressing = frozenset(self._allele_group[ids[~nulls]].tolist())
        null = frozenset(self._allele_group[ids[nulls]].tolist())
        return expressing, null

    def genotype_sets(self, first: Position, second: Position) -> PositionSets:
        """The two positions' groups after the null rules of the module docstring."""
        return self.null_rules(self.groups(first), self.groups(second))

    @staticmethod
    def null_rules(
        first: tuple[frozenset[int], frozenset[int]], second: tuple[frozenset[int], frozenset[int]]
    ) -> PositionSets:
        """`genotype_sets` from the two positions' (expressing, null) groups."""
        one, one_null = first
        two, two_null = second
        if not one and not two:
            return one_null, two_null
        return (one or two), (two or one)

    def locus_typing_sets(self, typing: LocusTyping) -> tuple[PositionSets, ...]:
        return tuple(self.genotype_sets(a, b) for a, b in typing.genotypes)

    @staticmethod
    def count_sets(patient: PositionSets, donor: PositionSets) -> int:
        (p1, p2), (d1, d2) = patient, donor
        direct = (not p1.isdisjoint(d1)) + (not p2.isdisjoint(d2))
        cross = (not p1.isdisjoint(d2)) + (not p2.isdisjoint(d1))
        return max(direct, cross)

    def locus_count(self, patient: LocusTyping, donor: LocusTyping) -> int:
        """0, 1 or 2 matched positions; with genotype ambiguity the best alternative pair."""
        return max(
            self.count_sets(p, d)
            for p in self.locus_typing_sets(patient)
            for d in self.locus_typing_sets(donor)
        )


class PGroupMatcher(GroupMatcher):
    """Potential match at P-group level (identical antigen-recognition-domain protein)."""

    level: MatchLevel = "p_group"

    def __init__(self, tables: ReferenceTables) -> None:
        super().__init__(tables, tables.allele_p)


class GGroupMatcher(GroupMatcher):
    """Stricter: match at G-group level (identical exon 2/3 nucleotide sequence)."""

    level: MatchLevel = "g_group"

    def __init__(self, tables: ReferenceTables) -> None:
        super().__init__(tables, tables.allele_g)


def matcher_for(tables: ReferenceTables, level: MatchLevel) -> GroupMatcher:
    return PGroupMatcher(tables) if level == "p_group" else GGroupMatcher(tables)
