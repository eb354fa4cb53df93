"""`ImputationStore`: the imputations of an index of donors, kept compactly against one set.

Donor genotypes are imputed once, when a donor is stored, and read back for every search that
returns the donor (`predict_match` against the patient's `HLAEngine.impute` with the same
`FrequencySet` object). Each imputation is truncated as ``HLAEngine.impute(..., top=top,
cumulative=cumulative)`` would truncate it; an inexplicable typing is stored as inexplicable.

How it stays small and fast:

* Donors whose typings impute alike share one *entry*: the entry is keyed by `Imputer.key`
  (what imputation reads of a typing: per locus the set's alleles each position allows), so a
  million donors drawn from common haplotypes cost one imputation per distinct key, and
  ``A*02:01:01:01`` shares with ``A*02:01`` in a two-field set. A GL text already seen skips the
  parser too (a bounded memo).
* Entries are rows of a CSR layout: ``first``, ``second`` (haplotype rows, int32) and
  ``probability`` (float64, so a prediction from a stored donor equals one from a fresh
  imputation) run from ``offset[e]`` for ``count[e]`` pairs; ``total_pairs`` and ``likelihood``
  per entry. An entry no donor uses any more frees its id for the next new entry; its pairs
  become garbage, reclaimed by compaction as soon as garbage outweighs the live pairs (and
  exceeds 65,536 pairs), so the arrays never hold more than about twice what is live.
* `save` writes only live entries and donors (`.npz`, no pickles); `open` refuses a file made
  for another set or release: the file carries the set's fingerprint (SHA-256 of its loci,
  haplotypes and frequencies) and the release.

Not thread-safe: one writer at a time (the caller holds its own lock).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from stemhub.hla.engine import HLAEngine
from stemhub.hla.errors import HLAError
from stemhub.hla.frequencies import FrequencySet
from stemhub.hla.genotype import Typing
from stemhub.hla.imputation import Imputation
from stemhub.hla.npzfile import pack_strings, save_npz, unpack_strings

__all__ = ["ImputationStore", "ImputationStoreError", "frequency_set_fingerprint"]

FORMAT_VERSION = "1"
_TEXT_MEMO_SIZE = 1 << 18  # GL texts remembered with their key (cleared when full)
_MIN_GARBAGE = 1 << 16  # pairs of freed entries tolerated before compaction is considered


class ImputationStoreError(HLAError):
    """A donor's typing was refused (``donor_id`` names it) or a store file does not fit."""

    def __init__(self, message: str, donor_id: str | None = None) -> None:
        self.donor_id = donor_id
        super().__init__(message)


def frequency_set_fingerprint(frequencies: FrequencySet) -> str:
    """SHA-256 of the set's loci, resolution, haplotypes (in row order) and frequencies."""
    digest = hashlib.sha256()
    digest.update("~".join(frequencies.loci).encode())
    digest.update(b"\0" + frequencies.resolution.encode() + b"\0")
    digest.update("\n".join(frequencies.haplotypes).encode())
    digest.update(np.ascontiguousarray(frequencies.frequency, dtype="<f8").tobytes())
    return digest.hexdigest()


def _grown[S: np.generic](array: npt.NDArray[S], needed: int) -> npt.NDArray[S]:
    if needed <= array.size:
        return array
    bigger: npt.NDArray[S] = np.zeros(max(needed, 2 * array.size, 1024), dtype=array.dtype)
    bigger[: array.size] = array
    return bigger


