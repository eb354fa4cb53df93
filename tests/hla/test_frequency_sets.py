"""Reading a haplotype frequency set: validation against the release, resolution, provenance."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from stemhub.hla import FrequencySetError, HLAEngine, Provenance
from stemhub.hla.frequencies import allele_keys, frequency_cache_path
from tests.hla.imputation_support import TINY, tiny_set
from tests.pyard_support import shared_dir

CAU = shared_dir() / "hla" / "CAU.freqs.gz"


def write(tmp_path: Path, text: str, name: str = "set.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_wmda_cau_set_loads_as_two_field_with_provenance(engine: HLAEngine) -> None:
    cau = engine.load_frequencies(CAU, source="WMDA validation CAU", sample_size=None)
    assert len(cau) == 3380
    assert cau.loci == ("A", "C", "B", "DRB1", "DQB1")
    assert cau.resolution == "two_field"
    assert cau.provenance.release == engine.release == "3.58.0"
    assert cau.provenance.source == "WMDA validation CAU"
    assert cau.haplotypes[0] == "A*01:01~C*01:02~B*15:01~DRB1*01:01~DQB1*05:01"
    assert abs(cau.frequency.sum() - 0.99669) < 1e-9  # published sets are rounded and cut
    assert [len(names) for names in cau.alleles] == [54, 47, 85, 44, 16]


def test_a_gzip_file_with_a_header_reads_like_the_plain_one(
    engine: HLAEngine, tmp_path: Path
) -> None:
    path = tmp_path / "set.csv.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("haplotype,count,frequency\n" + TINY)
    fs = engine.load_frequencies(path, population="test", sample_size=10)
    plain = tiny_set(engine, tmp_path)
    assert fs.haplotypes == plain.haplotypes
    assert fs.frequency.tolist() == [0.4, 0.3, 0.1, 0.1, 0.1]
    assert (fs.provenance.population, fs.provenance.sample_size) == ("test", 10)


@pytest.mark.parametrize(
    ("text", "line", "token", "reason"),
    [
        ("A*01:01~B*08:01,1,0.5\nA*99:01~B*08:01,1,0.5\n", 2, "A*99:01", "not a two-field"),
        ("A*01:01~B*08:01,1,0.5\nB*08:01~A*01:01,1,0.5\n", 2, "B*08:01", "expected locus A"),
        ("A*01:01~B*08:01,1,0.5\nA*02:01,1,0.5\n", 2, "A*02:01", "1 loci, the set has 2"),
        ("A*01:01~B*08:01,1,0.5\nA*02:01~B*07:02,1,0\n", 2, "0", "must be positive"),
        ("A*01:01~B*08:01,1,0.5\nA*02:01~B*07:02,1,x\n", 2, "x", "not a number"),
        ("A*01:01~B*08:01,one,1.0\n", 1, "one", "whole number"),
        ("A*01:01~B*08:01,1,0.5\nA*01:01~B*08:01,1,0.5\n", 2, "A*01:01~B*08:01", "line 1"),
        ("A*01:01~B*08:01;1;1.0\n", 1, "A*01:01~B*08:01;1;1.0", "three columns"),
        ("A*01:01~XYZ*01:01,1,1.0\n", 1, "XYZ*01:01", "unknown locus XYZ"),
    ],
)
def test_a_bad_row_is_refused_naming_the_line_and_the_token(
    engine: HLAEngine, tmp_path: Path, text: str, line: int, token: str, reason: str
) -> None:
    with pytest.raises(FrequencySetError) as caught:
        engine.load_frequencies(write(tmp_path, text))
    assert caught.value.line == line
    assert caught.value.token == token
    assert reason in caught.value.reason
    assert f"set.csv:{line}: {token!r}" in str(caught.value)


def test_frequencies_must_sum_to_one_within_the_tolerance(
    engine: HLAEngine, tmp_path: Path
) -> None:
    path = write(tmp_path, "A*01:01~B*08:01,1,0.5\nA*02:01~B*07:02,1,0.48\n")
    with pytest.raises(FrequencySetError, match=r"sum to 0\.980000"):
        engine.load_frequencies(path)
    assert len(engine.load_frequencies(path, tolerance=0.05)) == 2


def test_g_and_p_group_sets_are_detected_and_mixing_them_is_refused(
    engine: HLAEngine, tmp_path: Path
) -> None:
    g = write(tmp_path, "A*01:01:01G~B*08:01:01G,1,0.5\nA*02:01:01G~B*07:02:01G,1,0.5\n")
    p = write(tmp_path, "A*01:01P~B*08:01P,1,0.5\nA*02:01P~B*07:02P,1,0.5\n", "p.csv")
    assert engine.load_frequencies(g).resolution == "g_group"
    assert engine.load_frequencies(p).resolution == "p_group"
    mixed = write(tmp_path, "A*01:01:01G~B*08:01P,1,1.0\n", "mixed.csv")
    with pytest.raises(FrequencySetError, match="mixes G and P"):
        engine.load_frequencies(mixed)
    # a two-field name is no G group: a G set refuses it
    half = write(tmp_path, "A*01:01:01G~B*08:01:01G,1,0.5\nA*02:01~B*07:02:01G,1,0.5\n", "h.csv")
    with pytest.raises(FrequencySetError, match="not a G group") as caught:
        engine.load_frequencies(half)
    assert (caught.value.line, caught.value.token) == (2, "A*02:01")


def test_two_field_keys_keep_a_suffix_only_when_every_allele_under_them_has_it(
    engine: HLAEngine,
) -> None:
    keys = allele_keys(engine.tables, "two_field")
    key_of = dict(zip(engine.tables.allele_names, keys, strict=True))
    assert key_of["A*01:01:01:01"] == "A*01:01"
    assert key_of["A*01:01:01:02N"] == "A*01:01"  # the other A*01:01 alleles express
    assert key_of["A*01:11N"] == "A*01:11N"
    g_keys = allele_keys(engine.tables, "g_group")
    g_of = dict(zip(engine.tables.allele_names, g_keys, strict=True))
    assert g_of["A*01:01:01:01"] == "A*01:01:01G"


# ---- the cache of validated sets ---------------------------------------------------------------


def test_a_set_loaded_again_comes_from_the_cache_with_the_same_content(
    engine: HLAEngine, tmp_path: Path
) -> None:
    path = tmp_path / "cau.csv"  # bytes of its own: no other test has cached them
    path.write_bytes(b"# the cache test's copy\n" + gzip.decompress(CAU.read_bytes()))
    cached = frequency_cache_path(hashlib.sha256(path.read_bytes()).hexdigest(), engine.tables)
    assert not cached.exists()
    first = engine.load_frequencies(path, source="first")
    assert cached.is_file()
    again = engine.load_frequencies(path, source="again", population="CAU", sample_size=7)
    assert again.provenance == Provenance("again", engine.release, "two_field", "CAU", 7)
    assert again.loci == first.loci and again.haplotypes == first.haplotypes
    assert again.alleles == first.alleles
    assert again.frequency.tolist() == first.frequency.tolist()
    assert again.codes.tolist() == first.codes.tolist()
    assert [a.tolist() for a in again.allele_code] == [a.tolist() for a in first.allele_code]


def test_a_changed_file_is_validated_again(engine: HLAEngine, tmp_path: Path) -> None:
    path = write(tmp_path, "A*01:01~B*08:01,1,0.5\nA*02:01~B*07:02,1,0.5\n")
    assert len(engine.load_frequencies(path)) == 2
    write(tmp_path, "A*01:01~B*08:01,1,0.5\nA*99:01~B*07:02,1,0.5\n")
    with pytest.raises(FrequencySetError) as caught:
        engine.load_frequencies(path)
    assert (caught.value.line, caught.value.token) == (2, "A*99:01")


def test_a_cached_set_still_has_its_sum_checked(engine: HLAEngine, tmp_path: Path) -> None:
    path = write(tmp_path, "A*01:01~B*08:01,1,0.5\nA*02:01~B*07:02,1,0.48\n")
    assert len(engine.load_frequencies(path, tolerance=0.05)) == 2
    with pytest.raises(FrequencySetError, match=r"sum to 0\.980000"):
        engine.load_frequencies(path)


def test_an_unreadable_cache_file_is_validated_over(engine: HLAEngine, tmp_path: Path) -> None:
    path = write(tmp_path, TINY)
    cached = frequency_cache_path(hashlib.sha256(path.read_bytes()).hexdigest(), engine.tables)
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(b"not an npz")
    assert len(engine.load_frequencies(path)) == 5
    assert len(engine.load_frequencies(path)) == 5  # rewritten by the first load
