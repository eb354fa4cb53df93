"""Haplotype frequency sets: reading, validation against a release, and the set's resolution.

A set is a CSV of ``haplotype,count,frequency`` rows (plain or gzip, header optional) whose
haplotypes join one allele per locus with ``~`` (``A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01``,
the format of NMDP's and the WMDA validation study's ``*.freqs`` files). Every row must name the
same loci in the same order, every allele must be known to the release at the set's resolution,
frequencies must be positive and sum to 1 within ``tolerance`` (published sets are rounded and
cut below a minimum frequency: the WMDA CAU set of 3,380 haplotypes sums to 0.99669).

The resolution is detected from the names: any ``G`` group makes a G-group set, any ``P`` group a
P-group set, otherwise the set is two-field. Every allele of the release reduces to one *key* at
that resolution (`allele_keys`); a typing is compared with the set through those keys, so a
typing of any resolution is reduced the same way as the set was.

Hapl-o-Mat's output (``format="haplomat"``) is ``haplotype<TAB>frequency`` per line, no header
and no count; its g groups (``A*26:01g``: a P group plus the null alleles of that protein) are
read as the P group they are named after, and a name that is not one of the set's resolution (a
g group of one allele written by the allele's name, a locus kept at more fields) as the one group
its expressed alleles fall in. Rows that become one haplotype at the set's resolution are refused.

A validated set is cached as ``.npz`` beside the release's tables, keyed by the SHA-256 of the
file and the release, so loading the same file again skips validation (`frequency_cache_path`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import hashlib
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from stemhub.hla.config import cache_dir
from stemhub.hla.errors import HLAError
from stemhub.hla.names import EXPRESSION_SUFFIXES, split_name
from stemhub.hla.npzfile import pack_strings, save_npz, unpack_strings
from stemhub.hla.tables import ReferenceTables

__all__ = [
    "DEFAULT_SUM_TOLERANCE",
    "FrequencyFormat",
    "FrequencySet",
    "FrequencySetError",
    "Provenance",
    "Resolution",
    "allele_keys",
    "frequency_cache_path",
    "read_frequency_set",
]

Resolution = Literal["two_field", "g_group", "p_group"]
FrequencyFormat = Literal["csv", "haplomat"]

# |sum of frequencies - 1| allowed: rounding to five decimals and the cut of rare haplotypes.
DEFAULT_SUM_TOLERANCE = 0.01
_HEADER = ("haplotype", "count", "frequency")
_WANTED: dict[Resolution, str] = {
    "two_field": "two-field name",
    "g_group": "G group",
    "p_group": "P group",
}
_CACHE_FORMAT = "1"


class FrequencySetError(HLAError):
    """A frequency file is unreadable or inconsistent; names the file, line and token."""

    def __init__(self, path: Path | str, line: int | None, token: str, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.token = token
        self.reason = reason
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {token!r}: {reason}")


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a set comes from. ``release`` is the IPD-IMGT/HLA release it was validated against,
    ``resolution`` the one detected from its names; the rest is what the caller declares."""

    source: str
    release: str
    resolution: Resolution
    population: str | None = None
    sample_size: int | None = None


@dataclass(frozen=True, eq=False)
class FrequencySet:
    """Validated haplotypes of one population, indexed for imputation.

    ``codes[h, i]`` is the allele of haplotype ``h`` at ``loci[i]``, as an index into
    ``alleles[i]`` (the set's names at that locus); ``allele_code[i][a]`` maps allele id ``a`` of
    the release to that index, or -1 when its key is not in the set.
    """

    provenance: Provenance
    loci: tuple[str, ...]
    haplotypes: tuple[str, ...]
    frequency: npt.NDArray[np.float64]
    codes: npt.NDArray[np.int32]
    alleles: tuple[tuple[str, ...], ...]
    allele_code: tuple[npt.NDArray[np.int32], ...]

    def __len__(self) -> int:
        return len(self.haplotypes)

    @property
    def release(self) -> str:
        return self.provenance.release

    @property
    def resolution(self) -> Resolution:
        return self.provenance.resolution

    def locus_index(self, locus: str) -> int | None:
        return self.loci.index(locus) if locus in self.loci else None


