"""Planning an HLA haplobank: which HLA-homozygous lines serve most of a population.

A line homozygous for the haplotype h at the planned loci (say A~B~DRB1) shows a recipient who
carries h on either chromosome no antigen the recipient lacks: no host-versus-graft mismatch at
those loci. Under Hardy–Weinberg a person carries none of the bank's haplotypes S on either
chromosome with probability (1 − Σ_{h∈S} f(h))², so the bank serves the share

    coverage(S) = 1 − (1 − Σ_{h∈S} f(h))²

of the population. Coverage grows with Σf alone, so the best bank of K lines is the K most
frequent haplotypes: the plan is a ranking, and its cumulative coverage is the curve a centre
reads to decide how many lines are worth deriving.

Which lines a network already holds: `HomozygosityReader` reads a parsed typing at the planned
loci, each allele reduced to the set's key (its name at the set's resolution, or that name's first
field), and says whether both positions of every locus reduce to one and the same key
(*homozygous*), whether they might (*possibly*: an allele list, a MAC or serology leaves room), or
neither. The same reader tells whether a patient's typing holds a line's alleles at every locus
(no host-versus-graft mismatch), and with an imputation, how likely that is.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from stemhub.hla.errors import HLAError
from stemhub.hla.frequencies import FrequencySet, Resolution, allele_keys
from stemhub.hla.genotype import Position, Typing
from stemhub.hla.imputation import Imputation
from stemhub.hla.tables import ReferenceTables

__all__ = [
    "HaplotypeError",
    "Homozygosity",
    "HomozygosityReader",
    "PlanResolution",
    "PlannedLine",
    "collapse",
    "coverage",
    "first_field",
    "haplobank_plan",
    "set_frequencies",
]

# "set": alleles compared as the set names them; "first_field": by their allele group.
PlanResolution = Literal["set", "first_field"]
Verdict = Literal["homozygous", "possibly", "heterozygous", "untyped"]
Carries = Literal["yes", "maybe", "no"]

SEPARATOR = "~"


class HaplotypeError(HLAError, ValueError):
    """A haplotype cannot be read at the planned loci; ``haplotype`` names it."""

    def __init__(self, haplotype: str, reason: str) -> None:
        self.haplotype = haplotype
        self.reason = reason
        super().__init__(f"{haplotype!r}: {reason}")


@dataclass(frozen=True)
class PlannedLine:
    """One homozygous line of the plan, best first."""

    rank: int
    haplotype: str
    frequency: float
    # The share of the population this line alone serves, and the best `rank` lines together.
    coverage: float
    cumulative_coverage: float


def coverage(total_frequency: float) -> float:
    """The share of a population served by homozygous lines whose haplotypes' frequencies sum
    to `total_frequency`: one minus the chance that neither chromosome carries one of them."""
    return 1.0 - (1.0 - min(max(total_frequency, 0.0), 1.0)) ** 2


def _alleles_by_locus(haplotype: str) -> dict[str, str]:
    alleles: dict[str, str] = {}
    for allele in haplotype.split(SEPARATOR):
        locus, star, name = allele.strip().partition("*")
        if not star or not locus or not name:
            raise HaplotypeError(haplotype, f"{allele!r} is not an allele name like A*02:01")
        if locus in alleles:
            raise HaplotypeError(haplotype, f"locus {locus} appears twice")
        alleles[locus] = allele.strip()
    return alleles


def first_field(allele: str) -> str:
    """An allele's group (A*02:01:01G -> A*02), the resolution closest to a serological
    antigen that a name alone gives."""
    return allele.split(":", 1)[0]


def collapse(
    haplotypes: Iterable[tuple[str, float]],
    loci: Sequence[str],
    *,
    reduce: Callable[[str], str] | None = None,
) -> dict[str, float]:
    """The frequencies of the haplotypes at `loci` alone (in that order): the frequencies of all
    haplotypes that agree at those loci are summed. `reduce` maps each allele to the plan's
    resolution (two fields, P group ...) before they are compared; by default they are compared
    as written."""
    if not loci:
        raise ValueError("name at least one locus to plan for")
    if len(set(loci)) != len(loci):
        raise ValueError(f"a locus is named twice in {SEPARATOR.join(loci)}")
    collapsed: dict[str, float] = {}
    for haplotype, frequency in haplotypes:
        alleles = _alleles_by_locus(haplotype)
        missing = [locus for locus in loci if locus not in alleles]
        if missing:
            raise HaplotypeError(haplotype, f"no allele at {', '.join(missing)}")
        key = SEPARATOR.join(reduce(alleles[locus]) if reduce else alleles[locus] for locus in loci)
        collapsed[key] = collapsed.get(key, 0.0) + frequency
    return collapsed


def haplobank_plan(
    frequencies: Mapping[str, float], *, top: int | None = None
) -> list[PlannedLine]:
    """The homozygous lines to derive, most useful first (ties by the haplotype's name, so the
    plan is the same on every run), with each line's coverage and the plan's cumulative
    coverage; the best `top` lines, or every haplotype of the set."""
    if top is not None and top < 1:
        raise ValueError("plan at least one line")
    ranked = sorted(frequencies.items(), key=lambda item: (-item[1], item[0]))
    if top is not None:
        ranked = ranked[:top]
    plan: list[PlannedLine] = []
    total = 0.0
    for rank, (haplotype, frequency) in enumerate(ranked, start=1):
        total += frequency
        plan.append(
            PlannedLine(
                rank=rank,
                haplotype=haplotype,
                frequency=frequency,
                coverage=coverage(frequency),
                cumulative_coverage=coverage(total),
            )
        )
    return plan


def set_frequencies(
    frequencies: FrequencySet, loci: Sequence[str], resolution: PlanResolution = "set"
) -> dict[str, float]:
    """The set collapsed to `loci` (each one of the set's) at the plan's resolution, its allele
    names as the engine read them (without an ``HLA-`` prefix)."""
    missing = [locus for locus in loci if locus not in frequencies.loci]
    if missing:
        raise ValueError(
            f"the set has no locus {', '.join(missing)} (it has {', '.join(frequencies.loci)})"
        )
    columns = [frequencies.loci.index(locus) for locus in loci]
    names = [
        SEPARATOR.join(frequencies.alleles[c][code] for c, code in zip(columns, row, strict=True))
        for row in frequencies.codes[:, columns].tolist()
    ]
    return collapse(
        zip(names, frequencies.frequency.tolist(), strict=True),
        loci,
        reduce=first_field if resolution == "first_field" else None,
    )


@dataclass(frozen=True)
class Homozygosity:
    """What a typing says of being homozygous at the planned `loci`.

    ``haplotype``: the one haplotype (keys joined by ``~``) when every locus is homozygous for
    certain; ``shared``: per locus, the keys both positions may share (an empty set: that locus
    is heterozygous for certain); ``untyped``: planned loci the typing leaves out."""

    loci: tuple[str, ...]
    haplotype: str | None
    shared: tuple[frozenset[str], ...]
    untyped: tuple[str, ...]

    @property
    def verdict(self) -> Verdict:
        typed = [keys for locus, keys in zip(self.loci, self.shared, strict=True)
                 if locus not in self.untyped]  # fmt: skip
        if not all(typed):
            return "heterozygous"
        if self.untyped:
            return "untyped"
        return "homozygous" if self.haplotype is not None else "possibly"

    def could_be(self, haplotype: str) -> bool:
        """Whether the typing may be homozygous for `haplotype` (keys at the loci, ``~``)."""
        if self.untyped:
            return False
        keys = haplotype.split(SEPARATOR)
        return len(keys) == len(self.loci) and all(
            key in shared for key, shared in zip(keys, self.shared, strict=True)
        )


_KEYS: weakref.WeakKeyDictionary[ReferenceTables, dict[Resolution, list[str]]] = (
    weakref.WeakKeyDictionary()
)


def _allele_keys(tables: ReferenceTables, resolution: Resolution) -> list[str]:
    per_tables = _KEYS.setdefault(tables, {})
    if resolution not in per_tables:
        per_tables[resolution] = allele_keys(tables, resolution)
    return per_tables[resolution]


class HomozygosityReader:
    """Reads typings at the planned `loci`, every allele reduced to the key the set's resolution
    gives it (``A*02:01:01:01`` -> ``A*02:01`` in a two-field set), or that key's first field."""

    def __init__(
        self,
        tables: ReferenceTables,
        frequencies: FrequencySet,
        loci: Sequence[str],
        resolution: PlanResolution = "set",
    ) -> None:
        missing = [locus for locus in loci if locus not in frequencies.loci]
        if missing or not loci:
            raise ValueError(f"plan loci {', '.join(loci)} are not all in the set")
        self.frequencies = frequencies
        self.loci = tuple(loci)
        self.resolution = resolution
        keys = _allele_keys(tables, frequencies.resolution)
        self._keys = [first_field(k) for k in keys] if resolution == "first_field" else keys
        self._columns = [frequencies.loci.index(locus) for locus in loci]
        self._haplotype_keys: dict[int, tuple[str, ...]] = {}

    def keys(self, position: Position) -> frozenset[str]:
        """The keys a position's alleles reduce to."""
        return frozenset(self._keys[allele] for allele in position.alleles)

    def read(self, typing: Typing) -> Homozygosity:
        certain: list[str] = []
        shared: list[frozenset[str]] = []
        untyped: list[str] = []
        for locus in self.loci:
            locus_typing = typing.loci.get(locus)
            if locus_typing is None:
                untyped.append(locus)
                shared.append(frozenset())
                continue
            both: set[str] = set()
            sure: set[str] = set()
            every_alternative_sure = True
            for left, right in locus_typing.genotypes:
                one, two = self.keys(left), self.keys(right)
                both |= one & two
                if one == two and len(one) == 1:
                    sure |= one
                else:
                    every_alternative_sure = False
            shared.append(frozenset(both))
            if every_alternative_sure and len(sure) == 1:
                certain.append(next(iter(sure)))
        haplotype = (
            SEPARATOR.join(certain) if not untyped and len(certain) == len(self.loci) else None
        )
        return Homozygosity(self.loci, haplotype, tuple(shared), tuple(untyped))

    def carries(self, typing: Typing, haplotype: str) -> Carries:
        """Whether the typing holds the haplotype's allele at every planned locus (on either
        chromosome): a line homozygous for it then shows the patient nothing foreign.
        ``maybe`` when an ambiguous typing allows it without saying so for certain."""
        keys = haplotype.split(SEPARATOR)
        if len(keys) != len(self.loci):
            raise HaplotypeError(haplotype, f"expected {len(self.loci)} loci")
        answer: Carries = "yes"
        for locus, key in zip(self.loci, keys, strict=True):
            locus_typing = typing.loci.get(locus)
            if locus_typing is None:
                answer = "maybe"
                continue
            sure = all(
                self.keys(left) == {key} or self.keys(right) == {key}
                for left, right in locus_typing.genotypes
            )
            possible = any(
                key in self.keys(left) or key in self.keys(right)
                for left, right in locus_typing.genotypes
            )
            if not possible:
                return "no"
            if not sure:
                answer = "maybe"
        return answer

    def carrying_probability(self, imputation: Imputation, haplotype: str) -> float:
        """The probability, over the imputed pairs, that the typing holds the haplotype's
        allele at every planned locus (either chromosome); normalised as the imputation is."""
        keys = tuple(haplotype.split(SEPARATOR))
        total = 0.0
        for first, second, probability in zip(
            imputation.first.tolist(),
            imputation.second.tolist(),
            imputation.probability.tolist(),
            strict=True,
        ):
            one, two = self._set_keys(first), self._set_keys(second)
            if all(k in (a, b) for k, a, b in zip(keys, one, two, strict=True)):
                total += probability
        return total

    def _set_keys(self, row: int) -> tuple[str, ...]:
        """A haplotype of the set, at the planned loci and resolution."""
        found = self._haplotype_keys.get(row)
        if found is None:
            names = (
                self.frequencies.alleles[c][self.frequencies.codes[row, c]] for c in self._columns
            )
            found = tuple(first_field(n) if self.resolution == "first_field" else n for n in names)
            self._haplotype_keys[row] = found
        return found
