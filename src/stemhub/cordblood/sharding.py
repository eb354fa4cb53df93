"""Which donor index the cord search uses: one engine `DonorIndex` in this process (the embedded
default), or with ``STEMHUB_SEARCH_SHARDS=N`` a `ShardedIndex` whose N shards are Ray actors
(``STEMHUB_RAY_ADDRESS``: empty starts a local Ray in this process, ``auto`` or
``ray://host:10001`` joins a cluster). Both answer `search` alike (docs/scale-out.md); the
index module only asks this one for a new or a saved index and to take a unit out.
"""

from pathlib import Path

from django.conf import settings

from stemhub.hla import DonorIndex, HLAEngine
from stemhub.hla.cluster import ShardedIndex, connect

Donors = DonorIndex | ShardedIndex
# Shard i of the cord index and shard i of the adult index share one CPU in Ray's placement: a
# search asks one kind at a time.
CPUS_PER_SHARD = 0.5


def shards() -> int:
    """0: one index in this process; N: N shards on Ray."""
    return int(settings.STEMHUB_SEARCH_SHARDS)


def new_donors(engine: HLAEngine) -> Donors:
    count = shards()
    if not count:
        return engine.new_index()
    connect(settings.STEMHUB_RAY_ADDRESS)
    return ShardedIndex(engine, count, cpus_per_shard=CPUS_PER_SHARD)


def open_donors(engine: HLAEngine, path: Path) -> Donors:
    """A snapshot's index; one written with another shard count is refused (`ReferenceDataError`
    or `OSError`), so the index is rebuilt from the database."""
    count = shards()
    if not count:
        return engine.open_index(path)
    connect(settings.STEMHUB_RAY_ADDRESS)
    return ShardedIndex.open(engine, path, count, cpus_per_shard=CPUS_PER_SHARD)


def take_out(donors: Donors, donor_id: str) -> None:
    """Take a unit out of an index if it is there (a sharded index checks on its shard, in the
    batch it sends before the next search, instead of one call per unit)."""
    if isinstance(donors, ShardedIndex):
        donors.discard(donor_id)
    elif donor_id in donors:
        donors.remove(donor_id)
