"""Deterministic generator of realistic donor (or patient) HLA typings.

Each individual gets two five-locus haplotypes (A~C~B~DRB1~DQB1) drawn, weighted by frequency,
from ``../shared/hla/CAU.freqs.gz`` (relative to the repository root; 3,380 haplotypes of
2-field alleles, no ``HLA-`` prefix, two null alleles A*01:16N and C*05:07N).  The typing is then
degraded the way registry data is:

* ~60 % of individuals: high resolution at every locus (the 2-field alleles as given);
* ~20 %: allele lists (``A*02:01/A*02:05``, sometimes with a null allele of the same first
  field) or G groups (``A*02:01:01G``) at one or more loci;
* ~10 %: NMDP multiple allele codes at one or more loci, taken from
  ``../shared/hla/mac_subset_atlas.csv.gz`` (only codes of the "genuine subset" part of that
  file, whose whole expansion consists of alleles of the release and contains the true allele:
  generic ``A*02:AB``, or allele-specific codes under the true allele's first field);
* ~10 %: serology (``A2``, ``B44``, ``Cw7``, ``DR15``, ``DQ6``; from ``wmda/rel_dna_ser.txt``)
  or first-field-only typing as XX codes (``A*02:XX``) at one or more loci;
* independently ~3 % are untyped at C and DQB1 and ~2 % at DQB1 only.

Null alleles stay high resolution where serology cannot see them.  Molecular tokens are written
as GL (``HLA-A*02:01``), serology with the same prefix (``HLA-A2``) unless ``hla_prefix=False``.
Output lines are ``ID%GL`` with the loci A, B, C, DRB1, DQB1 in that order, one per ``^``
segment, ``+`` between the two positions.

The stream is a pure function of ``seed`` and prefix-stable (``generate(10, seed=s)`` yields the
first ten individuals of ``generate(1000, seed=s)``).

    python benchmarks/hla_donors.py --count 1000000 --seed 1 --out var/donors.txt.gz
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import os
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
HAPLOTYPES = SHARED / "hla" / "CAU.freqs.gz"
MACS = SHARED / "hla" / "mac_subset_atlas.csv.gz"

LOCI = ("A", "B", "C", "DRB1", "DQB1")  # output order
HAP_ORDER = ("A", "C", "B", "DRB1", "DQB1")  # column order in CAU.freqs
SEROLOGY_LOCUS = {"A": "A", "B": "B", "C": "Cw", "DRB1": "DR", "DQB1": "DQ"}
CHUNK = 1 << 15

# Category thresholds on one uniform draw per individual.
P_HIGH, P_LIST, P_MAC = 0.60, 0.80, 0.90  # rest: serology / XX
P_UNTYPED_C_DQB1, P_UNTYPED_DQB1 = 0.03, 0.02


def imgt_dir() -> Path:
    env = os.environ.get("STEMHUB_IMGT_DIR")
    return Path(env) if env else SHARED / "imgt" / "Latest"


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return open(path, encoding="utf-8")


def two_field(name: str) -> str:
    """'A*01:01:01:02N' -> 'A*01:01N'; 'A*01:16N' -> 'A*01:16N'."""
    locus, fields = name.split("*", 1)
    parts = fields.split(":")
    suffix = parts[-1][-1] if parts[-1][-1].isalpha() else ""
    second = parts[1].rstrip("NLSCAQ") if len(parts) > 1 else ""
    return f"{locus}*{parts[0]}:{second}{suffix}"


@dataclass
class Reference:
    """Per-allele degraded forms, all precomputed."""

    two_fields: set[str] = field(default_factory=set)
    by_first: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    g_group: dict[str, str] = field(default_factory=dict)
    serology: dict[str, str] = field(default_factory=dict)
    macs: dict[str, list[str]] = field(default_factory=dict)
    pools: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)

    def list_pool(self, allele: str) -> tuple[list[str], list[str]]:
        """Other expressing alleles (first 25) and null alleles of the allele's first field."""
        pool = self.pools.get(allele)
        if pool is None:
            others = [a for a in self.by_first[allele.split(":", 1)[0]] if a != allele]
            pool = (
                [a for a in others if not a.endswith("N")][:25],
                [a for a in others if a.endswith("N")],
            )
            self.pools[allele] = pool
        return pool


