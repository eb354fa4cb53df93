"""CLASTR's scores: what is counted (the mode), how it is scored (the algorithm), how to read it.

Counting, for a query profile against one reference profile (Robin, Capes-Davis & Bairoch,
Int J Cancer 2020; CLASTR's `ScoringMode`):

- `nonempty` (default): the loci present in both profiles. Shared alleles, query alleles and
  reference alleles are all counted on those loci.
- `query`: every query locus. Query alleles on all of them; reference alleles and shared
  alleles where the reference has the locus too.
- `reference`: the mirror image of `query`.

Amelogenin is skipped unless `include_amelogenin`. Each locus counts its distinct alleles, `ND`
never counts, and a locus typed only ND is still present (it adds a marker and no alleles).

Scoring (percent): Tanabe = 2 × shared / (query + reference alleles) × 100; Masters vs query =
shared / query alleles × 100; Masters vs reference = shared / reference alleles × 100. The
arithmetic is done in the same order as CLASTR's Java code so the doubles are identical; a
score whose denominator is zero is undefined (NaN) and never reported.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar, Literal, get_args

import numpy as np
import numpy.typing as npt

from stemhub.strprofile.errors import ParameterError
from stemhub.strprofile.loci import AMELOGENIN
from stemhub.strprofile.profile import Profile

__all__ = [
    "ALGORITHMS",
    "Algorithm",
    "Comparison",
    "MastersQuery",
    "MastersReference",
    "Mode",
    "Reading",
    "ScoringAlgorithm",
    "Tanabe",
    "algorithm_for",
    "compare",
    "format_score",
]

Algorithm = Literal["tanabe", "masters-query", "masters-reference"]
Mode = Literal["nonempty", "query", "reference"]
Reading = Literal["same", "related", "different"]

MODES: tuple[Mode, ...] = get_args(Mode)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.integer]


class ScoringAlgorithm(ABC):
    """One CLASTR algorithm: a score from the three counts, and its reading bands."""

    name: ClassVar[Algorithm]
    # (same line at or above, related at or above); below the second: different.
    bands: ClassVar[tuple[float, float]]

    @abstractmethod
    def score(
        self, shared: IntArray, query_alleles: IntArray, reference_alleles: IntArray
    ) -> FloatArray:
        """Percent scores, element-wise; NaN where the denominator is zero."""

    def reading(self, score: float) -> Reading:
        same, related = self.bands
        if score >= same:
            return "same"
        return "related" if score >= related else "different"


def _divide(numerator: FloatArray, denominator: IntArray) -> FloatArray:
    """numerator × 100 / denominator: multiplied first, so a score on a band is the band
    itself (36 × 100 / 40 is 90.0; 36 / 40 × 100 is 90.00000000000001)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        result: FloatArray = numerator * 100 / np.asarray(denominator, dtype=np.float64)
    return result


class Tanabe(ScoringAlgorithm):
    """Sørensen-Dice: 2 × shared / (query alleles + reference alleles) × 100."""

    name = "tanabe"
    bands = (90.0, 80.0)

    def score(
        self, shared: IntArray, query_alleles: IntArray, reference_alleles: IntArray
    ) -> FloatArray:
        total = np.asarray(query_alleles, dtype=np.int64) + np.asarray(reference_alleles)
        return _divide(np.asarray(shared, dtype=np.float64) * 2, total)


class MastersQuery(ScoringAlgorithm):
    """Masters (vs. query): shared / query alleles × 100."""

    name = "masters-query"
    bands = (80.0, 60.0)

    def score(
        self, shared: IntArray, query_alleles: IntArray, reference_alleles: IntArray
    ) -> FloatArray:
        return _divide(np.asarray(shared, dtype=np.float64), query_alleles)


class MastersReference(ScoringAlgorithm):
    """Masters (vs. reference): shared / reference alleles × 100."""

    name = "masters-reference"
    bands = (80.0, 60.0)

    def score(
        self, shared: IntArray, query_alleles: IntArray, reference_alleles: IntArray
    ) -> FloatArray:
        return _divide(np.asarray(shared, dtype=np.float64), reference_alleles)


ALGORITHMS: dict[Algorithm, ScoringAlgorithm] = {
    algorithm.name: algorithm for algorithm in (Tanabe(), MastersQuery(), MastersReference())
}


def algorithm_for(name: str) -> ScoringAlgorithm:
    try:
        return ALGORITHMS[name]  # type: ignore[index]
    except KeyError:
        raise ParameterError(
            "algorithm", f"{name!r} is not one of {', '.join(ALGORITHMS)}"
        ) from None


def check_mode(mode: str) -> Mode:
    if mode not in MODES:
        raise ParameterError("mode", f"{mode!r} is not one of {', '.join(MODES)}")
    return mode


@dataclass(frozen=True)
class Comparison:
    """One query against one reference profile. `markers` counts the loci scored (Amelogenin
    included when it was scored); `str_markers` the same without Amelogenin."""

    shared: int
    query_alleles: int
    reference_alleles: int
    markers: int
    str_markers: int
    score: float | None
    reading: Reading | None


def compare(
    query: Profile,
    reference: Profile,
    *,
    algorithm: Algorithm = "tanabe",
    mode: Mode = "nonempty",
    include_amelogenin: bool = False,
) -> Comparison:
    """Score one profile against another, CLASTR's way (e.g. a bank's STR result against its
    parent line). The plain-Python counterpart of `StrIndex.search`."""
    strategy = algorithm_for(algorithm)
    check_mode(mode)
    if mode == "nonempty":
        loci = [locus for locus in query.loci if locus in reference.loci]
    elif mode == "query":
        loci = list(query.loci)
    else:
        loci = list(reference.loci)
    if not include_amelogenin:
        loci = [locus for locus in loci if locus != AMELOGENIN]
    empty: frozenset[str] = frozenset()
    shared = query_alleles = reference_alleles = 0
    for locus in loci:
        mine, theirs = query.loci.get(locus, empty), reference.loci.get(locus, empty)
        shared += len(mine & theirs)
        query_alleles += len(mine)
        reference_alleles += len(theirs)
    value = float(
        strategy.score(
            np.array([shared]), np.array([query_alleles]), np.array([reference_alleles])
        )[0]
    )
    score = None if np.isnan(value) else value
    return Comparison(
        shared=shared,
        query_alleles=query_alleles,
        reference_alleles=reference_alleles,
        markers=len(loci),
        str_markers=sum(1 for locus in loci if locus != AMELOGENIN),
        score=score,
        reading=None if score is None else strategy.reading(score),
    )


def format_score(score: float) -> str:
    """Two decimals, halves rounded up as Java's `String.format("%.2f")` does (65.625 → 65.63)."""
    return str(Decimal(repr(score)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
