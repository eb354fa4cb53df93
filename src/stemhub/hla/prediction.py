"""Match prediction: mismatch-count probabilities from a patient's and a donor's imputations.

Every (patient genotype, donor genotype) combination is weighted by the product of their
probabilities, renormalised over the listed (possibly truncated) pairs of each side. At a locus
two genotypes {a, b} and {c, d} are compared at the set's resolution: the mismatch count is
2 − the larger of [a=c]+[b=d] and [a=d]+[b=c]. Totals are summed over A, B, C, DRB1, DQB1
("10/10") and over A, B, C, DRB1 ("8/8"); a total needs every one of its loci in the set.

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
    imputation: Imputation, columns: list[int]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Distinct genotypes (per column an unordered-pair code) and their summed probability."""
    fs = imputation.frequencies
    width = max((len(fs.alleles[c]) for c in columns), default=1)
    a = fs.codes[imputation.first][:, columns].astype(np.int64)
    b = fs.codes[imputation.second][:, columns].astype(np.int64)
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


def predict_match(patient: Imputation, donor: Imputation) -> MatchPrediction:
    """P(0/1/2+ mismatches) over 10 and 8 loci, and per locus P(2/1/0 matched)."""
    fs = patient.frequencies
    if donor.frequencies is not fs:
        raise HLAError("patient and donor were imputed with different frequency sets")
    blamed: list[Side] = []
    if patient.inexplicable:
        blamed.append("patient")
    if donor.inexplicable:
        blamed.append("donor")
    if blamed:
        return MatchPrediction(fs.release, None, None, {}, tuple(blamed))

    loci = [locus for locus in MATCH_LOCI if locus in fs.loci]
    columns = [fs.loci.index(locus) for locus in loci]
    width = max(len(fs.alleles[c]) for c in columns)
    p_genotypes, p_weight = _genotypes(patient, columns)
    d_genotypes, d_weight = _genotypes(donor, columns)
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