def allele_keys(tables: ReferenceTables, resolution: Resolution) -> list[str]:
    """Per allele id of the release, its name at ``resolution``.

    * ``g_group`` / ``p_group``: the group's name; an allele in no group is its own (as in the
      tables: every null is outside the P groups).
    * ``two_field``: the first two fields; the expression suffix is kept only when every allele
      under those two fields carries it (``A*01:11N``), so ``A*01:01:01:02N`` reduces to
      ``A*01:01``, the protein the other ``A*01:01`` alleles share.
    """
    if resolution == "g_group":
        return [tables.g_names[g] for g in tables.allele_g.tolist()]
    if resolution == "p_group":
        return [tables.p_names[p] for p in tables.allele_p.tolist()]
    bases: list[str] = []
    suffixes: dict[str, set[str]] = {}
    for name in tables.allele_names:
        locus, fields, suffix = split_name(name)
        base = f"{locus}*{':'.join(fields[:2])}"
        bases.append(base)
        suffixes.setdefault(base, set()).add(suffix)
    keys: list[str] = []
    for base in bases:
        shared = suffixes[base]
        keys.append(base + next(iter(shared)) if len(shared) == 1 else base)
    return keys


def detect_resolution(names: set[str]) -> Resolution | None:
    """``g_group`` if any name is a G group, ``p_group`` if any is a P group; None when both."""
    has_g = any(name.endswith("G") for name in names)
    has_p = any(name.endswith("P") for name in names)
    if has_g and has_p:
        return None
    return "g_group" if has_g else "p_group" if has_p else "two_field"


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FrequencySetError(path, None, path.name, f"cannot read: {exc}") from exc


def _text(path: Path, raw: bytes) -> str:
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return raw.decode("utf-8")
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError) as exc:
        raise FrequencySetError(path, None, path.name, f"cannot read: {exc}") from exc


