"""`DonorIndex`: many donors, searched for one patient with numpy, updated in place, persisted.

Layout: per locus a `TypingEncoder` (distinct typing texts -> distinct group-set typings) and
one int32 column of text ids per donor (-1 untyped), plus donor ids and an alive mask. A search
counts the patient against each locus's distinct typings once, gathers per donor, filters by
the criteria, and fully scores only the donors that can reach the best ``limit``: the per-locus
grade and confidence scores are computed once per distinct donor typing among them.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from stemhub.hla.encoder import UNTYPED, TypingEncoder
from stemhub.hla.encoding import GroupSetPool, TypingPool, count_matrix
from stemhub.hla.errors import HLAError, ReferenceDataError
from stemhub.hla.genotype import Typing
from stemhub.hla.scoring import LocusResult, MatchCriteria, MatchResult, RankingWeights

if TYPE_CHECKING:
    from stemhub.hla.engine import HLAEngine

__all__ = ["DonorIndex", "SearchResult"]

FORMAT_VERSION = "1"


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Every donor within the criteria (ids and mismatch totals) and the best ones fully scored."""

    release: str
    donor_ids: list[str]
    mismatches: npt.NDArray[np.int16]
    best: list[MatchResult]
    seconds: float


class DonorIndex:
    def __init__(self, engine: HLAEngine, loci: tuple[str, ...]) -> None:
        self.engine = engine
        self.loci = loci
        self.encoder = TypingEncoder(engine.parser, engine.matcher, loci)
        self._ids: list[str] = []
        self._row: dict[str, int] | None = {}
        self._codes = {locus: np.full(1024, UNTYPED, dtype=np.int32) for locus in loci}
        self._alive = np.zeros(1024, dtype=bool)

    # ---- updates ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self._alive[: len(self._ids)].sum())

    def __contains__(self, donor_id: str) -> bool:
        return donor_id in self._rows()

    def _rows(self) -> dict[str, int]:
        if self._row is None:  # built lazily after a load: a search does not need it
            self._row = {d: i for i, d in enumerate(self._ids) if self._alive[i]}
        return self._row

    def _grow(self, needed: int) -> None:
        capacity = self._alive.size
        if needed <= capacity:
            return
        while capacity < needed:
            capacity *= 2
        for locus, column in self._codes.items():
            grown = np.full(capacity, UNTYPED, dtype=np.int32)
            grown[: column.size] = column
            self._codes[locus] = grown
        alive = np.zeros(capacity, dtype=bool)
        alive[: self._alive.size] = self._alive
        self._alive = alive

    def put(self, donor_id: str, gl: str) -> None:
        """Add a donor, or replace the typing of one already indexed (no rebuild either way)."""
        codes = self.encoder.encode(gl)  # raises before anything changes
        rows = self._rows()
        row = rows.get(donor_id)
        if row is None:
            row = len(self._ids)
            self._grow(row + 1)
            self._ids.append(donor_id)
            rows[donor_id] = row
            self._alive[row] = True
        for locus in self.loci:
            self._codes[locus][row] = codes.get(locus, UNTYPED)

    def put_many(self, donors: Iterable[tuple[str, str]]) -> int:
        count = 0
        for donor_id, gl in donors:
            self.put(donor_id, gl)
            count += 1
        return count

    def remove(self, donor_id: str) -> None:
        rows = self._rows()
        row = rows.pop(donor_id, None)
        if row is None:
            raise KeyError(donor_id)
        self._alive[row] = False

    # ---- search -----------------------------------------------------------------------------

    def search(
        self,
        patient: Typing | str,
        criteria: MatchCriteria | None = None,
        *,
        limit: int = 100,
        weights: RankingWeights | None = None,
    ) -> SearchResult:
        started = time.perf_counter()
        chosen = criteria or MatchCriteria()
        typing = self.engine.parse(patient) if isinstance(patient, str) else patient
        size = len(self._ids)
        keep = self._alive[:size].copy()
        mismatches = np.zeros(size, dtype=np.int16)
        for locus in chosen.match_loci:
            if locus not in self.loci:
                raise HLAError(f"locus {locus} is not indexed (indexed: {', '.join(self.loci)})")
            locus_typing = typing.loci.get(locus)
            if locus_typing is None:
                continue  # untyped in the patient: reported as untyped, no mismatches counted
            patient_pool = TypingPool()
            patient_pool.intern(self.engine.matcher.locus_typing_sets(locus_typing))
            pool_counts = count_matrix(patient_pool, self.encoder.pools[locus])[0]
            per_text = np.append(pool_counts[self.encoder.pool_map(locus)], np.int8(2))
            codes = self._codes[locus][:size]
            locus_mismatches = 2 - per_text[np.where(codes == UNTYPED, per_text.size - 1, codes)]
            limit_here = chosen.max_mismatches_per_locus.get(locus)
            if limit_here is not None:
                keep &= locus_mismatches <= limit_here
            mismatches += locus_mismatches
        if chosen.max_mismatches is not None:
            keep &= mismatches <= chosen.max_mismatches
        rows = np.flatnonzero(keep)
        best = self._best(
            typing, rows, mismatches[rows], chosen, limit, weights or RankingWeights()
        )
        return SearchResult(
            self.engine.release,
            [self._ids[r] for r in rows.tolist()],
            mismatches[rows],
            best,
            time.perf_counter() - started,
        )

    def _best(
        self,
        typing: Typing,
        rows: npt.NDArray[np.intp],
        mismatches: npt.NDArray[np.int16],
        criteria: MatchCriteria,
        limit: int,
        weights: RankingWeights,
    ) -> list[MatchResult]:
        if rows.size == 0 or limit <= 0:
            return []
        # Only donors whose mismatch total can still make the cut need grades.
        cutoff = np.partition(mismatches, min(limit, rows.size) - 1)[min(limit, rows.size) - 1]
        contenders = rows[mismatches <= cutoff]
        grade_total = np.zeros(contenders.size, dtype=np.int64)
        confidence_total = np.zeros(contenders.size, dtype=np.int64)
        memo: dict[str, dict[int, LocusResult]] = {}
        scored_loci = list(dict.fromkeys((*criteria.match_loci, *criteria.score_loci)))
        for locus in scored_loci:
            if locus not in self.loci:
                continue
            codes = self._codes[locus][contenders]
            results = memo.setdefault(locus, {})
            distinct = np.unique(codes)
            grade_of = np.zeros(distinct.size, dtype=np.int64)
            confidence_of = np.zeros(distinct.size, dtype=np.int64)
            for i, code in enumerate(distinct.tolist()):
                result = self._locus_result(typing, locus, code)
                results[code] = result
                for position in result.positions or ():
                    grade_of[i] += weights.grade.get(position.grade, 0)
                    confidence_of[i] += weights.confidence.get(position.confidence, 0)
            where = np.searchsorted(distinct, codes)
            grade_total += grade_of[where]
            confidence_total += confidence_of[where]
        ids = np.array([self._ids[r] for r in contenders.tolist()])
        order = np.lexsort((ids, -confidence_total, -grade_total, mismatches[mismatches <= cutoff]))
        best = []
        for position in order[:limit].tolist():
            row = int(contenders[position])
            loci = {
                locus: memo[locus][int(self._codes[locus][row])]
                if locus in memo
                else LocusResult(locus, None)
                for locus in scored_loci
            }
            best.append(MatchResult(self.engine.release, self._ids[row], loci, criteria.match_loci))
        return best

    def _locus_result(self, typing: Typing, locus: str, code: int) -> LocusResult:
        patient = typing.loci.get(locus)
        if patient is None or code == UNTYPED:
            return LocusResult(locus, None)
        text = self.encoder.texts[locus][code]
        donor = self.engine.parser.parse_segment(text)[locus]
        return self.engine.scorer.score_locus(patient, donor)

    # ---- persistence ------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the index (live donors only) atomically as an uncompressed ``.npz``."""
        size = len(self._ids)
        live = np.flatnonzero(self._alive[:size])
        arrays: dict[str, npt.NDArray[np.generic]] = {
            "meta": np.array(
                [
                    FORMAT_VERSION,
                    self.engine.release,
                    self.engine.tables.fingerprint,
                    self.engine.level,
                    ",".join(self.loci),
                ]
            ),
            "ids": np.array([self._ids[r] for r in live.tolist()], dtype=str),
        }
        for locus in self.loci:
            pool = self.encoder.pools[locus]
            indptr, groups = pool.positions.csr()
            first, second, start = pool.arrays()
            arrays[f"{locus}.codes"] = self._codes[locus][live]
            arrays[f"{locus}.texts"] = np.array(self.encoder.texts[locus], dtype=str)
            arrays[f"{locus}.pool_of"] = self.encoder.pool_map(locus)
            arrays[f"{locus}.indptr"] = indptr
            arrays[f"{locus}.groups"] = groups
            arrays[f"{locus}.alt_first"] = first
            arrays[f"{locus}.alt_second"] = second
            arrays[f"{locus}.alt_start"] = start
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp_name = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
        os.close(handle)
        try:
            with open(tmp_name, "wb") as out:
                np.savez(out, allow_pickle=False, **arrays)
            os.replace(tmp_name, path)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)

    @classmethod
    def open(cls, engine: HLAEngine, path: Path) -> DonorIndex:
        with np.load(path, allow_pickle=False) as data:
            version, release, fingerprint, level, loci_text = data["meta"].tolist()
            if version != FORMAT_VERSION:
                raise ReferenceDataError(
                    f"{path}: index format {version}, expected {FORMAT_VERSION}"
                )
            loci = tuple(loci_text.split(","))
            index = cls(engine, loci)
            ids: list[str] = data["ids"].tolist()
            texts = {locus: data[f"{locus}.texts"].tolist() for locus in loci}
            if fingerprint != engine.tables.fingerprint or level != engine.level:
                # Group ids belong to the release the index was built with: re-encode the texts.
                return cls._reencoded(engine, loci, ids, texts, data)
            pools = {
                locus: TypingPool.restore(
                    GroupSetPool.from_csr(data[f"{locus}.indptr"], data[f"{locus}.groups"]),
                    data[f"{locus}.alt_first"],
                    data[f"{locus}.alt_second"],
                    data[f"{locus}.alt_start"],
                )
                for locus in loci
            }
            pool_of = {locus: data[f"{locus}.pool_of"].tolist() for locus in loci}
            index.encoder = TypingEncoder.restore(
                engine.parser, engine.matcher, pools, texts, pool_of
            )
            index._ids = ids
            index._row = None
            index._codes = {locus: data[f"{locus}.codes"].copy() for locus in loci}
            index._alive = np.ones(len(ids), dtype=bool)
        if release != engine.release:
            raise ReferenceDataError(f"{path}: built for release {release}, not {engine.release}")
        return index

    @classmethod
    def _reencoded(
        cls,
        engine: HLAEngine,
        loci: tuple[str, ...],
        ids: list[str],
        texts: dict[str, list[str]],
        data: np.lib.npyio.NpzFile,
    ) -> DonorIndex:
        index = cls(engine, loci)
        index._ids = ids
        index._row = None
        index._alive = np.ones(len(ids), dtype=bool)
        for locus in loci:
            new_ids = np.array(
                [
                    index.encoder.add(engine.parser.parse_segment(text)[locus])
                    for text in texts[locus]
                ]
                + [UNTYPED],
                dtype=np.int32,
            )
            old = data[f"{locus}.codes"]
            index._codes[locus] = new_ids[np.where(old == UNTYPED, new_ids.size - 1, old)]
        return index
