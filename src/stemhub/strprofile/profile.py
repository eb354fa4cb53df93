"""STR profiles: the query syntax, allele values, and references with conflicting sources.

A `Profile` maps each locus (standard spelling, `loci.normalise_locus`) to its set of alleles.
`ND` (or Cellosaurus' `Not_detected`) keeps the locus in the profile but is not an allele: a
locus typed ND is present with no alleles, as in CLASTR. Repeating an allele (`12,12`) is the
same as giving it once, so a homozygous locus counts one allele.

A `Reference` is one searchable line whose loci may carry several alternatives (sources that
disagree). `Reference.profiles()` expands them into the profiles CLASTR scores; see its
docstring for the rule.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from stemhub.strprofile.errors import ProfileError
from stemhub.strprofile.loci import AMELOGENIN, normalise_locus

__all__ = [
    "MAX_COMBINATIONS",
    "NOT_DETECTED",
    "Profile",
    "Reference",
    "parse_profile",
    "parse_profile_text",
]

NOT_DETECTED = "ND"
# CLASTR stops expanding conflicting alternatives after this many combinations.
MAX_COMBINATIONS = 150

_REPEAT = re.compile(r"^\d{1,3}(?:\.\d{1,2})?$")
_SEX = frozenset({"X", "Y"})


def _allele(locus: str, token: str, *, strict: bool) -> str:
    value = token.strip().upper()
    if value in (NOT_DETECTED, "NOT_DETECTED", "NOT DETECTED"):
        return NOT_DETECTED
    if strict:
        if not value:
            raise ProfileError(f"{locus}:{token}", "empty allele (write ND if not detected)")
        expected = _SEX if locus == AMELOGENIN else None
        if expected is not None and value not in expected:
            raise ProfileError(token.strip(), f"{AMELOGENIN} alleles are X or Y (or ND)")
        if expected is None and not _REPEAT.match(value):
            raise ProfileError(
                token.strip(), f"not an allele of {locus}: write a repeat number like 9 or 9.3"
            )
    return value


@dataclass(frozen=True)
class Profile:
    """Locus → alleles (a frozenset, `ND` removed); a locus typed only ND maps to no alleles."""

    loci: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Iterable[str]], *, strict: bool = False) -> Profile:
        """A profile from `{locus: [alleles]}`. `strict` checks allele values as a query does;
        stored references are read leniently (upper-cased, empty values dropped)."""
        loci: dict[str, frozenset[str]] = {}
        for name, values in mapping.items():
            locus = normalise_locus(name)
            if not locus:
                raise ProfileError(name, "empty locus name")
            if locus in loci:
                raise ProfileError(name, f"locus {locus} appears twice")
            alleles = [_allele(locus, v, strict=strict) for v in values if strict or v.strip()]
            if not alleles:
                if strict:
                    raise ProfileError(name, "no alleles (write ND if not detected)")
                continue
            loci[locus] = frozenset(a for a in alleles if a != NOT_DETECTED)
        return cls(loci)

    def __len__(self) -> int:
        return len(self.loci)

    def as_text(self) -> str:
        """The query syntax, loci in the profile's order, alleles sorted numerically."""
        return ";".join(
            f"{locus}:{','.join(sorted(alleles, key=_allele_order)) or NOT_DETECTED}"
            for locus, alleles in self.loci.items()
        )


def _allele_order(allele: str) -> tuple[int, float, str]:
    try:
        return (0, float(allele), allele)
    except ValueError:
        return (1, 0.0, allele)


def parse_profile(text: str) -> Profile:
    """`"Amelogenin:X;CSF1PO:12,13;TH01:6,9.3"` → `Profile` (the syntax of `parse_profile_text`),
    with every allele checked. Raises `ProfileError` naming the first bad token."""
    return Profile.from_mapping(parse_profile_text(text), strict=True)


def parse_profile_text(text: str) -> dict[str, list[str]]:
    """The one STR text syntax, as written: loci separated by `;` or new lines, alleles by `,`;
    `:` or `=` after the locus; whitespace and letter case do not matter. Returns the loci as
    written (stripped) with their alleles; raises `ProfileError` naming the first bad token
    (a part with no locus or no alleles, a locus given twice under any spelling)."""
    mapping: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for part in re.split(r"[;\n]", text):
        if not part.strip():
            continue
        match = re.match(r"^\s*([^:=]+?)\s*[:=](.*)$", part)
        if match is None:
            raise ProfileError(part.strip(), "write LOCUS:allele,allele (e.g. TH01:6,9.3)")
        name, values = match.groups()
        locus = normalise_locus(name)
        if locus in seen:
            raise ProfileError(name, f"locus {locus} appears twice (also as {seen[locus]!r})")
        seen[locus] = name
        alleles = [allele.strip() for allele in values.split(",")]
        if not any(alleles):
            raise ProfileError(part.strip(), "no alleles (write ND if not detected)")
        if not all(alleles):
            raise ProfileError(f"{locus}:", "an empty allele: remove the extra comma")
        mapping[name.strip()] = alleles
    if not mapping:
        raise ProfileError(text, "no loci: write LOCUS:allele,allele;LOCUS:...")
    return mapping


