"""The search index of the platform's units, kept in step with the database.

One `CordIndex` per process: an engine `DonorIndex` per donor kind holding the *available* units
(id = the unit's primary key), plus numpy side arrays indexed by primary key (TNC, CD34+, ABO,
bank, status, and per locus an interned typing-text id for DSA checks and antigen-level rules).

Freshness. `IndexState` holds a generation; every write that changes what a search can see
(upload, reservation, shipment, withdrawal...) takes the state row's lock, bumps the generation
and stamps the changed units with it — in the same transaction as the change. Before each search
the process reads the state (one query): same token → up to date; a higher generation of the same
instance → it re-reads only the units stamped after its own generation and puts/removes them;
anything else (new instance, lower generation) → rebuild. Generations commit in order because
writers serialise on the state row, so "units stamped > g" is exactly what changed since g.

Snapshots. A cold process would re-encode every unit (~10 s at 300,000); so `snapshot()` writes
the index and side arrays under ``$STEMHUB_DATA_DIR/cache/cord/`` named by instance and
generation, and a cold process opens the newest snapshot of its instance not ahead of the
database, then applies the delta as above.
"""

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import transaction

from stemhub.cordblood.models import HLA_FIELDS, LOCI, IndexState, Kind, Unit, UnitStatus
from stemhub.core.hla import engine as hla_engine
from stemhub.hla import DonorIndex

ABO_CODES = {"": 0, "O": 1, "A": 2, "B": 3, "AB": 4}
KINDS = (Kind.CORD.value, Kind.ADULT.value)
STATUS_CODES = {status.value: i for i, status in enumerate(UnitStatus)}
SNAPSHOT_MIN_UNITS = 20_000
PARSED_MAX = 20_000
ROW_FIELDS = (
    "pk",
    "kind",
    "status",
    "tnc",
    "cd34",
    "abo",
    "bank_id",
    "attached_segment",
    "hla_gl",
    *HLA_FIELDS.values(),
)


class _PkOf(dict[str, int]):
    def __missing__(self, key: str) -> int:
        value = self[key] = int(key)
        return value


