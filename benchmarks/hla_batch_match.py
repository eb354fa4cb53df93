"""Whole-process time of `stemhub hla match`: 1,000 patients x 10,000 donors, five loci.

    .venv/bin/python benchmarks/hla_batch_match.py [--max-mismatches N] [--runs 3]

Inputs come from benchmarks/hla_donors.py (seeds 11 and 12), tables are built and MACs loaded
once beforehand, then the command is timed as a fresh process (target: <= 5 s on 2 cores).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from _hla_common import MAC_SUBSET, WORK, environment, generated

STEMHUB = [sys.executable, "-c", "import sys; from stemhub.cli import main; main(sys.argv[1:])"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=1_000)
    parser.add_argument("--donors", type=int, default=10_000)
    parser.add_argument("--max-mismatches", type=int)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    env = environment()
    patients = generated(args.patients, seed=11, prefix="P")
    donors = generated(args.donors, seed=12, prefix="D")
    subprocess.run([*STEMHUB, "hla", "build"], env=env, check=True, capture_output=True)
    subprocess.run(
        [*STEMHUB, "hla", "macs", str(MAC_SUBSET)], env=env, check=True, capture_output=True
    )
    out = WORK / "match-out.tsv"
    command = [*STEMHUB, "hla", "match", "--patients", str(patients), "--donors", str(donors)]
    command += ["--out", str(out)]
    if args.max_mismatches is not None:
        command += ["--max-mismatches", str(args.max_mismatches)]
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    with out.open("rb") as handle:
        rows = sum(1 for _ in handle) - 1
    pairs = args.patients * args.donors
    print(f"stemhub hla match: {args.patients} patients x {args.donors} donors = {pairs} pairs")
    print(f"rows written: {rows}  (max mismatches: {args.max_mismatches})")
    print(
        f"whole process: median {statistics.median(times):.2f} s, "
        f"runs {[round(t, 2) for t in times]}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