class ImputationStore:
    """Imputations of donors by id against one frequency set, truncated at ``top`` pairs and at
    ``cumulative`` probability."""

    def __init__(
        self,
        engine: HLAEngine,
        frequencies: FrequencySet,
        *,
        top: int = 200,
        cumulative: float = 0.9999,
    ) -> None:
        if top < 1:
            raise ValueError("top must be 1 or more")
        if not 0.0 < cumulative <= 1.0:
            raise ValueError("cumulative must be in (0, 1]")
        self.engine = engine
        self.frequencies = frequencies
        self.top = top
        self.cumulative = cumulative
        self._imputer = engine.imputer(frequencies)
        self._entry_of: dict[str, int] = {}  # donor id -> entry
        self._by_key: dict[str, int] = {}  # imputation key -> entry
        self._text_keys: dict[str, str] = {}  # GL text -> imputation key (memo)
        # entries: CSR rows over the pair arrays
        self._keys: list[str | None] = []
        self._offset: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._count: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self._total: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._likelihood: npt.NDArray[np.float64] = np.zeros(0, dtype=np.float64)
        self._refs: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._free: list[int] = []
        # pairs
        self._first: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self._second: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self._probability: npt.NDArray[np.float64] = np.zeros(0, dtype=np.float64)
        self._end = 0  # pairs written (live and garbage)
        self._garbage = 0

    # ---- reading ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entry_of)

    def __contains__(self, donor_id: object) -> bool:
        return donor_id in self._entry_of

    @property
    def distinct_imputations(self) -> int:
        """Entries in use: donors whose typings impute alike share one."""
        return len(self._keys) - len(self._free)

    @property
    def stored_pairs(self) -> int:
        """Haplotype pairs held for the live entries."""
        return self._end - self._garbage

    def get(self, donor_id: str) -> Imputation | None:
        """The donor's imputation (a copy), or None when the donor is not stored."""
        entry = self._entry_of.get(donor_id)
        if entry is None:
            return None
        start = int(self._offset[entry])
        stop = start + int(self._count[entry])
        return Imputation(
            frequencies=self.frequencies,
            first=self._first[start:stop].copy(),
            second=self._second[start:stop].copy(),
            probability=self._probability[start:stop].copy(),
            total_pairs=int(self._total[entry]),
            likelihood=float(self._likelihood[entry]),
        )

    # ---- writing ------------------------------------------------------------------------------

    def put(self, donor_id: str, typing: Typing | str) -> None:
        """Store (or replace) the donor's imputation; a bad typing raises the parser's
        `TypingError` and leaves the store as it was."""
        self._assign([(donor_id, self._resolve(typing, []))])

    def put_many(self, items: Iterable[tuple[str, Typing | str]]) -> int:
        """Store (or replace) every donor; later items win over earlier ones with the same id.
        All or nothing: the first bad typing raises `ImputationStoreError` naming the donor,
        with nothing of the batch stored. Returns the number of items."""
        created: list[int] = []
        assigned: list[tuple[str, int]] = []
        donor_id = ""
        try:
            for donor_id, typing in items:
                assigned.append((donor_id, self._resolve(typing, created)))
        except BaseException as exc:
            for entry in created:  # imputed for this batch, no donor refers to them yet
                self._release(entry)
            if isinstance(exc, HLAError):
                raise ImputationStoreError(f"donor {donor_id!r}: {exc}", donor_id) from exc
            raise
        self._assign(assigned)
        return len(assigned)

    def remove(self, donor_id: str) -> None:
        """Forget the donor (nothing happens when it is not stored)."""
        entry = self._entry_of.pop(donor_id, None)
        if entry is not None:
            self._unref(entry)

    def _key(self, typing: Typing | str) -> tuple[str, Typing | None]:
        if isinstance(typing, Typing):
            return self._imputer.key(typing), typing
        key = self._text_keys.get(typing)
        if key is not None:
            return key, None
        parsed = self.engine.parse(typing)
        key = self._imputer.key(parsed)
        if len(self._text_keys) >= _TEXT_MEMO_SIZE:
            self._text_keys.clear()
        self._text_keys[typing] = key
        return key, parsed

    def _resolve(self, typing: Typing | str, created: list[int]) -> int:
        """The entry for the typing, imputing it (as a new entry, no donor yet) when its key is
        new; new entries are appended to ``created``."""
        key, parsed = self._key(typing)
        entry = self._by_key.get(key)
        if entry is not None:
            return entry
        if parsed is None:  # memoised text whose entry was freed since
            parsed = self.engine.parse(typing) if isinstance(typing, str) else typing
        result = self._imputer.impute(parsed, top=self.top, cumulative=self.cumulative)
        entry = self._new_entry(key, result)
        created.append(entry)
        return entry

    def _assign(self, assigned: list[tuple[str, int]]) -> None:
        # every reference is taken before any is dropped, so an entry a later item of the batch
        # uses is never freed by an earlier replacement
        replaced: list[int] = []
        for donor_id, entry in assigned:
            previous = self._entry_of.get(donor_id)
            self._entry_of[donor_id] = entry
            self._refs[entry] += 1
            if previous is not None:
                replaced.append(previous)
        for entry in replaced:
            self._unref(entry)

    def _unref(self, entry: int) -> None:
        self._refs[entry] -= 1
        if self._refs[entry] == 0:
            self._release(entry)

    def _new_entry(self, key: str, result: Imputation) -> int:
        n = len(result)
        if self._end + n > self._first.size:
            needed = self._end + n
            self._first = _grown(self._first, needed)
            self._second = _grown(self._second, needed)
            self._probability = _grown(self._probability, needed)
        start = self._end
        self._first[start : start + n] = result.first
        self._second[start : start + n] = result.second
        self._probability[start : start + n] = result.probability
        self._end += n
        if self._free:
            entry = self._free.pop()
            self._keys[entry] = key
        else:
            entry = len(self._keys)
            self._keys.append(key)
            size = entry + 1
            self._offset = _grown(self._offset, size)
            self._count = _grown(self._count, size)
            self._total = _grown(self._total, size)
            self._likelihood = _grown(self._likelihood, size)
            self._refs = _grown(self._refs, size)
        self._offset[entry] = start
        self._count[entry] = n
        self._total[entry] = result.total_pairs
        self._likelihood[entry] = result.likelihood
        self._refs[entry] = 0
        self._by_key[key] = entry
        return entry

    def _release(self, entry: int) -> None:
        key = self._keys[entry]
        if key is None:
            return
        del self._by_key[key]
        self._keys[entry] = None
        self._garbage += int(self._count[entry])
        self._count[entry] = 0
        self._free.append(entry)
        self._maybe_compact()

    def _maybe_compact(self) -> None:
        """Move live pairs to the front once freed pairs outweigh them."""
        if self._garbage < max(_MIN_GARBAGE, self._end - self._garbage):
            return
        live = np.array([k is not None for k in self._keys], dtype=bool)
        entries = np.flatnonzero(live)
        counts = self._count[entries].astype(np.int64)
        starts = self._offset[entries]
        gather = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        self._first[: gather.size] = self._first[gather]
        self._second[: gather.size] = self._second[gather]
        self._probability[: gather.size] = self._probability[gather]
        self._offset[entries] = np.cumsum(counts) - counts
        self._end = int(gather.size)
        self._garbage = 0

    # ---- persistence --------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write live donors and entries atomically as an uncompressed ``.npz``."""
        live = np.array([k is not None for k in self._keys], dtype=bool)
        entries = np.flatnonzero(live)
        renumber = np.full(len(self._keys) + 1, -1, dtype=np.int64)
        renumber[entries] = np.arange(entries.size)
        counts = self._count[entries].astype(np.int64)
        offsets = np.zeros(entries.size + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        gather = np.repeat(self._offset[entries] - offsets[:-1], counts) + np.arange(offsets[-1])
        donors = list(self._entry_of)
        arrays: dict[str, npt.NDArray[np.generic]] = {
            "meta": np.array(
                [
                    FORMAT_VERSION,
                    self.frequencies.release,
                    frequency_set_fingerprint(self.frequencies),
                    str(self.top),
                    repr(self.cumulative),
                ]
            ),
            "donor_entry": renumber[
                np.fromiter(self._entry_of.values(), dtype=np.int64, count=len(donors))
            ].astype(np.int32),
            "entry_offsets": offsets,
            "entry_total": self._total[entries],
            "entry_likelihood": self._likelihood[entries],
            "first": self._first[gather],
            "second": self._second[gather],
            "probability": self._probability[gather],
        }
        arrays["donors.utf8"], arrays["donors.offsets"] = pack_strings(donors)
        arrays["keys.utf8"], arrays["keys.offsets"] = pack_strings(
            [k for k in self._keys if k is not None]
        )
        save_npz(path, arrays)

    @classmethod
    def open(cls, engine: HLAEngine, frequencies: FrequencySet, path: Path) -> ImputationStore:
        """Read a store written by `save` for this very set and release (``top`` and
        ``cumulative`` come from the file)."""
        with np.load(path, allow_pickle=False) as data:
            version, release, fingerprint, top, cumulative = data["meta"].tolist()
            if version != FORMAT_VERSION:
                raise ImputationStoreError(
                    f"{path}: imputation store format {version}, expected {FORMAT_VERSION}"
                )
            if release != frequencies.release:
                raise ImputationStoreError(
                    f"{path}: imputed with IPD-IMGT/HLA {release}, the frequency set "
                    f"{frequencies.provenance.source} was validated against {frequencies.release}"
                )
            if fingerprint != frequency_set_fingerprint(frequencies):
                raise ImputationStoreError(
                    f"{path}: imputed with another frequency set than "
                    f"{frequencies.provenance.source} (fingerprint {fingerprint[:16]}…)"
                )
            store = cls(engine, frequencies, top=int(top), cumulative=float(cumulative))
            donors = unpack_strings(data["donors.utf8"], data["donors.offsets"])
            keys = unpack_strings(data["keys.utf8"], data["keys.offsets"])
            donor_entry = data["donor_entry"].astype(np.int64)
            offsets = data["entry_offsets"]
            first, second = data["first"], data["second"]
            store._check(path, len(donors), donor_entry, len(keys), offsets, first, second)
            entry_keys: list[str | None] = list(keys)
            store._keys = entry_keys
            store._by_key = {key: entry for entry, key in enumerate(keys)}
            store._offset = offsets[:-1].copy()
            store._count = np.diff(offsets).astype(np.int32)
            store._total = data["entry_total"].astype(np.int64)
            store._likelihood = data["entry_likelihood"].astype(np.float64)
            store._refs = np.bincount(donor_entry, minlength=len(keys)).astype(np.int64)
            store._first = first.astype(np.int32)
            store._second = second.astype(np.int32)
            store._probability = data["probability"].astype(np.float64)
            store._end = int(offsets[-1])
            store._entry_of = dict(zip(donors, donor_entry.tolist(), strict=True))
        return store

    def _check(
        self,
        path: Path,
        donors: int,
        donor_entry: npt.NDArray[np.int64],
        entries: int,
        offsets: npt.NDArray[np.int64],
        first: npt.NDArray[np.int32],
        second: npt.NDArray[np.int32],
    ) -> None:
        rows = len(self.frequencies)
        sound = (
            donor_entry.size == donors
            and offsets.size == entries + 1
            and (donors == 0 or 0 <= donor_entry.min() <= donor_entry.max() < entries)
            and offsets[0] == 0
            and bool(np.all(np.diff(offsets) >= 0))
            and first.size == second.size == offsets[-1]
            and (first.size == 0 or min(first.min(), second.min()) >= 0)
            and (first.size == 0 or max(first.max(), second.max()) < rows)
        )
        if not sound:
            raise ImputationStoreError(f"{path}: inconsistent imputation store arrays")
