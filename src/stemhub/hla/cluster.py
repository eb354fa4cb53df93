"""`ShardedIndex`: a `DonorIndex` split over Ray actors, searched exactly as one index would be.

Each shard is a Ray actor holding an ordinary `DonorIndex` of the donors whose id hashes to it
(CRC-32 of the UTF-8 id, modulo the number of shards: stable across processes and machines,
unlike Python's ``hash``, and even over any id scheme, so a bank's upload of consecutive ids
spreads over every shard instead of landing on one). The actor builds its own `HLAEngine` from
the driver's reference tables, MAC dictionary and match level, so both sides parse and score
alike.

Updates are buffered per shard, in call order, and sent in one call per shard before the next
search (or `flush`). Every new donor gets the driver's next sequence number: a shard's rows are
in sequence order, as the rows of a single `DonorIndex` are in insertion order, so the merged
``donor_ids`` come out in the single index's order.

A search sends the same parsed patient and criteria to every shard at once. Each shard returns
its candidates (ids, sequence numbers, mismatch totals) and its best ``limit`` fully scored,
ranked by (mismatches, -grade weights, -confidence weights, donor id) — a total order. The
global best ``limit`` under that order are among the union of the shards' best ``limit``, so
sorting the union by the same key and keeping ``limit`` gives exactly the single index's list.

Failure: a shard that died (its process or node) makes every search raise
`ShardUnavailableError`; the index never answers from the shards that are left. Actors are not
restarted by Ray (a restarted actor would come back empty): build a new `ShardedIndex`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt

from stemhub.hla import errors
from stemhub.hla.errors import HLAError, ReferenceDataError, TypingError
from stemhub.hla.genotype import SCORED_LOCI, Typing
from stemhub.hla.index import DonorIndex, SearchResult
from stemhub.hla.npzfile import pack_strings, save_npz, unpack_strings
from stemhub.hla.scoring import MatchCriteria, MatchResult, RankingWeights

if TYPE_CHECKING:
    from stemhub.hla.engine import HLAEngine
    from stemhub.hla.macs import MacDictionary
    from stemhub.hla.matching import MatchLevel
    from stemhub.hla.tables import ReferenceTables

__all__ = ["ShardUnavailableError", "ShardedIndex", "connect", "shard_of"]

MANIFEST_VERSION = "1"


class ShardUnavailableError(HLAError):
    """A shard of a `ShardedIndex` is gone; no search is answered until the index is rebuilt."""


def shard_of(donor_id: str, shards: int) -> int:
    """The shard a donor lives on: CRC-32 of its id modulo the number of shards."""
    return zlib.crc32(donor_id.encode()) % shards


def connect(address: str = "", *, num_cpus: int | None = None) -> None:
    """Join a Ray cluster (``auto``, ``ray://host:10001``: its nodes must have this version of
    stemhub installed), or with an empty address start a local one for this process (no
    dashboard; its workers import stemhub from where this process did). Does nothing when Ray
    is already initialised."""
    import ray

    import stemhub

    if ray.is_initialized():
        return
    if address:
        ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
    else:
        source = str(Path(stemhub.__file__).resolve().parents[1])
        path = os.pathsep.join(p for p in (source, os.environ.get("PYTHONPATH", "")) if p)
        ray.init(
            num_cpus=num_cpus,
            include_dashboard=False,
            runtime_env={"env_vars": {"PYTHONPATH": path}},
            logging_level=logging.WARNING,
            log_to_driver=False,
        )


# ---- the shard (runs inside a Ray actor) --------------------------------------------------------


class _CarriedTypingError(Exception):
    """A `TypingError` raised in a shard, in a form that pickles (its class takes other
    arguments than its message); the driver raises the original class again."""

    def __init__(self, name: str, token: str, reason: str, successor: str | None) -> None:
        super().__init__(name, token, reason, successor)

    @classmethod
    def of(cls, error: TypingError) -> _CarriedTypingError:
        successor = getattr(error, "successor", None)
        return cls(type(error).__name__, error.token, error.reason, successor)

    def revived(self) -> TypingError:
        name, token, reason, successor = self.args
        kind = getattr(errors, name, TypingError)
        if kind is errors.DeletedAlleleError:
            return errors.DeletedAlleleError(token, reason, successor)
        revived: TypingError = kind(token, reason)
        return revived


class _SequencedIndex(DonorIndex):
    """A `DonorIndex` that remembers, per row, the driver's sequence number of the donor."""

    def __init__(self, engine: HLAEngine, loci: tuple[str, ...]) -> None:
        super().__init__(engine, loci)
        self.seq = np.zeros(1024, dtype=np.int64)

    def put_at(self, donor_id: str, gl: str, seq: int) -> None:
        new = donor_id not in self
        self.put(donor_id, gl)
        if new:
            row = len(self._ids) - 1
            if row >= self.seq.size:
                grown = np.zeros(max(2 * self.seq.size, row + 1), dtype=np.int64)
                grown[: self.seq.size] = self.seq
                self.seq = grown
            self.seq[row] = seq

    def seqs_of(self, donor_ids: Sequence[str]) -> npt.NDArray[np.int64]:
        rows = self._rows()
        return self.seq[np.fromiter(map(rows.__getitem__, donor_ids), np.int64, len(donor_ids))]

    def live_seqs(self) -> npt.NDArray[np.int64]:
        """Sequence numbers of the live rows in row order (the order `save` writes them)."""
        size = len(self._ids)
        return self.seq[:size][self._alive[:size]]


