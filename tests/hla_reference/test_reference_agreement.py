"""The batch CLI (`stemhub hla match`) against the independent py-ard reference matcher.

Data the engine has never seen: 40 patients and 400 donors from benchmarks/hla_donors.py with
seeds used nowhere else, plus the hand-made typings of cases.py (all crossed with each other).
The CLI runs in a subprocess with its own data directory holding the MAC subset file.

The unit tests of the reference matcher derive their expectations by hand from the IPD-IMGT/HLA
3.58.0 files (lines quoted in the comments).
"""

from __future__ import annotations

import gzip
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hla_reference.cases import EDGE_TYPINGS
from tests.hla_reference.pyard_matcher import DEFAULT_LOCI, Matcher, format_rows
from tests.pyard_support import REPO_ROOT, imgt_dir, shared_dir

PATIENT_SEED = 7_310_419  # not used anywhere else
DONOR_SEED = 7_310_420
N_PATIENTS, N_DONORS = 40, 400


def _generator():
    spec = importlib.util.spec_from_file_location(
        "hla_donors", REPO_ROOT / "benchmarks" / "hla_donors.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("hla_donors", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------------------------
# Unit tests of the reference matcher (expected answers from the IMGT files, by hand)
# --------------------------------------------------------------------------------------------


def count(matcher: Matcher, patient: str, donor: str, locus: str) -> int:
    p, d = matcher.typing(patient), matcher.typing(donor)
    return matcher.locus_count(p[locus], d[locus])


def test_cross_orientation_and_homozygous(matcher):
    # hla_nom_p.txt: A*;01:01:01:01/...;01:01P and A*;02:01:01:01/...;02:01P
    assert count(matcher, "A*01:01+A*02:01", "A*02:01+A*01:01", "A") == 2
    assert count(matcher, "A*01:01+A*01:01", "A*01:01+A*02:01", "A") == 1
    assert count(matcher, "A*01:01+A*01:01", "A*01:01+A*01:01", "A") == 2
    assert count(matcher, "A*03:01+A*11:01", "A*01:01+A*02:01", "A") == 0


def test_full_names_g_and_p_groups_reduce_to_the_p_group(matcher):
    # hla_nom_g.txt: A*;02:01:01:01/02:01:01:02L/...;02:01:01G ; hla_nom_p.txt: ...;02:01P
    # hla_nom_p.txt: A*;01:01:01:01/...;01:01P (A*01:01:38L is a member)
    assert count(matcher, "A*02:01:01G+A*01:01P", "A*02:01:01:02L+A*01:01:38L", "A") == 2
    assert count(matcher, "A*02:01:01G+A*01:01P", "A*02:05+A*01:02", "A") == 0


def test_null_in_a_list_is_ignored(matcher):
    # Allelelist.txt: A*01:04:01:01N, A*01:04:01:02N (both null, so A*01:04N is null).
    # Patient position 1 is A*02:01 only; the donor's A*01:04N position is null-only, so the
    # donor is homozygous A*03:01: one match (A*03:01), not two.
    assert count(matcher, "A*01:04N/A*02:01+A*03:01", "A*01:04N+A*03:01", "A") == 1
    assert count(matcher, "A*01:04N/A*02:01+A*03:01", "A*02:01+A*03:01", "A") == 2


def test_null_only_position_makes_the_locus_homozygous(matcher):
    # Allelelist.txt: HLA02310,A*01:16N ; rel_dna_ser.txt: A*;01:16N;0;;; (null)
    assert count(matcher, "A*01:01+A*01:16N", "A*01:01+A*01:01", "A") == 2
    assert count(matcher, "A*01:01+A*01:16N", "A*01:01+A*02:01", "A") == 1
    assert count(matcher, "A*01:16N+A*02:01", "A*02:01+A*02:01", "A") == 2


def test_mac_with_a_null(matcher):
    # mac_subset_atlas.csv.gz: AMG = 24:02/24:09N (specific) -> A*24:02 (A*24:02P), the null
    # is ignored; the donor's A*24:09N position is null-only -> donor homozygous A*02:01.
    assert count(matcher, "A*24:AMG+A*02:01", "A*24:09N+A*02:01", "A") == 1
    assert count(matcher, "A*24:AMG+A*02:01", "A*24:02+A*02:01", "A") == 2


def test_generic_mac_and_xx(matcher):
    # AB = 01/02 (generic) -> A*02:01/A*02:02; A*02:XX covers every A*02 allele
    assert count(matcher, "A*02:AB+A*01:01", "A*02:02+A*03:01", "A") == 1
    assert count(matcher, "A*02:AB+A*01:01", "A*02:05+A*03:01", "A") == 0
    assert count(matcher, "A*02:XX+A*01:01", "A*02:05+A*03:01", "A") == 1
    # a MAC ending in XX is a MAC, not an XX code: CXX = 03/05/09/10 (generic)
    assert count(matcher, "C*03:CXX+C*07:01", "C*03:04+C*07:01", "C") == 1
    assert count(matcher, "C*03:CXX+C*07:01", "C*03:05+C*07:01", "C") == 2


def test_serology_broad_split_associated(matcher):
    # rel_ser_ser.txt: A;9;23/24;  A;2;;203/210  DR;2;15/16;
    # rel_dna_ser.txt: A*;24:02:01:01;24;;;  A*;23:01:01:01;23;;;  A*;02:03:01:01 -> 203
    #                  DRB1*;15:01:01:01;15;;;  DRB1*;16:01:01:01;16;;;
    assert count(matcher, "A9+A2", "A*24:02+A*02:01", "A") == 2
    assert count(matcher, "A23+A2", "A*24:02+A*02:01", "A") == 1
    assert count(matcher, "A24+A203", "A*24:02+A*02:03", "A") == 2
    assert count(matcher, "A24+A203", "A*24:02+A*02:01", "A") == 1
    assert count(matcher, "DR2+DR4", "DRB1*16:01+DRB1*04:01", "DRB1") == 2
    assert count(matcher, "DR15+DR4", "DRB1*16:01+DRB1*04:01", "DRB1") == 1


def test_allele_in_no_p_group_is_its_own_group(matcher):
    # hla_nom_p.txt: "A*;01:06;" and "A*;01:07;" (no P group)
    assert count(matcher, "A*01:06+A*02:01", "A*01:06+A*02:01", "A") == 2
    assert count(matcher, "A*01:06+A*02:01", "A*01:07+A*02:01", "A") == 1


def test_untyped_locus_and_mismatch_sum(matcher):
    patient = "A*01:01+A*02:01^B*08:01+B*07:02^DRB1*15:01+DRB1*03:01"
    donor = (
        "A*01:01+A*03:01^B*08:01+B*07:02^C*07:01+C*07:02^DRB1*15:01+DRB1*03:01"
        "^DQB1*06:02+DQB1*02:01"
    )
    rows = list(matcher.match([("P1", patient)], [("D1", donor)]))
    assert rows == [("P1", "D1", [1, 2, None, 2, None], 1)]
    lines = list(format_rows(rows, DEFAULT_LOCI))
    assert lines == [
        "patient\tdonor\tA\tB\tC\tDRB1\tDQB1\tmismatches\n",
        "P1\tD1\t1\t2\t-\t2\t-\t1\n",
    ]


def test_max_mismatches_and_sorting(matcher):
    patients = [("P2", "A*01:01+A*02:01"), ("P1", "A*01:01+A*02:01")]
    donors = [("D2", "A*03:01+A*11:01"), ("D1", "A*01:01+A*02:01"), ("D3", "A*01:01+A*03:01")]
    rows = list(matcher.match(patients, donors, max_mismatches=1))
    assert [(r[0], r[1], r[3]) for r in rows] == [
        ("P1", "D1", 0),
        ("P1", "D3", 1),
        ("P2", "D1", 0),
        ("P2", "D3", 1),
    ]


# --------------------------------------------------------------------------------------------
# Agreement with the batch CLI
# --------------------------------------------------------------------------------------------


def _cli() -> list[str]:
    exe = Path(sys.executable).parent / "stemhub"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("stemhub")
    return [found] if found else [sys.executable, "-m", "stemhub"]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict[str, object]:
    generator = _generator()
    base = tmp_path_factory.mktemp("hla_agreement")
    patients = list(generator.generate(N_PATIENTS, seed=PATIENT_SEED, prefix="P", width=4))
    donors = list(generator.generate(N_DONORS, seed=DONOR_SEED, prefix="D", width=5))
    patients += [(f"P{ident}", gl) for ident, gl in EDGE_TYPINGS]
    donors += [(f"D{ident}", gl) for ident, gl in EDGE_TYPINGS]
    paths = {"patients": base / "patients.txt", "donors": base / "donors.txt.gz"}
    paths["patients"].write_text("".join(f"{i}%{gl}\n" for i, gl in patients))
    with gzip.open(paths["donors"], "wt") as fh:
        fh.writelines(f"{i}%{gl}\n" for i, gl in donors)

    env = dict(os.environ)
    env["STEMHUB_DATA_DIR"] = str(base / "data")
    env["STEMHUB_IMGT_DIR"] = str(imgt_dir())
    macs = shared_dir() / "hla" / "mac_subset_atlas.csv.gz"
    # load the MAC subset into the CLI's (temporary) data directory; failures show up below
    subprocess.run([*_cli(), "hla", "macs", str(macs)], env=env, check=False, capture_output=True)
    return {
        "base": base,
        "env": env,
        "patient_typings": dict(patients),
        "donor_typings": dict(donors),
        **paths,
    }


def _read_tsv(path: Path) -> tuple[list[str], dict[tuple[str, str], list[str]]]:
    lines = path.read_text().splitlines()
    header = lines[0].split("\t")
    rows: dict[tuple[str, str], list[str]] = {}
    order = []
    for line in lines[1:]:
        cells = line.split("\t")
        rows[(cells[0], cells[1])] = cells
        order.append((cells[0], cells[1]))
    assert order == sorted(order), f"{path.name}: rows not sorted by patient then donor"
    return header, rows


@pytest.mark.parametrize(
    ("loci", "max_mismatches"),
    [(None, None), (None, 3), ("A,B,DRB1", 1)],
    ids=["all-pairs", "max-3", "A-B-DRB1-max-1"],
)
def test_cli_agrees_with_reference(data, matcher, loci, max_mismatches):
    base: Path = data["base"]
    tag = f"{loci or 'default'}-{max_mismatches}"
    engine_out = base / f"engine-{tag}.tsv"
    command = [
        *_cli(),
        "hla",
        "match",
        "--patients",
        str(data["patients"]),
        "--donors",
        str(data["donors"]),
        "--out",
        str(engine_out),
    ]
    if loci:
        command += ["--loci", loci]
    if max_mismatches is not None:
        command += ["--max-mismatches", str(max_mismatches)]
    proc = subprocess.run(command, env=data["env"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"CLI failed ({proc.returncode}):\n{proc.stderr[-3000:]}"

    locus_list = tuple(loci.split(",")) if loci else DEFAULT_LOCI
    reference = matcher.with_loci(locus_list)
    ref_out = base / f"reference-{tag}.tsv"
    rows = reference.match(
        data["patient_typings"].items(),
        data["donor_typings"].items(),
        max_mismatches=max_mismatches,
    )
    ref_out.write_text("".join(format_rows(rows, locus_list)))

    eng_header, eng_rows = _read_tsv(engine_out)
    ref_header, ref_rows = _read_tsv(ref_out)
    assert eng_header == ref_header

    problems = []
    for key in sorted(set(eng_rows) | set(ref_rows)):
        if eng_rows.get(key) != ref_rows.get(key):
            patient, donor = key
            problems.append(
                f"{patient} x {donor}\n"
                f"  patient: {data['patient_typings'][patient]}\n"
                f"  donor:   {data['donor_typings'][donor]}\n"
                f"  engine:    {eng_rows.get(key)}\n"
                f"  reference: {ref_rows.get(key)}"
            )
    compared = len(set(eng_rows) | set(ref_rows))
    print(f"{tag}: {compared} rows compared, {len(problems)} disagreements")
    assert not problems, f"{len(problems)} of {compared} rows disagree:\n" + "\n".join(
        problems[:25]
    )
    if max_mismatches is None:
        assert len(ref_rows) == len(data["patient_typings"]) * len(data["donor_typings"])
