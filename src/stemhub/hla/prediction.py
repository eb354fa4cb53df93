"""Match prediction: mismatch-count probabilities from a patient's and a donor's imputations.

Every (patient genotype, donor genotype) combination is weighted by the product of their
probabilities, renormalised over the listed (possibly truncated) pairs of each side. At a locus
two genotypes {a, b} and {c, d} are compared at the set's resolution: the mismatch count is
2 − the larger of [a=c]+[b=d] and [a=d]+[b=c]. Totals are summed over A, B, C, DRB1, DQB1
("10/10") and over A, B, C, DRB1 ("8/8"); a total needs every one of its loci in the set.

Two sets: a patient and a donor of different populations are imputed with their own sets. Two
sets of the same resolution name alleles alike, so the donor's allele codes are translated into
the patient's set by name (an allele only the donor's set holds gets a code of its own, which
matches nothing of the patient's); loci are those both sets hold. Sets of different resolutions
(two-field against G groups) are refused: their names do not compare.

Speed: both sides' pairs collapse to distinct multi-locus genotypes (a pair list of 2,000 often
holds far fewer), the per-locus mismatch tables are computed between distinct locus genotypes,
and the joint count is one gather-and-sum per locus over distinct patient × donor genotypes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from stemhub.hla.errors import HLAError
from stemhub.hla.frequencies import FrequencySet
from stemhub.hla.genotype import EIGHT_LOCI, MATCH_LOCI
from stemhub.hla.imputation import Imputation

__all__ = ["LocusOdds", "MatchPrediction", "MismatchOdds", "Side", "predict_match"]

Side = Literal["patient", "donor"]


@dataclass(frozen=True, slots=True)
class MismatchOdds:
    """P(0), P(1) and P(2 or more) mismatches over a group of loci; ``distribution[k]`` is
    P(exactly k)."""

    p0: float
    p1: float
    p2: float
    distribution: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class LocusOdds:
    """P(2/2), P(1/2) and P(0/2) positions matched at one locus."""

    match2: float
    match1: float
    match0: float


@dataclass(frozen=True, slots=True)
class MatchPrediction:
    """``ten`` (A, B, C, DRB1, DQB1) and ``eight`` (A, B, C, DRB1) are None when the set lacks
    one of their loci; everything is empty and ``inexplicable`` names the side(s) when a typing
    has no consistent pair (count the alleles instead: `HLAEngine.match`)."""

    release: str
    ten: MismatchOdds | None
    eight: MismatchOdds | None
    loci: Mapping[str, LocusOdds]
    inexplicable: tuple[Side, ...] = ()


def _genotypes(
    imputation: Imputation,
    columns: list[int],
    width: int,
    translate: list[npt.NDArray[np.int64]] | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Distinct genotypes (per column an unordered-pair code) and their summed probability;
    ``translate`` maps each column's allele codes into another set's (see `_translation`)."""
    fs = imputation.frequencies
    a = fs.codes[imputation.first][:, columns].astype(np.int64)
    b = fs.codes[imputation.second][:, columns].astype(np.int64)
    if translate is not None:
        for k, table in enumerate(translate):
            a[:, k], b[:, k] = table[a[:, k]], table[b[:, k]]
    pair_codes = np.minimum(a, b) * width + np.maximum(a, b)
    distinct, inverse = np.unique(pair_codes, axis=0, return_inverse=True)
    weight = np.bincount(inverse.ravel(), weights=imputation.probability)
    return distinct, weight / weight.sum()


