"""Compact reference tables built once per IPD-IMGT/HLA release and cached as ``.npz``.

One row per allele of ``Allelelist.txt``: its P group, G group, serological antigens and DPB1
T-cell-epitope group. An allele in no P (G) group is its own group, named by the allele. The
cache file name carries the release and a checksum of the source files, so a changed release
directory rebuilds instead of silently reusing stale tables. Loading uses ``allow_pickle=False``.
"""

from __future__ import annotations

import bisect
import hashlib
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt

from stemhub.hla import imgt_files
from stemhub.hla.config import RELEASE_FILES, cache_dir, reference_dir
from stemhub.hla.errors import ReferenceDataError
from stemhub.hla.names import EXPRESSION_SUFFIXES, expression_suffix
from stemhub.hla.npzfile import save_npz

__all__ = ["ReferenceTables", "load_tables", "source_fingerprint", "table_cache_path"]

FORMAT_VERSION = "1"
_STRING_ARRAYS = (
    "allele_names",
    "p_names",
    "g_names",
    "allele_serology",
    "split_names",
    "split_broads",
    "associated_names",
    "associated_parents",
    "deleted_names",
    "deleted_successors",
    "deleted_reasons",
)


@dataclass(eq=False)
class ReferenceTables:
    """Allele-level lookups for one release. Allele and group ids are row numbers."""

    release: str
    fingerprint: str
    allele_names: list[str]
    allele_p: npt.NDArray[np.int32]
    p_names: list[str]
    allele_g: npt.NDArray[np.int32]
    g_names: list[str]
    allele_serology: list[tuple[str, ...]]
    allele_tce: npt.NDArray[np.int8]
    broad_of_split: dict[str, str]
    parent_of_associated: dict[str, str]
    deleted: dict[str, tuple[str | None, str]] = field(default_factory=dict)

    # ---- derived lookups, built on first use ---------------------------------------------

    @cached_property
    def allele_id(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.allele_names)}

    @cached_property
    def is_null(self) -> npt.NDArray[np.bool_]:
        return np.array([name.endswith("N") for name in self.allele_names], dtype=bool)

    @cached_property
    def allele_locus(self) -> list[str]:
        return [name.partition("*")[0] for name in self.allele_names]

    @cached_property
    def allele_protein(self) -> npt.NDArray[np.int32]:
        """An id per distinct two-field name (same id: same protein), for vectorised grading."""
        ids: dict[str, int] = {}
        keys = []
        for name in self.allele_names:  # split_name inlined: this runs at the first search
            locus, _, rest = name.partition("*")
            if rest and rest[-1] in EXPRESSION_SUFFIXES:
                rest = rest[:-1]
            keys.append(locus + ":".join(rest.split(":", 2)[:2]))
        return np.array([ids.setdefault(key, len(ids)) for key in keys], dtype=np.int32)

    @cached_property
    def loci(self) -> frozenset[str]:
        return frozenset(self.allele_locus)

    @cached_property
    def _names_in_order(self) -> tuple[list[str], list[int]]:
        """Names with the expression suffix dropped, in string order, and their allele ids
        (sorting takes milliseconds where a dict of every prefix took ~50 ms at the first parse)."""
        stripped = [
            name[:-1] if name[-1] in EXPRESSION_SUFFIXES and "*" in name[:-1] else name
            for name in self.allele_names
        ]
        order = sorted(range(len(stripped)), key=stripped.__getitem__)
        return [stripped[i] for i in order], order

    def alleles_under(self, prefix: str) -> list[int]:
        """The alleles a name of 1..n fields (suffix dropped) covers, in allele order:
        those named ``prefix`` or ``prefix:...``."""
        names, ids = self._names_in_order
        found: list[int] = []
        at = bisect.bisect_left(names, prefix)
        while at < len(names) and names[at] == prefix:
            found.append(ids[at])
            at += 1
        # ':' sorts right before ';', so every 'prefix:...' lies in one run
        start = bisect.bisect_left(names, prefix + ":", at)
        found.extend(ids[start : bisect.bisect_left(names, prefix + ";", start)])
        found.sort()
        return found

    @cached_property
    def p_members(self) -> dict[str, list[int]]:
        return _members(self.p_names, self.allele_p, suffix="P")

    @cached_property
    def g_members(self) -> dict[str, list[int]]:
        return _members(self.g_names, self.allele_g, suffix="G")

    @cached_property
    def antigen_alleles(self) -> dict[str, list[int]]:
        """Antigen -> alleles assigned to it directly in rel_dna_ser.txt."""
        index: dict[str, list[int]] = {}
        for allele, antigens in enumerate(self.allele_serology):
            for antigen in antigens:
                index.setdefault(antigen, []).append(allele)
        return index

    @cached_property
    def antigen_locus(self) -> dict[str, str]:
        return {
            antigen: self.allele_locus[alleles[0]]
            for antigen, alleles in self.antigen_alleles.items()
        }

    def broad_of(self, antigen: str) -> str:
        """The broad antigen of a split (or of an associated antigen's parent), else itself."""
        parent = self.parent_of_associated.get(antigen, antigen)
        return self.broad_of_split.get(parent, parent)

    def serology_with_broads(self, allele: int) -> frozenset[str]:
        """The allele's antigens plus the broad of each split, as py-ard's S reduction gives."""
        antigens = set(self.allele_serology[allele])
        antigens.update(
            self.broad_of_split[a] for a in self.allele_serology[allele] if a in self.broad_of_split
        )
        return frozenset(antigens)

    def tce_group(self, allele: int) -> int:
        """1, 2 or 3 for a DPB1 allele with an assignment, else 0."""
        return int(self.allele_tce[allele])

    def expression(self, allele: int) -> str:
        return expression_suffix(self.allele_names[allele])

    # ---- persistence -------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        splits = sorted(self.broad_of_split.items())
        associated = sorted(self.parent_of_associated.items())
        deleted = sorted(self.deleted.items())
        arrays: dict[str, npt.NDArray[np.generic]] = {
            "meta": np.array([FORMAT_VERSION, self.release, self.fingerprint]),
            "allele_names": np.array(self.allele_names),
            "allele_p": self.allele_p,
            "p_names": np.array(self.p_names),
            "allele_g": self.allele_g,
            "g_names": np.array(self.g_names),
            "allele_serology": np.array(["/".join(a) for a in self.allele_serology]),
            "allele_tce": self.allele_tce,
            "split_names": np.array([s for s, _ in splits]),
            "split_broads": np.array([b for _, b in splits]),
            "associated_names": np.array([a for a, _ in associated]),
            "associated_parents": np.array([p for _, p in associated]),
            "deleted_names": np.array([d for d, _ in deleted], dtype=str),
            "deleted_successors": np.array([s or "" for _, (s, _) in deleted], dtype=str),
            "deleted_reasons": np.array([r for _, (_, r) in deleted], dtype=str),
        }
        save_npz(path, arrays)

    @classmethod
    def open(cls, path: Path) -> ReferenceTables:
        with np.load(path, allow_pickle=False) as data:
            meta = data["meta"].tolist()
            if meta[0] != FORMAT_VERSION:
                raise ReferenceDataError(
                    f"{path}: table format {meta[0]}, expected {FORMAT_VERSION}"
                )
            text = {name: data[name].tolist() for name in _STRING_ARRAYS}
            return cls(
                release=meta[1],
                fingerprint=meta[2],
                allele_names=text["allele_names"],
                allele_p=data["allele_p"],
                p_names=text["p_names"],
                allele_g=data["allele_g"],
                g_names=text["g_names"],
                allele_serology=[tuple(s.split("/")) if s else () for s in text["allele_serology"]],
                allele_tce=data["allele_tce"],
                broad_of_split=dict(zip(text["split_names"], text["split_broads"], strict=True)),
                parent_of_associated=dict(
                    zip(text["associated_names"], text["associated_parents"], strict=True)
                ),
                deleted={
                    name: (successor or None, reason)
                    for name, successor, reason in zip(
                        text["deleted_names"],
                        text["deleted_successors"],
                        text["deleted_reasons"],
                        strict=True,
                    )
                },
            )

    @classmethod
    def build(cls, directory: Path) -> ReferenceTables:
        """Parse the release files in ``directory`` into tables."""
        names = imgt_files.read_allele_list(directory)
        p_of = imgt_files.read_groups(directory / "wmda" / "hla_nom_p.txt")
        g_of = imgt_files.read_groups(directory / "wmda" / "hla_nom_g.txt")
        serology = imgt_files.read_allele_serology(directory)
        relations = imgt_files.read_serology_relations(directory)
        tce = imgt_files.read_tce_groups(directory)
        current = set(names)
        deleted = {
            d.name: (d.successor, d.reason)
            for d in imgt_files.read_deleted_alleles(directory)
            if d.name not in current
        }
        p_index, p_names = _group_ids(names, p_of)
        g_index, g_names = _group_ids(names, g_of)
        return cls(
            release=imgt_files.read_release_version(directory),
            fingerprint=source_fingerprint(directory),
            allele_names=names,
            allele_p=p_index,
            p_names=p_names,
            allele_g=g_index,
            g_names=g_names,
            allele_serology=[tuple(serology.get(name, ())) for name in names],
            allele_tce=np.array([tce.get(name, 0) for name in names], dtype=np.int8),
            broad_of_split=relations.broad_of_split,
            parent_of_associated=relations.parent_of_associated,
            deleted=deleted,
        )


