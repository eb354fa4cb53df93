"""Batch matching in the WMDA matching-validation format (``stemhub hla match``).

Input: ``ID%GL-string`` lines (plain or gzip). Output: TSV ``patient donor <loci...>
mismatches``, one row per pair within the mismatch limit, sorted by patient then donor; a locus
column holds 0/1/2 matched positions or ``-`` where it is not typed on both sides.

Speed comes from never looking at a pair in Python: counts are computed between distinct
typings (`count_matrix`), gathered per patient block into one combined code per pair (one base-4
digit per locus), and rows are assembled from zero-padded byte matrices whose padding is then
squeezed out in one boolean-mask pass.
"""

from __future__ import annotations

import gzip
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import numpy as np
import numpy.typing as npt

from stemhub.hla.encoder import UNTYPED, TypingEncoder
from stemhub.hla.encoding import count_matrix
from stemhub.hla.errors import HLAError, TypingError
from stemhub.hla.matching import GroupMatcher
from stemhub.hla.parser import TypingParser

__all__ = ["BatchInputError", "BatchSummary", "Cohort", "match_files", "read_cohort"]

ROWS_PER_BLOCK = 1_000_000
_UNTYPED_DIGIT = 3


class BatchInputError(HLAError):
    """A line of a batch input file is bad; the message names file, line and token."""


@dataclass(frozen=True, slots=True)
class Cohort:
    ids: list[str]
    codes: dict[str, npt.NDArray[np.int32]]  # locus -> text id per person, -1 when untyped


@dataclass(frozen=True, slots=True)
class BatchSummary:
    release: str
    patients: int
    donors: int
    rows: int
    seconds: float


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as raw, io.TextIOWrapper(cast(IO[bytes], raw), "utf-8") as text:
            yield from enumerate(text, start=1)
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise BatchInputError(f"{path}: cannot read: {exc}") from exc


