"""Search one query against many references at once (CLASTR's search, vectorised with numpy).

Every reference profile is a row (a reference with conflicting sources has one row per profile,
`Reference.profiles()`). Each (locus, allele) is one bit of a per-row bitset, so the alleles a
row shares with the query are a popcount of `bits & query_bits` over the few 64-bit words the
query touches; per-locus presence and allele counts give the denominators of every mode.

Reporting follows CLASTR's search: a reference's rows are scored, its best (first highest) and
worst (last lowest) profiles are kept; the reference is reported when its best score reaches
the score filter and the best profile was scored on at least `min_markers` loci other than
Amelogenin. Both its rows are then listed, even a worst one below the filter. `max_results`
counts references. Order: best score, then markers of the best profile (both descending),
then accession and name (ascending) so that equal results always come in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from stemhub.strprofile.errors import ParameterError
from stemhub.strprofile.loci import AMELOGENIN
from stemhub.strprofile.profile import Profile, Reference
from stemhub.strprofile.scoring import (
    Algorithm,
    Mode,
    Reading,
    algorithm_for,
    check_mode,
)

__all__ = ["Kind", "Match", "SearchParameters", "StrIndex"]

Kind = Literal["single", "best", "worst"]


@dataclass(frozen=True)
class SearchParameters:
    """CLASTR's search form; the defaults are CLASTR's."""

    algorithm: Algorithm = "tanabe"
    mode: Mode = "nonempty"
    include_amelogenin: bool = False
    min_markers: int = 8
    score_filter: float = 60.0
    max_results: int = 200

    def __post_init__(self) -> None:
        algorithm_for(self.algorithm)
        check_mode(self.mode)
        if self.min_markers < 0:
            raise ParameterError("min_markers", f"{self.min_markers} is negative")
        if not 0 <= self.score_filter <= 100:
            raise ParameterError("score_filter", f"{self.score_filter} is not a percentage")
        if self.max_results < 1:
            raise ParameterError("max_results", f"{self.max_results} is less than 1")


@dataclass(frozen=True)
class Match:
    """One result row. `markers` is the number of loci scored (CLASTR's "Nº markers")."""

    accession: str
    name: str
    markers: int
    score: float
    kind: Kind
    reading: Reading
    shared: int
    query_alleles: int
    reference_alleles: int


@dataclass(frozen=True)
class _Counts:
    shared: npt.NDArray[np.int64]
    query_alleles: npt.NDArray[np.int64]
    reference_alleles: npt.NDArray[np.int64]
    markers: npt.NDArray[np.int64]
    str_markers: npt.NDArray[np.int64]


class StrIndex:
    """Build once with `StrIndex.build(references)`, then `search(query, parameters)`."""

    def __init__(
        self,
        references: Sequence[Reference],
        rows: Sequence[Profile],
        row_reference: Sequence[int],
    ) -> None:
        self.references = tuple(references)
        self._row_reference = np.asarray(row_reference, dtype=np.int64)
        ref_count = len(self.references)
        self._first_row = np.searchsorted(self._row_reference, np.arange(ref_count))
        self._row_count = np.bincount(self._row_reference, minlength=ref_count)
        order = sorted(
            range(ref_count), key=lambda i: (self.references[i].accession, self.references[i].name)
        )
        self._rank = np.empty(ref_count, dtype=np.int64)
        self._rank[order] = np.arange(ref_count)

        alleles: dict[str, set[str]] = {}
        for row in rows:
            for locus, values in row.loci.items():
                alleles.setdefault(locus, set()).update(values)
        self._loci = {locus: column for column, locus in enumerate(alleles)}
        self._bit: dict[tuple[str, str], int] = {}
        next_bit = 0
        for locus, seen in alleles.items():
            for allele in sorted(seen):
                self._bit[(locus, allele)] = next_bit
                next_bit += 1
        self._words = max(1, -(-next_bit // 64))

        count, width = len(rows), len(self._loci)
        self._present = np.zeros((count, width), dtype=bool)
        self._alleles = np.zeros((count, width), dtype=np.int64)
        self._bits = np.zeros((count, self._words), dtype=np.uint64)
        cells_r, cells_c, cells_n, bits_r, bits_w, bits_m = [], [], [], [], [], []
        for r, row in enumerate(rows):
            for locus, values in row.loci.items():
                cells_r.append(r)
                cells_c.append(self._loci[locus])
                cells_n.append(len(values))
                for allele in values:
                    bit = self._bit[(locus, allele)]
                    bits_r.append(r)
                    bits_w.append(bit >> 6)
                    bits_m.append(1 << (bit & 63))
        self._present[cells_r, cells_c] = True
        self._alleles[cells_r, cells_c] = cells_n
        np.bitwise_or.at(
            self._bits,
            (np.array(bits_r, dtype=np.int64), np.array(bits_w, dtype=np.int64)),
            np.array(bits_m, dtype=np.uint64),
        )
        amel = self._loci.get(AMELOGENIN)
        self._amel_present = (
            self._present[:, amel] if amel is not None else np.zeros(count, dtype=bool)
        )
        self._amel_alleles = (
            self._alleles[:, amel] if amel is not None else np.zeros(count, dtype=np.int64)
        )
        self._all_present = self._present.sum(axis=1, dtype=np.int64)
        self._all_alleles = self._alleles.sum(axis=1)

    @classmethod
    def build(cls, references: Iterable[Reference]) -> StrIndex:
        kept: list[Reference] = []
        rows: list[Profile] = []
        row_reference: list[int] = []
        for reference in references:
            profiles = reference.profiles()
            if not profiles:
                continue
            rows.extend(profiles)
            row_reference.extend([len(kept)] * len(profiles))
            kept.append(reference)
        return cls(kept, rows, row_reference)

    def __len__(self) -> int:
        return len(self.references)

    @property
    def rows(self) -> int:
        return len(self._row_reference)

    def _count(self, query: Profile, parameters: SearchParameters) -> _Counts:
        include = parameters.include_amelogenin
        loci = {
            locus: alleles
            for locus, alleles in query.loci.items()
            if include or locus != AMELOGENIN
        }
        known = [locus for locus in loci if locus in self._loci]
        columns = np.array([self._loci[locus] for locus in known], dtype=np.int64)
        query_counts = np.array([len(loci[locus]) for locus in known], dtype=np.int64)
        mask = np.zeros(self._words, dtype=np.uint64)
        for locus in known:
            for allele in loci[locus]:
                bit = self._bit.get((locus, allele))
                if bit is not None:
                    mask[bit >> 6] |= np.uint64(1 << (bit & 63))
        words = np.flatnonzero(mask)
        shared = np.bitwise_count(self._bits[:, words] & mask[words]).sum(axis=1, dtype=np.int64)
        present = self._present[:, columns]
        on_common_loci = present.astype(np.int64) @ query_counts
        reference_on_query_loci = self._alleles[:, columns].sum(axis=1)
        amel_query = AMELOGENIN in loci
        rows = self.rows
        if parameters.mode == "nonempty":
            markers = present.sum(axis=1, dtype=np.int64)
            query_alleles = on_common_loci
            reference_alleles = reference_on_query_loci
            amel_scored = self._amel_present & amel_query
        elif parameters.mode == "query":
            markers = np.full(rows, len(loci), dtype=np.int64)
            query_alleles = np.full(rows, sum(len(a) for a in loci.values()), dtype=np.int64)
            reference_alleles = reference_on_query_loci
            amel_scored = np.full(rows, amel_query)
        else:
            markers = self._all_present - (0 if include else self._amel_present)
            query_alleles = on_common_loci
            reference_alleles = self._all_alleles - (0 if include else self._amel_alleles)
            amel_scored = self._amel_present & include
        return _Counts(
            shared=shared,
            query_alleles=np.asarray(query_alleles, dtype=np.int64),
            reference_alleles=np.asarray(reference_alleles, dtype=np.int64),
            markers=np.asarray(markers, dtype=np.int64),
            str_markers=np.asarray(markers - amel_scored, dtype=np.int64),
        )

    def search(self, query: Profile, parameters: SearchParameters | None = None) -> list[Match]:
        """The references like `query`, best first; see the module docstring for the rules."""
        parameters = parameters or SearchParameters()
        strategy = algorithm_for(parameters.algorithm)
        if not self.rows:
            return []
        counts = self._count(query, parameters)
        raw = strategy.score(counts.shared, counts.query_alleles, counts.reference_alleles)
        # An undefined score (no alleles to divide by) is never reported; CLASTR sorts a NaN
        # profile first, so a reference with one has no best score and is left out too.
        undefined = np.isnan(raw)
        scores = np.where(undefined, -np.inf, raw)

        candidates = np.unique(self._row_reference[scores >= parameters.score_filter])
        best_rows = np.empty(len(candidates), dtype=np.int64)
        worst_rows = np.empty(len(candidates), dtype=np.int64)
        single = self._row_count[candidates] == 1
        best_rows[single] = self._first_row[candidates[single]]
        worst_rows[single] = best_rows[single]
        for i in np.flatnonzero(~single):
            start = int(self._first_row[candidates[i]])
            stop = start + int(self._row_count[candidates[i]])
            block = scores[start:stop]
            if undefined[start:stop].any():
                best_rows[i] = worst_rows[i] = -1
                continue
            best_rows[i] = start + int(np.argmax(block))
            lowest = np.flatnonzero(block == block.min())
            worst_rows[i] = start + int(lowest[-1])

        keep = (best_rows >= 0) & (counts.str_markers[best_rows] >= parameters.min_markers)
        candidates, best_rows, worst_rows = candidates[keep], best_rows[keep], worst_rows[keep]
        order = np.lexsort(
            (self._rank[candidates], -counts.markers[best_rows], -scores[best_rows])
        )[: parameters.max_results]

        matches: list[Match] = []
        for i in order:
            reference = self.references[int(candidates[i])]
            if best_rows[i] == worst_rows[i] and self._row_count[candidates[i]] == 1:
                pairs: list[tuple[Kind, int]] = [("single", int(best_rows[i]))]
            else:
                pairs = [("best", int(best_rows[i])), ("worst", int(worst_rows[i]))]
            for kind, row in pairs:
                score = float(scores[row])
                matches.append(
                    Match(
                        accession=reference.accession,
                        name=reference.name,
                        markers=int(counts.markers[row]),
                        score=score,
                        kind=kind,
                        reading=strategy.reading(score),
                        shared=int(counts.shared[row]),
                        query_alleles=int(counts.query_alleles[row]),
                        reference_alleles=int(counts.reference_alleles[row]),
                    )
                )
        return matches
