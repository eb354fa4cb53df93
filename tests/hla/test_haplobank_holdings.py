"""Which typings are HLA-homozygous at the planned loci, which only possibly, and whether a
patient's typing holds a homozygous line's alleles (worked by hand on a three-haplotype set)."""

from __future__ import annotations

import pytest

from stemhub.hla import FrequencySet, HLAEngine
from stemhub.hla.haplobank import HomozygosityReader, haplobank_plan, set_frequencies

H1 = "A*02:07~B*46:01~DRB1*09:01"
H2 = "A*33:03~B*58:01~DRB1*03:01"
H3 = "A*02:01~B*46:01~DRB1*09:01"
LOCI = ("A", "B", "DRB1")


def gl(a: str, b: str, dr: str) -> str:
    return f"{a}^{b}^{dr}"


@pytest.fixture(scope="module")
def three(engine: HLAEngine, tmp_path_factory: pytest.TempPathFactory) -> FrequencySet:
    path = tmp_path_factory.mktemp("haplobank") / "three.csv"
    path.write_text(f"haplotype,count,frequency\n{H1},5,0.5\n{H2},3,0.3\n{H3},2,0.2\n")
    return engine.load_frequencies(path)


@pytest.fixture(scope="module")
def reader(engine: HLAEngine, three: FrequencySet) -> HomozygosityReader:
    return HomozygosityReader(engine.tables, three, LOCI)


def test_a_typing_with_one_key_on_both_positions_everywhere_is_homozygous(engine, reader):
    found = reader.read(
        engine.parse(gl("A*02:07+A*02:07", "B*46:01+B*46:01", "DRB1*09:01+DRB1*09:01"))
    )
    assert (found.verdict, found.haplotype) == ("homozygous", H1)


def test_alleles_are_reduced_to_the_set_s_key_before_they_are_compared(engine, reader):
    typing = engine.parse(
        gl("A*02:07:01:01+A*02:07", "B*46:01:01+B*46:01", "DRB1*09:01:02+DRB1*09:01")
    )
    assert reader.read(typing).haplotype == H1


def test_a_heterozygous_locus_makes_the_typing_heterozygous(engine, reader):
    found = reader.read(
        engine.parse(gl("A*02:07+A*33:03", "B*46:01+B*46:01", "DRB1*09:01+DRB1*09:01"))
    )
    assert (found.verdict, found.haplotype) == ("heterozygous", None)
    assert not found.could_be(H1)


def test_an_allele_list_that_may_be_one_allele_twice_is_possibly_homozygous(engine, reader):
    found = reader.read(
        engine.parse(
            gl("A*02:07/A*02:01+A*02:07/A*02:01", "B*46:01+B*46:01", "DRB1*09:01+DRB1*09:01")
        )
    )
    assert (found.verdict, found.haplotype) == ("possibly", None)
    assert found.could_be(H1) and found.could_be(H3) and not found.could_be(H2)
    one_sided = reader.read(
        engine.parse(gl("A*02:07/A*02:01+A*02:07", "B*46:01+B*46:01", "DRB1*09:01+DRB1*09:01"))
    )
    assert one_sided.could_be(H1) and not one_sided.could_be(H3)


def test_a_locus_left_untyped_makes_no_claim(engine, reader):
    found = reader.read(engine.parse("A*02:07+A*02:07^B*46:01+B*46:01"))
    assert (found.verdict, found.untyped) == ("untyped", ("DRB1",))
    assert not found.could_be(H1)


def test_at_first_field_two_alleles_of_one_group_are_homozygous(engine, three):
    reader = HomozygosityReader(engine.tables, three, LOCI, "first_field")
    found = reader.read(
        engine.parse(gl("A*02:07+A*02:01", "B*46:01+B*46:01", "DRB1*09:01+DRB1*09:01"))
    )
    assert found.haplotype == "A*02~B*46~DRB1*09"


def test_a_patient_serves_from_a_line_whose_alleles_they_carry_at_every_locus(engine, reader):
    patient = engine.parse(gl("A*02:07+A*33:03", "B*46:01+B*58:01", "DRB1*09:01+DRB1*03:01"))
    assert [reader.carries(patient, h) for h in (H1, H2, H3)] == ["yes", "yes", "no"]
    ambiguous = engine.parse(
        gl("A*02:07/A*02:01+A*33:03", "B*46:01+B*58:01", "DRB1*09:01+DRB1*03:01")
    )
    assert reader.carries(ambiguous, H1) == "maybe"
    # Consistent pairs: {H1,H2} 2·0.5·0.3 = 0.30 and {H3,H2} 2·0.2·0.3 = 0.12; only the first
    # holds A*02:07, so P = 0.30 / 0.42.
    imputation = engine.impute(ambiguous, reader.frequencies)
    assert reader.carrying_probability(imputation, H1) == pytest.approx(0.30 / 0.42)
    assert reader.carrying_probability(imputation, H2) == pytest.approx(1.0)


def test_the_set_collapses_to_the_planned_loci_as_the_plan_reads_it(three):
    assert set_frequencies(three, ("B", "DRB1")) == pytest.approx(
        {"B*46:01~DRB1*09:01": 0.7, "B*58:01~DRB1*03:01": 0.3}
    )
    plan = haplobank_plan(set_frequencies(three, ("A",), "first_field"))
    assert [(p.haplotype, p.frequency) for p in plan] == [
        ("A*02", pytest.approx(0.7)),
        ("A*33", pytest.approx(0.3)),
    ]
    with pytest.raises(ValueError, match="no locus C"):
        set_frequencies(three, ("A", "C"))
