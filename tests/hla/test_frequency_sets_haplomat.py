"""Reading Hapl-o-Mat's estimated haplotype frequencies (``haplotype<TAB>frequency``).

The files are written by hand in the shape of Hapl-o-Mat's ``estimatedHaplotypeFrequencies.dat``
(its system tests): no header, loci in Hapl-o-Mat's order, g groups named after the P group with
a lowercase ``g``, a g group of a single allele written by the allele's name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stemhub.hla import FrequencySetError, HLAEngine
from stemhub.hla.cli import main
from tests.hla.imputation_support import H1, H2, TINY, as_dict, tiny_set


def write(tmp_path: Path, text: str, name: str = "hfs.dat") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def as_haplomat(csv: str) -> str:
    return "".join(f"{h}\t{f}\n" for h, _, f in (line.split(",") for line in csv.splitlines()))


def test_a_four_digit_file_reads_like_the_same_set_as_csv(
    engine: HLAEngine, tmp_path: Path
) -> None:
    fs = engine.load_frequencies(write(tmp_path, as_haplomat(TINY)), format="haplomat")
    same = tiny_set(engine, tmp_path)
    assert fs.resolution == "two_field"
    assert (fs.loci, fs.haplotypes, fs.alleles) == (same.loci, same.haplotypes, same.alleles)
    assert fs.frequency.tolist() == same.frequency.tolist()
    gl = "A*01:01+A*02:01^B*08:01+B*07:02"
    assert as_dict(engine.impute(gl, fs).pairs()) == as_dict(engine.impute(gl, same).pairs())
    assert engine.impute(gl, fs).pairs()[0][:2] == (H1, H2)


def test_g_groups_are_read_as_the_p_groups_they_are_named_after(
    engine: HLAEngine, tmp_path: Path
) -> None:
    text = (
        "A*01:01g~B*08:01g~DRB1*03:01g\t0.5\n"
        "A*02:01g~B*07:02~DRB1*15:01g\t0.3\n"  # a g group of one protein, by its allele name
        "A*02:01g~B*08:01g~DRB1*03:01g\t0.2\n"
    )
    fs = engine.load_frequencies(write(tmp_path, text), format="haplomat")
    assert fs.resolution == "p_group"
    assert fs.loci == ("A", "B", "DRB1")
    assert fs.haplotypes[1] == "A*02:01g~B*07:02~DRB1*15:01g"  # as written, for the outputs
    assert fs.alleles[1] == ("B*08:01P", "B*07:02P")
    # any resolution of a typing reduces to the groups
    result = engine.impute(
        "A*01:01:01:01+A*02:01:01:01^B*08:01:01:01+B*07:02:01^DRB1*03:01/DRB1*15:01", fs
    )
    assert result.pairs() == [
        ("A*01:01g~B*08:01g~DRB1*03:01g", "A*02:01g~B*07:02~DRB1*15:01g", pytest.approx(1.0))
    ]


def test_hapl_o_mats_order_of_loci_is_kept(engine: HLAEngine, tmp_path: Path) -> None:
    haplotype = "A*01:01~B*08:01~C*07:01~DQB1*02:01~DRB1*03:01"  # Hapl-o-Mat sorts loci
    fs = engine.load_frequencies(write(tmp_path, f"{haplotype}\t1.0\n"), format="haplomat")
    assert fs.loci == ("A", "B", "C", "DQB1", "DRB1")
    assert engine.impute("DRB1*03:01^DQB1*02:01", fs).pairs() == [(haplotype, haplotype, 1.0)]


@pytest.mark.parametrize(
    ("text", "line", "token", "reason"),
    [
        ("A*01:01~B*08:01\t0.5\nA*02:01~B*07:02,1,0.5\n", 2, "A*02:01~B*07:02,1,0.5", "two tab"),
        ("A*01:01~B*08:01\t0.5\tx\n", 1, "A*01:01~B*08:01\t0.5\tx", "two tab-separated"),
        ("A*01:01g~B*08:01g\t0.5\nA*99:01g~B*08:01g\t0.5\n", 2, "A*99:01g", "not a P group"),
        ("A*01:01~B*08:01\t0.5\nA*02:01~B*07:02\tmany\n", 2, "many", "not a number"),
        ("A*01:01~B*08:01\t0.5\nA*02:01~B*07:02\t-0.5\n", 2, "-0.5", "must be positive"),
        ("A*01:01~B*08:01\t0.5\nB*07:02~A*02:01\t0.5\n", 2, "B*07:02", "expected locus A"),
        # two rows that are one haplotype at the set's resolution
        (
            "A*02:01g~B*08:01g\t0.5\nA*02:01:01~B*08:01g\t0.5\n",
            2,
            "A*02:01:01~B*08:01g",
            "the same haplotype as line 1 at P group resolution",
        ),
        # a name standing for several groups of the set
        ("A*02:01:01G~B*08:01:01G\t0.5\nA*02:01~B*08:01:01G\t0.5\n", 2, "A*02:01", "G groups"),
    ],
)
def test_a_bad_row_is_refused_naming_the_line_and_the_token(
    engine: HLAEngine, tmp_path: Path, text: str, line: int, token: str, reason: str
) -> None:
    with pytest.raises(FrequencySetError) as caught:
        engine.load_frequencies(write(tmp_path, text), format="haplomat")
    assert (caught.value.line, caught.value.token) == (line, token)
    assert reason in caught.value.reason


def test_the_sum_is_checked_as_for_csv(engine: HLAEngine, tmp_path: Path) -> None:
    path = write(tmp_path, "A*01:01~B*08:01\t0.5\nA*02:01~B*07:02\t0.4\n")
    with pytest.raises(FrequencySetError, match=r"sum to 0\.900000"):
        engine.load_frequencies(path, format="haplomat")


def test_a_hapl_o_mat_file_read_as_csv_says_which_format_to_use(
    engine: HLAEngine, tmp_path: Path
) -> None:
    path = write(tmp_path, as_haplomat(TINY))
    assert len(engine.load_frequencies(path, format="haplomat")) == 5  # cached as haplomat only
    with pytest.raises(FrequencySetError, match="read it as format 'haplomat'") as caught:
        engine.load_frequencies(path)
    assert caught.value.line == 1


def test_stemhub_hla_impute_reads_a_hapl_o_mat_file(tmp_path: Path) -> None:
    freqs = write(tmp_path, as_haplomat(TINY))
    typings = write(tmp_path, "HOM%A*01:01^B*08:01\n", "typings.txt")
    out = tmp_path / "out.tsv"
    args = ["impute", "--freqs", str(freqs), "--typings", str(typings), "--out", str(out)]
    assert main([*args, "--freqs-format", "haplomat"]) == 0
    assert out.read_text().splitlines()[1] == f"HOM\t1\t{H1}\t{H1}\t1"
    assert main(args) == 1  # read as CSV: refused, naming the format to use