def _mismatch_table(
    patient: npt.NDArray[np.int64], donor: npt.NDArray[np.int64], width: int
) -> npt.NDArray[np.int8]:
    """Mismatches between every patient and donor locus genotype (unordered-pair codes)."""
    pa, pb = (patient // width)[:, None], (patient % width)[:, None]
    da, db = (donor // width)[None, :], (donor % width)[None, :]
    direct = (pa == da).astype(np.int8) + (pb == db)
    crossed = (pa == db).astype(np.int8) + (pb == da)
    mismatches: npt.NDArray[np.int8] = (2 - np.maximum(direct, crossed)).astype(np.int8)
    return mismatches


def _odds(
    tables: list[npt.NDArray[np.int8]],
    patient_index: list[npt.NDArray[np.intp]],
    donor_index: list[npt.NDArray[np.intp]],
    joint: npt.NDArray[np.float64],
) -> MismatchOdds:
    total = np.zeros(joint.shape, dtype=np.int8)
    for table, p, d in zip(tables, patient_index, donor_index, strict=True):
        total += table[p[:, None], d[None, :]]
    distribution = np.bincount(total.ravel(), weights=joint.ravel(), minlength=2 * len(tables) + 1)
    values = tuple(float(x) for x in distribution)
    return MismatchOdds(values[0], values[1], float(sum(values[2:])), values)


def _translation(
    patient: FrequencySet, donor: FrequencySet, loci: list[str]
) -> tuple[list[npt.NDArray[np.int64]], int]:
    """Per locus, the donor set's allele codes as the patient set's codes by allele name (a name
    the patient's set lacks gets a new code past the patient's), and the codes' width."""
    tables: list[npt.NDArray[np.int64]] = []
    width = 1
    for locus in loci:
        known = {name: code for code, name in enumerate(patient.alleles[patient.loci.index(locus)])}
        extra = len(known)
        table = np.zeros(len(donor.alleles[donor.loci.index(locus)]), dtype=np.int64)
        for code, name in enumerate(donor.alleles[donor.loci.index(locus)]):
            found = known.get(name)
            if found is None:
                found, extra = extra, extra + 1
            table[code] = found
        tables.append(table)
        width = max(width, extra)
    return tables, width


def predict_match(patient: Imputation, donor: Imputation) -> MatchPrediction:
    """P(0/1/2+ mismatches) over 10 and 8 loci, and per locus P(2/1/0 matched). The two sides
    may be imputed with different sets of the same resolution (compared by allele name)."""
    fs = patient.frequencies
    other = donor.frequencies
    if other is not fs and other.resolution != fs.resolution:
        raise HLAError(
            f"patient and donor were imputed with sets of different resolutions "
            f"({fs.resolution}, {other.resolution}): their allele names do not compare"
        )
    blamed: list[Side] = []
    if patient.inexplicable:
        blamed.append("patient")
    if donor.inexplicable:
        blamed.append("donor")
    if blamed:
        return MatchPrediction(fs.release, None, None, {}, tuple(blamed))

    loci = [locus for locus in MATCH_LOCI if locus in fs.loci and locus in other.loci]
    columns = [fs.loci.index(locus) for locus in loci]
    if other is fs:
        width = max(len(fs.alleles[c]) for c in columns)
        p_genotypes, p_weight = _genotypes(patient, columns, width)
        d_genotypes, d_weight = _genotypes(donor, columns, width)
    else:
        translate, width = _translation(fs, other, loci)
        p_genotypes, p_weight = _genotypes(patient, columns, width)
        d_columns = [other.loci.index(locus) for locus in loci]
        d_genotypes, d_weight = _genotypes(donor, d_columns, width, translate)
    joint = p_weight[:, None] * d_weight[None, :]

    tables: dict[str, npt.NDArray[np.int8]] = {}
    p_index: dict[str, npt.NDArray[np.intp]] = {}
    d_index: dict[str, npt.NDArray[np.intp]] = {}
    per_locus: dict[str, LocusOdds] = {}
    for k, locus in enumerate(loci):
        p_codes, p_inv = np.unique(p_genotypes[:, k], return_inverse=True)
        d_codes, d_inv = np.unique(d_genotypes[:, k], return_inverse=True)
        table = _mismatch_table(p_codes, d_codes, width)
        tables[locus], p_index[locus], d_index[locus] = table, p_inv.ravel(), d_inv.ravel()
        p_locus = np.bincount(p_inv.ravel(), weights=p_weight)
        d_locus = np.bincount(d_inv.ravel(), weights=d_weight)
        mass = p_locus[:, None] * d_locus[None, :]
        counts = np.bincount(table.ravel(), weights=mass.ravel(), minlength=3)
        per_locus[locus] = LocusOdds(float(counts[0]), float(counts[1]), float(counts[2]))

    def over(group: tuple[str, ...]) -> MismatchOdds | None:
        if any(locus not in tables for locus in group):
            return None
        return _odds(
            [tables[locus] for locus in group],
            [p_index[locus] for locus in group],
            [d_index[locus] for locus in group],
            joint,
        )

    return MatchPrediction(fs.release, over(MATCH_LOCI), over(EIGHT_LOCI), per_locus)