@dataclass
class CordIndex:
    instance: str
    generation: int
    donors: dict[str, DonorIndex]
    size: int = 0
    tnc: npt.NDArray[np.float64] = field(default_factory=lambda: np.full(0, np.nan))
    cd34: npt.NDArray[np.float64] = field(default_factory=lambda: np.full(0, np.nan))
    abo: npt.NDArray[np.int8] = field(default_factory=lambda: np.zeros(0, np.int8))
    bank: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    status: npt.NDArray[np.int8] = field(default_factory=lambda: np.full(0, -1, np.int8))
    kind: npt.NDArray[np.int8] = field(default_factory=lambda: np.full(0, -1, np.int8))
    segment: npt.NDArray[np.int8] = field(default_factory=lambda: np.full(0, -1, np.int8))
    locus_codes: dict[str, npt.NDArray[np.int32]] = field(default_factory=dict)
    locus_texts: dict[str, list[str]] = field(default_factory=dict)
    _text_ids: dict[str, dict[str, int]] = field(default_factory=dict)
    _parsed: dict[str, dict[int, Any]] = field(default_factory=dict)
    _parsed_by: Any = None
    _pk_of: _PkOf = field(default_factory=_PkOf)
    saved: int = -1  # the generation this process last wrote a snapshot of

    @property
    def token(self) -> str:
        return f"{self.instance}:{self.generation}"

    def _grow(self, needed: int) -> None:
        if needed <= self.size:
            return
        capacity = max(1024, self.size)
        while capacity < needed:
            capacity *= 2

        def grown(array: npt.NDArray[Any], fill: Any) -> npt.NDArray[Any]:
            out = np.full(capacity, fill, dtype=array.dtype)
            out[: array.size] = array
            return out

        self.tnc = grown(self.tnc, np.nan)
        self.cd34 = grown(self.cd34, np.nan)
        self.abo = grown(self.abo, 0)
        self.bank = grown(self.bank, 0)
        self.status = grown(self.status, -1)
        self.kind = grown(self.kind, -1)
        self.segment = grown(self.segment, -1)
        for locus in LOCI:
            self.locus_codes[locus] = grown(
                self.locus_codes.get(locus, np.full(0, -1, np.int32)), -1
            )
        self.size = capacity

    def parsed(self, locus: str, code: int) -> Any:
        """The engine's parse of a locus typing text (by text id), kept across searches (at
        most `PARSED_MAX` per locus: a MAC position holds hundreds of allele ids)."""
        engine = hla_engine()
        if self._parsed_by is not engine:
            self._parsed, self._parsed_by = {}, engine
        cache = self._parsed.setdefault(locus, {})
        typing = cache.get(code)
        if typing is None:
            if len(cache) >= PARSED_MAX:
                cache.clear()
            typing = cache[code] = engine.parse_segment(self.locus_texts[locus][code])[locus]
        return typing

    def pks_of(self, donor_ids: list[str]) -> npt.NDArray[np.int64]:
        """Primary keys of engine donor ids (``str(pk)``), memoised per id string."""
        return np.fromiter(map(self._pk_of.__getitem__, donor_ids), np.int64, len(donor_ids))

    def apply(self, rows: list[tuple[Any, ...]]) -> None:
        """Put (or take out) units given as `ROW_FIELDS` tuples."""
        if not rows:
            return
        columns = list(zip(*rows, strict=True))
        pks = np.array(columns[0], dtype=np.int64)
        self._grow(int(pks.max()) + 1)
        # columns at once (None -> NaN for the floats), then the engine's indexes unit by unit
        self.tnc[pks] = np.array(columns[3], dtype=np.float64)
        self.cd34[pks] = np.array(columns[4], dtype=np.float64)
        self.abo[pks] = np.fromiter((ABO_CODES.get(a, 0) for a in columns[5]), np.int8, pks.size)
        self.bank[pks] = np.array(columns[6], dtype=np.int32)
        self.status[pks] = np.fromiter(map(STATUS_CODES.__getitem__, columns[2]), np.int8, pks.size)
        self.kind[pks] = np.fromiter(map(KINDS.index, columns[1]), np.int8, pks.size)
        self.segment[pks] = np.fromiter(
            (-1 if s is None else int(s) for s in columns[7]), np.int8, pks.size
        )
        for locus, texts in zip(LOCI, columns[9:], strict=True):
            self.locus_codes[locus][pks] = self._text_ids_of(locus, texts)
        available = UnitStatus.AVAILABLE
        for pk, kind, status, gl in zip(
            columns[0], columns[1], columns[2], columns[8], strict=True
        ):
            key = str(pk)
            for name, donors in self.donors.items():
                if name == kind and status == available and gl:
                    donors.put(key, gl)
                elif key in donors:
                    donors.remove(key)

    def _text_ids_of(self, locus: str, texts: tuple[str, ...]) -> npt.NDArray[np.int32]:
        """Interned ids of locus typing texts (-1 for blank; new ones in order of appearance)."""
        ids = self._text_ids.setdefault(locus, {})
        known = self.locus_texts.setdefault(locus, [])
        if len(ids) != len(known):  # after a snapshot load: rebuild the lookup once
            ids.update({t: i for i, t in enumerate(known)})
        for text in texts:
            if text and text not in ids:
                ids[text] = len(known)
                known.append(text)
        lookup = ids.get
        return np.fromiter((lookup(t, -1) if t else -1 for t in texts), np.int32, len(texts))


_lock = threading.Lock()
_current: CordIndex | None = None


def _state() -> IndexState:
    state = IndexState.objects.filter(pk=1).first()
    if state is None:
        state, _ = IndexState.objects.get_or_create(
            pk=1, defaults={"instance": _new_instance(), "generation": 0}
        )
    return state


def _new_instance() -> str:
    import uuid

    return uuid.uuid4().hex


def begin_generation() -> int:
    """Inside the writer's transaction: lock the state row and return the next generation.

    Stamp every unit the transaction changes with it (`Unit.generation`)."""
    assert transaction.get_connection().in_atomic_block, "call inside transaction.atomic()"
    _state()
    state = IndexState.objects.select_for_update().get(pk=1)
    state.generation += 1
    state.save(update_fields=["generation"])
    return state.generation


