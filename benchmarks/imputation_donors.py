"""Imputing 1,000,000 generated donors at upload into an `ImputationStore` (CAU set).

Donors are the search benchmark's (benchmarks/hla_donors.py, seed 21: two CAU haplotypes each,
~60 % high resolution, 20 % lists / G groups, 10 % MACs, 10 % serology / XX, some untyped C and
DQB1). They go in through `ImputationStore.put_many` in upload-sized batches, with the store's
defaults (top 200 pairs, cumulative 0.9999). Prints wall and CPU time of the whole run after the
engine and set are loaded, the store's size, its save and reopen, and the process's peak
resident memory (``ru_maxrss``).

    python benchmarks/imputation_donors.py [--donors 1000000] [--batch 50000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Iterator

from _hla_common import MAC_SUBSET, REPO_ROOT, WORK, environment, generated

CAU = REPO_ROOT.parent / "shared" / "hla" / "CAU.freqs.gz"


def _batches(path: str, size: int) -> Iterator[list[tuple[str, str]]]:
    batch: list[tuple[str, str]] = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            donor_id, _, gl = line.rstrip("\n").partition("%")
            batch.append((donor_id, gl))
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--donors", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args(argv)
    environment()
    sys.path.insert(0, str(REPO_ROOT / "src"))
    donors = generated(args.donors, seed=args.seed, prefix="D")

    from stemhub.hla import HLAEngine, ImputationStore, MacDictionary

    started = time.perf_counter()
    engine = HLAEngine.load(macs=MacDictionary.from_file(MAC_SUBSET))
    cau = engine.load_frequencies(CAU)
    loaded = time.perf_counter()
    print(f"engine and CAU set loaded in {loaded - started:.2f} s")

    store = ImputationStore(engine, cau)
    cpu = time.process_time()
    wall = time.perf_counter()
    for batch in _batches(str(donors), args.batch):
        store.put_many(batch)
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    print(
        f"imputed {len(store):,} donors in {wall:.1f} s wall, {cpu:.1f} s CPU = "
        f"{len(store) / wall:,.0f} donors/s; {store.distinct_imputations:,} distinct "
        f"imputations, {store.stored_pairs:,} pairs stored; peak RSS {_peak_mb():,.0f} MB"
    )

    path = WORK / f"imputations-{args.donors}-{args.seed}.npz"
    saving = time.perf_counter()
    store.save(path)
    saved = time.perf_counter()
    reopened = ImputationStore.open(engine, cau, path)
    opened = time.perf_counter()
    assert len(reopened) == len(store)
    print(
        f"saved in {saved - saving:.2f} s ({path.stat().st_size / 1e6:,.0f} MB), "
        f"reopened in {opened - saved:.2f} s; peak RSS {_peak_mb():,.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
