"""Typing parser: turns every typing form of domain.md §4 into `Position` sets of alleles.

Forms: full names with expression suffix (``A*01:11N``), 2- and 3-field names (all alleles under
them), first field alone or ``XX`` (every allele of that first field), G and P groups, allele
lists (``/``), NMDP MACs, serology (``A2``, ``Cw7``, ``DR15``) and GL strings joining them with
``^`` (loci), ``|`` (genotype alternatives), ``+`` (the two chromosomes), ``~`` (phased
haplotype) and ``/`` (allele ambiguity). A locus with a single chromosome typed is homozygous.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from stemhub.hla.errors import (
    DeletedAlleleError,
    MalformedTypingError,
    UnknownAlleleError,
    UnknownMACError,
    UnknownSerologyError,
)
from stemhub.hla.genotype import LocusTyping, Position, PositionKind, Typing
from stemhub.hla.macs import MacDictionary
from stemhub.hla.tables import ReferenceTables

__all__ = ["TypingParser"]

_P = TypeVar("_P")

_MOLECULAR = re.compile(r"^(?P<locus>[A-Z][A-Z0-9]*)\*(?P<body>\S+)$")
_FIELDS = re.compile(r"^\d{2,4}(:\d{2,4}){0,3}[NLSCAQ]?$")
_GROUP = re.compile(r"^\d{2,4}(:\d{2,4}){1,2}(?P<kind>[GP])$")
_MAC = re.compile(r"^(?P<first>\d{2,4}):(?P<code>[A-Z]{2,5})$")
_SEROLOGY = re.compile(r"^(?P<prefix>A|B|Cw|C|DR|DQ|DP)(?P<number>\d{1,4})$")


class TypingParser:
    """Parses typings against one release's tables and (optionally) a MAC dictionary."""

    def __init__(self, tables: ReferenceTables, macs: MacDictionary | None = None) -> None:
        self.tables = tables
        self.macs = macs
        # Bounded: a MAC's position holds hundreds of allele ids.
        self.position = lru_cache(maxsize=50_000)(self.parse_position)

    # ---- GL strings -------------------------------------------------------------------------

    def parse(self, gl: str) -> Typing:
        """Parse a GL string of one or more loci; raises a `TypingError` subclass when bad."""
        text = gl.strip()
        if not text:
            raise MalformedTypingError(gl, "empty typing")
        loci: dict[str, LocusTyping] = {}
        for segment in text.split("^"):
            for locus, typing in self.parse_segment(segment).items():
                if locus in loci:
                    raise MalformedTypingError(segment, f"locus {locus} typed twice")
                loci[locus] = typing
        return Typing(self.tables.release, loci)

    def parse_segment(self, segment: str) -> dict[str, LocusTyping]:
        """One ``^``-separated part: genotype alternatives of one locus or of phased loci."""
        return {
            locus: LocusTyping(locus, tuple(pairs))
            for locus, pairs in self.segment_pairs(segment, self.position).items()
        }

    def segment_pairs(
        self, segment: str, resolve: Callable[[str], tuple[str, _P]]
    ) -> dict[str, list[tuple[_P, _P]]]:
        """The structure of a segment, each allele list resolved by ``resolve``.

        ``resolve`` maps an allele-list text to (locus, value); `parse_segment` passes the
        (cached) position parser, the donor encoder a resolver that keeps only group sets.
        """
        if not segment:
            raise MalformedTypingError(segment, "empty locus segment (doubled '^'?)")
        per_locus: dict[str, list[tuple[_P, _P]]] = {}
        for genotype in segment.split("|"):
            chromosomes = genotype.split("+")
            if len(chromosomes) > 2:
                raise MalformedTypingError(genotype, "more than two chromosomes ('+')")
            haplotypes = [self._haplotype(chromosome, resolve) for chromosome in chromosomes]
            if len(haplotypes) == 2 and haplotypes[0].keys() != haplotypes[1].keys():
                raise MalformedTypingError(genotype, "the two chromosomes type different loci")
            for locus, first in haplotypes[0].items():
                second = haplotypes[-1][locus]
                per_locus.setdefault(locus, []).append((first, second))
        return per_locus

    @staticmethod
    def _haplotype(text: str, resolve: Callable[[str], tuple[str, _P]]) -> dict[str, _P]:
        if not text:
            raise MalformedTypingError(text, "empty chromosome (stray '+', '|' or '^')")
        positions: dict[str, _P] = {}
        for allele_list in text.split("~"):
            locus, position = resolve(allele_list)
            if locus in positions:
                raise MalformedTypingError(text, f"locus {locus} twice in one haplotype")
            positions[locus] = position
        return positions

    # ---- one position -----------------------------------------------------------------------

    def parse_position(self, text: str) -> tuple[str, Position]:
        """An allele list or a single token -> (locus, Position); uncached (see ``position``)."""
        items = text.split("/")
        if any(not item for item in items):
            raise MalformedTypingError(text, "empty item in allele list")
        if len(items) == 1:
            return self._token(items[0])
        locus = ""
        alleles: set[int] = set()
        names: list[str] = []
        for raw in items:
            item = self._strip_hla(raw)
            if "*" not in item and locus and not _SEROLOGY.match(item):
                item = f"{locus}*{item}"  # A*02:01/02:05 is shorthand for A*02:01/A*02:05
            item_locus, position = self._token(item)
            if locus and item_locus != locus:
                raise MalformedTypingError(text, f"allele list mixes loci {locus} and {item_locus}")
            locus = item_locus
            alleles.update(position.alleles)
            names.extend(position.names)
        return locus, Position(text, "allele_list", frozenset(alleles), tuple(names))

    @staticmethod
    def _strip_hla(token: str) -> str:
        return token[4:] if token.startswith("HLA-") else token

    def _token(self, raw: str) -> tuple[str, Position]:
        token = self._strip_hla(raw.strip())
        molecular = _MOLECULAR.match(token)
        if molecular is None:
            return self._serology(token)
        locus, body = molecular.group("locus"), molecular.group("body")
        if body.endswith(":XX") or re.fullmatch(r"\d{2,4}", body):
            first = body.removesuffix(":XX")
            alleles = self._covered(f"{locus}*{first}", token)
            return locus, self._make(token, "xx", alleles, (f"{locus}*{first}",))
        mac = _MAC.match(body)
        if mac is not None:
            return locus, self._mac(token, locus, mac.group("first"), mac.group("code"))
        group = _GROUP.match(body)
        if group is not None:
            members = self.tables.g_members if group.group("kind") == "G" else self.tables.p_members
            if token not in members:
                raise UnknownAlleleError(
                    token, f"no such {group.group('kind')} group in release {self.tables.release}"
                )
            kind: PositionKind = "g_group" if group.group("kind") == "G" else "p_group"
            return locus, self._make(token, kind, members[token], (token,))
        if not _FIELDS.match(body):
            raise MalformedTypingError(token, "not an allele name, group, MAC or XX code")
        if ":" not in body:
            raise MalformedTypingError(token, "a first field needs ':XX' or a second field")
        return locus, self._make(token, "allele", self._covered(token, token), (token,))

    def _covered(self, name: str, token: str) -> list[int]:
        """Alleles a (possibly shortened) name covers, or the deleted/unknown-allele error."""
        tables = self.tables
        exact = tables.allele_id.get(name)
        if exact is not None:
            return [exact]
        suffix = name[-1] if name[-1].isalpha() else ""
        base = name[:-1] if suffix else name
        covered = tables.alleles_under(base)
        if covered and suffix:
            covered = [a for a in covered if tables.allele_names[a].endswith(suffix)]
        if covered:
            return covered
        if name in tables.deleted:
            successor, reason = tables.deleted[name]
            detail = f"; IMGT names {successor} as its successor" if successor else ""
            raise DeletedAlleleError(
                token, f"deleted from IPD-IMGT/HLA ({reason}){detail}", successor
            )
        locus = name.partition("*")[0]
        if locus not in tables.loci:
            raise UnknownAlleleError(token, f"unknown locus {locus}")
        raise UnknownAlleleError(token, f"no such allele in IPD-IMGT/HLA {tables.release}")

    def _mac(self, token: str, locus: str, first: str, code: str) -> Position:
        if self.macs is None:
            raise UnknownMACError(token, "no MAC dictionary loaded (run `stemhub hla macs FILE`)")
        try:
            entry = self.macs.lookup(code)
        except UnknownMACError as exc:
            raise UnknownMACError(token, f"MAC {code} is not in the loaded dictionary") from exc
        names = tuple(
            f"{locus}*{first}:{item}" if entry.generic else f"{locus}*{item}"
            for item in entry.expansion
        )
        alleles: list[int] = []
        known: list[str] = []
        for name in names:
            try:
                alleles.extend(self._covered(name, token))
                known.append(name)
            except UnknownAlleleError:
                continue  # MACs outlive alleles; an expansion item the release lacks is dropped
        if not alleles:
            raise UnknownMACError(
                token,
                f"MAC {code} expands to {'/'.join(names)}, none in release {self.tables.release}",
            )
        return self._make(token, "mac", alleles, tuple(known))

    def _serology(self, token: str) -> tuple[str, Position]:
        match = _SEROLOGY.match(token)
        if match is None:
            raise MalformedTypingError(token, "not an allele name, MAC, XX code or antigen")
        prefix = "Cw" if match.group("prefix") == "C" else match.group("prefix")
        antigen = prefix + match.group("number")
        alleles = self.serology_alleles(antigen)
        if not alleles:
            raise UnknownSerologyError(
                token, f"antigen {antigen} has no alleles in release {self.tables.release}"
            )
        locus = self.tables.allele_locus[alleles[0]]
        position = Position(token, "serology", frozenset(alleles), (antigen,), antigen)
        return locus, position

    def serology_alleles(self, antigen: str) -> list[int]:
        """Alleles an antigen typing covers: its own, its splits' and its associated antigens'."""
        tables = self.tables
        wanted = {antigen}
        wanted.update(s for s, broad in tables.broad_of_split.items() if broad == antigen)
        wanted.update(a for a, parent in tables.parent_of_associated.items() if parent in wanted)
        alleles: set[int] = set()
        for name in wanted:
            alleles.update(tables.antigen_alleles.get(name, ()))
        return sorted(alleles)

    @staticmethod
    def _make(
        token: str, kind: PositionKind, alleles: list[int], names: tuple[str, ...]
    ) -> Position:
        return Position(token, kind, frozenset(alleles), names)