@dataclass(frozen=True, slots=True)
class _ShardAnswer:
    ids_utf8: npt.NDArray[np.uint8]
    ids_offsets: npt.NDArray[np.int64]
    seqs: npt.NDArray[np.int64]
    mismatches: npt.NDArray[np.int16]
    best: list[tuple[tuple[int, int, int, str], MatchResult]]  # rank key, result
    seconds: float  # the shard's own work, from the call's arrival to its answer packed
    cpu_seconds: float  # the same in CPU time of the shard's process


class _Shard:
    """One shard's state. Wrapped by ``ray.remote`` in `ShardedIndex`; plain Python here."""

    def __init__(
        self,
        tables: ReferenceTables,
        macs: MacDictionary | None,
        level: MatchLevel,
        loci: tuple[str, ...],
    ) -> None:
        from stemhub.hla.engine import HLAEngine

        self.engine = HLAEngine(tables, macs, level=level)
        self.index = _SequencedIndex(self.engine, loci)

    def update(self, ops: list[tuple[str, str, int]]) -> int:
        """Apply ``(id, gl, seq)`` puts and ``(id, "", -1)`` removals in order (a removal of a
        donor the shard does not hold does nothing); the first typing the engine refuses stops
        the batch with its error, the ones before it applied."""
        for donor_id, gl, seq in ops:
            if seq >= 0:
                try:
                    self.index.put_at(donor_id, gl, seq)
                except TypingError as error:
                    raise _CarriedTypingError.of(error) from None
            elif donor_id in self.index:
                self.index.remove(donor_id)
        return len(self.index)

    def search(
        self, typing: Typing, criteria: MatchCriteria, limit: int, weights: RankingWeights
    ) -> _ShardAnswer:
        started, cpu = time.perf_counter(), time.process_time()
        found = self.index.search(typing, criteria, limit=limit, weights=weights)
        seqs = self.index.seqs_of(found.donor_ids)
        best = []
        if found.best:
            # a shard's rows are in sequence order: find the best donors' mismatch totals
            where = np.searchsorted(
                seqs, self.index.seqs_of([r.donor_id or "" for r in found.best])
            )
            for result, position in zip(found.best, where.tolist(), strict=True):
                _, grade, confidence = result.rank_key(weights)
                key = (int(found.mismatches[position]), grade, confidence, result.donor_id or "")
                best.append((key, result))
        utf8, offsets = pack_strings(found.donor_ids)
        return _ShardAnswer(
            utf8,
            offsets,
            seqs,
            found.mismatches,
            best,
            time.perf_counter() - started,
            time.process_time() - cpu,
        )

    def size(self) -> int:
        return len(self.index)

    def contains(self, donor_id: str) -> bool:
        return donor_id in self.index

    def rss_mb(self) -> float:
        """Resident memory of the actor's process now (VmRSS), in MB."""
        with open(f"/proc/{os.getpid()}/status") as status:
            return int(status.read().split("VmRSS:")[1].split()[0]) / 1024

    def save(self, path: str) -> None:
        target = Path(path)
        self.index.save(target)
        save_npz(target.with_suffix(".seq.npz"), {"seq": self.index.live_seqs()})

    def open(self, path: str) -> int:
        target = Path(path)
        opened = cast(_SequencedIndex, _SequencedIndex.open(self.engine, target))
        with np.load(target.with_suffix(".seq.npz"), allow_pickle=False) as data:
            seq = data["seq"]
        if seq.size != len(opened):
            raise ReferenceDataError(
                f"{path}: {seq.size} sequence numbers for {len(opened)} donors"
            )
        opened.seq = np.array(seq, dtype=np.int64)
        self.index = opened
        return len(opened)


