"""A tiny hand-made frequency set and helpers shared by the imputation tests.

Five haplotypes over the five loci; C, DRB1 and DQB1 are the same on every haplotype, so only A
and B decide which pairs explain a typing and the probabilities can be worked out by hand:

    h1  A*01:01 ~ B*08:01  0.4
    h2  A*02:01 ~ B*07:02  0.3
    h3  A*01:01 ~ B*07:02  0.1
    h4  A*02:01 ~ B*08:01  0.1
    h5  A*03:01 ~ B*07:02  0.1
"""

from __future__ import annotations

import importlib.util
import sys
from itertools import product
from pathlib import Path
from types import ModuleType

from stemhub.hla import FrequencySet, HLAEngine, Imputation
from tests.pyard_support import shared_dir

REPO = Path(__file__).resolve().parents[2]
CAU = shared_dir() / "hla" / "CAU.freqs.gz"

_REST = "DRB1*03:01~DQB1*02:01"
H1 = f"A*01:01~C*07:01~B*08:01~{_REST}"
H2 = f"A*02:01~C*07:01~B*07:02~{_REST}"
H3 = f"A*01:01~C*07:01~B*07:02~{_REST}"
H4 = f"A*02:01~C*07:01~B*08:01~{_REST}"
H5 = f"A*03:01~C*07:01~B*07:02~{_REST}"
TINY = f"{H1},1,0.4\n{H2},1,0.3\n{H3},1,0.1\n{H4},1,0.1\n{H5},1,0.1\n"


def tiny_set(engine: HLAEngine, directory: Path) -> FrequencySet:
    path = directory / "tiny.csv"
    path.write_text(TINY)
    return engine.load_frequencies(path, source="hand-made", population="test", sample_size=10)


def as_dict(pairs: list[tuple[str, str, float]]) -> dict[frozenset[str], float]:
    """Pairs keyed by the unordered pair of haplotypes (a homozygous pair is a 1-element set)."""
    return {frozenset((a, b)): p for a, b, p in pairs}


def donor_generator() -> ModuleType:
    """benchmarks/hla_donors.py, the generator of realistic mixed-resolution typings."""
    spec = importlib.util.spec_from_file_location("hla_donors", REPO / "benchmarks/hla_donors.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("hla_donors", module)
    spec.loader.exec_module(module)
    return module


def odds_by_name(patient: Imputation, donor: Imputation, loci: tuple[str, ...]) -> list[float]:
    """P(k mismatches) by a plain loop over every pair of genotypes, comparing allele names
    (so it also checks two imputations made with different sets)."""

    def genotype(hap1: str, hap2: str) -> dict[str, tuple[str, str]]:
        first = {name.split("*")[0]: name for name in hap1.split("~")}
        second = {name.split("*")[0]: name for name in hap2.split("~")}
        return {locus: (first[locus], second[locus]) for locus in loci}

    p_total = sum(p for _, _, p in patient.pairs())
    d_total = sum(p for _, _, p in donor.pairs())
    odds = [0.0] * (2 * len(loci) + 1)
    for (p1, p2, p), (d1, d2, q) in product(patient.pairs(), donor.pairs()):
        pg, dg = genotype(p1, p2), genotype(d1, d2)
        mismatches = 0
        for locus in loci:
            (a, b), (c, d) = pg[locus], dg[locus]
            mismatches += 2 - max((a == c) + (b == d), (a == d) + (b == c))
        odds[mismatches] += (p / p_total) * (q / d_total)
    return odds
