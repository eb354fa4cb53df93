"""Full scoring of one patient-donor pair: counts, grades, DPB1 permissiveness, ranking."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from stemhub.hla.genotype import MATCH_LOCI, SCORED_LOCI, LocusTyping, Position, Typing
from stemhub.hla.grading import (
    Confidence,
    DPB1Permissiveness,
    Grade,
    PositionGrade,
    PositionGrader,
    TcePermissiveness,
)
from stemhub.hla.matching import GroupMatcher
from stemhub.hla.tables import ReferenceTables

__all__ = [
    "DEFAULT_CONFIDENCE_WEIGHTS",
    "DEFAULT_GRADE_WEIGHTS",
    "LocusResult",
    "MatchCriteria",
    "MatchResult",
    "PairScorer",
    "RankingWeights",
]

DEFAULT_GRADE_WEIGHTS: Mapping[Grade, int] = {
    grade: len(Grade) - rank for rank, grade in enumerate(Grade)
}
DEFAULT_CONFIDENCE_WEIGHTS: Mapping[Confidence, int] = {
    Confidence.DEFINITE: 3,
    Confidence.EXACT: 2,
    Confidence.POTENTIAL: 1,
    Confidence.MISMATCH: 0,
}


@dataclass(frozen=True, slots=True)
class MatchCriteria:
    """Which loci count, and the most mismatches allowed in total and per locus.

    ``match_loci`` are counted in the totals and criteria; ``score_loci`` are graded (DPB1 by
    default is scored for TCE permissiveness but not counted).
    """

    match_loci: tuple[str, ...] = MATCH_LOCI
    score_loci: tuple[str, ...] = SCORED_LOCI
    max_mismatches: int | None = None
    max_mismatches_per_locus: Mapping[str, int] = field(default_factory=dict)

    def accepts(self, result: MatchResult) -> bool:
        if self.max_mismatches is not None and result.mismatches > self.max_mismatches:
            return False
        for locus, limit in self.max_mismatches_per_locus.items():
            locus_result = result.loci.get(locus)
            if locus_result is not None and locus_result.mismatches > limit:
                return False
        return True


@dataclass(frozen=True, slots=True)
class RankingWeights:
    grade: Mapping[Grade, int] = field(default_factory=lambda: dict(DEFAULT_GRADE_WEIGHTS))
    confidence: Mapping[Confidence, int] = field(
        default_factory=lambda: dict(DEFAULT_CONFIDENCE_WEIGHTS)
    )


@dataclass(frozen=True, slots=True)
class LocusResult:
    """One locus. ``count`` is None when the locus is not typed on both sides (untyped)."""

    locus: str
    count: int | None
    positions: tuple[PositionGrade, PositionGrade] | None = None
    dpb1: DPB1Permissiveness | None = None

    @property
    def typed(self) -> bool:
        return self.count is not None

    @property
    def mismatches(self) -> int:
        return 0 if self.count is None else 2 - self.count


@dataclass(frozen=True, slots=True)
class MatchResult:
    release: str
    donor_id: str | None
    loci: Mapping[str, LocusResult]
    match_loci: tuple[str, ...]

    @property
    def mismatches(self) -> int:
        """Mismatches summed over the counted loci typed on both sides."""
        return sum(self.loci[locus].mismatches for locus in self.match_loci if locus in self.loci)

    @property
    def untyped_loci(self) -> tuple[str, ...]:
        return tuple(locus for locus, result in self.loci.items() if not result.typed)

    def rank_key(self, weights: RankingWeights) -> tuple[int, int, int]:
        """Sort ascending: fewest mismatches, then best grades, then best confidence."""
        grade_score = confidence_score = 0
        for result in self.loci.values():
            for position in result.positions or ():
                grade_score += weights.grade.get(position.grade, 0)
                confidence_score += weights.confidence.get(position.confidence, 0)
        return (self.mismatches, -grade_score, -confidence_score)


class PairScorer:
    """Scores patient-donor pairs: counts with the matcher, grades the better orientation."""

    def __init__(self, tables: ReferenceTables, matcher: GroupMatcher, grader: PositionGrader):
        self.tables = tables
        self.matcher = matcher
        self.grader = grader
        self.tce = TcePermissiveness(tables)

    def score(
        self,
        patient: Typing,
        donor: Typing,
        criteria: MatchCriteria,
        donor_id: str | None = None,
    ) -> MatchResult:
        loci: dict[str, LocusResult] = {}
        for locus in _ordered(criteria.match_loci, criteria.score_loci):
            p, d = patient.loci.get(locus), donor.loci.get(locus)
            if p is None or d is None:
                loci[locus] = LocusResult(locus, None)
            else:
                loci[locus] = self.score_locus(p, d)
        return MatchResult(self.tables.release, donor_id, loci, criteria.match_loci)

    def score_locus(self, patient: LocusTyping, donor: LocusTyping) -> LocusResult:
        best: tuple[int, int, tuple[PositionGrade, PositionGrade]] | None = None
        best_pair: tuple[tuple[Position, Position], tuple[Position, Position]] | None = None
        weights = DEFAULT_GRADE_WEIGHTS
        for p_geno in patient.genotypes:
            p_sets = self.matcher.genotype_sets(*p_geno)
            for d_geno in donor.genotypes:
                d_sets = self.matcher.genotype_sets(*d_geno)
                for flip in (False, True):
                    d1, d2 = (d_geno[1], d_geno[0]) if flip else d_geno
                    s1, s2 = (d_sets[1], d_sets[0]) if flip else d_sets
                    count = (not p_sets[0].isdisjoint(s1)) + (not p_sets[1].isdisjoint(s2))
                    grades = (self.grader.grade(p_geno[0], d1), self.grader.grade(p_geno[1], d2))
                    score = weights[grades[0].grade] + weights[grades[1].grade]
                    if best is None or (count, score) > best[:2]:
                        best = (count, score, grades)
                        best_pair = (p_geno, d_geno)
        assert best is not None and best_pair is not None
        count, _, grades = best
        dpb1 = self.tce.classify(*best_pair, count) if patient.locus == "DPB1" else None
        return LocusResult(patient.locus, count, grades, dpb1)


def _ordered(first: Iterable[str], second: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for locus in (*first, *second):
        seen.setdefault(locus, None)
    return list(seen)
