"""``stemhub hla`` subcommands: match (WMDA format), fetch, build, macs."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from stemhub.hla import HLAEngine, MacDictionary
from stemhub.hla.cli import main
from stemhub.hla.macs import mac_cache_path
from tests.hla.conftest import MAC_SUBSET

PATIENTS = """\
P2%A*01:01+A*02:01^B*08:01+B*07:02^C*07:01+C*07:02^DRB1*03:01+DRB1*15:01
P1%A*01:01+A*02:01^B*08:01+B*07:02^C*07:01+C*07:02^DRB1*03:01+DRB1*15:01^DQB1*02:01+DQB1*06:02
"""
DONORS = """\
D2%A*02:01+A*01:01^B*08:01+B*44:02^C*07:01+C*07:02^DRB1*03:01+DRB1*15:01^DQB1*02:01+DQB1*06:02
D1%A*03:01+A*11:01^B*08:01+B*07:02^C*07:01+C*07:02^DRB1*03:01+DRB1*15:01^DQB1*02:01+DQB1*06:02
D3%A*01:01+A*01:11N^B*08:01+B*07:02^C*07:01+C*07:02^DRB1*03:01+DRB1*15:01
"""
# By the rules: P1-D1 loses both A positions; P1-D2 one B; P1-D3 is homozygous A*01:01 at A
# (the null-only position), so one A mismatch; DQB1 is untyped in D3 and in P2.
EXPECTED = """\
patient\tdonor\tA\tB\tC\tDRB1\tDQB1\tmismatches
P1\tD1\t0\t2\t2\t2\t2\t2
P1\tD2\t2\t1\t2\t2\t2\t1
P1\tD3\t1\t2\t2\t2\t-\t1
P2\tD1\t0\t2\t2\t2\t-\t2
P2\tD2\t2\t1\t2\t2\t-\t1
P2\tD3\t1\t2\t2\t2\t-\t1
"""


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    patients = tmp_path / "patients.txt"
    patients.write_text(PATIENTS)
    donors = tmp_path / "donors.txt.gz"
    with gzip.open(donors, "wt") as handle:
        handle.write(DONORS)
    return patients, donors


def test_match_writes_every_pair_sorted_with_untyped_loci_as_dash(
    inputs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.tsv"
    status = main(
        ["match", "--patients", str(inputs[0]), "--donors", str(inputs[1]), "--out", str(out)]
    )
    assert status == 0
    assert out.read_text() == EXPECTED
    assert "3.58.0" in capsys.readouterr().err  # progress and the release on stderr


def test_match_filters_by_max_mismatches_and_selected_loci(
    inputs: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out.tsv"
    args = ["match", "--patients", str(inputs[0]), "--donors", str(inputs[1]), "--out", str(out)]
    assert main([*args, "--max-mismatches", "1"]) == 0
    rows = [line.split("\t")[:2] for line in out.read_text().splitlines()[1:]]
    assert rows == [["P1", "D2"], ["P1", "D3"], ["P2", "D2"], ["P2", "D3"]]
    assert main([*args, "--loci", "A,DQB1"]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "patient\tdonor\tA\tDQB1\tmismatches"
    assert lines[1] == "P1\tD1\t0\t2\t2"


def test_match_agrees_with_the_pair_scorer(
    engine: HLAEngine, inputs: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out.tsv"
    main(["match", "--patients", str(inputs[0]), "--donors", str(inputs[1]), "--out", str(out)])
    patients = dict(line.split("%") for line in PATIENTS.splitlines())
    donors = dict(line.split("%") for line in DONORS.splitlines())
    for line in out.read_text().splitlines()[1:]:
        patient, donor, *cells, total = line.split("\t")
        result = engine.match(patients[patient], donors[donor])
        counts = [result.loci[locus].count for locus in ("A", "B", "C", "DRB1", "DQB1")]
        assert cells == ["-" if c is None else str(c) for c in counts]
        assert int(total) == result.mismatches


@pytest.mark.parametrize(
    ("line", "token"),
    [
        ("D9%A*01:01+A*99:99", "A*99:99"),
        ("D9 A*01:01+A*01:01", "D9 A*01:01+A*01:01"),
        ("D9%A*01:01+A*01:QQQ", "A*01:QQQ"),
    ],
)
def test_bad_input_names_file_line_and_token_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, token: str
) -> None:
    patients = tmp_path / "patients.txt"
    patients.write_text(PATIENTS)
    donors = tmp_path / "donors.txt"
    donors.write_text(DONORS + line + "\n")
    out = tmp_path / "out.tsv"
    status = main(
        ["match", "--patients", str(patients), "--donors", str(donors), "--out", str(out)]
    )
    assert status == 1
    message = capsys.readouterr().err
    assert f"{donors}:4:" in message
    assert repr(token) in message
    assert not out.exists()
    assert set(tmp_path.iterdir()) == {patients, donors}  # no temporary file left either


def test_unknown_locus_is_a_usage_error(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.tsv"
    args = ["match", "--patients", str(inputs[0]), "--donors", str(inputs[1]), "--out", str(out)]
    assert main([*args, "--loci", "A,XYZ"]) == 1
    assert not out.exists()


def test_fetch_downloads_a_release_from_a_file_url(
    tmp_path: Path, release_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror = tmp_path / "mirror"
    shutil.copytree(release_dir, mirror / "3580")
    cache = tmp_path / "cache"
    monkeypatch.setenv("STEMHUB_IMGT_URL", mirror.as_uri())
    monkeypatch.setenv("STEMHUB_HLA_CACHE", str(cache))
    assert main(["fetch", "--release", "3.58.0"]) == 0
    fetched = cache / "imgt" / "3.58.0"
    assert (fetched / "wmda" / "hla_nom_p.txt").read_bytes() == (
        release_dir / "wmda" / "hla_nom_p.txt"
    ).read_bytes()
    # Without STEMHUB_IMGT_DIR the engine now builds from the download.
    monkeypatch.delenv("STEMHUB_IMGT_DIR")
    assert main(["build"]) == 0


def test_fetch_refuses_a_release_that_does_not_match(
    tmp_path: Path, release_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror = tmp_path / "mirror"
    shutil.copytree(release_dir, mirror / "3590")
    monkeypatch.setenv("STEMHUB_IMGT_URL", mirror.as_uri())
    monkeypatch.setenv("STEMHUB_HLA_CACHE", str(tmp_path / "cache"))
    assert main(["fetch", "--release", "3.59.0"]) == 1
    assert not (tmp_path / "cache" / "imgt" / "3.59.0").exists()


def test_build_prints_where_and_how_long(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build"]) == 0
    printed = capsys.readouterr().out
    assert "3.58.0" in printed and ".npz" in printed and " s" in printed


def test_macs_loads_the_csv_subset_and_the_nmdp_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEMHUB_HLA_CACHE", str(tmp_path))
    assert main(["macs", str(MAC_SUBSET)]) == 0
    assert MacDictionary.open(mac_cache_path()).lookup("AB").expansion == ("01", "02")
    nmdp = tmp_path / "numer.v3.txt"
    nmdp.write_text("LAST UPDATED: 2024\n\n*\tCODE\tSUBTYPE\n\n\tAB\t01/02\n*\tABC\t01:01/02:01\n")
    assert main(["macs", str(nmdp)]) == 0
    loaded = MacDictionary.open(mac_cache_path())
    assert len(loaded) == 2
    assert loaded.lookup("AB").generic
    assert not loaded.lookup("ABC").generic
    assert loaded.lookup("ABC").expansion == ("01:01", "02:01")


def test_mac_cache_in_the_earlier_layout_still_loads(tmp_path: Path) -> None:
    """Caches written before expansions were packed (fixed-width unicode arrays) still open."""
    path = tmp_path / "macs.npz"
    np.savez(
        path,
        allow_pickle=False,
        codes=np.array(["AB", "ABC"]),
        expansions=np.array(["01/02", "01:01/02:01/03:01"]),
        generic=np.array([True, False]),
    )
    loaded = MacDictionary.open(path)
    assert loaded.lookup("AB").expansion == ("01", "02")
    assert loaded.lookup("ABC").expansion == ("01:01", "02:01", "03:01")
    assert not loaded.lookup("ABC").generic
