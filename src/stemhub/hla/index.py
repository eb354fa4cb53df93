"""`DonorIndex`: many donors, searched for one patient with numpy, updated in place, persisted.

Layout: per locus a `TypingEncoder` (distinct typing texts -> distinct group-set typings) and
one int32 column of text ids per donor (-1 untyped), plus donor ids and an alive mask. A search
counts the patient against each locus's distinct typings once, gathers per donor, filters by
the criteria, and fully scores only the donors that can reach the best ``limit``: the per-locus
grade and confidence scores are computed once per distinct donor typing among them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import numpy.typing as npt

from stemhub.hla.encoder import UNTYPED, TypingEncoder
from stemhub.hla.encoding import GroupSetPool, TypingPool, count_matrix
from stemhub.hla.errors import HLAError, ReferenceDataError
from stemhub.hla.genotype import Typing
from stemhub.hla.npzfile import pack_strings, save_npz, unpack_strings
from stemhub.hla.scoring import LocusResult, MatchCriteria, MatchResult, RankingWeights

if TYPE_CHECKING:
    from stemhub.hla.engine import HLAEngine

__all__ = ["DonorIndex", "SearchResult"]

_W = TypeVar("_W")

FORMAT_VERSION = "2"
_FIRST_CHUNK = 256  # tied donors scored in the first round of `_best` (then doubling)
_READABLE_VERSIONS = ("1", "2")  # 1 stored strings as fixed-width unicode arrays


def _unpack(data: np.lib.npyio.NpzFile, name: str, version: str) -> list[str]:
    if version == "1":
        strings: list[str] = data[name].tolist()
        return strings
    return unpack_strings(data[f"{name}.utf8"], data[f"{name}.offsets"])


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
        counts: dict[str, npt.NDArray[np.int8]] = {}  # per text id (+ untyped): 0/1/2 matched
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
            counts[locus] = per_text
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
            typing, rows, mismatches[rows], chosen, limit, weights or RankingWeights(), counts
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
        counts: dict[str, npt.NDArray[np.int8]],
    ) -> list[MatchResult]:
        """The best ``limit`` of ``rows``, fully scored, ranked like `HLAEngine.rank`.

        Donors with fewer mismatches than the ``limit``-th one all make the cut. Of the tier
        tied at that count only the best few do: they are scored best-first by an upper bound
        of their grade and confidence sums (`_bounds`), stopping once the next donor's bound
        cannot beat the last one kept; ties in the bound go by donor id, as in the ranking.
        """
        if rows.size == 0 or limit <= 0:
            return []
        cutoff = np.partition(mismatches, min(limit, rows.size) - 1)[min(limit, rows.size) - 1]
        scored_loci = list(dict.fromkeys((*criteria.match_loci, *criteria.score_loci)))
        loci = [locus for locus in scored_loci if locus in self.loci]
        memo: dict[str, dict[int, tuple[int, int, LocusResult]]] = {locus: {} for locus in loci}
        below = rows[mismatches < cutoff]
        tier = rows[mismatches == cutoff]
        wanted = limit - below.size
        tier_ids = np.array([self._ids[r] for r in tier.tolist()])
        grade_bound, confidence_bound = self._bounds(typing, tier, loci, weights, counts)
        order = np.lexsort((tier_ids, -confidence_bound, -grade_bound))
        done = 0
        step = max(2 * wanted, _FIRST_CHUNK)
        kept_g = np.zeros(0, dtype=np.int64)
        kept_c = np.zeros(0, dtype=np.int64)
        while done < order.size:
            chunk = order[done : done + step]
            done += chunk.size
            step *= 2
            g, c = self._totals(typing, tier[chunk], loci, memo, weights)
            kept_g, kept_c = np.append(kept_g, g), np.append(kept_c, c)
            if done >= order.size or done < wanted:
                continue
            kept = order[:done]
            last = np.lexsort((tier_ids[kept], -kept_c, -kept_g))[wanted - 1]
            following = order[done]
            if (-int(kept_g[last]), -int(kept_c[last]), str(tier_ids[kept[last]])) < (
                -int(grade_bound[following]),
                -int(confidence_bound[following]),
                str(tier_ids[following]),
            ):
                break  # no donor left can enter the best `limit`
        candidates = np.concatenate((below, tier[order[:done]]))
        below_g, below_c = self._totals(typing, below, loci, memo, weights)
        grade_total = np.concatenate((below_g, kept_g))
        confidence_total = np.concatenate((below_c, kept_c))
        ids = np.array([self._ids[r] for r in candidates.tolist()])
        totals = np.concatenate((mismatches[mismatches < cutoff], np.full(done, cutoff)))
        ranked = np.lexsort((ids, -confidence_total, -grade_total, totals))
        best = []
        for position in ranked[:limit].tolist():
            row = int(candidates[position])
            per_locus = {
                locus: memo[locus][int(self._codes[locus][row])][2]
                if locus in memo
                else LocusResult(locus, None)
                for locus in scored_loci
            }
            best.append(
                MatchResult(self.engine.release, self._ids[row], per_locus, criteria.match_loci)
            )
        return best

    def _totals(
        self,
        typing: Typing,
        rows: npt.NDArray[np.intp],
        loci: list[str],
        memo: dict[str, dict[int, tuple[int, int, LocusResult]]],
        weights: RankingWeights,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Grade and confidence weight sums of ``rows``, scoring each distinct typing once."""
        grade_total = np.zeros(rows.size, dtype=np.int64)
        confidence_total = np.zeros(rows.size, dtype=np.int64)
        for locus in loci:
            codes = self._codes[locus][rows]
            results = memo[locus]
            distinct = np.unique(codes)
            grade_of = np.zeros(distinct.size, dtype=np.int64)
            confidence_of = np.zeros(distinct.size, dtype=np.int64)
            for i, code in enumerate(distinct.tolist()):
                known = results.get(code)
                if known is None:
                    result = self._locus_result(typing, locus, code)
                    grade = confidence = 0
                    for position in result.positions or ():
                        grade += weights.grade.get(position.grade, 0)
                        confidence += weights.confidence.get(position.confidence, 0)
                    known = results[code] = (grade, confidence, result)
                grade_of[i], confidence_of[i] = known[0], known[1]
            where = np.searchsorted(distinct, codes)
            grade_total += grade_of[where]
            confidence_total += confidence_of[where]
        return grade_total, confidence_total

    def _bounds(
        self,
        typing: Typing,
        rows: npt.NDArray[np.intp],
        loci: list[str],
        weights: RankingWeights,
        counts: dict[str, npt.NDArray[np.int8]],
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Per donor, upper bounds of its grade and confidence weight sums.

        A locus typed on both sides adds the best its two positions could score against any
        donor (`PositionGrader.reachable`, from the patient's typing alone); any other locus
        scores nothing. At P-group level a locus counted with ``c`` matched positions is scored
        in an orientation with exactly ``c`` matched positions, and an unmatched position can
        only grade as a mismatch, or as expressing vs null where the donor's typing has a
        null-only position (`PositionGrader.reachable_unmatched`, `TypingEncoder.null_only`).
        """
        grade_bound = np.zeros(rows.size, dtype=np.int64)
        confidence_bound = np.zeros(rows.size, dtype=np.int64)
        grader = self.engine.grader
        by_count = self.engine.level == "p_group"

        def best(weight: Mapping[_W, int], reachable: frozenset[_W]) -> int:
            return max(weight.get(value, 0) for value in reachable)

        for locus in loci:
            patient = typing.loci.get(locus)
            if patient is None:
                continue
            codes = self._codes[locus][rows]
            typed = codes != UNTYPED
            per_text = counts.get(locus) if by_count else None
            if per_text is None:
                matched = np.full(rows.size, 2, dtype=np.int8)
            else:
                matched = per_text[np.where(typed, codes, per_text.size - 1)]
            null = self.encoder.null_map(locus)
            may_be_null = np.where(typed, np.append(null, False)[codes], False)
            # [donor may have a null-only position][c]: the best of the patient's genotypes
            # with c positions matched
            g_by = np.full((2, 3), -(2**62), dtype=np.int64)
            c_by = np.full((2, 3), -(2**62), dtype=np.int64)
            for first, second in patient.genotypes:
                g_any, c_any = [], []
                for position in (first, second):
                    grades, confidences = grader.reachable(position)
                    g_any.append(best(weights.grade, grades))
                    c_any.append(best(weights.confidence, confidences))
                for nullable in (0, 1):
                    g_miss, c_miss = [], []
                    for position in (first, second):
                        grades, confidences = grader.reachable_unmatched(position, bool(nullable))
                        g_miss.append(best(weights.grade, grades))
                        c_miss.append(best(weights.confidence, confidences))
                    bounds = (
                        (g_miss[0] + g_miss[1], c_miss[0] + c_miss[1]),
                        (
                            max(g_any[0] + g_miss[1], g_miss[0] + g_any[1]),
                            max(c_any[0] + c_miss[1], c_miss[0] + c_any[1]),
                        ),
                        (g_any[0] + g_any[1], c_any[0] + c_any[1]),
                    )
                    for c, (g, conf) in enumerate(bounds):
                        g_by[nullable, c] = max(g_by[nullable, c], g)
                        c_by[nullable, c] = max(c_by[nullable, c], conf)
            nullable_of = may_be_null.astype(np.intp)
            grade_bound += np.where(typed, g_by[nullable_of, matched], 0)
            confidence_bound += np.where(typed, c_by[nullable_of, matched], 0)
        return grade_bound, confidence_bound

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
        }
        arrays["ids.utf8"], arrays["ids.offsets"] = pack_strings(
            [self._ids[r] for r in live.tolist()]
        )
        for locus in self.loci:
            pool = self.encoder.pools[locus]
            indptr, groups = pool.positions.csr()
            first, second, start = pool.arrays()
            arrays[f"{locus}.codes"] = self._codes[locus][live]
            arrays[f"{locus}.texts.utf8"], arrays[f"{locus}.texts.offsets"] = pack_strings(
                self.encoder.texts[locus]
            )
            arrays[f"{locus}.pool_of"] = self.encoder.pool_map(locus)
            arrays[f"{locus}.null_only"] = self.encoder.null_map(locus)
            arrays[f"{locus}.indptr"] = indptr
            arrays[f"{locus}.groups"] = groups
            arrays[f"{locus}.alt_first"] = first
            arrays[f"{locus}.alt_second"] = second
            arrays[f"{locus}.alt_start"] = start
        save_npz(path, arrays)

    @classmethod
    def open(cls, engine: HLAEngine, path: Path) -> DonorIndex:
        with np.load(path, allow_pickle=False) as data:
            version, release, fingerprint, level, loci_text = data["meta"].tolist()
            if version not in _READABLE_VERSIONS:
                raise ReferenceDataError(
                    f"{path}: index format {version}, expected {FORMAT_VERSION}"
                )
            loci = tuple(loci_text.split(","))
            index = cls(engine, loci)
            ids = _unpack(data, "ids", version)
            texts = {locus: _unpack(data, f"{locus}.texts", version) for locus in loci}
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
            null_only = {  # unknown in format 1: "maybe", which only loosens search bounds
                locus: data[f"{locus}.null_only"].tolist()
                if f"{locus}.null_only" in data.files
                else [True] * len(texts[locus])
                for locus in loci
            }
            index.encoder = TypingEncoder.restore(
                engine.parser, engine.matcher, pools, texts, pool_of, null_only
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
