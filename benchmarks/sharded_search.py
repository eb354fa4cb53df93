"""2,000,000 donors in a `ShardedIndex` on a local Ray: 1 shard against 2 shards.

    .venv/bin/python benchmarks/sharded_search.py [--donors 2000000] [--patients 50]
        [--shards 1 2]

Per shard count: build time (the driver reads benchmarks/hla_donors.py's donors, seed 21, and
sends them in batches; each shard parses and encodes its own), resident memory of each shard's
actor (VmRSS, empty and built: the difference per donor is what the 40 M plan scales), and per
patient (seed 22) the latency of two searches as the driver sees them, with the shards' own time
(wall and CPU time of the slowest shard: CPU time shows what the shards would take on free
cores) and the rest (fan-out, transfer, merge):

* ``hla``: 10 loci, <= 2 mismatches, best 100 fully scored (as benchmarks/hla_search.py);
* ``cord``: 8 loci, <= 4 mismatches, counts only (``limit=0``, as the cord search asks): every
  candidate's id crosses from the shards to the driver.

The answers of every shard count are compared with the first one's (same ids, order, scores).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from _hla_common import MAC_SUBSET, REPO_ROOT, environment, generated

BATCH = 100_000
SEARCHES = {
    "hla": ({"max_mismatches": 2}, 100),
    "cord": ({"max_mismatches": 4, "eight": True}, 0),
}


def _lines(path: Path) -> Iterator[tuple[str, str]]:
    with path.open() as handle:
        for line in handle:
            donor_id, gl = line.rstrip("\n").split("%", 1)
            yield donor_id, gl


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--donors", type=int, default=2_000_000)
    parser.add_argument("--patients", type=int, default=50)
    parser.add_argument("--shards", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    environment()
    donors = generated(args.donors, seed=21, prefix="D")
    patients = [gl for _, gl in _lines(generated(max(args.patients, 60), seed=22, prefix="P"))]
    patients = patients[: args.patients]

    sys.path.insert(0, str(REPO_ROOT / "src"))
    from stemhub.hla import EIGHT_LOCI, HLAEngine, MacDictionary, MatchCriteria
    from stemhub.hla.cluster import ShardedIndex, connect

    engine = HLAEngine.load(macs=MacDictionary.from_file(MAC_SUBSET))
    connect("", num_cpus=os.cpu_count())
    criteria = {
        name: MatchCriteria(
            match_loci=EIGHT_LOCI if spec.get("eight") else MatchCriteria().match_loci,
            max_mismatches=int(spec["max_mismatches"]),
        )
        for name, (spec, _) in SEARCHES.items()
    }
    typings = [engine.parse(gl) for gl in patients]
    reference: dict[str, list[tuple[list[str], list[str | None]]]] = {}
    report: dict[str, object] = {"donors": args.donors, "patients": len(typings)}
    for shards in args.shards:
        started = time.perf_counter()
        index = ShardedIndex(engine, shards, cpus_per_shard=min(1.0, 2 / shards))
        startup = time.perf_counter() - started
        empty_rss = index.shard_rss_mb()
        started = time.perf_counter()
        lines = _lines(donors)
        while batch := list(itertools.islice(lines, BATCH)):
            index.put_many(batch)
            index.flush()
        build = time.perf_counter() - started
        sizes = index.shard_sizes()
        built_rss = index.shard_rss_mb()
        figures: dict[str, object] = {
            "startup_s": round(startup, 2),
            "build_s": round(build, 1),
            "shard_donors": sizes,
            "shard_rss_empty_mb": [round(r) for r in empty_rss],
            "shard_rss_built_mb": [round(r) for r in built_rss],
            "bytes_per_donor": round(
                sum(b - e for b, e in zip(built_rss, empty_rss, strict=True)) * 2**20 / sum(sizes)
            ),
        }
        for name, (_, limit) in SEARCHES.items():
            walls, own, cpu, found = [], [], [], []
            answers = []
            for typing in typings:
                t0 = time.perf_counter()
                result = index.search(typing, criteria[name], limit=limit)
                walls.append(time.perf_counter() - t0)
                own.append(max(index.shard_seconds))
                cpu.append(max(index.shard_cpu_seconds))
                found.append(len(result.donor_ids))
                answers.append((result.donor_ids, [r.donor_id for r in result.best]))
            if name in reference:
                assert answers == reference[name], f"{shards} shards answered differently"
            else:
                reference[name] = answers
            overhead = [w - o for w, o in zip(walls, own, strict=True)]
            figures[name] = {
                "p50_ms": round(statistics.median(walls) * 1000),
                "p95_ms": round(_percentile(walls, 0.95) * 1000),
                "slowest_shard_p50_ms": round(statistics.median(own) * 1000),
                "slowest_shard_p95_ms": round(_percentile(own, 0.95) * 1000),
                "slowest_shard_cpu_p50_ms": round(statistics.median(cpu) * 1000),
                "slowest_shard_cpu_p95_ms": round(_percentile(cpu, 0.95) * 1000),
                "overhead_p50_ms": round(statistics.median(overhead) * 1000),
                "overhead_p95_ms": round(_percentile(overhead, 0.95) * 1000),
                "found_median": statistics.median(found),
                "found_max": max(found),
            }
        figures["shard_rss_after_searches_mb"] = [round(r) for r in index.shard_rss_mb()]
        index.close()
        report[f"{shards}_shards"] = figures
        print(json.dumps({f"{shards} shards": figures}), flush=True)
    report["load_average"] = os.getloadavg()
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
