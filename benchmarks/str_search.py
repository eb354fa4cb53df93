"""One STR query against 100,000 generated profiles through `stemhub.strprofile.StrIndex`.

    .venv/bin/python benchmarks/str_search.py [--profiles 100000] [--queries 200] [--seed 7]

Profiles: Amelogenin plus the 15 autosomal loci of PowerPlex 16 / Identifiler-like kits (a
third of them only the 8 ATCC core loci), alleles drawn per locus from plausible ranges with
weights peaked in the middle and ~20 % homozygous loci; 3 % of references carry a second,
conflicting source alternative at one or two loci (so they expand to 2-4 scored rows). Queries:
half are a stored profile with one or two alleles changed (so there are real hits), half fresh
profiles. Each query runs with CLASTR's defaults (Tanabe, non-empty markers, Amelogenin out,
min 8 markers, score >= 60, 200 results). Target: p95 <= 200 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from stemhub.strprofile import Profile, Reference, SearchParameters, StrIndex

# (locus, lowest repeat, highest repeat, common microvariants)
LOCI: list[tuple[str, int, int, tuple[str, ...]]] = [
    ("CSF1PO", 7, 15, ()),
    ("D3S1358", 12, 19, ()),
    ("D5S818", 7, 15, ()),
    ("D7S820", 6, 14, ("10.1",)),
    ("D8S1179", 8, 17, ()),
    ("D13S317", 8, 15, ()),
    ("D16S539", 8, 14, ()),
    ("D18S51", 10, 24, ("13.2", "14.2")),
    ("D21S11", 27, 35, ("29.2", "30.2", "31.2", "32.2", "33.2")),
    ("FGA", 18, 27, ("21.2", "22.2", "23.2")),
    ("Penta D", 7, 15, ()),
    ("Penta E", 5, 20, ()),
    ("TH01", 6, 10, ("9.3",)),
    ("TPOX", 6, 12, ()),
    ("vWA", 14, 20, ()),
]
CORE = {"CSF1PO", "D5S818", "D7S820", "D13S317", "D16S539", "TH01", "TPOX", "vWA"}


def draw(rng: random.Random, low: int, high: int, variants: tuple[str, ...]) -> str:
    if variants and rng.random() < 0.1:
        return rng.choice(variants)
    middle, spread = (low + high) / 2, max(1.0, (high - low) / 4)
    return str(min(high, max(low, round(rng.gauss(middle, spread)))))


def genotype(rng: random.Random, locus: tuple[str, int, int, tuple[str, ...]]) -> list[str]:
    _, low, high, variants = locus
    first = draw(rng, low, high, variants)
    return [first] if rng.random() < 0.2 else sorted({first, draw(rng, low, high, variants)})


def profile(rng: random.Random) -> dict[str, list[str]]:
    core_only = rng.random() < 1 / 3
    loci = {"Amelogenin": rng.choice([["X"], ["X", "Y"]])}
    for locus in LOCI:
        if not core_only or locus[0] in CORE:
            loci[locus[0]] = genotype(rng, locus)
    return loci


def raw_profiles(count: int, rng: random.Random) -> list[dict[str, list[list[str]]]]:
    """`{locus: [alternatives]}` as the Cellosaurus STR library stores them."""
    out = []
    for _ in range(count):
        base = profile(rng)
        alternatives = {locus: [alleles] for locus, alleles in base.items()}
        if rng.random() < 0.03:
            for locus in rng.sample([k for k in base if k != "Amelogenin"], rng.choice([1, 2])):
                spec = next(x for x in LOCI if x[0] == locus)
                alternatives[locus].append(genotype(rng, spec))
        out.append(alternatives)
    return out


def mutated(rng: random.Random, reference: Reference) -> Profile:
    loci = {locus: sorted(sets[0]) or ["ND"] for locus, sets in reference.alternatives.items()}
    for locus in rng.sample([k for k in loci if k != "Amelogenin"], rng.choice([1, 2])):
        spec = next(x for x in LOCI if x[0] == locus)
        loci[locus] = genotype(rng, spec)
    return Profile.from_mapping(loci)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    raw = raw_profiles(args.profiles, rng)
    started = time.perf_counter()
    refs = [
        Reference.from_alternatives(f"GEN_{n:06d}", f"line-{n}", alternatives)
        for n, alternatives in enumerate(raw)
    ]
    parsed = time.perf_counter() - started
    started = time.perf_counter()
    index = StrIndex.build(refs)
    built = time.perf_counter() - started
    print(f"references from stored dicts: {parsed:.2f} s ({args.profiles:,} profiles)")
    print(f"index build: {built:.2f} s ({len(index):,} references, {index.rows:,} rows)")

    queries = [
        mutated(rng, rng.choice(refs)) if i % 2 == 0 else Profile.from_mapping(profile(rng))
        for i in range(args.queries)
    ]
    parameters = SearchParameters()
    index.search(queries[0], parameters)  # warm-up
    times, hits = [], []
    for query in queries:
        started = time.perf_counter()
        found = index.search(query, parameters)
        times.append((time.perf_counter() - started) * 1000)
        hits.append(len(found))
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    print(
        f"search, 1 query vs {len(index):,} profiles ({args.queries} queries): "
        f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms; "
        f"rows reported per query: median {statistics.median(hits):.0f}, max {max(hits)}"
    )
    print("target p95 <= 200 ms:", "met" if p95 <= 200 else "MISSED")


if __name__ == "__main__":
    main()
