"""Match prediction between a patient and a donor imputed with different frequency sets (two
populations): alleles compare by name, loci are those both sets hold, resolutions must agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from stemhub.hla import FrequencySet, HLAEngine, HLAError
from tests.hla.imputation_support import CAU, odds_by_name, tiny_set

# The tiny set's haplotypes in another order, other frequencies, and one A allele it lacks.
OTHER = (
    "A*11:01~C*07:01~B*07:02~DRB1*03:01~DQB1*02:01,1,0.3\n"
    "A*02:01~C*07:01~B*07:02~DRB1*03:01~DQB1*02:01,1,0.3\n"
    "A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01,1,0.2\n"
    "A*01:01~C*07:01~B*07:02~DRB1*03:01~DQB1*02:01,1,0.2\n"
)


@pytest.fixture
def tiny(engine: HLAEngine, tmp_path: Path) -> FrequencySet:
    return tiny_set(engine, tmp_path)


@pytest.fixture
def other(engine: HLAEngine, tmp_path: Path) -> FrequencySet:
    path = tmp_path / "other.csv"
    path.write_text(OTHER)
    return engine.load_frequencies(path, source="hand-made", population="other")


def test_a_donor_of_another_set_is_compared_by_allele_name(
    engine: HLAEngine, tiny: FrequencySet, other: FrequencySet
) -> None:
    patient = engine.impute("A*01:01+A*02:01^B*08:01+B*07:02", tiny)
    # The other set explains A 01 + 02/11 by {A01-B08, A02-B07} and {A01-B08, A11-B07} ...
    donor = engine.impute("A*01:01+A*02:01/A*11:01^B*08:01+B*07:02", other)
    assert len(donor) > 1
    prediction = engine.predict(patient, donor)
    assert prediction.ten is not None and prediction.eight is not None
    loci = ("A", "B", "C", "DRB1", "DQB1")
    expected = odds_by_name(patient, donor, loci)
    assert prediction.ten.distribution == pytest.approx(expected, abs=1e-12)
    # ... so A*11:01, which the patient's set does not hold, is a mismatch with its odds
    a = prediction.loci["A"]
    assert a.match1 == pytest.approx(odds_by_name(patient, donor, ("A",))[1]) and a.match1 > 0


def test_the_same_typings_in_two_sets_predict_as_in_one_when_unambiguous(
    engine: HLAEngine, tiny: FrequencySet, other: FrequencySet
) -> None:
    typing = "A*01:01+A*02:01^B*08:01+B*07:02"
    across = engine.predict(engine.impute(typing, tiny), engine.impute(typing, other))
    within = engine.predict(engine.impute(typing, tiny), engine.impute(typing, tiny))
    assert across.ten is not None and within.ten is not None
    assert across.ten.distribution == pytest.approx(
        odds_by_name(engine.impute(typing, tiny), engine.impute(typing, other), MATCH)
    )
    # the tiny set also explains it by {A01-B07, A02-B08}: phases differ, names still compare
    assert across.loci["A"].match2 == pytest.approx(1.0)
    assert within.loci["B"].match2 == pytest.approx(1.0)


MATCH = ("A", "B", "C", "DRB1", "DQB1")


def test_an_inexplicable_side_is_named_across_sets(
    engine: HLAEngine, tiny: FrequencySet, other: FrequencySet
) -> None:
    patient = engine.impute("A*01:01+A*02:01", tiny)
    donor = engine.impute("A*03:01+A*03:01", other)  # the other set holds no A*03:01
    prediction = engine.predict(patient, donor)
    assert prediction.inexplicable == ("donor",)
    assert prediction.ten is None and prediction.loci == {}


def test_sets_of_different_resolutions_are_refused(
    engine: HLAEngine, tiny: FrequencySet, tmp_path: Path
) -> None:
    path = tmp_path / "g.csv"
    path.write_text("A*01:01:01G~C*07:01:01G~B*08:01:01G~DRB1*03:01:01G~DQB1*02:01:01G,1,1.0\n")
    g_set = engine.load_frequencies(path)
    assert g_set.resolution != tiny.resolution
    with pytest.raises(HLAError, match="different resolutions"):
        engine.predict(engine.impute("A*01:01+A*01:01", tiny), engine.impute("A*01:01", g_set))


def test_a_cau_donor_against_a_patient_of_a_reweighted_cau_agrees_with_a_plain_loop(
    engine: HLAEngine, tmp_path: Path
) -> None:
    cau = engine.load_frequencies(CAU)
    # the same haplotypes, reversed row order and flattened frequencies: another set object
    rows = list(zip(cau.haplotypes, cau.frequency.tolist(), strict=True))[::-1]
    total = sum(f**0.5 for _, f in rows)
    path = tmp_path / "flat.csv"
    path.write_text("".join(f"{h},1,{f**0.5 / total:.12f}\n" for h, f in rows))
    flat = engine.load_frequencies(path)
    patient = engine.impute("A*02:XX+A*01:01^B*08:01+B*44:XX^DRB1*03:01+DRB1*04:XX", flat, top=60)
    donor = engine.impute("A2+A1^B8+B44^DR17+DR4", cau, top=60)
    prediction = engine.predict(patient, donor)
    assert prediction.ten is not None
    expected = odds_by_name(patient, donor, MATCH)
    assert prediction.ten.distribution == pytest.approx(expected, abs=1e-12)