def _load_allelelist(ref: Reference) -> None:
    with open(imgt_dir() / "Allelelist.txt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or line.startswith("AlleleID"):
                continue
            name = line.strip().split(",")[1]
            locus = name.split("*", 1)[0]
            if locus not in SEROLOGY_LOCUS or ":" not in name:
                continue
            ref.two_fields.add(two_field(name))
    for name in ref.two_fields:
        ref.by_first[name.split(":", 1)[0]].append(name)
    for names in ref.by_first.values():
        names.sort(key=_sort_key)


def _sort_key(name: str) -> tuple[int, str]:
    second = name.split(":", 1)[1]
    digits = re.match(r"\d+", second)
    return (int(digits.group()) if digits else 0, second)


def _load_g_groups(ref: Reference) -> None:
    """2-field name -> G group of its prototype (X:01:01 or X:01 or X)."""
    candidates: dict[str, dict[str, str]] = defaultdict(dict)
    with open(imgt_dir() / "wmda" / "hla_nom_g.txt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            locus, members, group = line.strip().split(";")
            if locus.rstrip("*") not in SEROLOGY_LOCUS or not group:
                continue
            for member in members.split("/"):
                full = locus + member
                candidates[two_field(full)][full] = locus + group
    for name, members in candidates.items():
        for proto in (name + ":01:01", name + ":01", name):
            if proto in members:
                ref.g_group[name] = members[proto]
                break


def _load_serology(ref: Reference) -> None:
    """2-field name -> most frequent antigen among its alleles (nulls have none)."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    with open(imgt_dir() / "wmda" / "rel_dna_ser.txt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            cols = line.rstrip("\n").split(";")
            locus = cols[0].rstrip("*")
            if locus not in SEROLOGY_LOCUS:
                continue
            antigen = next((c.split("/")[0] for c in cols[2:6] if c and c not in ("0", "?")), "")
            if antigen and cols[2] != "0":
                votes[two_field(f"{locus}*{cols[1]}")][antigen] += 1
    for name, counter in votes.items():
        locus = name.split("*", 1)[0]
        ref.serology[name] = SEROLOGY_LOCUS[locus] + counter.most_common(1)[0][0]


def _load_macs(ref: Reference, alleles: set[str]) -> None:
    """allele -> MAC tokens ('A*02:AB') whose full expansion is valid and contains it."""
    genuine = False
    rows: list[tuple[str, list[str], bool]] = []
    with _open_text(MACS) as fh:
        for line in fh:
            if line.startswith("#"):
                genuine = genuine or "genuine" in line
                continue
            if not genuine or line.startswith("Code,"):
                continue
            row = next(csv.reader([line]))
            rows.append((row[0], row[2].split("/"), row[4].strip().lower() == "true"))
    for allele in sorted(alleles):
        locus, fields = allele.split("*")
        first = fields.split(":")[0]
        tokens = []
        for code, items, generic in rows:
            if len(items) > 8:
                continue
            if generic:
                expansion = [f"{locus}*{first}:{item}" for item in items]
            else:
                expansion = [f"{locus}*{item}" for item in items]
            if allele in expansion and all(e in ref.two_fields for e in expansion):
                tokens.append(f"{locus}*{first}:{code}")
        ref.macs[allele] = tokens


@cache
def reference(alleles: frozenset[str]) -> Reference:
    ref = Reference()
    _load_allelelist(ref)
    _load_g_groups(ref)
    _load_serology(ref)
    _load_macs(ref, set(alleles))
    return ref


def load_haplotypes(path: Path = HAPLOTYPES) -> tuple[list[tuple[str, ...]], np.ndarray]:
    haplotypes: list[tuple[str, ...]] = []
    weights: list[float] = []
    with _open_text(path) as fh:
        for line in fh:
            line = line.strip()
            if not line or line.lower().startswith("a~"):
                continue
            hap, _count, freq = line.split(",")
            by_locus = dict(zip(HAP_ORDER, hap.split("~"), strict=True))
            haplotypes.append(tuple(by_locus[locus] for locus in LOCI))
            weights.append(float(freq))
    p = np.asarray(weights)
    return haplotypes, p / p.sum()


def _list_token(allele: str, ref: Reference, u1: float, u2: float) -> str:
    """Allele list: the true allele plus 1-3 others of its first field, maybe one null."""
    expressing, nulls = ref.list_pool(allele)
    if not expressing:
        return allele
    k = 1 + int(u1 * 3)
    start = int(u2 * len(expressing))
    chosen = {expressing[(start + 7 * i) % len(expressing)] for i in range(k)}
    if nulls and u1 * 10 % 1 < 0.15:
        chosen.add(nulls[int(u2 * 97) % len(nulls)])
    chosen.add(allele)
    return "/".join(sorted(chosen, key=_sort_key))


def _degrade(allele: str, kind: int, ref: Reference, u: np.ndarray) -> str:
    """kind 0 high res, 1 list or G, 2 MAC, 3 serology or XX. u: three uniforms."""
    if kind == 0 or allele.endswith("N"):
        return allele
    if kind == 1:
        group = ref.g_group.get(allele)
        if group and u[0] < 0.5:
            return group
        return _list_token(allele, ref, u[1], u[2])
    if kind == 2:
        tokens = ref.macs.get(allele)
        if tokens:
            return tokens[int(u[1] * len(tokens))]
        return _list_token(allele, ref, u[1], u[2])
    sero = ref.serology.get(allele)
    if sero and u[0] < 0.6:
        return sero
    return allele.split(":", 1)[0] + ":XX"


def generate(
    n: int,
    *,
    seed: int,
    prefix: str = "D",
    width: int = 7,
    hla_prefix: bool = True,
    haplotypes_path: Path = HAPLOTYPES,
) -> Iterator[tuple[str, str]]:
    """Yield ``n`` pairs (id, GL string), deterministic in ``seed``."""
    haplotypes, p = load_haplotypes(haplotypes_path)
    alleles = frozenset(a for hap in haplotypes for a in hap)
    ref = reference(alleles)
    cdf = np.cumsum(p)
    cdf[-1] = 1.0
    rng = np.random.Generator(np.random.PCG64(seed))
    gl_prefix = "HLA-" if hla_prefix else ""

    def gl(token: str) -> str:
        return gl_prefix + token.replace("/", "/" + gl_prefix) if gl_prefix else token

    plain = {allele: gl(allele) for allele in alleles}
    nloci = len(LOCI)
    typed_loci = (
        tuple(range(nloci)),
        tuple(j for j, locus in enumerate(LOCI) if locus != "DQB1"),
        tuple(j for j, locus in enumerate(LOCI) if locus not in ("C", "DQB1")),
    )
    made = 0
    while made < n:
        haps = np.searchsorted(cdf, rng.random((CHUNK, 2)), side="right").tolist()
        category = rng.random(CHUNK).tolist()
        which = rng.random((CHUNK, nloci)).tolist()
        forced = rng.integers(0, nloci, CHUNK).tolist()
        untyped = rng.random(CHUNK).tolist()
        uniforms = rng.random((CHUNK, nloci, 2, 3))
        for i in range(min(CHUNK, n - made)):
            made += 1
            c = category[i]
            kind = 0 if c < P_HIGH else 1 if c < P_LIST else 2 if c < P_MAC else 3
            h1, h2 = haplotypes[haps[i][0]], haplotypes[haps[i][1]]
            u = untyped[i]
            skip = 2 if u < P_UNTYPED_C_DQB1 else 1 if u < P_UNTYPED_C_DQB1 + P_UNTYPED_DQB1 else 0
            segments = []
            for j in typed_loci[skip]:
                if kind and (j == forced[i] or which[i][j] < 0.3):
                    t1 = gl(_degrade(h1[j], kind, ref, uniforms[i, j, 0]))
                    t2 = gl(_degrade(h2[j], kind, ref, uniforms[i, j, 1]))
                    segments.append(f"{t1}+{t2}")
                else:
                    segments.append(f"{plain[h1[j]]}+{plain[h2[j]]}")
            yield f"{prefix}{made:0{width}d}", "^".join(segments)


def write(lines: Iterator[tuple[str, str]], out: Path) -> int:
    count = 0
    with gzip.open(out, "wt", compresslevel=3) if out.suffix == ".gz" else open(out, "w") as fh:
        buffer: list[str] = []
        for ident, gl in lines:
            buffer.append(f"{ident}%{gl}\n")
            count += 1
            if len(buffer) >= 10000:
                fh.write("".join(buffer))
                buffer.clear()
        fh.write("".join(buffer))
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True, help="output file (.gz compresses)")
    parser.add_argument("--prefix", default="D", help="ID prefix (default D)")
    parser.add_argument("--width", type=int, default=7, help="digits in the ID (default 7)")
    parser.add_argument(
        "--no-hla-prefix", action="store_true", help="write A*02:01 instead of HLA-A*02:01"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    count = write(
        generate(
            args.count,
            seed=args.seed,
            prefix=args.prefix,
            width=args.width,
            hla_prefix=not args.no_hla_prefix,
        ),
        args.out,
    )
    elapsed = time.perf_counter() - start
    print(f"wrote {count} typings to {args.out} in {elapsed:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