@dataclass(frozen=True)
class Reference:
    """A searchable profile: `alternatives` maps each locus to one or more allele sets (one per
    disagreeing source group); `sources` optionally names the sources behind each alternative
    (same order), which lets `profiles()` keep each source's data together as CLASTR does."""

    accession: str
    name: str
    alternatives: Mapping[str, tuple[frozenset[str], ...]]
    sources: Mapping[str, tuple[frozenset[str], ...]] = field(default_factory=dict)

    @classmethod
    def from_profile(
        cls, accession: str, name: str, profile: Mapping[str, Iterable[str]]
    ) -> Reference:
        """A reference without conflicts, e.g. a registry line's `{locus: [alleles]}`."""
        loci = Profile.from_mapping(profile).loci
        return cls(accession, name, {locus: (alleles,) for locus, alleles in loci.items()})

    @classmethod
    def from_alternatives(
        cls,
        accession: str,
        name: str,
        profile: Mapping[str, Sequence[Iterable[str]]],
        sources: Mapping[str, Sequence[Iterable[str]]] | None = None,
    ) -> Reference:
        """From `{locus: [[alleles of variant 1], [alleles of variant 2], ...]}` (the Cellosaurus
        library's shape) and, optionally, `{locus: [[sources of variant 1], ...]}`."""
        alternatives: dict[str, tuple[frozenset[str], ...]] = {}
        by_source: dict[str, tuple[frozenset[str], ...]] = {}
        for name_, variants in profile.items():
            locus = normalise_locus(name_)
            sets = []
            for variant in variants:
                alleles = {_allele(locus, v, strict=False) for v in variant if v.strip()}
                if alleles:
                    sets.append(frozenset(alleles - {NOT_DETECTED}))
            if not sets:
                continue
            if locus in alternatives:
                raise ProfileError(name_, f"locus {locus} appears twice in {accession}")
            alternatives[locus] = tuple(sets)
            given = (sources or {}).get(name_)
            if given is not None and len(sets) > 1 and len(given) == len(sets):
                by_source[locus] = tuple(frozenset(s) for s in given)
        return cls(accession, name, alternatives, by_source)

    @property
    def conflicted(self) -> bool:
        return any(len(sets) > 1 for sets in self.alternatives.values())

    def profiles(self) -> tuple[Profile, ...]:
        """The profiles to score. Without conflicts, one. With conflicts, as CLASTR resolves them:
        when every conflicted locus names its sources and the loci share the same set of sources,
        one profile per group of sources that always agree (each source's own data); otherwise
        every combination of alternatives, in order, stopping at `MAX_COMBINATIONS`. When a
        source group would take two alternatives of one locus, the combinations are used."""
        if not self.conflicted:
            return (Profile({locus: sets[0] for locus, sets in self.alternatives.items()}),)
        grouped = self._by_source_groups()
        if grouped is not None:
            return grouped
        loci = list(self.alternatives)
        choices = itertools.islice(
            itertools.product(*(self.alternatives[locus] for locus in loci)), MAX_COMBINATIONS
        )
        return tuple(Profile(dict(zip(loci, choice, strict=True))) for choice in choices)

    def _by_source_groups(self) -> tuple[Profile, ...] | None:
        conflicted = [locus for locus, sets in self.alternatives.items() if len(sets) > 1]
        if any(locus not in self.sources for locus in conflicted):
            return None
        unions = {frozenset().union(*self.sources[locus]) for locus in conflicted}
        if len(unions) != 1:
            return None
        profiles = []
        for group in _source_groups([self.sources[locus] for locus in conflicted]):
            loci: dict[str, frozenset[str]] = {}
            for locus, sets in self.alternatives.items():
                if len(sets) == 1:
                    loci[locus] = sets[0]
                    continue
                taken = [
                    s for s, src in zip(sets, self.sources[locus], strict=True) if group <= src
                ]
                if len(taken) != 1:
                    return None
                loci[locus] = taken[0]
            profiles.append(Profile(loci))
        return tuple(profiles)


def _source_groups(loci_sources: list[tuple[frozenset[str], ...]]) -> list[frozenset[str]]:
    """CLASTR's grouping: start from the first conflicted locus' source sets and split a group
    whenever a later locus has an alternative backed by a strict subset of it."""
    groups: list[frozenset[str]] = []
    for sources in loci_sources:
        if not groups:
            groups = list(sources)
            continue
        new_groups = list(groups)
        for group in groups:
            matches = [s for s in sources if s != group and s <= group]
            if matches:
                delta = group.difference(*matches)
                if delta:
                    new_groups.append(delta)
                new_groups.extend(matches)
                new_groups.remove(group)
        groups = new_groups
    return groups
