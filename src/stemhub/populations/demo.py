"""The demo's populations and their haplotype frequency sets (`stemhub demo`, before the cord
blood demo, whose units and patients carry these populations).

The frequencies are the demo's own: the relative weights the cord blood demo draws its units'
haplotypes from (`cordblood.demo_data`), normalised, with the other population's haplotypes at
a tenth of the mass so that a mixed bank's units are explained too. They are invented and say
so in their source; a centre loads published sets (docs/populations.md)."""

from collections import defaultdict
from typing import TextIO

from stemhub.accounts.models import User
from stemhub.cordblood.demo_data import CHINESE, EUROPEAN
from stemhub.populations.models import FileFormat, Population
from stemhub.populations.services import (
    haplotype_set_load,
    population_create,
    population_make_default,
)

Haplotypes = tuple[tuple[tuple[str, ...], int], ...]
LOGINS: tuple[tuple[str, str], ...] = ()
SOURCE = "stemhub demo: invented weights over common haplotypes, not for clinical use"
OWN_SHARE = 0.9
VARIANT_SHARE = 0.05

POPULATIONS = (
    ("CHN", "Han Chinese (demo)", "汉族（演示）", CHINESE, EUROPEAN, 2_000),
    ("EUR", "European (demo)", "欧洲人群（演示）", EUROPEAN, CHINESE, 1_000),
)


def frequency_csv(own: Haplotypes, other: Haplotypes) -> bytes:
    """``haplotype,count,frequency`` rows: ``own`` at 90 % of the mass, ``other`` at 10 %, and
    `VARIANT_SHARE` of it spread over every haplotype that differs from one of them at a single
    locus by another allele of the tables (rare haplotypes, as a published set holds thousands
    of them: a typing with an allele swapped is explained, not left without a prediction)."""
    mass: dict[tuple[str, ...], float] = defaultdict(float)
    for table, share in ((own, OWN_SHARE), (other, 1 - OWN_SHARE)):
        total = sum(weight for _, weight in table)
        for alleles, weight in table:
            mass[alleles] += share * weight / total
    pool = [sorted({alleles[i] for alleles, _ in (*own, *other)}) for i in range(len(own[0][0]))]
    variants: dict[tuple[str, ...], float] = defaultdict(float)
    for alleles, frequency in mass.items():
        swaps = [(i, allele) for i, names in enumerate(pool) for allele in names]
        swaps = [(i, allele) for i, allele in swaps if allele != alleles[i]]
        for i, allele in swaps:
            variant = (*alleles[:i], allele, *alleles[i + 1 :])
            if variant not in mass:
                variants[variant] += VARIANT_SHARE * frequency / len(swaps)
    whole = sum(mass.values()) * (1 - VARIANT_SHARE) + sum(variants.values())
    rows = ["haplotype,count,frequency"]
    every = {**{h: f * (1 - VARIANT_SHARE) for h, f in mass.items()}, **variants}
    rows += [
        f"{'~'.join(h)},0,{f / whole:.10f}"
        for h, f in sorted(every.items(), key=lambda item: (-item[1], item[0]))
    ]
    return ("\n".join(rows) + "\n").encode()


def load(*, stdout: TextIO | None = None) -> None:
    admin = User.objects.get(username="admin")
    for code, name, name_zh, own, other, people in POPULATIONS:
        population = population_create(actor=admin, code=code, name=name, name_zh=name_zh)
        haplotype_set_load(
            actor=admin,
            population=population,
            filename=f"{code.lower()}-demo.freqs.csv",
            chunks=[frequency_csv(own, other)],
            source=SOURCE,
            sample_size=people,
            file_format=FileFormat.CSV,
            note="Demo set",
        )
    population_make_default(actor=admin, population=Population.objects.get(code="CHN"))
    if stdout is not None:
        stdout.write(f"  populations: {Population.objects.count()} with haplotype frequency sets")
