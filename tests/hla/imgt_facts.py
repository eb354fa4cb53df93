"""Facts read straight from the IPD-IMGT/HLA files, independently of the engine's own readers,
so tests can derive expected values without trusting the code under test."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from tests.pyard_support import imgt_dir


def _rows(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text().splitlines() if ln.strip() and ln[0] != "#"]


@cache
def tce_v2_groups() -> dict[str, str]:
    """DPB1 allele -> the V2_Assignment column as written in dpb_tce.csv."""
    rows = csv.DictReader(_rows(imgt_dir() / "tce" / "dpb_tce.csv"))
    return {row["Allele"]: row["V2_Assignment"] for row in rows}


@cache
def g_group_names() -> frozenset[str]:
    names = set()
    for line in _rows(imgt_dir() / "wmda" / "hla_nom_g.txt"):
        locus, _, group = line.split(";")[:3]
        if group:
            names.add(locus + group)
    return frozenset(names)


@cache
def g_group_of() -> dict[str, str]:
    """Allele name -> its G group as hla_nom_g.txt lists it (an allele in no group: itself)."""
    groups = {}
    for line in _rows(imgt_dir() / "wmda" / "hla_nom_g.txt"):
        locus, members, group = line.split(";")[:3]
        for member in members.split("/"):
            groups[locus + member] = locus + group if group else locus + member
    return groups


@cache
def serology_loci() -> frozenset[str]:
    """Loci with at least one allele assigned a serological antigen in rel_dna_ser.txt."""
    loci = set()
    for line in _rows(imgt_dir() / "wmda" / "rel_dna_ser.txt"):
        fields = line.split(";")
        values = {v for column in fields[2:5] for v in column.split("/")} - {"", "0", "?"}
        if values:
            loci.add(fields[0].rstrip("*"))
    return frozenset(loci)


@cache
def allele_names() -> list[str]:
    return [line.split(",")[1] for line in _rows(imgt_dir() / "Allelelist.txt")[1:]]
