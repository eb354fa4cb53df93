"""Dictionary encoding of locus typings and vectorised match counting between two sets of them.

Many donors share a typing, so each locus keeps a `TypingPool`: distinct typings, each a tuple of
genotype alternatives, each a pair of ids into a pool of distinct group sets (the positions'
P groups after the null rules). Counting then works on distinct typings only: an overlap matrix
between the two pools' group sets, then the better orientation and the best genotype
alternative, all as numpy array operations.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from stemhub.hla.matching import PositionSets

__all__ = ["GroupSetPool", "TypingPool", "count_matrix", "overlap_matrix"]

Int32Array = npt.NDArray[np.int32]
TypingKey = tuple[tuple[int, int], ...]


@dataclass
class GroupSetPool:
    """Distinct group sets, with CSR arrays (indptr, groups) kept up to date on append."""

    ids: dict[frozenset[int], int] = field(default_factory=dict)
    sizes: list[int] = field(default_factory=list)
    flat: list[int] = field(default_factory=list)
    _csr: tuple[Int32Array, Int32Array] | None = None
    _inverted: tuple[Int32Array, Int32Array] | None = None

    def intern(self, groups: frozenset[int]) -> int:
        self._materialise()
        known = self.ids.get(groups)
        if known is None:
            known = len(self.sizes)
            self.ids[groups] = known
            self.sizes.append(len(groups))
            self.flat.extend(sorted(groups))
            self._csr = None
            self._inverted = None
        return known

    def __len__(self) -> int:
        return len(self.sizes) if self._csr is None else self._csr[0].size - 1

    def _materialise(self) -> None:
        """After `from_csr` only the arrays exist; the Python lookups are built on first intern."""
        if self._csr is not None and len(self.sizes) != self._csr[0].size - 1:
            indptr, groups = self._csr
            self.flat = groups.tolist()
            bounds = indptr.tolist()
            self.sizes = [stop - start for start, stop in itertools.pairwise(bounds)]
            self.ids = {
                frozenset(self.flat[start:stop]): i
                for i, (start, stop) in enumerate(itertools.pairwise(bounds))
            }

    def csr(self) -> tuple[Int32Array, Int32Array]:
        if self._csr is None:
            indptr = np.zeros(len(self.sizes) + 1, dtype=np.int32)
            np.cumsum(np.array(self.sizes, dtype=np.int32), out=indptr[1:])
            self._csr = (indptr, np.array(self.flat, dtype=np.int32))
        return self._csr

    def inverted(self) -> tuple[Int32Array, Int32Array]:
        """group -> the sets holding it, as CSR (group_ptr, set ids); rebuilt after appends."""
        if self._inverted is None:
            indptr, groups = self.csr()
            set_of_entry = np.repeat(np.arange(len(self), dtype=np.int32), np.diff(indptr))
            order = np.argsort(groups, kind="stable")
            counts = np.bincount(groups, minlength=int(groups.max(initial=-1)) + 1)
            group_ptr = np.zeros(counts.size + 1, dtype=np.int32)
            np.cumsum(counts, out=group_ptr[1:])
            self._inverted = (group_ptr, set_of_entry[order].astype(np.int32))
        return self._inverted

    @classmethod
    def from_csr(cls, indptr: Int32Array, groups: Int32Array) -> GroupSetPool:
        pool = cls()
        pool._csr = (indptr, groups)
        return pool


@dataclass
class TypingPool:
    """Distinct typings of one locus; alternatives flattened into parallel arrays."""

    positions: GroupSetPool = field(default_factory=GroupSetPool)
    ids: dict[TypingKey, int] = field(default_factory=dict)
    alt_first: list[int] = field(default_factory=list)
    alt_second: list[int] = field(default_factory=list)
    alt_start: list[int] = field(default_factory=list)

    _arrays: tuple[Int32Array, Int32Array, Int32Array] | None = None

    def intern(self, genotypes: tuple[PositionSets, ...]) -> int:
        self._materialise()
        key = tuple(
            (self.positions.intern(first), self.positions.intern(second))
            for first, second in genotypes
        )
        known = self.ids.get(key)
        if known is None:
            known = len(self.alt_start)
            self.ids[key] = known
            self.alt_start.append(len(self.alt_first))
            for first, second in key:
                self.alt_first.append(first)
                self.alt_second.append(second)
            self._arrays = None
        return known

    def __len__(self) -> int:
        return len(self.alt_start) if self._arrays is None else self._arrays[2].size

    def _materialise(self) -> None:
        if self._arrays is not None and not self.ids and self._arrays[2].size:
            first, second, start = self._arrays
            self.alt_first, self.alt_second = first.tolist(), second.tolist()
            self.alt_start = start.tolist()
            bounds = [*self.alt_start, len(self.alt_first)]
            pairs = list(zip(self.alt_first, self.alt_second, strict=True))
            for typing_id, (lo, hi) in enumerate(itertools.pairwise(bounds)):
                self.ids[tuple(pairs[lo:hi])] = typing_id

    @classmethod
    def restore(
        cls,
        positions: GroupSetPool,
        alt_first: Int32Array,
        alt_second: Int32Array,
        alt_start: Int32Array,
    ) -> TypingPool:
        """From saved arrays; the Python lookups are built only when a typing is added."""
        pool = cls(positions)
        pool._arrays = (alt_first, alt_second, alt_start)
        return pool

    def arrays(self) -> tuple[Int32Array, Int32Array, Int32Array]:
        if self._arrays is None:
            self._arrays = (
                np.array(self.alt_first, dtype=np.int32),
                np.array(self.alt_second, dtype=np.int32),
                np.array(self.alt_start, dtype=np.int32),
            )
        return self._arrays


def _dense(
    indptr: Int32Array, groups: Int32Array, column: Int32Array, width: int
) -> npt.NDArray[np.bool_]:
    rows = np.repeat(np.arange(indptr.size - 1, dtype=np.int32), np.diff(indptr))
    columns = column[groups]
    keep = columns >= 0
    dense = np.zeros((indptr.size - 1, width), dtype=bool)
    dense[rows[keep], columns[keep]] = True
    return dense


def _single_columns(indptr: Int32Array, groups: Int32Array, column: Int32Array) -> Int32Array:
    """Dense column of each single-group set; -1 for larger sets and groups not in common."""
    first = groups[np.minimum(indptr[:-1], max(groups.size - 1, 0))]
    return np.where(np.diff(indptr) == 1, column[first], -1).astype(np.int32)


_FEW_SETS = 16


def _overlap_few(a: GroupSetPool, b: GroupSetPool) -> npt.NDArray[np.bool_]:
    """Few sets on the left (one patient): walk ``b``'s inverted index for their groups only."""
    group_ptr, holders = b.inverted()
    a_ptr, a_groups = a.csr()
    result = np.zeros((len(a), len(b)), dtype=bool)
    for row in range(len(a)):
        groups = a_groups[a_ptr[row] : a_ptr[row + 1]]
        groups = groups[groups < group_ptr.size - 1]
        starts, stops = group_ptr[groups], group_ptr[groups + 1]
        lengths = stops - starts
        total = int(lengths.sum())
        if total:
            offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
            result[row, holders[offsets + np.arange(total)]] = True
    return result