def _rows(path: Path, text: str, format: FrequencyFormat) -> list[tuple[int, list[str], float]]:
    """(line number, allele names, frequency) of each data row; checks the columns."""
    rows: list[tuple[int, list[str], float]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if format == "haplomat":
            cells = [cell.strip() for cell in line.split("\t")]
            if len(cells) != 2:
                raise FrequencySetError(
                    path,
                    number,
                    line[:60],
                    "expected two tab-separated columns: haplotype, frequency",
                )
            haplotype, frequency = cells
        else:
            cells = [cell.strip() for cell in line.split(",")]
            if tuple(cell.lower() for cell in cells) == _HEADER and not rows:
                continue
            if len(cells) != 3:
                hint = " (a Hapl-o-Mat file? read it as format 'haplomat')" if "\t" in line else ""
                raise FrequencySetError(
                    path,
                    number,
                    line[:60],
                    f"expected three columns: haplotype,count,frequency{hint}",
                )
            haplotype, count, frequency = cells
            if not count.isdigit():
                raise FrequencySetError(path, number, count, "count must be a whole number >= 0")
        try:
            value = float(frequency)
        except ValueError:
            raise FrequencySetError(path, number, frequency, "frequency is not a number") from None
        if not math.isfinite(value) or value <= 0:
            raise FrequencySetError(path, number, frequency, "frequency must be positive")
        rows.append((number, haplotype.removeprefix("HLA-").split("~"), value))
    if not rows:
        raise FrequencySetError(path, None, path.name, "no haplotypes")
    return rows


def _as_written(name: str) -> str:
    return name


def _reduced_names(name: str, keys: list[str], tables: ReferenceTables) -> set[str]:
    """The set's names the alleles under ``name`` reduce to. Hapl-o-Mat writes a g group of a
    single allele by the allele's name, and a locus kept at another resolution by allele names
    (``DRB1*11:90``, ``B*44:79:02``): such a name stands for its group when it has only one."""
    exact = tables.allele_id.get(name)
    if exact is not None:
        return {keys[exact]}
    suffix = name[-1] if name[-1] in EXPRESSION_SUFFIXES else ""
    alleles = tables.alleles_under(name[:-1] if suffix else name)
    if suffix:
        alleles = [a for a in alleles if tables.allele_names[a].endswith(suffix)]
    else:  # a name without suffix names the expressed alleles (as Hapl-o-Mat's g groups do)
        alleles = [a for a in alleles if not tables.is_null[a]] or alleles
    return {keys[a] for a in alleles}


def _haplomat_name(name: str) -> str:
    """Hapl-o-Mat names its g groups (an IPD-IMGT/HLA P group plus the null alleles of the same
    protein) after the P group with a lowercase ``g``: ``A*26:01g`` is read as ``A*26:01P``."""
    return name[:-1] + "P" if name.endswith("g") else name


def read_frequency_set(
    path: Path,
    tables: ReferenceTables,
    *,
    source: str | None = None,
    population: str | None = None,
    sample_size: int | None = None,
    resolution: Resolution | None = None,
    tolerance: float = DEFAULT_SUM_TOLERANCE,
    format: FrequencyFormat = "csv",
) -> FrequencySet:
    """Read and validate a set against ``tables``; the first problem raises `FrequencySetError`.

    ``format``: ``csv`` (``haplotype,count,frequency``) or ``haplomat`` (Hapl-o-Mat's
    ``haplotype<TAB>frequency``, see the module's docstring). ``resolution`` overrides
    detection (a two-field set must then hold no group names). A set
    validated once is cached (see `frequency_cache_path`): the same file content against the
    same release is read back without validating again; the sum is checked every time.
    """
    raw = _read_bytes(path)
    cached = frequency_cache_path(hashlib.sha256(raw).hexdigest(), tables, resolution, format)
    fs = _open_cached(cached, tables)
    if fs is None:
        fs = _validated(path, _text(path, raw), tables, resolution, format)
        _save_cached(cached, fs, tables)
    total = float(fs.frequency.sum())
    if abs(total - 1.0) > tolerance:
        raise FrequencySetError(
            path, None, path.name, f"frequencies sum to {total:.6f}, not 1 within {tolerance}"
        )
    provenance = Provenance(
        source=source or str(path),
        release=tables.release,
        resolution=fs.resolution,
        population=population,
        sample_size=sample_size,
    )
    return dataclasses.replace(fs, provenance=provenance)


def _validated(
    path: Path,
    text: str,
    tables: ReferenceTables,
    resolution: Resolution | None,
    format: FrequencyFormat,
) -> FrequencySet:
    rows = _rows(path, text, format)
    first_line, first_names, _ = rows[0]
    loci = tuple(name.partition("*")[0] for name in first_names)
    if len(set(loci)) != len(loci):
        raise FrequencySetError(path, first_line, "~".join(first_names), "a locus appears twice")
    read = _haplomat_name if format == "haplomat" else _as_written
    names = {read(name.removeprefix("HLA-")) for _, row, _ in rows for name in row}
    detected = detect_resolution(names)
    if detected is None:
        raise FrequencySetError(path, None, path.name, "the set mixes G and P groups")
    chosen: Resolution = resolution or detected

    keys = allele_keys(tables, chosen)
    allele_locus = tables.allele_locus
    per_locus: list[dict[str, int]] = [{} for _ in loci]  # key -> code, in order of appearance
    known: dict[str, set[str]] = {locus: set() for locus in loci}
    for key, locus in zip(keys, allele_locus, strict=True):
        if locus in known:
            known[locus].add(key)

    seen: dict[tuple[int, ...], tuple[int, str]] = {}  # alleles -> (line, haplotype)
    codes = np.empty((len(rows), len(loci)), dtype=np.int32)
    frequency = np.empty(len(rows), dtype=np.float64)
    haplotypes: list[str] = []
    for row, (number, row_names, value) in enumerate(rows):
        haplotype = "~".join(row_names)
        if len(row_names) != len(loci):
            raise FrequencySetError(
                path, number, haplotype, f"{len(row_names)} loci, the set has {len(loci)}"
            )
        for column, (locus, written) in enumerate(zip(loci, row_names, strict=True)):
            token = written.removeprefix("HLA-")
            name = read(token)
            if name.partition("*")[0] != locus:
                raise FrequencySetError(
                    path, number, token, f"expected locus {locus} in column {column + 1}"
                )
            set_name = name if name in known[locus] else None
            if set_name is None and format == "haplomat":
                reduced = _reduced_names(name, keys, tables)
                if len(reduced) > 1:
                    raise FrequencySetError(
                        path,
                        number,
                        token,
                        f"covers {len(reduced)} {_WANTED[chosen]}s ({', '.join(sorted(reduced))})",
                    )
                set_name = reduced.pop() if reduced else None
            if set_name is None:
                raise FrequencySetError(path, number, token, _unknown_reason(name, chosen, tables))
            codes[row, column] = per_locus[column].setdefault(set_name, len(per_locus[column]))
        alleles = tuple(codes[row].tolist())
        if alleles in seen:
            line, first = seen[alleles]
            reason = (
                f"haplotype repeated (first on line {line})"
                if first == haplotype
                else f"the same haplotype as line {line} at {_WANTED[chosen]} resolution"
            )
            raise FrequencySetError(path, number, haplotype, reason)
        seen[alleles] = (number, haplotype)
        frequency[row] = value
        haplotypes.append(haplotype)

    allele_code: list[npt.NDArray[np.int32]] = []
    for locus, index in zip(loci, per_locus, strict=True):
        allele_code.append(
            np.array(
                [
                    index.get(key, -1) if key_locus == locus else -1
                    for key, key_locus in zip(keys, allele_locus, strict=True)
                ],
                dtype=np.int32,
            )
        )
    return FrequencySet(
        provenance=Provenance(source=str(path), release=tables.release, resolution=chosen),
        loci=loci,
        haplotypes=tuple(haplotypes),
        frequency=frequency,
        codes=codes,
        alleles=tuple(tuple(index) for index in per_locus),
        allele_code=tuple(allele_code),
    )


# ---- cache of validated sets ------------------------------------------------------------------


def frequency_cache_path(
    digest: str,
    tables: ReferenceTables,
    resolution: Resolution | None = None,
    format: FrequencyFormat = "csv",
) -> Path:
    """Where a set validated against ``tables`` is cached: under the engine's cache directory
    (`config.cache_dir`, as the release's tables), named by the SHA-256 of the file's bytes,
    the release and its tables' fingerprint, the resolution asked for (``auto``: detected) and
    the format read."""
    name = (
        f"freqs-{tables.release}-{tables.fingerprint[:16]}-{digest[:32]}-"
        f"{resolution or 'auto'}-{format}"
    )
    return cache_dir() / "frequencies" / f"{name}.npz"


def _save_cached(path: Path, fs: FrequencySet, tables: ReferenceTables) -> None:
    arrays: dict[str, npt.NDArray[np.generic]] = {
        "meta": np.array([_CACHE_FORMAT, tables.release, tables.fingerprint, fs.resolution]),
        "loci": np.array(fs.loci),
        "frequency": fs.frequency,
        "codes": fs.codes,
        "allele_code": np.stack(fs.allele_code),
    }
    arrays["haplotypes.utf8"], arrays["haplotypes.offsets"] = pack_strings(list(fs.haplotypes))
    for column, names in enumerate(fs.alleles):
        arrays[f"alleles.{column}.utf8"], arrays[f"alleles.{column}.offsets"] = pack_strings(
            list(names)
        )
    with contextlib.suppress(OSError):  # a read-only cache only costs the next load validation
        save_npz(path, arrays)


def _open_cached(path: Path, tables: ReferenceTables) -> FrequencySet | None:
    """The cached set, or None when there is none (or it is unreadable or of another release)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            version, release, fingerprint, resolution = data["meta"].tolist()
            if (version, release, fingerprint) != (
                _CACHE_FORMAT,
                tables.release,
                tables.fingerprint,
            ):
                return None
            loci = tuple(data["loci"].tolist())
            allele_code = data["allele_code"].astype(np.int32)
            return FrequencySet(
                provenance=Provenance(str(path), release, resolution),
                loci=loci,
                haplotypes=tuple(
                    unpack_strings(data["haplotypes.utf8"], data["haplotypes.offsets"])
                ),
                frequency=data["frequency"].astype(np.float64),
                codes=data["codes"].astype(np.int32),
                alleles=tuple(
                    tuple(unpack_strings(data[f"alleles.{c}.utf8"], data[f"alleles.{c}.offsets"]))
                    for c in range(len(loci))
                ),
                allele_code=tuple(allele_code[c] for c in range(len(loci))),
            )
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None


def _unknown_reason(name: str, resolution: Resolution, tables: ReferenceTables) -> str:
    locus = name.partition("*")[0]
    if locus not in tables.loci:
        return f"unknown locus {locus}"
    if name in tables.deleted:
        return f"deleted from IPD-IMGT/HLA {tables.release}"
    return f"not a {_WANTED[resolution]} of IPD-IMGT/HLA {tables.release}"
