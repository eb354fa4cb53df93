"""Per-position grade, confidence and antigen-match flag (Atlas-style), and DPB1 TCE scoring.

Grades, best first: gDNA (same full allele), cDNA (same first three fields), protein (same first
two fields), G group, P group; then for serology-typed positions associated, split, broad; then
mismatch. Null positions get their own grades: null-vs-null at gDNA / cDNA / partial (two-field)
level or null mismatch, and expressing-vs-null.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

import numpy as np

from stemhub.hla.genotype import Position
from stemhub.hla.matching import GroupMatcher
from stemhub.hla.names import field_prefix, split_name
from stemhub.hla.tables import ReferenceTables

__all__ = [
    "Confidence",
    "DPB1Permissiveness",
    "Grade",
    "PositionGrade",
    "PositionGrader",
    "TcePermissiveness",
]


class Grade(Enum):
    GDNA = "gdna"
    CDNA = "cdna"
    PROTEIN = "protein"
    G_GROUP = "g_group"
    P_GROUP = "p_group"
    NULL_GDNA = "null_gdna"
    NULL_CDNA = "null_cdna"
    NULL_PARTIAL = "null_partial"
    ASSOCIATED = "associated"
    SPLIT = "split"
    BROAD = "broad"
    NULL_MISMATCH = "null_mismatch"
    EXPRESSING_VS_NULL = "expressing_vs_null"
    MISMATCH = "mismatch"


class Confidence(Enum):
    DEFINITE = "definite"
    EXACT = "exact"
    POTENTIAL = "potential"
    MISMATCH = "mismatch"


@dataclass(frozen=True, slots=True)
class PositionGrade:
    grade: Grade
    confidence: Confidence
    antigen_match: bool


class PositionGrader:
    """Grades one patient position against one donor position."""

    def __init__(self, tables: ReferenceTables, p_matcher: GroupMatcher) -> None:
        self.tables = tables
        self.p_matcher = p_matcher
        self._cache: dict[tuple[Position, Position], PositionGrade] = {}

    def grade(self, patient: Position, donor: Position) -> PositionGrade:
        key = (patient, donor)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._grade(patient, donor)
            if len(self._cache) < 500_000:
                self._cache[key] = cached
        return cached

    def _expressing(self, position: Position) -> list[int]:
        ids = np.fromiter(position.alleles, dtype=np.int64, count=len(position.alleles))
        expressing: list[int] = ids[~self.tables.is_null[ids]].tolist()
        return expressing

    def _grade(self, patient: Position, donor: Position) -> PositionGrade:
        p_expr, d_expr = self._expressing(patient), self._expressing(donor)
        if not p_expr and not d_expr:
            return self._null_grade(patient, donor)
        if not p_expr or not d_expr:
            return PositionGrade(Grade.EXPRESSING_VS_NULL, Confidence.MISMATCH, False)
        p_groups, _ = self.p_matcher.groups(patient)
        d_groups, _ = self.p_matcher.groups(donor)
        serology_grade = self._serology_grade(patient, p_expr, donor, d_expr)
        antigen_match = serology_grade in (Grade.ASSOCIATED, Grade.SPLIT) or (
            serology_grade is None and not p_groups.isdisjoint(d_groups)
        )
        if p_groups.isdisjoint(d_groups):
            return PositionGrade(Grade.MISMATCH, Confidence.MISMATCH, antigen_match)
        if len(p_groups) == 1 and len(d_groups) == 1:
            confidence = (
                Confidence.DEFINITE
                if self._single_allele(patient) and self._single_allele(donor)
                else Confidence.EXACT
            )
        else:
            confidence = Confidence.POTENTIAL
        if patient.kind == "serology" or donor.kind == "serology":
            return PositionGrade(serology_grade or Grade.BROAD, confidence, antigen_match)
        return PositionGrade(self._molecular_grade(p_expr, d_expr), confidence, antigen_match)

    def _single_allele(self, position: Position) -> bool:
        return (
            position.kind == "allele"
            and len(position.alleles) == 1
            and position.names[0] in self.tables.allele_id
        )

    def _molecular_grade(self, patient: list[int], donor: list[int]) -> Grade:
        names = self.tables.allele_names
        if len(patient) == 1 and len(donor) == 1:
            p_name, d_name = names[patient[0]], names[donor[0]]
            if p_name == d_name:
                return Grade.GDNA
            if len(split_name(p_name)[1]) >= 3 and field_prefix(p_name, 3) == field_prefix(
                d_name, 3
            ):
                return Grade.CDNA
        protein = self.tables.allele_protein
        p_proteins = np.unique(protein[patient])
        if p_proteins.size == 1 and np.array_equal(p_proteins, np.unique(protein[donor])):
            return Grade.PROTEIN
        allele_g = self.tables.allele_g
        if np.intersect1d(allele_g[patient], allele_g[donor]).size:
            return Grade.G_GROUP
        return Grade.P_GROUP

    def _antigens(self, position: Position, expressing: list[int]) -> set[str]:
        if position.antigen is not None:
            return {position.antigen}
        serology = self.tables.allele_serology
        return {antigen for allele in expressing for antigen in serology[allele]}

    def _serology_grade(
        self, patient: Position, p_expr: list[int], donor: Position, d_expr: list[int]
    ) -> Grade | None:
        """ASSOCIATED / SPLIT / BROAD / MISMATCH at antigen level; None if either side has none."""
        p_antigens = self._antigens(patient, p_expr)
        d_antigens = self._antigens(donor, d_expr)
        if not p_antigens or not d_antigens:
            return None
        associated = self.tables.parent_of_associated
        shared = p_antigens & d_antigens
        if any(antigen in associated for antigen in shared):
            return Grade.ASSOCIATED
        if shared:
            return Grade.SPLIT
        p_parents = {associated.get(a, a) for a in p_antigens}
        d_parents = {associated.get(a, a) for a in d_antigens}
        if p_parents & d_parents:
            return Grade.SPLIT
        broad_of = self.tables.broad_of
        if {broad_of(a) for a in p_antigens} & {broad_of(a) for a in d_antigens}:
            return Grade.BROAD
        return Grade.MISMATCH

    def _null_grade(self, patient: Position, donor: Position) -> PositionGrade:
        names = self.tables.allele_names
        shared = patient.alleles & donor.alleles
        if shared and len(patient.alleles) == 1 and len(donor.alleles) == 1:
            return PositionGrade(Grade.NULL_GDNA, Confidence.DEFINITE, True)
        p_names = [names[a] for a in patient.alleles]
        d_names = [names[a] for a in donor.alleles]
        for fields, grade in ((3, Grade.NULL_CDNA), (2, Grade.NULL_PARTIAL)):
            if {field_prefix(n, fields) for n in p_names} & {
                field_prefix(n, fields) for n in d_names
            }:
                return PositionGrade(grade, Confidence.POTENTIAL, True)
        return PositionGrade(Grade.NULL_MISMATCH, Confidence.MISMATCH, True)


DPB1Permissiveness = Literal[
    "match", "permissive", "non_permissive_gvh", "non_permissive_hvg", "unknown"
]


class TcePermissiveness:
    """DPB1 T-cell-epitope permissiveness (TCE version 2 groups 1 > 2 > 3 in immunogenicity).

    Compares the most immunogenic (lowest-numbered) group present in patient and donor: equal is
    permissive; the patient's lower is non-permissive in the graft-versus-host direction; the
    donor's lower non-permissive in the host-versus-graft direction. A typing whose group is not
    certain (unassigned allele, or an ambiguity spanning groups) gives ``unknown``.
    """

    def __init__(self, tables: ReferenceTables) -> None:
        self.tables = tables

    def _group(self, first: Position, second: Position) -> int:
        groups: list[int] = []
        for position in (first, second):
            values = {
                self.tables.tce_group(a) for a in position.alleles if not self.tables.is_null[a]
            }
            if len(values) > 1 or 0 in values:
                return 0
            groups.extend(values)
        return min(groups) if groups else 0

    def classify(
        self, patient: tuple[Position, Position], donor: tuple[Position, Position], count: int
    ) -> DPB1Permissiveness:
        if count == 2:
            return "match"
        patient_group = self._group(*patient)
        donor_group = self._group(*donor)
        if not patient_group or not donor_group:
            return "unknown"
        if patient_group == donor_group:
            return "permissive"
        return "non_permissive_gvh" if patient_group < donor_group else "non_permissive_hvg"
