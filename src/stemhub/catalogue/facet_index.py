"""Facet filtering and counting in memory, with numpy.

The catalogue's (entry, facet, value) rows are loaded once per process into integer arrays;
a filter is then a boolean mask and the counts of every facet one `bincount`, whatever the
number of lines. The arrays are reloaded when `CatalogueState.token` changes, which every
write to the catalogue does, so each process sees a commit on its next search.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from stemhub.catalogue.models import CatalogueEntry, CatalogueState, FacetValue

Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class FacetIndex:
    token: str
    entry_ids: npt.NDArray[np.int64]  # sorted primary keys; position = dense index
    row_entry: npt.NDArray[np.int32]  # per facet row: dense index of its entry
    row_code: npt.NDArray[np.int32]  # per facet row: code of its (facet, value)
    pairs: tuple[tuple[str, str], ...]  # code → (facet, value)
    codes: dict[tuple[str, str], int]
    by_name: npt.NDArray[np.int32]  # per entry: rank in name order
    by_newest: npt.NDArray[np.int32]  # per entry: rank, newest first
    by_type: npt.NDArray[np.int32]  # per entry: rank in (type, name) order

    @property
    def size(self) -> int:
        return len(self.entry_ids)

    def positions(self, ids: Sequence[int]) -> tuple[npt.NDArray[np.intp], Mask]:
        """Dense positions of the given primary keys, and which of them the index holds."""
        wanted = np.asarray(ids, dtype=np.int64)
        found = np.searchsorted(self.entry_ids, wanted)
        known = found < self.size
        known[known] = self.entry_ids[found[known]] == wanted[known]
        return found[known], known

    def facet_mask(self, facet: str, values: Sequence[str]) -> Mask:
        wanted = [self.codes[(facet, v)] for v in values if (facet, v) in self.codes]
        mask = np.zeros(self.size, dtype=bool)
        mask[self.row_entry[np.isin(self.row_code, wanted)]] = True
        return mask

    def counts(self, mask: Mask, facets: Sequence[str]) -> dict[str, dict[str, int]]:
        rows = mask[self.row_entry]
        tally = np.bincount(self.row_code[rows], minlength=len(self.pairs))
        wanted = set(facets)
        result: dict[str, dict[str, int]] = {}
        for code in np.flatnonzero(tally):
            facet, value = self.pairs[code]
            if facet in wanted:
                result.setdefault(facet, {})[value] = int(tally[code])
        return result


_lock = threading.Lock()
_current: FacetIndex | None = None


def _ranks(ordered_ids: list[int], entry_ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int32]:
    ranks = np.empty(len(entry_ids), dtype=np.int32)
    ranks[np.searchsorted(entry_ids, np.asarray(ordered_ids, dtype=np.int64))] = np.arange(
        len(ordered_ids), dtype=np.int32
    )
    return ranks


def _load(token: str) -> FacetIndex:
    entries = CatalogueEntry.objects.order_by("pk")
    entry_ids = np.fromiter(entries.values_list("pk", flat=True), dtype=np.int64)
    rows = list(FacetValue.objects.values_list("entry_id", "facet", "value"))
    codes: dict[tuple[str, str], int] = {}
    row_code = np.fromiter(
        (codes.setdefault((f, v), len(codes)) for _, f, v in rows), dtype=np.int32, count=len(rows)
    )
    row_entry = np.searchsorted(
        entry_ids, np.fromiter((e for e, _, _ in rows), dtype=np.int64, count=len(rows))
    ).astype(np.int32)
    return FacetIndex(
        token=token,
        entry_ids=entry_ids,
        row_entry=row_entry,
        row_code=row_code,
        pairs=tuple(codes),
        codes=codes,
        by_name=_ranks(list(entries.order_by("name").values_list("pk", flat=True)), entry_ids),
        by_newest=_ranks(
            list(entries.order_by("-published_at", "name").values_list("pk", flat=True)),
            entry_ids,
        ),
        by_type=_ranks(
            list(entries.order_by("line_type", "name").values_list("pk", flat=True)), entry_ids
        ),
    )


def current_index() -> FacetIndex:
    """The index for the catalogue as committed now (one small query to check)."""
    global _current
    token = CatalogueState.current_token()
    index = _current
    if index is not None and index.token == token:
        return index
    with _lock:
        if _current is None or _current.token != token:
            _current = _load(token)
        return _current