def overlap_matrix(a: GroupSetPool, b: GroupSetPool) -> npt.NDArray[np.bool_]:
    """``result[i, j]``: set i of ``a`` and set j of ``b`` share a group.

    Works on the groups present on both sides only; single-group sets (most high-resolution
    typings) are answered by a column lookup, the rest by one matrix product.
    """
    if len(a) <= _FEW_SETS:
        return _overlap_few(a, b)
    a_ptr, a_groups = a.csr()
    b_ptr, b_groups = b.csr()
    result = np.zeros((len(a), len(b)), dtype=bool)
    common = np.intersect1d(a_groups, b_groups)
    if common.size == 0:
        return result
    top = int(max(a_groups.max(initial=0), b_groups.max(initial=0))) + 1
    column = np.full(top, -1, dtype=np.int32)
    column[common] = np.arange(common.size, dtype=np.int32)
    a_dense = _dense(a_ptr, a_groups, column, common.size)
    b_dense = _dense(b_ptr, b_groups, column, common.size)
    a_single_column = _single_columns(a_ptr, a_groups, column)
    b_single_column = _single_columns(b_ptr, b_groups, column)
    rows = np.flatnonzero(a_single_column >= 0)
    result[rows, :] = b_dense[:, a_single_column[rows]].T
    multi_rows = np.flatnonzero(np.diff(a_ptr) != 1)
    if multi_rows.size:
        single_cols = np.flatnonzero(b_single_column >= 0)
        a_multi = a_dense[multi_rows]
        result[np.ix_(multi_rows, single_cols)] = a_multi[:, b_single_column[single_cols]]
        multi_cols = np.flatnonzero(np.diff(b_ptr) != 1)
        if multi_cols.size:
            product = a_multi.astype(np.float32) @ b_dense[multi_cols].astype(np.float32).T
            result[np.ix_(multi_rows, multi_cols)] = product > 0.5
    return result


def count_matrix(a: TypingPool, b: TypingPool) -> npt.NDArray[np.int8]:
    """``result[i, j]``: matched positions (0/1/2) between typing i of ``a`` and j of ``b``."""
    if not len(a) or not len(b):
        return np.zeros((len(a), len(b)), dtype=np.int8)
    overlap = overlap_matrix(a.positions, b.positions).view(np.int8)
    a1, a2, a_start = a.arrays()
    b1, b2, b_start = b.arrays()
    row1, row2 = overlap[a1], overlap[a2]
    direct = row1[:, b1] + row2[:, b2]
    cross = row1[:, b2] + row2[:, b1]
    counts: npt.NDArray[np.int8] = np.maximum(direct, cross)
    if a_start.size != a1.size:
        counts = np.maximum.reduceat(counts, a_start, axis=0)
    if b_start.size != b1.size:
        counts = np.maximum.reduceat(counts, b_start, axis=1)
    return counts
