"""Match prediction from two imputations: hand-worked odds on the tiny set, and agreement with a
plain loop over every (patient pair, donor pair) on the CAU set."""

from __future__ import annotations

from pathlib import Path

import pytest

from stemhub.hla import FrequencySet, HLAEngine
from tests.hla.imputation_support import odds_by_name, tiny_set
from tests.pyard_support import shared_dir

CAU = shared_dir() / "hla" / "CAU.freqs.gz"
PATIENT = "A*01:01+A*02:01^B*08:01+B*07:02"  # {h1,h2} 12/13, {h3,h4} 1/13: A 01+02, B 08+07


@pytest.fixture
def tiny(engine: HLAEngine, tmp_path: Path) -> FrequencySet:
    return tiny_set(engine, tmp_path)


def test_an_untyped_donor_locus_becomes_odds_of_matching_it(
    engine: HLAEngine, tiny: FrequencySet
) -> None:
    # Donor B untyped: {h1,h2} 0.6 (B 08+07), {h1,h4} 0.2 (08+08), {h3,h2} 0.15 (07+07),
    # {h3,h4} 0.05 (07+08). Against the patient's B 08+07: 2/2 with 0.65, 1/2 with 0.35.
    donor = engine.impute("A*01:01+A*02:01", tiny)
    prediction = engine.predict(engine.impute(PATIENT, tiny), donor)
    assert prediction.inexplicable == ()
    b = prediction.loci["B"]
    assert (b.match2, b.match1, b.match0) == pytest.approx((0.65, 0.35, 0.0))
    for locus in ("A", "C", "DRB1", "DQB1"):
        assert prediction.loci[locus].match2 == pytest.approx(1.0)
    assert prediction.ten is not None and prediction.eight is not None
    assert (prediction.ten.p0, prediction.ten.p1, prediction.ten.p2) == pytest.approx(
        (0.65, 0.35, 0.0)
    )
    assert prediction.eight.p0 == pytest.approx(0.65)
    assert len(prediction.ten.distribution) == 11 and len(prediction.eight.distribution) == 9


def test_mismatches_at_two_loci_add_up(engine: HLAEngine, tiny: FrequencySet) -> None:
    # Donor A 01 + 02/03, B 07+07: {h3,h2} 0.75 (A 01+02), {h3,h5} 0.25 (A 01+03).
    # A: 0 mismatches with 0.75, 1 with 0.25; B: 07+07 against 08+07 is always 1 mismatch.
    donor = engine.impute("A*01:01+A*02:01/A*03:01^B*07:02+B*07:02", tiny)
    prediction = engine.predict(engine.impute(PATIENT, tiny), donor)
    a = prediction.loci["A"]
    assert (a.match2, a.match1, a.match0) == pytest.approx((0.75, 0.25, 0.0))
    assert prediction.loci["B"].match1 == pytest.approx(1.0)
    assert prediction.ten is not None
    assert (prediction.ten.p0, prediction.ten.p1, prediction.ten.p2) == pytest.approx(
        (0.0, 0.75, 0.25)
    )
    assert prediction.ten.distribution[2] == pytest.approx(0.25)


def test_a_set_without_dqb1_predicts_eight_loci_but_not_ten(
    engine: HLAEngine, tmp_path: Path
) -> None:
    path = tmp_path / "four.csv"
    path.write_text(
        "A*01:01~C*07:01~B*08:01~DRB1*03:01,1,0.6\nA*02:01~C*07:02~B*07:02~DRB1*15:01,1,0.4\n"
    )
    fs = engine.load_frequencies(path)
    one = engine.impute("A*01:01+A*02:01", fs)
    prediction = engine.predict(one, one)
    assert prediction.ten is None and prediction.eight is not None
    assert "DQB1" not in prediction.loci
    # {h1,h1} 0.36, {h1,h2} 0.48, {h2,h2} 0.16 are excluded (A 01+02 needs one of each): one pair
    assert prediction.eight.p0 == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("patient_gl", "donor_gl"),
    [
        ("A*02:XX+A*01:01^B*08:01+B*44:XX^DRB1*03:01+DRB1*04:XX", "A2+A1^B8+B44^DR17+DR4"),
        ("A*02:01+A*03:01^B7+B*35:XX^C*07:XX+C*04:01", "A*02:01+A*03:01^B*07:02+B*35:01"),
        ("A*24:02+A*11:01^B*35:XX+B*51:XX^DRB1*11:XX+DRB1*13:XX", "A24+A11^B35+B51"),
    ],
)
def test_predictions_agree_with_a_plain_loop_on_the_cau_set(
    engine: HLAEngine, patient_gl: str, donor_gl: str
) -> None:
    cau = engine.load_frequencies(CAU)
    patient = engine.impute(patient_gl, cau, top=60)
    donor = engine.impute(donor_gl, cau, top=60)
    assert len(patient) > 1 and len(donor) > 1
    prediction = engine.predict(patient, donor)
    assert prediction.ten is not None and prediction.eight is not None
    assert prediction.ten.distribution == pytest.approx(
        odds_by_name(patient, donor, ("A", "B", "C", "DRB1", "DQB1")), abs=1e-12
    )
    assert prediction.eight.distribution == pytest.approx(
        odds_by_name(patient, donor, ("A", "B", "C", "DRB1")), abs=1e-12
    )
    for locus in ("A", "B", "C", "DRB1", "DQB1"):
        expected = odds_by_name(patient, donor, (locus,))
        found = prediction.loci[locus]
        assert (found.match2, found.match1, found.match0) == pytest.approx(expected, abs=1e-12)
    assert sum(prediction.ten.distribution) == pytest.approx(1.0)