def _group_ids(
    names: list[str], group_of: dict[str, str]
) -> tuple[npt.NDArray[np.int32], list[str]]:
    """Number the groups; an allele in no group becomes a group of its own, named by itself."""
    ids: dict[str, int] = {}
    index = np.empty(len(names), dtype=np.int32)
    for allele, name in enumerate(names):
        group = group_of.get(name, name)
        index[allele] = ids.setdefault(group, len(ids))
    return index, list(ids)


def _members(
    group_names: list[str], allele_group: npt.NDArray[np.int32], suffix: str
) -> dict[str, list[int]]:
    members: dict[str, list[int]] = {}
    for allele, group in enumerate(allele_group.tolist()):
        name = group_names[group]
        if name.endswith(suffix):
            members.setdefault(name, []).append(allele)
    return members


def source_fingerprint(directory: Path) -> str:
    digest = hashlib.sha256()
    for relative in RELEASE_FILES:
        path = directory / relative
        if not path.is_file():
            raise ReferenceDataError(f"release file missing: {path}")
        digest.update(relative.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def table_cache_path(directory: Path, fingerprint: str) -> Path:
    release = imgt_files.read_release_version(directory)
    return cache_dir() / "tables" / f"hla-tables-{release}-{fingerprint[:16]}.npz"


@dataclass(frozen=True, slots=True)
class TableLoad:
    tables: ReferenceTables
    path: Path
    built: bool
    seconds: float


def load_tables_verbose(directory: Path | None = None, *, rebuild: bool = False) -> TableLoad:
    """Load the cached tables for the release directory, building them first when needed."""
    started = time.perf_counter()
    source = directory if directory is not None else reference_dir()
    fingerprint = source_fingerprint(source)
    path = table_cache_path(source, fingerprint)
    built = rebuild or not path.is_file()
    if built:
        ReferenceTables.build(source).save(path)
    tables = ReferenceTables.open(path)
    return TableLoad(tables, path, built, time.perf_counter() - started)


def load_tables(directory: Path | None = None, *, rebuild: bool = False) -> ReferenceTables:
    return load_tables_verbose(directory, rebuild=rebuild).tables
