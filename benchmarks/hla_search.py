"""One patient against 1,000,000 donors through the persisted `DonorIndex`.

    .venv/bin/python benchmarks/hla_search.py [--donors 1000000] [--patients 50]

Measures: index build (parse + encode every donor), save, peak resident memory (VmHWM) of the
building process after the build and after the save, load from disk in a fresh process, peak
resident memory of the searching process, and per-patient search time (every donor with <= 2
mismatches over A, B, C, DRB1, DQB1 found, the best 100 fully scored). Targets: build <= 120 s,
load <= 5 s, RSS <= 1.5 GB, p50 <= 250 ms. Donors: benchmarks/hla_donors.py seed 21; patients
seed 22.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _hla_common import MAC_SUBSET, REPO_ROOT, WORK, environment, generated

SEARCH = """
import json, statistics, sys, time
started = time.perf_counter()
from pathlib import Path
from stemhub.hla import HLAEngine, MacDictionary, MatchCriteria
engine = HLAEngine.load(macs=MacDictionary.from_file(Path(sys.argv[1])))
index = engine.open_index(Path(sys.argv[2]))
loaded = time.perf_counter() - started
patients = [line.split("%", 1)[1].strip() for line in open(sys.argv[3])]
criteria = MatchCriteria(max_mismatches=2)
times, cpu, found = [], [], []
for gl in patients:
    typing = engine.parse(gl)
    t0, c0 = time.perf_counter(), time.process_time()
    result = index.search(typing, criteria, limit=100)
    times.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)
    found.append(len(result.donor_ids))
    assert len(result.best) == min(100, len(result.donor_ids))
# VmHWM, not ru_maxrss: after fork + exec ru_maxrss still counts the parent's pages.
status = open("/proc/self/status").read().split("VmHWM:")[1]
rss = int(status.split()[0]) / 1024
print(json.dumps({"load": loaded, "times": times, "cpu": cpu, "found": found, "rss_mb": rss,
                  "donors": len(index)}))
"""


def _vm_hwm_mb() -> float:
    """Peak resident memory of this process so far (VmHWM; Linux)."""
    with open("/proc/self/status") as status:
        return int(status.read().split("VmHWM:")[1].split()[0]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--donors", type=int, default=1_000_000)
    parser.add_argument("--patients", type=int, default=50)
    args = parser.parse_args()
    env = environment()
    donors = generated(args.donors, seed=21, prefix="D")
    patients = generated(args.patients, seed=22, prefix="P")
    index_path = WORK / f"index-{args.donors}.npz"

    sys.path.insert(0, str(REPO_ROOT / "src"))
    from stemhub.hla import HLAEngine, MacDictionary

    engine = HLAEngine.load(macs=MacDictionary.from_file(MAC_SUBSET))
    started = time.perf_counter()
    index = engine.new_index()
    with donors.open() as handle:
        index.put_many(line.rstrip("\n").split("%", 1) for line in handle)  # type: ignore[misc]
    build = time.perf_counter() - started
    build_rss = _vm_hwm_mb()
    started = time.perf_counter()
    index.save(index_path)
    save = time.perf_counter() - started
    save_rss = _vm_hwm_mb()
    del index

    out = subprocess.run(
        [sys.executable, "-c", SEARCH, str(MAC_SUBSET), str(index_path), str(patients)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(out.stdout)
    times = sorted(figures["times"])
    size_mb = Path(index_path).stat().st_size / 1e6
    print(f"donors: {figures['donors']}  patients: {len(times)}")
    print(f"index build: {build:.1f} s (peak RSS of the building process {build_rss:.0f} MB)")
    print(
        f"index save: {save:.2f} s, file {size_mb:.0f} MB (peak RSS build + save {save_rss:.0f} MB)"
    )
    print(f"load from disk (fresh process, import + tables + index): {figures['load']:.2f} s")
    print(
        f"search p50 {statistics.median(times) * 1000:.0f} ms, "
        f"p90 {times[int(0.9 * (len(times) - 1))] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
    )
    cpu = sorted(figures["cpu"])
    print(
        f"search CPU time (less sensitive to a shared machine): p50 "
        f"{statistics.median(cpu) * 1000:.0f} ms, p90 {cpu[int(0.9 * (len(cpu) - 1))] * 1000:.0f}"
        f" ms, max {cpu[-1] * 1000:.0f} ms"
    )
    print(
        "donors found with <= 2 mismatches per patient: "
        f"median {statistics.median(figures['found']):.0f}, "
        f"max {max(figures['found'])}"
    )
    print(f"peak RSS of the searching process: {figures['rss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
