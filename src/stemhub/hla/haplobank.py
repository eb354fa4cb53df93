"""Planning an HLA haplobank: which HLA-homozygous lines serve most of a population.

A line homozygous for the haplotype h at the planned loci (say A~B~DRB1) shows a recipient who
carries h on either chromosome no antigen the recipient lacks: no host-versus-graft mismatch at
those loci. Under Hardy–Weinberg a person carries none of the bank's haplotypes S on either
chromosome with probability (1 − Σ_{h∈S} f(h))², so the bank serves the share

    coverage(S) = 1 − (1 − Σ_{h∈S} f(h))²

of the population. Coverage grows with Σf alone, so the best bank of K lines is the K most
frequent haplotypes: the plan is a ranking, and its cumulative coverage is the curve a centre
reads to decide how many lines are worth deriving.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from stemhub.hla.errors import HLAError

__all__ = [
    "HaplotypeError",
    "PlannedLine",
    "collapse",
    "coverage",
    "first_field",
    "haplobank_plan",
]

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
