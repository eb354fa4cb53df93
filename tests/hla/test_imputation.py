"""Imputation against the hand-made set of `imputation_support` (probabilities worked by hand)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stemhub.hla import FrequencySet, HLAEngine, HLAError
from tests.hla.imputation_support import H1, H2, H3, H4, H5, as_dict, tiny_set

HETEROZYGOUS = "A*01:01+A*02:01^B*08:01+B*07:02"
# {h1,h2}: 2·0.4·0.3 = 0.24 and {h3,h4}: 2·0.1·0.1 = 0.02 explain it ({h1,h4} has B 08+08,
# {h2,h3} has A 02+01 but B 07+07); normalised: 0.24/0.26 and 0.02/0.26.
HETEROZYGOUS_ODDS = {frozenset((H1, H2)): 0.24 / 0.26, frozenset((H3, H4)): 0.02 / 0.26}


@pytest.fixture
def tiny(engine: HLAEngine, tmp_path: Path) -> FrequencySet:
    return tiny_set(engine, tmp_path)


def odds(engine: HLAEngine, gl: str, tiny: FrequencySet) -> dict[frozenset[str], float]:
    return as_dict(engine.impute(gl, tiny).pairs())


def assert_odds(found: dict[frozenset[str], float], expected: dict[frozenset[str], float]) -> None:
    assert found.keys() == expected.keys()
    for pair, probability in expected.items():
        assert found[pair] == pytest.approx(probability, abs=1e-12)


def test_a_heterozygous_two_field_typing_gets_hardy_weinberg_odds(
    engine: HLAEngine, tiny: FrequencySet
) -> None:
    result = engine.impute(HETEROZYGOUS, tiny)
    assert result.pairs() == [
        (H1, H2, pytest.approx(0.24 / 0.26)),
        (H3, H4, pytest.approx(0.02 / 0.26)),
    ]
    assert result.total_pairs == 2
    assert result.likelihood == pytest.approx(0.26)
    assert not result.inexplicable


def test_pairs_come_likeliest_first_with_the_more_frequent_haplotype_first(
    engine: HLAEngine, tiny: FrequencySet
) -> None:
    # B untyped: A 01+02 allows {h1,h2} 0.24, {h1,h4} 0.08, {h3,h2} 0.06, {h3,h4} 0.02 (of 0.40)
    result = engine.impute("A*01:01+A*02:01", tiny)
    assert result.pairs() == [
        (H1, H2, pytest.approx(0.6)),
        (H1, H4, pytest.approx(0.2)),
        (H2, H3, pytest.approx(0.15)),
        (H3, H4, pytest.approx(0.05)),  # equal frequencies: the earlier row first
    ]


def test_a_homozygous_typing_is_one_haplotype_twice_with_weight_f_squared(
    engine: HLAEngine, tiny: FrequencySet
) -> None:
    result = engine.impute("A*01:01^B*08:01", tiny)  # one position typed: homozygous
    assert result.pairs() == [(H1, H1, 1.0)]
    assert result.likelihood == pytest.approx(0.16)
    assert_odds(odds(engine, "A*01:01+A*01:01^B*08:01+B*08:01", tiny), {frozenset((H1,)): 1.0})


def test_an_allele_list_allows_each_of_its_alleles(engine: HLAEngine, tiny: FrequencySet) -> None:
    # B 07+07: h2 (A02), h3 (A01), h5 (A03). A 01 + 02/03: {h3,h2} 2·0.1·0.3 = 0.06 and
    # {h3,h5} 2·0.1·0.1 = 0.02; {h3,h3} lacks the 02/03, {h2,h5} lacks the 01. Of 0.08.
    assert_odds(
        odds(engine, "A*01:01+A*02:01/A*03:01^B*07:02+B*07:02", tiny),
        {frozenset((H2, H3)): 0.75, frozenset((H3, H5)): 0.25},
    )


def test_genotype_alternatives_are_a_union_without_double_counting(
    engine: HLAEngine, tiny: FrequencySet
) -> None:
    # {h1,h1} 0.16 for 01+01, {h4,h4} 0.01 for 02+02; {h1,h4} (01+02) fits neither alternative.
    assert_odds(
        odds(engine, "A*01:01+A*01:01|A*02:01+A*02:01^B*08:01+B*08:01", tiny),
        {frozenset((H1,)): 0.16 / 0.17, frozenset((H4,)): 0.01 / 0.17},
    )
    assert_odds(
        odds(engine, "A*01:01+A*02:01|A*02:01+A*01:01^B*08:01+B*07:02", tiny), HETEROZYGOUS_ODDS
    )


def test_a_typing_no_pair_explains_is_inexplicable_not_zero(
    engine: HLAEngine, tiny: FrequencySet
) -> None:
    # Every allele is in the set, but the only A*03:01 haplotype (h5) carries B*07:02.
    result = engine.impute("A*03:01+A*03:01^B*07:02+B*08:01", tiny)
    assert result.inexplicable
    assert (len(result), result.total_pairs, result.likelihood) == (0, 0, 0.0)
    assert engine.impute("A*68:01+A*01:01^B*08:01+B*07:02", tiny).inexplicable  # not in the set
    patient = engine.impute(HETEROZYGOUS, tiny)
    prediction = engine.predict(patient, result)
    assert prediction.inexplicable == ("donor",)
    assert (prediction.ten, prediction.eight, dict(prediction.loci)) == (None, None, {})
    # the caller falls back to counting alleles
    counted = engine.match(HETEROZYGOUS, "A*03:01+A*03:01^B*07:02+B*08:01")
    assert (counted.loci["A"].count, counted.loci["B"].count) == (0, 2)


@pytest.mark.parametrize(
    "gl",
    [
        "A*01:AB+A*02:01^B*08:01+B*07:02",  # generic MAC: A*01:01/A*01:02
        "A*01:XX+A*02:XX^B*08:XX+B*07:XX",
        "A1+A2^B8+B7",  # serology
        "HLA-A1+HLA-A*02:01^HLA-B8+HLA-B*07:02",
        "A*01:01:01:01+A*02:01:01G^B*08:01:01:01+B*07:02P",  # above and at group level
        "A*01:01+A*02:01^B*08:01+B*07:02^DPB1*04:01+DPB1*04:01",  # a locus the set lacks
    ],
)
def test_every_typing_form_reduces_to_the_sets_resolution_through_the_parser(
    engine: HLAEngine, tiny: FrequencySet, gl: str
) -> None:
    assert_odds(odds(engine, gl, tiny), HETEROZYGOUS_ODDS)


def test_a_broad_antigen_covers_its_splits(engine: HLAEngine, tiny: FrequencySet) -> None:
    # A9 is broad of A23/A24: none of them is in the set
    assert engine.impute("A9+A1^B8+B7", tiny).inexplicable
    assert_odds(odds(engine, "A1+A2^B8+B7", tiny), HETEROZYGOUS_ODDS)


def test_truncation_keeps_the_likeliest_pairs_with_their_full_normalisation(
    engine: HLAEngine, tiny: FrequencySet
) -> None:
    top2 = engine.impute("A*01:01+A*02:01", tiny, top=2)
    assert [p for _, _, p in top2.pairs()] == [pytest.approx(0.6), pytest.approx(0.2)]
    assert (top2.total_pairs, top2.covered) == (4, pytest.approx(0.8))
    cut = engine.impute("A*01:01+A*02:01", tiny, cumulative=0.75)
    assert len(cut) == 2  # 0.6 < 0.75 <= 0.6 + 0.2
    assert len(engine.impute("A*01:01+A*02:01", tiny, cumulative=0.6)) == 1
    with pytest.raises(ValueError, match="top"):
        engine.impute("A*01:01", tiny, top=0)


def test_a_set_validated_against_another_release_is_refused(
    engine: HLAEngine, tiny: FrequencySet
) -> None:
    from dataclasses import replace

    other = replace(tiny, provenance=replace(tiny.provenance, release="3.99.0"))
    with pytest.raises(HLAError, match=r"3\.99\.0"):
        engine.impute(HETEROZYGOUS, other)
