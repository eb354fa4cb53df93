"""The haplobank plan: collapsing a five-locus set to the planned loci, ranking the homozygous
haplotypes, and the share of the population a bank serves (1 − (1 − Σf)²)."""

import gzip
import itertools
from pathlib import Path

import pytest

from stemhub.hla.haplobank import HaplotypeError, collapse, coverage, haplobank_plan

CAU = Path(__file__).resolve().parents[3] / "shared" / "hla" / "CAU.freqs.gz"

# Four five-locus haplotypes; at A~B~DRB1 the first two are the same haplotype.
SET = [
    ("A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01", 0.06),
    ("A*01:01~C*07:02~B*08:01~DRB1*03:01~DQB1*02:01", 0.04),
    ("A*02:01~C*07:02~B*07:02~DRB1*15:01~DQB1*06:02", 0.05),
    ("A*03:01~C*04:01~B*35:01~DRB1*01:01~DQB1*05:01", 0.85),
]


def test_haplotypes_that_agree_at_the_planned_loci_are_one():
    assert collapse(SET, ["A", "B", "DRB1"]) == pytest.approx(
        {
            "A*01:01~B*08:01~DRB1*03:01": 0.10,
            "A*02:01~B*07:02~DRB1*15:01": 0.05,
            "A*03:01~B*35:01~DRB1*01:01": 0.85,
        }
    )


def test_alleles_are_compared_at_the_plan_s_resolution():
    first_field = collapse(SET, ["C"], reduce=lambda allele: allele.split(":")[0])
    assert first_field == pytest.approx({"C*07": 0.15, "C*04": 0.85})


def test_the_plan_ranks_by_frequency_and_accumulates_coverage():
    plan = haplobank_plan(
        {"A*01~B*08~DRB1*03": 0.10, "A*02~B*07~DRB1*15": 0.05, "A*24~B*07~DRB1*04": 0.05}
    )
    # Worked by hand: one line serves 1 − 0.9² = 0.19 of people; with the second, Σf = 0.15,
    # 1 − 0.85² = 0.2775; the tie at 0.05 is broken by name (A*02 before A*24).
    assert [(p.rank, p.haplotype) for p in plan] == [
        (1, "A*01~B*08~DRB1*03"),
        (2, "A*02~B*07~DRB1*15"),
        (3, "A*24~B*07~DRB1*04"),
    ]
    assert [p.coverage for p in plan] == pytest.approx([0.19, 0.0975, 0.0975])
    assert [p.cumulative_coverage for p in plan] == pytest.approx([0.19, 0.2775, 0.36])
    assert len(haplobank_plan({"A*01~B*08~DRB1*03": 0.1, "A*02~B*07~DRB1*15": 0.05}, top=1)) == 1


def test_coverage_is_the_share_of_people_carrying_a_banked_haplotype():
    """Counted the long way: every ordered pair of haplotypes (h1, h2) is a person with
    probability f1·f2; they are served when either is banked."""
    frequencies = collapse(SET, ["A", "B", "DRB1"])
    for plan_size in (1, 2, 3):
        banked = {p.haplotype for p in haplobank_plan(frequencies, top=plan_size)}
        served = sum(
            f1 * f2
            for (h1, f1), (h2, f2) in itertools.product(frequencies.items(), repeat=2)
            if h1 in banked or h2 in banked
        )
        assert haplobank_plan(frequencies, top=plan_size)[-1].cumulative_coverage == (
            pytest.approx(served)
        )


def test_coverage_stays_a_share():
    assert coverage(0.0) == 0.0
    assert coverage(1.0) == 1.0
    assert coverage(1.0000001) == 1.0  # a set's rounding does not serve more than everyone


def test_a_haplotype_without_a_planned_locus_is_named():
    with pytest.raises(HaplotypeError) as refused:
        collapse([("A*01:01~B*08:01", 0.5)], ["A", "B", "DRB1"])
    assert refused.value.haplotype == "A*01:01~B*08:01"
    assert "DRB1" in refused.value.reason
    with pytest.raises(HaplotypeError, match="not an allele name"):
        collapse([("A*01:01~B08", 0.5)], ["A"])


def test_the_cau_set_collapses_without_losing_frequency():
    with gzip.open(CAU, "rt") as lines:
        rows = [line.rsplit(",", 2) for line in lines if line.strip()]
    haplotypes = [(name, float(frequency)) for name, _, frequency in rows]
    total = sum(f for _, f in haplotypes)
    collapsed = collapse(haplotypes, ["A", "B", "DRB1"])
    assert len(collapsed) < len(haplotypes)
    assert sum(collapsed.values()) == pytest.approx(total)
    plan = haplobank_plan(collapsed)
    curve = [p.cumulative_coverage for p in plan]
    assert curve == sorted(curve) and curve[-1] == pytest.approx(coverage(total))
    # The commonest European A~B~DRB1 haplotype is the ancestral 8.1 (A1-B8-DR3).
    assert plan[0].haplotype == "A*01:01~B*08:01~DRB1*03:01"
