"""Readers for the IPD-IMGT/HLA release files the tables are built from.

Each reader takes the release directory and returns plain Python data; the table builder turns
that into arrays. Comment lines start with ``#`` in every file.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from stemhub.hla.errors import ReferenceDataError

__all__ = [
    "DeletedAllele",
    "SerologyRelations",
    "read_allele_list",
    "read_allele_serology",
    "read_deleted_alleles",
    "read_groups",
    "read_release_version",
    "read_serology_relations",
    "read_tce_groups",
]


def _data_lines(path: Path) -> Iterator[str]:
    try:
        with path.open(encoding="utf-8") as handle:
            for raw in handle:
                line = raw.strip()
                if line and not line.startswith("#"):
                    yield line
    except OSError as exc:
        raise ReferenceDataError(f"cannot read {path}: {exc}") from exc


def read_release_version(directory: Path) -> str:
    """``'3.58.0'`` from ``release_version.txt``."""
    text = (directory / "release_version.txt").read_text(encoding="utf-8")
    match = re.search(r"version:\s*IPD-IMGT/HLA\s+(\d+\.\d+\.\d+)", text)
    if match is None:
        raise ReferenceDataError(f"no release number in {directory / 'release_version.txt'}")
    return match.group(1)


def read_allele_list(directory: Path) -> list[str]:
    """Every allele name of the release, in file order (``A*01:01:01:01`` ...)."""
    names = []
    for line in _data_lines(directory / "Allelelist.txt"):
        allele_id, _, name = line.partition(",")
        if allele_id == "AlleleID":
            continue
        names.append(name)
    if not names:
        raise ReferenceDataError(f"{directory / 'Allelelist.txt'} lists no alleles")
    return names


def read_groups(path: Path) -> dict[str, str]:
    """allele -> group name from ``hla_nom_g.txt`` / ``hla_nom_p.txt`` (grouped alleles only)."""
    groups: dict[str, str] = {}
    for line in _data_lines(path):
        parts = line.split(";")
        if len(parts) < 3 or not parts[2]:
            continue  # an allele in no group: it is its own group
        locus, members, group = parts[0], parts[1], parts[2]
        for member in members.split("/"):
            groups[locus + member] = locus + group
    return groups


def read_allele_serology(directory: Path) -> dict[str, list[str]]:
    """allele -> serological antigens (unambiguous, possible and assumed; '0' and '?' dropped).

    Antigens are spelled as rel_ser_ser does: locus prefix (A, B, Cw, DR, DQ, DP) + number.
    """
    from stemhub.hla.names import SEROLOGY_PREFIX

    serology: dict[str, list[str]] = {}
    for line in _data_lines(directory / "wmda" / "rel_dna_ser.txt"):
        parts = line.split(";")
        if len(parts) < 5:
            raise ReferenceDataError(f"rel_dna_ser.txt: malformed line {line!r}")
        locus_star, allele = parts[0], parts[1]
        locus = locus_star.rstrip("*")
        prefix = SEROLOGY_PREFIX.get(locus)
        if prefix is None:
            continue
        antigens: list[str] = []
        for column in parts[2:5]:
            for value in column.split("/"):
                if value and value not in ("0", "?"):
                    antigen = prefix + value
                    if antigen not in antigens:
                        antigens.append(antigen)
        if antigens:
            serology[locus_star + allele] = antigens
    return serology


@dataclass(frozen=True, slots=True)
class SerologyRelations:
    """From rel_ser_ser.txt: split -> broad and associated antigen -> parent antigen."""

    broad_of_split: dict[str, str]
    parent_of_associated: dict[str, str]


def read_serology_relations(directory: Path) -> SerologyRelations:
    broad_of_split: dict[str, str] = {}
    parent_of_associated: dict[str, str] = {}
    for line in _data_lines(directory / "wmda" / "rel_ser_ser.txt"):
        parts = line.split(";")
        if len(parts) < 4:
            raise ReferenceDataError(f"rel_ser_ser.txt: malformed line {line!r}")
        prefix, antigen, splits, associated = parts[0], parts[1], parts[2], parts[3]
        for split in filter(None, splits.split("/")):
            broad_of_split[prefix + split] = prefix + antigen
        for assoc in filter(None, associated.split("/")):
            parent_of_associated[prefix + assoc] = prefix + antigen
    return SerologyRelations(broad_of_split, parent_of_associated)


@dataclass(frozen=True, slots=True)
class DeletedAllele:
    name: str
    successor: str | None
    reason: str


def read_deleted_alleles(directory: Path) -> list[DeletedAllele]:
    """Alleles hla_nom.txt lists with a deletion date, with the name IMGT says replaced them."""
    deleted: list[DeletedAllele] = []
    for line in _data_lines(directory / "wmda" / "hla_nom.txt"):
        parts = line.split(";")
        if len(parts) < 6 or not parts[0].endswith("*") or not parts[3]:
            continue  # serological entries and current alleles
        locus = parts[0]
        successor = locus + parts[4] if parts[4] else None
        deleted.append(DeletedAllele(locus + parts[1], successor, parts[5] or "deleted"))
    return deleted


def read_tce_groups(directory: Path) -> dict[str, int]:
    """DPB1 allele -> T-cell-epitope group 1, 2 or 3 (version 2 assignment; unassigned left out)."""
    groups: dict[str, int] = {}
    path = directory / "tce" / "dpb_tce.csv"
    rows = csv.DictReader(_data_lines(path))
    for row in rows:
        # '$' marks a predicted assignment and '2a' a subgroup of 2; '0' means unassigned.
        value = (row.get("V2_Assignment") or "").strip().rstrip("$").rstrip("a")
        if value in ("1", "2", "3"):
            groups[row["Allele"]] = int(value)
    return groups
