"""Independent reference implementation of the batch potential-match semantics, on py-ard.

Written from domain.md §4 and issue 4 only (it does not use ``stemhub.hla``), to validate
``stemhub hla match``.  Semantics (WMDA "AI3" potential match):

* Each position's typing is expanded to alleles and reduced to P groups with
  ``ard.redux(token, "P")``: allele names of any resolution, allele lists, G and P groups, XX codes
  and serology go through py-ard; NMDP MACs are expanded from
  ``../shared/hla/mac_subset_atlas.csv.gz`` first (py-ard's MAC table needs the network), generic
  codes put their second fields under the typed first field, specific codes list whole alleles.
* Null alleles in a position that also holds expressing alleles are ignored.  A name py-ard
  returns without an ``N`` but whose IMGT alleles are all null (py-ard's 2-field "short nulls",
  e.g. ``A*01:04`` in the expansion of ``A*01:XX``) counts as null too.
* A position typed only as null makes the locus homozygous for the other position (when both
  positions are null-only, each keeps its null alleles as groups).
* Expressing alleles in no P group are their own group, named by their first two fields (all
  alleles sharing two fields have the same protein).
* Two positions match when their group sets intersect; per locus the better of the direct and
  cross orientation counts (0, 1 or 2).  ``|`` genotype ambiguity takes the best alternative.
* A locus not typed on both sides is ``-``; ``mismatches`` is the sum of ``2 - count`` over the
  typed loci of the requested ones.

CLI (same TSV as ``stemhub hla match``)::

    python -m tests.hla_reference.pyard_matcher --patients P --donors D --out OUT \
        [--loci A,B,C,DRB1,DQB1] [--max-mismatches N]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import csv
import gzip
import io
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.pyard_support import get_ard, imgt_dir, shared_dir

DEFAULT_LOCI = ("A", "B", "C", "DRB1", "DQB1")
SEROLOGY_PREFIXES = (("Cw", "C"), ("DR", "DRB1"), ("DQ", "DQB1"), ("A", "A"), ("B", "B"))

Groups = frozenset[str]
# A position: (groups, null_only).  A locus typing: tuple of genotype alternatives, each a pair
# of positions.
Position = tuple[Groups, bool]
LocusTyping = tuple[tuple[Position, Position], ...]


class TypingError(ValueError):
    pass


def _open_text(path: Path) -> io.TextIOBase:
    if str(path).endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return open(path, encoding="utf-8")


def read_typings(path: Path) -> list[tuple[str, str]]:
    """Lines ``ID%GL`` (blank lines and ``#`` comments skipped)."""
    rows = []
    with _open_text(path) as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            ident, _, gl = line.partition("%")
            rows.append((ident.strip(), gl.strip()))
    return rows


def load_macs(path: Path | None = None) -> dict[str, tuple[list[str], bool]]:
    """MAC code -> (items, is_generic) from a CSV with columns Code, HLA, IsGeneric."""
    path = path or shared_dir() / "hla" / "mac_subset_atlas.csv.gz"
    macs: dict[str, tuple[list[str], bool]] = {}
    with _open_text(path) as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    for row in csv.DictReader(lines):
        macs[row["Code"].strip()] = (
            row["HLA"].strip().split("/"),
            row["IsGeneric"].strip().lower() == "true",
        )
    return macs


def _all_null_prefixes() -> set[str]:
    """Names (2 fields and more, without suffix) whose IMGT alleles are all null."""
    status: dict[str, set[bool]] = defaultdict(set)
    with open(imgt_dir() / "Allelelist.txt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or line.startswith("AlleleID"):
                continue
            name = line.strip().split(",")[1]
            if ":" not in name:
                continue
            null = name.endswith("N")
            locus, fields = name.split("*", 1)
            parts = fields.rstrip("NLSCAQ").split(":")
            for k in range(2, len(parts) + 1):
                status[f"{locus}*{':'.join(parts[:k])}"].add(null)
    return {name for name, flags in status.items() if flags == {True}}


def _strip_suffix(name: str) -> str:
    return name[:-1] if name[-1] in "NLSCAQ" else name


def _two_fields(name: str) -> str:
    locus, fields = name.split("*", 1)
    return f"{locus}*{':'.join(_strip_suffix(fields).split(':')[:2])}"


@dataclass
class Matcher:
    loci: Sequence[str] = DEFAULT_LOCI

    def __post_init__(self) -> None:
        self.ard = get_ard()
        self.macs = load_macs()
        self.null_names = _all_null_prefixes()
        self._position_cache: dict[tuple[str, str], Position] = {}

    def with_loci(self, loci: Sequence[str]) -> Matcher:
        """A matcher for other loci sharing this one's reference data and caches."""
        other = copy.copy(self)
        other.loci = tuple(loci)
        return other

    # -- typing -> groups ----------------------------------------------------------------
    def _is_null(self, name: str) -> bool:
        return name.endswith("N") or _strip_suffix(name) in self.null_names

    def _expand_mac(self, token: str) -> list[str]:
        locus, fields = token.split("*", 1)
        first, code = fields.split(":", 1)
        if code not in self.macs:
            raise TypingError(f"unknown MAC {token}")
        items, generic = self.macs[code]
        names = [f"{locus}*{first}:{i}" if generic else f"{locus}*{i}" for i in items]
        with contextlib.redirect_stdout(io.StringIO()):
            valid = [n for n in names if self.ard.is_valid_allele(n)]
        if not valid:
            raise TypingError(f"MAC {token} expands to no allele of the release")
        return valid

    def _reduce(self, token: str) -> list[str]:
        """One typing item (no '/') -> py-ard P reduction items."""
        names = [token]
        if "*" in token:
            fields = token.split("*", 1)[1].split(":")
            if len(fields) == 2 and fields[1].isalpha() and fields[1] != "XX":
                names = self._expand_mac(token)
        reduced: list[str] = []
        # py-ard prints "Error: no such table: mac_codes" when it probes for MACs
        with contextlib.redirect_stdout(io.StringIO()):
            for name in names:
                try:
                    reduced.extend(self.ard.redux(name, "P").split("/"))
                except Exception as exc:  # py-ard raises several types
                    raise TypingError(f"py-ard cannot reduce {name!r}: {exc}") from exc
        return reduced

    def position(self, locus: str, text: str) -> Position:
        """One position's typing (may be a '/' list) -> (groups, null_only)."""
        key = (locus, text)
        cached = self._position_cache.get(key)
        if cached is not None:
            return cached
        expressing: set[str] = set()
        nulls: set[str] = set()
        for item in text.split("/"):
            item = item.strip()
            if item.startswith("HLA-"):
                item = item[4:]
            if _locus_of(item) != locus:
                raise TypingError(f"{item!r} is not a {locus} typing")
            for name in self._reduce(item):
                if name.endswith("P"):
                    expressing.add(name)
                elif self._is_null(name):
                    nulls.add(_two_fields(name) + "N")
                else:
                    expressing.add(_two_fields(name))
        result = (frozenset(expressing), False) if expressing else (frozenset(nulls), True)
        self._position_cache[key] = result
        return result

    def typing(self, gl: str) -> dict[str, LocusTyping]:
        """GL string -> locus -> genotype alternatives (pairs of positions)."""
        by_locus: dict[str, list[tuple[Position, Position]]] = {}
        for segment in gl.split("^"):
            segment = segment.strip()
            if not segment:
                continue
            locus = None
            alternatives = []
            for genotype in segment.split("|"):
                haplotypes = genotype.split("+")
                if len(haplotypes) == 1:
                    haplotypes = haplotypes * 2  # one position given: homozygous
                if len(haplotypes) != 2:
                    raise TypingError(f"expected two positions in {genotype!r}")
                if "~" in genotype:
                    raise TypingError("phased '~' typings are not supported here")
                item_locus = _locus_of(haplotypes[0].split("/")[0].strip().removeprefix("HLA-"))
                locus = locus or item_locus
                p1 = self.position(locus, haplotypes[0])
                p2 = self.position(locus, haplotypes[1])
                alternatives.append(_apply_nulls(p1, p2))
            if locus in by_locus:
                raise TypingError(f"locus {locus} typed twice")
            by_locus[locus] = alternatives
        return {locus: tuple(alts) for locus, alts in by_locus.items()}

    # -- matching --------------------------------------------------------------------------
    @staticmethod
    def locus_count(patient: LocusTyping, donor: LocusTyping) -> int:
        best = 0
        for p1, p2 in patient:
            for d1, d2 in donor:
                direct = _match(p1, d1) + _match(p2, d2)
                cross = _match(p1, d2) + _match(p2, d1)
                best = max(best, direct, cross)
        return best

    def pair(
        self, patient: dict[str, LocusTyping], donor: dict[str, LocusTyping]
    ) -> tuple[list[int | None], int]:
        counts: list[int | None] = []
        mismatches = 0
        for locus in self.loci:
            if locus in patient and locus in donor:
                count = self.locus_count(patient[locus], donor[locus])
                counts.append(count)
                mismatches += 2 - count
            else:
                counts.append(None)
        return counts, mismatches

    def match(
        self,
        patients: Iterable[tuple[str, str]],
        donors: Iterable[tuple[str, str]],
        max_mismatches: int | None = None,
    ) -> Iterator[tuple[str, str, list[int | None], int]]:
        """Rows (patient, donor, counts per locus, mismatches), sorted by patient then donor."""
        parsed_donors = sorted((d, self.typing(gl)) for d, gl in donors)
        for pid, pgl in sorted(patients):
            ptyping = self.typing(pgl)
            for did, dtyping in parsed_donors:
                counts, mismatches = self.pair(ptyping, dtyping)
                if max_mismatches is None or mismatches <= max_mismatches:
                    yield pid, did, counts, mismatches


def _locus_of(item: str) -> str:
    if "*" in item:
        return item.split("*", 1)[0]
    for prefix, locus in SEROLOGY_PREFIXES:
        if item.startswith(prefix) and item[len(prefix) :].isdigit():
            return locus
    raise TypingError(f"cannot tell the locus of {item!r}")


def _apply_nulls(p1: Position, p2: Position) -> tuple[Position, Position]:
    if p1[1] and not p2[1]:
        return p2, p2
    if p2[1] and not p1[1]:
        return p1, p1
    return p1, p2


def _match(a: Position, b: Position) -> int:
    return 0 if a[0].isdisjoint(b[0]) else 1


def format_rows(
    rows: Iterable[tuple[str, str, list[int | None], int]], loci: Sequence[str]
) -> Iterator[str]:
    yield "\t".join(["patient", "donor", *loci, "mismatches"]) + "\n"
    for pid, did, counts, mismatches in rows:
        cells = ["-" if c is None else str(c) for c in counts]
        yield "\t".join([pid, did, *cells, str(mismatches)]) + "\n"


def run(
    patients: Path,
    donors: Path,
    out: Path,
    loci: Sequence[str] = DEFAULT_LOCI,
    max_mismatches: int | None = None,
) -> int:
    matcher = Matcher(loci=tuple(loci))
    rows = matcher.match(read_typings(patients), read_typings(donors), max_mismatches)
    count = 0
    with open(out, "w", encoding="utf-8") as fh:
        for line in format_rows(rows, loci):
            fh.write(line)
            count += 1
    return count - 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="py-ard reference for `stemhub hla match`")
    parser.add_argument("--patients", type=Path, required=True)
    parser.add_argument("--donors", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--loci", default=",".join(DEFAULT_LOCI))
    parser.add_argument("--max-mismatches", type=int)
    args = parser.parse_args(argv)
    loci = [x.strip() for x in args.loci.split(",") if x.strip()]
    rows = run(args.patients, args.donors, args.out, loci, args.max_mismatches)
    print(f"wrote {rows} rows to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
