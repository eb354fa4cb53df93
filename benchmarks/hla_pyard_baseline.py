"""Baseline: the straightforward py-ard reference matcher on generated typings.

Times ``tests/hla_reference/pyard_matcher.py`` (P-group potential match, five loci) on
``--patients`` x ``--donors`` typings from benchmarks/hla_donors.py and prints pairs per second
and the extrapolated time for 1,000 x 10,000 pairs (the batch CLI's target is <= 5 s).

Two modes:

* ``parsed`` (default): each typing is reduced with py-ard once, then a plain Python loop
  compares the P-group sets of every pair (what a sensible straightforward loop does);
* ``naive``: every pair re-parses both GL strings through the matcher with its per-position
  cache cleared (py-ard's own LRU caches stay on).

    python benchmarks/hla_pyard_baseline.py [--patients 50] [--donors 1000] [--mode parsed]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.hla_reference.pyard_matcher import Matcher  # noqa: E402


def _generator():
    spec = importlib.util.spec_from_file_location(
        "hla_donors", Path(__file__).resolve().parent / "hla_donors.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("hla_donors", module)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="py-ard baseline for HLA batch matching")
    parser.add_argument("--patients", type=int, default=50)
    parser.add_argument("--donors", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20_240_581)
    parser.add_argument("--mode", choices=("parsed", "naive"), default="parsed")
    args = parser.parse_args(argv)
    os.environ.setdefault("STEMHUB_IMGT_DIR", str(REPO_ROOT.parent / "shared/imgt/Latest"))

    generator = _generator()
    patients = list(generator.generate(args.patients, seed=args.seed, prefix="P"))
    donors = list(generator.generate(args.donors, seed=args.seed + 1, prefix="D"))

    start = time.perf_counter()
    matcher = Matcher()
    setup = time.perf_counter() - start

    pairs = 0
    histogram: dict[int, int] = {}
    if args.mode == "parsed":
        start = time.perf_counter()
        parsed_patients = [(pid, matcher.typing(gl)) for pid, gl in patients]
        parsed_donors = [(did, matcher.typing(gl)) for did, gl in donors]
        parse = time.perf_counter() - start
        start = time.perf_counter()
        for _pid, ptyping in parsed_patients:
            for _did, dtyping in parsed_donors:
                _counts, mismatches = matcher.pair(ptyping, dtyping)
                pairs += 1
                histogram[mismatches] = histogram.get(mismatches, 0) + 1
        loop = time.perf_counter() - start
    else:
        parse = 0.0
        start = time.perf_counter()
        for _pid, pgl in patients:
            for _did, dgl in donors:
                matcher._position_cache.clear()
                _counts, mismatches = matcher.pair(matcher.typing(pgl), matcher.typing(dgl))
                pairs += 1
                histogram[mismatches] = histogram.get(mismatches, 0) + 1
        loop = time.perf_counter() - start

    individuals = len(patients) + len(donors)
    print(f"mode {args.mode}: {args.patients} patients x {args.donors} donors = {pairs} pairs")
    print(f"py-ard load + reference tables: {setup:.1f} s")
    if args.mode == "parsed":
        print(f"reducing {individuals} typings with py-ard: {parse:.2f} s")
    rate = pairs / loop
    total_rate = pairs / (parse + loop)
    print(f"pair loop: {loop:.2f} s, {rate:,.0f} pairs/s")
    print(f"reduce + loop: {parse + loop:.2f} s, {total_rate:,.0f} pairs/s")
    if args.mode == "parsed":
        per_typing = parse / individuals
        estimate = 11_000 * per_typing + 10_000_000 / rate
        print(
            f"extrapolated 1,000 x 10,000 (10 M pairs): {estimate:,.0f} s "
            f"({11_000 * per_typing:,.0f} s reducing 11,000 typings + "
            f"{10_000_000 / rate:,.0f} s pair loop)"
        )
    else:
        print(f"extrapolated 1,000 x 10,000 (10 M pairs): {10_000_000 / rate:,.0f} s")
    print("mismatch histogram:", dict(sorted(histogram.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
