"""Batch imputation and match prediction (``stemhub hla impute`` / ``stemhub hla predict``).

Input: ``ID%GL`` lines as for ``stemhub hla match`` (plain or gzip, ``#`` comments and blank lines
skipped; a bad line stops the run naming file, line and token). Output files appear only when
complete (written to a temporary file, then renamed).

* impute: TSV ``id rank hap1 hap2 probability``, the pairs of each typing in descending
  probability, haplotypes as written in the frequency file, probabilities normalised over every
  consistent pair (so a truncated list sums to less than 1). A typing no pair explains gets one
  row ``ID 0 - - inexplicable``.
* predict: TSV ``patient donor p0 p1 p2`` (10/10, 9/10, 8/10-or-worse over A, B, C, DRB1, DQB1),
  ``p0_8 p1_8 p2_8`` (over A, B, C, DRB1), per locus ``<locus>_2 <locus>_1 <locus>_0``
  (P of 2, 1, 0 positions matched), then ``status`` (``predicted``, or ``inexplicable:patient``,
  ``inexplicable:donor``, ``inexplicable:patient,donor``) and ``counted`` (only for inexplicable
  pairs: the allele-level potential mismatch count over the same five loci, `HLAEngine.match`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stemhub.hla.batch import id_gl_lines, written_whole
from stemhub.hla.engine import HLAEngine
from stemhub.hla.frequencies import FrequencySet
from stemhub.hla.genotype import MATCH_LOCI, Typing
from stemhub.hla.imputation import DEFAULT_TOP, Imputation
from stemhub.hla.prediction import MismatchOdds

__all__ = ["ImputationSummary", "impute_file", "predict_files", "read_typings"]


@dataclass(frozen=True, slots=True)
class ImputationSummary:
    typings: int
    inexplicable: list[str]
    rows: int


def read_typings(path: Path, engine: HLAEngine) -> list[tuple[str, str, Typing]]:
    """(id, GL string, parsed typing) per line; the first bad line raises `BatchInputError`."""
    return list(id_gl_lines(path, engine.parse))


def impute_file(
    typings_path: Path,
    out_path: Path,
    *,
    engine: HLAEngine,
    frequencies: FrequencySet,
    top: int | None = DEFAULT_TOP,
    progress: Callable[[str], None] | None = None,
) -> ImputationSummary:
    say = progress or (lambda message: None)
    typings = read_typings(typings_path, engine)
    say(f"read {len(typings)} typings from {typings_path}")
    inexplicable: list[str] = []
    rows = 0
    with written_whole(out_path) as tmp, open(tmp, "w", encoding="utf-8") as out:
        out.write("id\trank\thap1\thap2\tprobability\n")
        for identifier, _, typing in typings:
            result = engine.impute(typing, frequencies, top=top)
            if result.inexplicable:
                inexplicable.append(identifier)
                out.write(f"{identifier}\t0\t-\t-\tinexplicable\n")
                continue
            for rank, (hap1, hap2, probability) in enumerate(result.pairs(), start=1):
                out.write(f"{identifier}\t{rank}\t{hap1}\t{hap2}\t{probability:.10g}\n")
            rows += len(result)
    return ImputationSummary(len(typings), inexplicable, rows)


def _cells(odds: MismatchOdds | None) -> list[str]:
    """Blank when the set lacks one of the loci of the total."""
    return ["", "", ""] if odds is None else [f"{p:.10g}" for p in (odds.p0, odds.p1, odds.p2)]


def predict_files(
    patients_path: Path,
    donors_path: Path,
    out_path: Path,
    *,
    engine: HLAEngine,
    frequencies: FrequencySet,
    top: int | None = DEFAULT_TOP,
    progress: Callable[[str], None] | None = None,
) -> ImputationSummary:
    """Every patient against every donor, sorted by patient then donor (string order)."""
    say = progress or (lambda message: None)
    loci = [locus for locus in MATCH_LOCI if locus in frequencies.loci]
    sides: list[list[tuple[str, str, Imputation]]] = []
    for label, path in (("patients", patients_path), ("donors", donors_path)):
        typings = sorted(read_typings(path, engine), key=lambda row: row[0])
        sides.append(
            [(i, gl, engine.impute(typing, frequencies, top=top)) for i, gl, typing in typings]
        )
        say(f"imputed {len(typings)} {label} from {path}")
    patients, donors = sides
    inexplicable = sorted({i for side in sides for i, _, result in side if result.inexplicable})
    header = ["patient", "donor", "p0", "p1", "p2", "p0_8", "p1_8", "p2_8"]
    header += [f"{locus}_{n}" for locus in loci for n in (2, 1, 0)]
    header += ["status", "counted"]
    rows = 0
    with written_whole(out_path) as tmp, open(tmp, "w", encoding="utf-8") as out:
        out.write("\t".join(header) + "\n")
        for patient_id, patient_gl, patient in patients:
            for donor_id, donor_gl, donor in donors:
                prediction = engine.predict(patient, donor)
                cells = [patient_id, donor_id]
                if prediction.inexplicable:
                    counted = engine.match(patient_gl, donor_gl).mismatches
                    cells += [""] * (6 + 3 * len(loci))
                    cells += [f"inexplicable:{','.join(prediction.inexplicable)}", str(counted)]
                else:
                    cells += _cells(prediction.ten) + _cells(prediction.eight)
                    for locus in loci:
                        odds = prediction.loci[locus]
                        cells += [f"{p:.10g}" for p in (odds.match2, odds.match1, odds.match0)]
                    cells += ["predicted", ""]
                out.write("\t".join(cells) + "\n")
                rows += 1
    return ImputationSummary(len(patients) + len(donors), inexplicable, rows)
