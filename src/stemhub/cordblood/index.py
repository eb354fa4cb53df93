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

Imputations. Every available unit with a typing is also imputed, once, with the haplotype
frequency set of its population (`populations.selectors.set_for`: the population's set in use,
else the default population's): one `hla.ImputationStore` per set in use, units sharing a typing
sharing an entry. `apply` puts and removes units in the stores as it does in the engine indexes.
Which sets are in use is read with the state (one more query: the newest set's id and the
default population's); when it changes (a set replaced, another default), the units whose set
changed are re-imputed from the index's own typing texts before the delta is applied, and the
stores of sets no longer in use are dropped. Snapshots carry the stores; `ImputationStore.open`
refuses a store written for another set, and its units are imputed again.
"""

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q

from stemhub.cordblood import sharding
from stemhub.cordblood.models import HLA_FIELDS, LOCI, IndexState, Kind, Unit, UnitStatus
from stemhub.core.hla import engine as hla_engine
from stemhub.hla import HLAError, ImputationStore, ImputationStoreError
from stemhub.populations.models import HaplotypeSet
from stemhub.populations.selectors import default_population, engine_set, sets_in_use

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
    "population_id",
    "hla_gl",
    *HLA_FIELDS.values(),
)
SetsToken = tuple[int | None, int | None]  # (newest set's id, default population's id)


class _PkOf(dict[str, int]):
    def __missing__(self, key: str) -> int:
        value = self[key] = int(key)
        return value


@dataclass
class CordIndex:
    instance: str
    generation: int
    donors: dict[str, sharding.Donors]
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
    # imputations: per unit its population (-1: none) and the set it is stored in (-1: none)
    population: npt.NDArray[np.int32] = field(default_factory=lambda: np.full(0, -1, np.int32))
    imputed_in: npt.NDArray[np.int32] = field(default_factory=lambda: np.full(0, -1, np.int32))
    stores: dict[int, ImputationStore] = field(default_factory=dict)
    set_labels: dict[int, str] = field(default_factory=dict)
    set_map: dict[int, int] = field(default_factory=dict)  # population id -> set id in use
    default_population: int | None = None
    sets_token: SetsToken | None = None

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
        self.population = grown(self.population, -1)
        self.imputed_in = grown(self.imputed_in, -1)
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
        self.population[pks] = np.fromiter(
            (-1 if p is None else p for p in columns[8]), np.int32, pks.size
        )
        for locus, texts in zip(LOCI, columns[10:], strict=True):
            self.locus_codes[locus][pks] = self._text_ids_of(locus, texts)
        available = UnitStatus.AVAILABLE
        imputed: dict[int, list[tuple[str, str]]] = {}
        for pk, kind, status, population, gl in zip(
            columns[0], columns[1], columns[2], columns[8], columns[9], strict=True
        ):
            key = str(pk)
            for name, donors in self.donors.items():
                if name == kind and status == available and gl:
                    donors.put(key, gl)
                else:
                    sharding.take_out(donors, key)
            target = self.set_of(population) if status == available and gl else None
            self._move(pk, target, gl, imputed)
        self._impute(imputed)

    # ---- imputations ---------------------------------------------------------------------------

    def set_of(self, population_id: int | None) -> int | None:
        """The id of the set that imputes a unit of this population (`set_for`'s rule)."""
        if population_id is not None and population_id in self.set_map:
            return self.set_map[population_id]
        if self.default_population is None:
            return None
        return self.set_map.get(self.default_population)

    def store_of(self, pk: int) -> ImputationStore | None:
        """The store holding the unit's imputation (None: not imputed)."""
        set_id = int(self.imputed_in[pk]) if pk < self.size else -1
        return self.stores.get(set_id) if set_id >= 0 else None

    def _move(
        self, pk: int, target: int | None, gl: str, imputed: dict[int, list[tuple[str, str]]]
    ) -> None:
        """Take the unit out of the store it is in unless it stays there; queue its typing for
        the target's store."""
        before = int(self.imputed_in[pk])
        if before >= 0 and before != target and before in self.stores:
            self.stores[before].remove(str(pk))
        self.imputed_in[pk] = -1
        if target is not None:
            imputed.setdefault(target, []).append((str(pk), gl))

    def _impute(self, imputed: dict[int, list[tuple[str, str]]]) -> None:
        """Put the queued units in their sets' stores; a typing the set refuses leaves that
        unit without an imputation (its predictions say so), never the batch."""
        for set_id, items in imputed.items():
            store = self._store(set_id)
            try:
                store.put_many(items)
                done = [pk for pk, _ in items]
            except ImputationStoreError:
                done = []
                for pk, gl in items:
                    try:
                        store.put(pk, gl)
                    except HLAError:
                        store.remove(pk)
                        continue
                    done.append(pk)
            self.imputed_in[self.pks_of(done)] = set_id

    def _store(self, set_id: int) -> ImputationStore:
        store = self.stores.get(set_id)
        if store is None:
            found = HaplotypeSet.objects.select_related("population").get(pk=set_id)
            store = self.stores[set_id] = ImputationStore(hla_engine(), engine_set(found))
            self.set_labels[set_id] = found.label
        return store

    def gl_of(self, pk: int) -> str:
        """The unit's typing as the index holds it (its loci's texts joined, as `hla_gl`)."""
        texts = []
        for locus in LOCI:
            code = int(self.locus_codes[locus][pk])
            if code >= 0:
                texts.append(self.locus_texts[locus][code])
        return "^".join(texts)

    def sync_sets(self, token: SetsToken) -> int:
        """Read the sets in use; re-impute the units whose set changed and drop the stores of
        sets no longer in use. Returns the units re-imputed."""
        default = default_population()
        self.set_map = sets_in_use()
        self.default_population = None if default is None else default.pk
        size = self.tnc.size
        typed = np.zeros(size, dtype=bool)
        for locus in LOCI:
            if locus in self.locus_codes:
                typed |= self.locus_codes[locus][:size] >= 0
        rows = np.flatnonzero(typed & (self.status[:size] == STATUS_CODES[UnitStatus.AVAILABLE]))
        populations, where = np.unique(self.population[rows], return_inverse=True)
        targets = np.array(
            [-1 if (t := self.set_of(None if p < 0 else p)) is None else t for p in populations],
            dtype=np.int32,
        )
        wanted = targets[where.ravel()] if rows.size else np.zeros(0, np.int32)
        changed = rows[wanted != self.imputed_in[rows]]
        imputed: dict[int, list[tuple[str, str]]] = {}
        for pk, target in zip(
            changed.tolist(), wanted[wanted != self.imputed_in[rows]].tolist(), strict=True
        ):
            self._move(pk, None if target < 0 else target, self.gl_of(pk), imputed)
        self._impute(imputed)
        in_use = set(self.set_map.values())
        for set_id in [s for s in self.stores if s not in in_use]:
            del self.stores[set_id]
            self.set_labels.pop(set_id, None)
        self.sets_token = token
        return int(changed.size)

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


def _sets_token() -> SetsToken:
    """What decides the sets in use, in one query: sets are history (never changed or deleted),
    so a new newest id means a set was loaded; the default population's id (when it has a
    set) changes with the default."""
    found = HaplotypeSet.objects.aggregate(
        newest=Max("pk"), default=Max("population_id", filter=Q(population__is_default=True))
    )
    return found["newest"], found["default"]


def _empty(instance: str) -> CordIndex:
    engine = hla_engine()
    return CordIndex(instance, 0, {kind: sharding.new_donors(engine) for kind in KINDS})


def current() -> CordIndex:
    """The index as the database stands now (two queries when nothing changed: the state and
    the sets in use)."""
    global _current
    state = _state()
    sets = _sets_token()
    index = _current
    if index is not None and index.token == state.token and index.sets_token == sets:
        return index
    with _lock:
        index = _current
        if index is None or index.instance != state.instance or index.generation > state.generation:
            index = _from_snapshot(state) or _empty(state.instance)
        if index.sets_token != sets and index.sync_sets(sets) >= SNAPSHOT_MIN_UNITS:
            index.saved = -1  # the stores changed: the snapshot of this generation is stale
            if index.generation == state.generation:
                snapshot(index)
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
    for set_id, store in index.stores.items():
        store.save(folder / f"{stem}-set{set_id}.npz")
    arrays: dict[str, npt.NDArray[Any]] = {
        "meta": np.array(
            [index.instance, str(index.generation), index.donors["cord"].engine.release]
        ),
        "population": index.population,
        "imputed_in": index.imputed_in,
        "sets": np.array(sorted(index.stores), dtype=np.int64),
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
            donors = {
                kind: sharding.open_donors(engine, folder / f"{stem}-{kind}.npz") for kind in KINDS
            }
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
                index.population = _sized(data["population"], index.size)
                index.imputed_in = _sized(data["imputed_in"], index.size)
                stored_sets = data["sets"].tolist()
                for locus in LOCI:
                    codes = data[f"{locus}.codes"].copy()
                    if codes.size != index.size:
                        grown = np.full(index.size, -1, np.int32)
                        grown[: codes.size] = codes
                        codes = grown
                    index.locus_codes[locus] = codes
                    index.locus_texts[locus] = data[f"{locus}.texts"].tolist()
            for set_id in stored_sets:
                _open_store(index, set_id, folder / f"{stem}-set{set_id}.npz")
            return index
        except (OSError, KeyError, ValueError):
            continue
    return None


def _sized(array: npt.NDArray[np.int32], size: int) -> npt.NDArray[np.int32]:
    out = np.full(size, -1, np.int32)
    out[: min(size, array.size)] = array[:size]
    return out


def _open_store(index: CordIndex, set_id: int, path: Path) -> None:
    """Open a snapshot's store; one written for a set that is gone or another set is refused
    and its units marked not imputed (`sync_sets` imputes them again)."""
    found = HaplotypeSet.objects.select_related("population").filter(pk=set_id).first()
    try:
        if found is None:
            raise ImputationStoreError(f"{path}: set {set_id} is not in the database")
        index.stores[set_id] = ImputationStore.open(hla_engine(), engine_set(found), path)
        index.set_labels[set_id] = found.label
    except (ImputationStoreError, OSError, KeyError, ValueError):
        index.imputed_in[index.imputed_in == set_id] = -1
