"""Imputation: the haplotype pairs of a frequency set consistent with a typing, with probabilities.

A pair (h₁, h₂) explains a typing when, at every locus the typing and the set share, the two
haplotypes' alleles fall one in each typed position, in either order, for at least one of the
locus' genotype alternatives (``|``); loci the typing leaves untyped constrain nothing, loci the
set lacks are ignored, and the phase a GL string may give with ``~`` is not used (every
phase is allowed). Under Hardy–Weinberg the pair has weight 2·f₁·f₂, or f² when h₁ = h₂;
probabilities are the weights normalised over *all* consistent pairs, before any truncation.

How it stays fast: each typed position becomes a boolean mask over the set's alleles at its locus
(through `FrequencySet.allele_code`, cached per position), the masks of a locus make one K×K
table of allowed unordered allele pairs, a haplotype is a candidate only when its allele has a
partner in every such table (one gather per locus over all haplotypes), and only candidate ×
candidate pairs are checked, by gathers into the same tables. The 3,380² pairs of a set are
never formed unless the typing leaves every haplotype a candidate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from stemhub.hla.frequencies import FrequencySet
from stemhub.hla.genotype import Position, Typing

__all__ = ["DEFAULT_TOP", "Imputation", "Imputer"]

# As Atlas (WMDA Search & Match) does: the 2,000 likeliest genotypes are kept.
DEFAULT_TOP = 2000
# Bounded: the key holds the position's allele ids (hundreds for a MAC or a two-field name).
_POSITION_CACHE_SIZE = 20_000
_Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True, eq=False)
class Imputation:
    """The likeliest consistent pairs, in descending probability (ties by haplotype row).

    ``first``/``second`` are haplotype rows of the set (``first`` the more frequent one);
    ``probability`` is normalised over all ``total_pairs`` consistent pairs, so it sums to
    ``covered`` <= 1 when the list was truncated. ``likelihood`` is the unnormalised sum of
    2·f₁·f₂ (f²) over every consistent pair. No consistent pair: ``inexplicable``.
    """

    frequencies: FrequencySet
    first: npt.NDArray[np.int32]
    second: npt.NDArray[np.int32]
    probability: npt.NDArray[np.float64]
    total_pairs: int
    likelihood: float

    @property
    def inexplicable(self) -> bool:
        return self.total_pairs == 0

    @property
    def covered(self) -> float:
        return float(self.probability.sum())

    def __len__(self) -> int:
        return int(self.probability.size)

    def pairs(self) -> list[tuple[str, str, float]]:
        """(haplotype, haplotype, probability) as written in the frequency file."""
        names = self.frequencies.haplotypes
        return [
            (names[a], names[b], p)
            for a, b, p in zip(
                self.first.tolist(), self.second.tolist(), self.probability.tolist(), strict=True
            )
        ]


class Imputer:
    """Imputes typings against one frequency set (the masks of positions are cached)."""

    def __init__(self, frequencies: FrequencySet) -> None:
        self.frequencies = frequencies
        # per position (column, allele ids): the set's alleles it allows, as a mask and as text
        self._reduced: dict[tuple[int, frozenset[int]], tuple[npt.NDArray[np.bool_], str]] = {}
        self._empty = tuple(np.zeros(len(names), dtype=bool) for names in frequencies.alleles)
        self._columns = tuple(
            np.ascontiguousarray(frequencies.codes[:, column])
            for column in range(len(frequencies.loci))
        )

    def impute(
        self, typing: Typing, *, top: int | None = DEFAULT_TOP, cumulative: float = 1.0
    ) -> Imputation:
        """``top``: keep at most this many pairs (None: all); ``cumulative``: stop once the kept
        pairs' probabilities reach this share (1.0: no cut by probability)."""
        if top is not None and top < 1:
            raise ValueError("top must be 1 or more")
        if not 0.0 < cumulative <= 1.0:
            raise ValueError("cumulative must be in (0, 1]")
        fs = self.frequencies
        typed: list[tuple[int, list[tuple[_Mask, _Mask]]]] = []
        rows: npt.NDArray[np.intp] | None = None  # candidates: every haplotype at first
        for column, locus in enumerate(fs.loci):
            locus_typing = typing.loci.get(locus)
            if locus_typing is None:
                continue
            genotypes = [
                (self._mask(column, left), self._mask(column, right))
                for left, right in locus_typing.genotypes
            ]
            # an allele can be one of the pair when it fills one position and the other position
            # can be filled at all
            partner = self._empty[column].copy()
            for a, b in genotypes:
                if b.any():
                    partner |= a
                if a.any():
                    partner |= b
            codes = self._columns[column]
            rows = np.flatnonzero(partner[codes]) if rows is None else rows[partner[codes[rows]]]
            if rows.size == 0:
                return self._empty_result()
            typed.append((column, genotypes))
        if rows is None:
            rows = np.arange(len(fs))

        consistent = np.ones((rows.size, rows.size), dtype=bool)
        for column, genotypes in typed:
            codes = self._columns[column][rows]
            allowed = np.zeros_like(consistent)
            for a, b in genotypes:
                in_a, in_b = a[codes], b[codes]
                allowed |= np.outer(in_a, in_b)
                allowed |= np.outer(in_b, in_a)  # either order
            consistent &= allowed
        i, j = np.nonzero(np.triu(consistent))
        if i.size == 0:
            return self._empty_result()
        f = fs.frequency[rows]
        weight = f[i] * f[j] * np.where(i == j, 1.0, 2.0)
        likelihood = float(weight.sum())
        probability = weight / likelihood
        first, second = rows[i], rows[j]
        # the more frequent haplotype first, ties by row
        swap = (fs.frequency[second] > fs.frequency[first]) | (
            (fs.frequency[second] == fs.frequency[first]) & (second < first)
        )
        first, second = np.where(swap, second, first), np.where(swap, first, second)

        keep = probability.size if top is None else min(top, probability.size)
        if keep < probability.size:
            # the best `keep` by probability, then ordered; partition first (cheap)
            part = np.argpartition(-probability, keep - 1)[:keep]
        else:
            part = np.arange(probability.size)
        order = part[np.lexsort((second[part], first[part], -probability[part]))]
        if cumulative < 1.0:
            reached = np.cumsum(probability[order]) >= cumulative - 1e-12
            if reached.any():
                order = order[: int(np.argmax(reached)) + 1]
        return Imputation(
            frequencies=fs,
            first=first[order].astype(np.int32),
            second=second[order].astype(np.int32),
            probability=probability[order],
            total_pairs=int(i.size),
            likelihood=likelihood,
        )

    def key(self, typing: Typing) -> str:
        """What `impute` reads of ``typing``, as text: per locus of the set, each genotype
        alternative as the set's allele codes its two positions allow (order and repeats
        dropped). Typings with the same key have the same imputation, whatever their resolution
        or notation (``A*02:01:01:01`` and ``A*02:01`` in a two-field set, say)."""
        parts: list[str] = []
        for column, locus in enumerate(self.frequencies.loci):
            locus_typing = typing.loci.get(locus)
            if locus_typing is None:
                continue
            alternatives = set()
            for left, right in locus_typing.genotypes:
                a, b = self._code_text(column, left), self._code_text(column, right)
                alternatives.add(f"{a}+{b}" if a <= b else f"{b}+{a}")
            parts.append(f"{column}:{'|'.join(sorted(alternatives))}")
        return "^".join(parts)

    def _code_text(self, column: int, position: Position) -> str:
        return self._reduce(column, position)[1]

    def _mask(self, column: int, position: Position) -> npt.NDArray[np.bool_]:
        """The set's alleles at ``column`` that some allele of the position reduces to."""
        return self._reduce(column, position)[0]

    def _reduce(self, column: int, position: Position) -> tuple[npt.NDArray[np.bool_], str]:
        key = (column, position.alleles)
        reduced = self._reduced.get(key)
        if reduced is None:
            codes = self.frequencies.allele_code[column][np.fromiter(position.alleles, np.int64)]
            codes = np.unique(codes[codes >= 0])
            mask = self._empty[column].copy()
            mask[codes] = True
            if len(self._reduced) >= _POSITION_CACHE_SIZE:
                self._reduced.clear()
            reduced = self._reduced[key] = (mask, ",".join(map(str, codes.tolist())))
        return reduced

    def _empty_result(self) -> Imputation:
        none = np.zeros(0, dtype=np.int32)
        return Imputation(self.frequencies, none, none, np.zeros(0), 0, 0.0)