def id_gl_lines[T](path: Path, read: Callable[[str], T]) -> Iterator[tuple[str, str, T]]:
    """(ID, GL string, ``read(GL)``) for each line of an ``ID%GL`` file, skipping blank lines
    and ``#`` comments; the first bad line raises `BatchInputError` naming file, line and
    token."""
    seen: set[str] = set()
    for number, line in _lines(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        identifier, percent, gl = line.partition("%")
        identifier = identifier.strip()
        if not percent or not identifier:
            raise BatchInputError(f"{path}:{number}: {line[:60]!r}: expected 'ID%GL-string'")
        if identifier in seen:
            raise BatchInputError(f"{path}:{number}: {identifier!r}: duplicate ID")
        try:
            value = read(gl)
        except TypingError as exc:
            raise BatchInputError(
                f"{path}:{number}: {exc.token!r}: {exc.reason} (ID {identifier})"
            ) from exc
        seen.add(identifier)
        yield identifier, gl.strip(), value


@contextmanager
def written_whole(path: Path) -> Iterator[Path]:
    """A temporary file beside `path`, moved onto it only when the block ends without an
    error: a reader never sees half an output."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_cohort(path: Path, encoder: TypingEncoder) -> Cohort:
    """Parse an ``ID%GL`` file; the first bad line raises `BatchInputError`."""
    ids: list[str] = []
    per_locus: dict[str, list[int]] = {locus: [] for locus in encoder.loci}
    for identifier, _, codes in id_gl_lines(path, encoder.encode):
        ids.append(identifier)
        for locus, column in per_locus.items():
            column.append(codes.get(locus, UNTYPED))
    return Cohort(ids, {locus: np.array(v, dtype=np.int32) for locus, v in per_locus.items()})


def _padded(texts: list[bytes]) -> npt.NDArray[np.uint8]:
    width = max((len(t) for t in texts), default=0)
    array = np.frombuffer(b"".join(t.ljust(width, b"\0") for t in texts), dtype=np.uint8)
    return array.reshape(len(texts), width) if texts else np.zeros((0, 0), dtype=np.uint8)


def _suffixes(n_loci: int) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int16]]:
    """Per combined code: the TSV tail (loci columns + mismatches) and its mismatch total."""
    tails: list[bytes] = []
    totals: list[int] = []
    for code in range(4**n_loci):
        digits = [(code >> (2 * i)) & 3 for i in range(n_loci)]
        cells = ["-" if d == _UNTYPED_DIGIT else str(d) for d in digits]
        total = sum(2 - d for d in digits if d != _UNTYPED_DIGIT)
        tails.append(("\t".join(cells) + f"\t{total}\n").encode())
        totals.append(total)
    return _padded(tails), np.array(totals, dtype=np.int16)


def match_files(
    patients_path: Path,
    donors_path: Path,
    out_path: Path,
    *,
    parser: TypingParser,
    matcher: GroupMatcher,
    loci: tuple[str, ...],
    max_mismatches: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> BatchSummary:
    """Match every patient against every donor; the output file appears only when complete."""
    started = time.perf_counter()
    say = progress or (lambda message: None)
    patient_encoder = TypingEncoder(parser, matcher, loci)
    # Same parser and matcher: the donors reuse the positions the patients resolved.
    donor_encoder = TypingEncoder(parser, matcher, loci, positions=patient_encoder.positions)
    patients = read_cohort(patients_path, patient_encoder)
    say(f"read {len(patients.ids)} patients from {patients_path}")
    donors = read_cohort(donors_path, donor_encoder)
    say(f"read {len(donors.ids)} donors from {donors_path}")

    patient_order = np.array(sorted(range(len(patients.ids)), key=patients.ids.__getitem__))
    donor_order = np.array(sorted(range(len(donors.ids)), key=donors.ids.__getitem__))
    n_donors = donor_order.size

    # Per locus: counts between distinct typings, with one extra row/column for "untyped".
    tables: list[npt.NDArray[np.int8]] = []
    patient_codes: list[npt.NDArray[np.int32]] = []
    donor_codes: list[npt.NDArray[np.int32]] = []
    for locus in loci:
        counts = count_matrix(patient_encoder.pools[locus], donor_encoder.pools[locus])
        padded = np.full((counts.shape[0] + 1, counts.shape[1] + 1), _UNTYPED_DIGIT, np.int8)
        padded[:-1, :-1] = counts
        tables.append(padded)
        patient_codes.append(_pool_codes(patient_encoder, locus, patients, patient_order))
        donor_codes.append(_pool_codes(donor_encoder, locus, donors, donor_order))
    say(f"counted distinct typings at {','.join(loci)}")

    tails, totals = _suffixes(len(loci))
    patient_fields = _padded([(patients.ids[i] + "\t").encode() for i in patient_order])
    donor_fields = _padded([(donors.ids[i] + "\t").encode() for i in donor_order])
    block = max(1, ROWS_PER_BLOCK // max(n_donors, 1))
    rows = 0
    with written_whole(out_path) as tmp, open(tmp, "wb", buffering=1 << 22) as out:
        out.write(("\t".join(("patient", "donor", *loci, "mismatches")) + "\n").encode())
        for start in range(0, patient_order.size, block):
            stop = min(start + block, patient_order.size)
            combined = np.zeros((stop - start, n_donors), dtype=np.int32)
            for shift, (table, p_codes, d_codes) in enumerate(
                zip(tables, patient_codes, donor_codes, strict=True)
            ):
                digits = table[p_codes[start:stop, None], d_codes[None, :]]
                combined |= digits.astype(np.int32) << (2 * shift)
            if max_mismatches is None:
                p_rows, d_rows = np.divmod(np.arange(combined.size), n_donors)
                codes = combined.ravel()
            else:
                p_rows, d_rows = np.nonzero(totals[combined] <= max_mismatches)
                codes = combined[p_rows, d_rows]
            matrix = np.concatenate(
                (patient_fields[p_rows + start], donor_fields[d_rows], tails[codes]), axis=1
            )
            out.write(matrix[matrix != 0].tobytes())
            rows += codes.size
            say(f"matched {stop}/{patient_order.size} patients, {rows} rows")
    return BatchSummary(
        parser.tables.release,
        len(patients.ids),
        len(donors.ids),
        rows,
        time.perf_counter() - started,
    )


def _pool_codes(
    encoder: TypingEncoder, locus: str, cohort: Cohort, order: npt.NDArray[np.intp]
) -> npt.NDArray[np.int32]:
    """Pool id per person in sorted order; untyped maps to the table's extra last index."""
    pool_map = np.append(encoder.pool_map(locus), np.int32(len(encoder.pools[locus])))
    text_ids = cohort.codes[locus][order]
    return pool_map[np.where(text_ids == UNTYPED, pool_map.size - 1, text_ids)]


def stderr_progress(message: str) -> None:
    print(f"stemhub hla match: {message}", file=sys.stderr, flush=True)
