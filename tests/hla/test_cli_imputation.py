"""``stemhub hla impute`` and ``stemhub hla predict`` on the hand-made set."""

from __future__ import annotations

from pathlib import Path

import pytest

from stemhub.hla.cli import haplobank_main, main
from tests.hla.imputation_support import H1, H2, H3, H4, TINY


@pytest.fixture
def freqs(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.csv"
    path.write_text(TINY)
    return path


def test_impute_writes_ranked_pairs_and_flags_inexplicable_typings(
    freqs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typings = tmp_path / "typings.txt"
    typings.write_text(
        "# hand-worked in test_imputation.py\n"
        "HET%A*01:01+A*02:01^B*08:01+B*07:02\n"
        "HOM%A*01:01^B*08:01\n"
        "NONE%A*03:01+A*03:01^B*07:02+B*08:01\n"
        "\n"
        "AONLY%A*01:01+A*02:01\n"
    )
    out = tmp_path / "out.tsv"
    args = ["impute", "--freqs", str(freqs), "--typings", str(typings), "--out", str(out)]
    assert main(args) == 0
    assert out.read_text() == (
        "id\trank\thap1\thap2\tprobability\n"
        f"HET\t1\t{H1}\t{H2}\t0.9230769231\n"
        f"HET\t2\t{H3}\t{H4}\t0.07692307692\n"
        f"HOM\t1\t{H1}\t{H1}\t1\n"
        "NONE\t0\t-\t-\tinexplicable\n"
        f"AONLY\t1\t{H1}\t{H2}\t0.6\n"
        f"AONLY\t2\t{H1}\t{H4}\t0.2\n"
        f"AONLY\t3\t{H2}\t{H3}\t0.15\n"
        f"AONLY\t4\t{H3}\t{H4}\t0.05\n"
    )
    err = capsys.readouterr().err
    assert "1 typings no haplotype pair of the set explains (inexplicable): NONE" in err
    assert "3.58.0" in err

    assert main([*args, "--top", "2"]) == 0
    rows = [line.split("\t")[:2] for line in out.read_text().splitlines()[1:]]
    assert [r for r in rows if r[0] == "AONLY"] == [["AONLY", "1"], ["AONLY", "2"]]


def test_predict_writes_odds_per_pair_and_counts_alleles_for_inexplicable_ones(
    freqs: Path, tmp_path: Path
) -> None:
    patients = tmp_path / "patients.txt"
    patients.write_text("P1%A*01:01+A*02:01^B*08:01+B*07:02\n")
    donors = tmp_path / "donors.txt"
    donors.write_text("D2%A*03:01+A*03:01^B*07:02+B*08:01\nD1%A*01:01+A*02:01\n")
    out = tmp_path / "out.tsv"
    args = ["predict", "--freqs", str(freqs), "--patients", str(patients)]
    assert main([*args, "--donors", str(donors), "--out", str(out)]) == 0
    header, d1, d2 = (line.split("\t") for line in out.read_text().splitlines())
    assert header[:8] == ["patient", "donor", "p0", "p1", "p2", "p0_8", "p1_8", "p2_8"]
    assert header[8:11] == ["A_2", "A_1", "A_0"]
    assert header[-2:] == ["status", "counted"]
    # worked in test_match_prediction.py: B 2/2 with 0.65, 1/2 with 0.35; A always 2/2
    row = dict(zip(header, d1, strict=True))
    assert (row["patient"], row["donor"], row["status"], row["counted"]) == (
        "P1",
        "D1",
        "predicted",
        "",
    )
    assert [float(row[k]) for k in ("p0", "p1", "p2")] == pytest.approx([0.65, 0.35, 0.0])
    assert [float(row[k]) for k in ("B_2", "B_1", "B_0")] == pytest.approx([0.65, 0.35, 0.0])
    assert float(row["A_2"]) == pytest.approx(1.0)
    inexplicable = dict(zip(header, d2, strict=True))
    assert inexplicable["status"] == "inexplicable:donor"
    assert inexplicable["p0"] == "" and inexplicable["A_2"] == ""
    assert inexplicable["counted"] == "2"  # A 01+02 vs 03+03: 2 mismatches; B matches


def test_a_bad_line_stops_the_run_naming_it_and_writes_nothing(
    freqs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typings = tmp_path / "typings.txt"
    typings.write_text("OK%A*01:01+A*02:01\nBAD%A*01:01+A*99:01\n")
    out = tmp_path / "out.tsv"
    args = ["impute", "--freqs", str(freqs), "--typings", str(typings), "--out", str(out)]
    assert main(args) == 1
    assert "typings.txt:2: 'A*99:01'" in capsys.readouterr().err
    assert not out.exists()
    bad_set = tmp_path / "bad.csv"
    bad_set.write_text("A*01:01~B*08:01,1,1.5\n")
    assert main(["impute", "--freqs", str(bad_set), "--typings", str(typings), "--out", str(out)])
    assert "sum to 1.500000" in capsys.readouterr().err


def test_haplobank_plan_ranks_homozygous_haplotypes_as_csv(freqs: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.csv"
    args = ["plan", "--freqs", str(freqs), "--loci", "A,B", "--format", "csv", "--out", str(out)]
    assert haplobank_main(args) == 0
    # By hand: 0.4 serves 1 − 0.6² = 0.64; with 0.3, Σ = 0.7 serves 1 − 0.3² = 0.91; the three
    # at 0.1 each serve 1 − 0.9² = 0.19, in the order of their names, to 0.96, 0.99 and all.
    assert out.read_text() == (
        "rank,haplotype,frequency,coverage,cumulative_coverage\n"
        "1,A*01:01~B*08:01,0.4,0.64,0.64\n"
        "2,A*02:01~B*07:02,0.3,0.51,0.91\n"
        "3,A*01:01~B*07:02,0.1,0.19,0.96\n"
        "4,A*02:01~B*08:01,0.1,0.19,0.99\n"
        "5,A*03:01~B*07:02,0.1,0.19,1\n"
    )
    assert haplobank_main([*args[:4], "A", "--top", "2", "--format", "csv", "--out", str(out)]) == 0
    assert out.read_text().splitlines()[1:] == [
        "1,A*01:01,0.5,0.75,0.75",
        "2,A*02:01,0.4,0.64,0.99",
    ]


def test_haplobank_plan_names_a_locus_the_set_lacks(
    freqs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert haplobank_main(["plan", "--freqs", str(freqs), "--loci", "A,DPB1"]) == 1
    assert "--loci 'A,DPB1'" in capsys.readouterr().err
