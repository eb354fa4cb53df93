"""Shared set-up of the HLA benchmarks: environment, generated inputs (cached under var/)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
WORK = REPO_ROOT / "var" / "bench" / "hla"
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

import hla_donors  # noqa: E402  (the generator lives next to this file)


def environment() -> dict[str, str]:
    """STEMHUB_IMGT_DIR defaults to the shared release; the cache to var/bench/hla/cache."""
    env = dict(os.environ)
    env.setdefault("STEMHUB_IMGT_DIR", str(hla_donors.imgt_dir()))
    env.setdefault("STEMHUB_HLA_CACHE", str(WORK / "cache"))
    os.environ.update(env)
    return env


def generated(count: int, *, seed: int, prefix: str) -> Path:
    """A generated ``ID%GL`` file, written once and reused."""
    path = WORK / f"{prefix}-{count}-{seed}.txt"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        hla_donors.write(hla_donors.generate(count, seed=seed, prefix=prefix), tmp)
        tmp.rename(path)
    return path


MAC_SUBSET = REPO_ROOT.parent / "shared" / "hla" / "mac_subset_atlas.csv.gz"