# ---- the driver --------------------------------------------------------------------------------


class ShardedIndex:
    """The `DonorIndex` surface (put, remove, search, len, save, open) over ``shards`` actors.

    ``cpus_per_shard`` is what each actor reserves in Ray's scheduler (placement: actors are
    spread over the cluster's nodes; shards that cannot all be placed within ``start_timeout``
    seconds raise `ShardUnavailableError`); call `connect` first (or ``ray.init``).
    """

    def __init__(
        self,
        engine: HLAEngine,
        shards: int,
        loci: tuple[str, ...] = SCORED_LOCI,
        *,
        cpus_per_shard: float = 1.0,
        start_timeout: float = 120.0,
    ) -> None:
        import ray
        from ray.exceptions import GetTimeoutError

        if shards < 1:
            raise HLAError(f"a sharded index needs at least one shard, not {shards}")
        self.engine = engine
        self.loci = loci
        self.shards = shards
        remote = ray.remote(_Shard).options(
            num_cpus=cpus_per_shard, max_restarts=0, scheduling_strategy="SPREAD"
        )
        tables, macs = ray.put(engine.tables), ray.put(engine.macs)
        self._actors: list[Any] = [
            remote.remote(tables, macs, engine.level, loci) for _ in range(shards)
        ]
        self._pending: list[list[tuple[str, str, int]]] = [[] for _ in range(shards)]
        self._pending_lock = threading.Lock()  # updates and the flush of another thread
        self._next_seq = 0
        self._size = 0
        # each shard's own time in the last search, wall and CPU
        self.shard_seconds: list[float] = []
        self.shard_cpu_seconds: list[float] = []
        try:
            ray.get([actor.size.remote() for actor in self._actors], timeout=start_timeout)
        except GetTimeoutError:
            self.close()
            raise ShardUnavailableError(
                f"{shards} shards of {cpus_per_shard} CPU did not start within {start_timeout} s: "
                "the Ray cluster has too few free CPUs or too little memory"
            ) from None

    # ---- updates ----------------------------------------------------------------------------

    def put(self, donor_id: str, gl: str) -> None:
        """Add a donor or replace its typing (applied on the next search or `flush`)."""
        with self._pending_lock:
            self._pending[shard_of(donor_id, self.shards)].append((donor_id, gl, self._next_seq))
            self._next_seq += 1

    def put_many(self, donors: Iterable[tuple[str, str]]) -> int:
        count = 0
        for donor_id, gl in donors:
            self.put(donor_id, gl)
            count += 1
        return count

    def discard(self, donor_id: str) -> None:
        """Take a donor out if it is there (applied on the next search or `flush`)."""
        with self._pending_lock:
            self._pending[shard_of(donor_id, self.shards)].append((donor_id, "", -1))

    def remove(self, donor_id: str) -> None:
        """Take a donor out; `KeyError` if it is not indexed (asks its shard: one call)."""
        if donor_id not in self:
            raise KeyError(donor_id)
        self.discard(donor_id)

    def flush(self) -> None:
        """Send the buffered updates, one call per shard, and wait for them."""
        with self._pending_lock:
            pending, self._pending = self._pending, [[] for _ in range(self.shards)]
            # sent under the lock: one thread's batches reach each actor in the order taken
            calls = [
                self._actors[number].update.remote(ops) for number, ops in enumerate(pending) if ops
            ]
        if not calls:
            return
        self._gather(calls)
        self._size = sum(self._gather([actor.size.remote() for actor in self._actors]))

    def __len__(self) -> int:
        self.flush()
        return self._size

    def __contains__(self, donor_id: str) -> bool:
        self.flush()
        found: bool = self._gather(
            [self._actors[shard_of(donor_id, self.shards)].contains.remote(donor_id)]
        )[0]
        return found

    # ---- search -----------------------------------------------------------------------------

    def search(
        self,
        patient: Typing | str,
        criteria: MatchCriteria | None = None,
        *,
        limit: int = 100,
        weights: RankingWeights | None = None,
    ) -> SearchResult:
        """`DonorIndex.search` over every shard: the same candidates in the same order, the
        same best ``limit`` in the same order with the same scores."""
        started = time.perf_counter()
        chosen = criteria or MatchCriteria()
        typing = self.engine.parse(patient) if isinstance(patient, str) else patient
        for locus in chosen.match_loci:
            if locus not in self.loci:
                raise HLAError(f"locus {locus} is not indexed (indexed: {', '.join(self.loci)})")
        self.flush()
        answers: list[_ShardAnswer] = self._gather(
            [
                actor.search.remote(typing, chosen, limit, weights or RankingWeights())
                for actor in self._actors
            ]
        )
        self.shard_seconds = [answer.seconds for answer in answers]
        self.shard_cpu_seconds = [answer.cpu_seconds for answer in answers]
        seqs = np.concatenate([answer.seqs for answer in answers])
        order = np.argsort(seqs, kind="stable")
        ids = [d for answer in answers for d in unpack_strings(answer.ids_utf8, answer.ids_offsets)]
        mismatches = np.concatenate([answer.mismatches for answer in answers])[order]
        best = sorted((pair for answer in answers for pair in answer.best), key=lambda p: p[0])
        return SearchResult(
            self.engine.release,
            [ids[i] for i in order.tolist()],
            mismatches.astype(np.int16, copy=False),
            [result for _, result in best[: max(limit, 0)]],
            time.perf_counter() - started,
        )

    # ---- memory and persistence ----------------------------------------------------------------

    def shard_sizes(self) -> list[int]:
        self.flush()
        sizes: list[int] = self._gather([actor.size.remote() for actor in self._actors])
        return sizes

    def shard_rss_mb(self) -> list[float]:
        """Resident memory of each shard's process (VmRSS), in MB."""
        rss: list[float] = self._gather([actor.rss_mb.remote() for actor in self._actors])
        return rss

    def _shard_path(self, path: Path, number: int) -> Path:
        return path.with_name(f"{path.stem}.shard{number}of{self.shards}.npz")

    def save(self, path: Path) -> None:
        """Each shard writes its own index (``<stem>.shard<i>of<n>.npz``, on the shard's machine:
        a cluster needs a shared folder), then ``path`` names them (written last: a complete
        set)."""
        self.flush()
        self._gather(
            [
                actor.save.remote(str(self._shard_path(path, number)))
                for number, actor in enumerate(self._actors)
            ]
        )
        save_npz(
            path,
            {
                "meta": np.array(
                    [MANIFEST_VERSION, self.engine.release, str(self.shards), str(self._next_seq)]
                )
            },
        )

    @classmethod
    def open(
        cls,
        engine: HLAEngine,
        path: Path,
        shards: int,
        loci: tuple[str, ...] = SCORED_LOCI,
        *,
        cpus_per_shard: float = 1.0,
    ) -> ShardedIndex:
        """Open what `save` wrote with the same number of shards (`ReferenceDataError` if the
        files are of another release or shard count)."""
        with np.load(path, allow_pickle=False) as data:
            meta = data["meta"].tolist()
        if len(meta) != 4 or meta[0] != MANIFEST_VERSION:
            raise ReferenceDataError(f"{path}: not a sharded index manifest")
        _, release, count, next_seq = meta
        if release != engine.release or int(count) != shards:
            raise ReferenceDataError(
                f"{path}: {count} shards of release {release}, wanted {shards} of {engine.release}"
            )
        index = cls(engine, shards, loci, cpus_per_shard=cpus_per_shard)
        index._size = sum(
            index._gather(
                [
                    actor.open.remote(str(index._shard_path(path, number)))
                    for number, actor in enumerate(index._actors)
                ]
            )
        )
        index._next_seq = int(next_seq)
        return index

    def close(self) -> None:
        """End the shards' actors now (they also end when this object is collected)."""
        import ray

        for actor in self._actors:
            ray.kill(actor)
        self._actors = []

    def _gather(self, refs: list[Any]) -> list[Any]:
        """``ray.get``, with a dead shard as `ShardUnavailableError` and an error raised inside a
        shard (a typing the engine refuses) as itself."""
        import ray
        from ray.exceptions import RayActorError, RayTaskError

        try:
            return list(ray.get(refs))
        except RayActorError as error:
            raise ShardUnavailableError(
                f"a shard of the donor index is unavailable ({type(error).__name__}); "
                "the search was not run: the index must be rebuilt"
            ) from error
        except RayTaskError as error:
            cause = error.cause
            if isinstance(cause, _CarriedTypingError):
                raise cause.revived() from None
            if isinstance(cause, Exception):
                raise cause from None
            raise