def _empty(instance: str) -> CordIndex:
    engine = hla_engine()
    return CordIndex(instance, 0, {kind: engine.new_index() for kind in KINDS})


def current() -> CordIndex:
    """The index as the database stands now (one query when nothing changed)."""
    global _current
    state = _state()
    index = _current
    if index is not None and index.token == state.token:
        return index
    with _lock:
        index = _current
        if index is None or index.instance != state.instance or index.generation > state.generation:
            index = _from_snapshot(state) or _empty(state.instance)
        if index.generation < state.generation:
            rows = list(
                Unit.objects.filter(generation__gt=index.generation)
                .order_by()
                .values_list(*ROW_FIELDS)
            )
            index.apply(rows)
            index.generation = state.generation
            if len(rows) >= SNAPSHOT_MIN_UNITS:
                snapshot(index)
        _current = index
        return index


def forget() -> None:
    """Drop this process's index (tests that swap the engine)."""
    global _current
    with _lock:
        _current = None


# ---- snapshots ---------------------------------------------------------------------------------


def snapshot_dir() -> Path:
    return Path(settings.DATA_DIR) / "cache" / "cord"


def snapshot(index: CordIndex | None = None) -> Path:
    """Write the index to disk (side arrays last: their file marks a complete snapshot)."""
    index = index or current()
    folder = snapshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{index.instance}-{index.generation:012d}"
    side = folder / f"{stem}-side.npz"
    if index.saved == index.generation and side.exists():
        return side  # written already (an import's catch-up, then `cord import` asks again)
    for kind, donors in index.donors.items():
        donors.save(folder / f"{stem}-{kind}.npz")
    arrays: dict[str, npt.NDArray[Any]] = {
        "meta": np.array(
            [index.instance, str(index.generation), index.donors["cord"].engine.release]
        ),
        "tnc": index.tnc,
        "cd34": index.cd34,
        "abo": index.abo,
        "bank": index.bank,
        "status": index.status,
        "kind": index.kind,
        "segment": index.segment,
    }
    for locus in LOCI:
        arrays[f"{locus}.codes"] = index.locus_codes.get(locus, np.full(0, -1, np.int32))
        arrays[f"{locus}.texts"] = np.array(index.locus_texts.get(locus, []), dtype=str)
    tmp = side.with_suffix(".tmp.npz")
    np.savez(tmp, allow_pickle=False, **arrays)
    tmp.replace(side)
    for old in folder.glob(f"{index.instance}-*.npz"):
        if not old.name.startswith(stem):
            old.unlink(missing_ok=True)
    index.saved = index.generation
    return side


def _from_snapshot(state: IndexState) -> CordIndex | None:
    folder = snapshot_dir()
    if not folder.is_dir():
        return None
    candidates = sorted(folder.glob(f"{state.instance}-*-side.npz"), reverse=True)
    engine = hla_engine()
    for side in candidates:
        stem = side.name.removesuffix("-side.npz")
        generation = int(stem.rsplit("-", 1)[1])
        if generation > state.generation:
            continue
        try:
            donors = {kind: engine.open_index(folder / f"{stem}-{kind}.npz") for kind in KINDS}
            with np.load(side, allow_pickle=False) as data:
                if str(data["meta"][2]) != engine.release:
                    continue
                index = CordIndex(state.instance, generation, donors)
                index.tnc = data["tnc"].copy()
                index.size = index.tnc.size
                index.cd34 = data["cd34"].copy()
                index.abo = data["abo"].copy()
                index.bank = data["bank"].copy()
                index.status = data["status"].copy()
                index.kind = data["kind"].copy()
                index.segment = data["segment"].copy()
                for locus in LOCI:
                    codes = data[f"{locus}.codes"].copy()
                    if codes.size != index.size:
                        grown = np.full(index.size, -1, np.int32)
                        grown[: codes.size] = codes
                        codes = grown
                    index.locus_codes[locus] = codes
                    index.locus_texts[locus] = data[f"{locus}.texts"].tolist()
            return index
        except (OSError, KeyError, ValueError):
            continue
    return None
