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


@dataclass(frozen=True, slots=True)
class _Features:
    """What grading needs of one position, derived once per position (not once per pair)."""

    expressing: bool  # some allele is expressed
    p_groups: frozenset[int]  # P groups of the expressing alleles
    antigens: frozenset[str]  # the typed antigen, else the expressing alleles' antigens
    parents: frozenset[str]  # antigens with associated ones replaced by their parent
    broads: frozenset[str]  # the broad of each antigen
    associated: bool  # some antigen is an associated antigen
    single_allele: bool  # one named allele of the release
    proteins: frozenset[int]  # two-field (protein) ids of the expressing alleles
    g_groups: frozenset[int]  # G groups of the expressing alleles
    name: str | None  # the allele's name when exactly one allele is expressed
    three_fields: bool  # ... and that name has three or more fields
    cdna: str | None  # ... and its first three fields


# Bounded caches (a position holds its allele set): a long-running search stays small.
_FEATURES_KEPT = 50_000
_NULL_GRADES = frozenset(
    (Grade.NULL_GDNA, Grade.NULL_CDNA, Grade.NULL_PARTIAL, Grade.NULL_MISMATCH)
)
# Reachable by any expressing patient position: vs a null, a mismatch, serology, groups.
_EXPRESSING_GRADES = frozenset(
    (
        Grade.EXPRESSING_VS_NULL,
        Grade.MISMATCH,
        Grade.ASSOCIATED,
        Grade.SPLIT,
        Grade.BROAD,
        Grade.G_GROUP,
        Grade.P_GROUP,
    )
)
_PAIRS_KEPT = 200_000


class PositionGrader:
    """Grades one patient position against one donor position."""

    def __init__(self, tables: ReferenceTables, p_matcher: GroupMatcher) -> None:
        self.tables = tables
        self.p_matcher = p_matcher
        self._cache: dict[tuple[Position, Position], PositionGrade] = {}
        self._features: dict[Position, _Features] = {}

    def grade(self, patient: Position, donor: Position) -> PositionGrade:
        key = (patient, donor)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._grade(patient, donor)
            if len(self._cache) >= _PAIRS_KEPT:
                self._cache.clear()
            self._cache[key] = cached
        return cached

    def _expressing(self, position: Position) -> list[int]:
        ids = np.fromiter(position.alleles, dtype=np.int64, count=len(position.alleles))
        expressing: list[int] = ids[~self.tables.is_null[ids]].tolist()
        return expressing

    def features(self, position: Position) -> _Features:
        known = self._features.get(position)
        if known is None:
            if len(self._features) >= _FEATURES_KEPT:
                self._features.clear()
            known = self._derive(position)
            self._features[position] = known
        return known

    def _derive(self, position: Position) -> _Features:
        tables = self.tables
        expressing = self._expressing(position)
        antigens = frozenset(self._antigens(position, expressing))
        associated = tables.parent_of_associated
        name = tables.allele_names[expressing[0]] if len(expressing) == 1 else None
        return _Features(
            expressing=bool(expressing),
            p_groups=self.p_matcher.groups(position)[0],
            antigens=antigens,
            parents=frozenset(associated.get(a, a) for a in antigens),
            broads=frozenset(tables.broad_of(a) for a in antigens),
            associated=any(a in associated for a in antigens),
            single_allele=self._single_allele(position),
            proteins=frozenset(tables.allele_protein[expressing].tolist()),
            g_groups=frozenset(tables.allele_g[expressing].tolist()),
            name=name,
            three_fields=name is not None and len(split_name(name)[1]) >= 3,
            cdna=None if name is None else field_prefix(name, 3),
        )

    def reachable(self, patient: Position) -> tuple[frozenset[Grade], frozenset[Confidence]]:
        """Every grade and confidence `grade` can give this patient position, whatever the
        donor's: the branches of `_grade` the patient's own features leave open. Keep in step
        with `_grade` (the index search prunes with it; tests compare with full ranking).
        """
        p = self.features(patient)
        if not p.expressing:  # null-only: the null grades, or expressing vs null
            return _NULL_GRADES | {Grade.EXPRESSING_VS_NULL}, frozenset(
                (Confidence.DEFINITE, Confidence.POTENTIAL, Confidence.MISMATCH)
            )
        grades = set(_EXPRESSING_GRADES)
        if p.name is not None:
            grades.add(Grade.GDNA)
            if p.three_fields:
                grades.add(Grade.CDNA)
        if len(p.proteins) == 1:
            grades.add(Grade.PROTEIN)
        confidences = {Confidence.MISMATCH, Confidence.POTENTIAL}
        if len(p.p_groups) == 1:
            confidences.add(Confidence.EXACT)
            if p.single_allele:
                confidences.add(Confidence.DEFINITE)
        return frozenset(grades), frozenset(confidences)

    def reachable_unmatched(
        self, patient: Position, donor_may_be_null: bool
    ) -> tuple[frozenset[Grade], frozenset[Confidence]]:
        """As `reachable`, for a position whose P groups (after the null rules of
        `GroupMatcher.genotype_sets`) share none with the donor position's: both expressing
        means disjoint expressed P groups, a mismatch; an expressing patient position against
        a null-only donor position (only if ``donor_may_be_null``) is expressing vs null.
        """
        if not self.features(patient).expressing:
            return self.reachable(patient)
        grades = {Grade.MISMATCH}
        if donor_may_be_null:
            grades.add(Grade.EXPRESSING_VS_NULL)
        return frozenset(grades), frozenset((Confidence.MISMATCH,))

    def _grade(self, patient: Position, donor: Position) -> PositionGrade:
        p, d = self.features(patient), self.features(donor)
        if not p.expressing and not d.expressing:
            return self._null_grade(patient, donor)
        if not p.expressing or not d.expressing:
            return PositionGrade(Grade.EXPRESSING_VS_NULL, Confidence.MISMATCH, False)
        serology_grade = self._serology_grade(p, d)
        antigen_match = serology_grade in (Grade.ASSOCIATED, Grade.SPLIT) or (
            serology_grade is None and not p.p_groups.isdisjoint(d.p_groups)
        )
        if p.p_groups.isdisjoint(d.p_groups):
            return PositionGrade(Grade.MISMATCH, Confidence.MISMATCH, antigen_match)
        if len(p.p_groups) == 1 and len(d.p_groups) == 1:
            confidence = (
                Confidence.DEFINITE if p.single_allele and d.single_allele else Confidence.EXACT
            )
        else:
            confidence = Confidence.POTENTIAL
        if patient.kind == "serology" or donor.kind == "serology":
            return PositionGrade(serology_grade or Grade.BROAD, confidence, antigen_match)
        return PositionGrade(self._molecular_grade(p, d), confidence, antigen_match)

    def _single_allele(self, position: Position) -> bool:
        return (
            position.kind == "allele"
            and len(position.alleles) == 1
            and position.names[0] in self.tables.allele_id
        )

    @staticmethod
    def _molecular_grade(patient: _Features, donor: _Features) -> Grade:
        if patient.name is not None and donor.name is not None:
            if patient.name == donor.name:
                return Grade.GDNA
            if patient.three_fields and patient.cdna == donor.cdna:
                return Grade.CDNA
        if len(patient.proteins) == 1 and patient.proteins == donor.proteins:
            return Grade.PROTEIN
        if not patient.g_groups.isdisjoint(donor.g_groups):
            return Grade.G_GROUP
        return Grade.P_GROUP

    def _antigens(self, position: Position, expressing: list[int]) -> set[str]:
        if position.antigen is not None:
            return {position.antigen}
        serology = self.tables.allele_serology
        return {antigen for allele in expressing for antigen in serology[allele]}

    def _serology_grade(self, patient: _Features, donor: _Features) -> Grade | None:
        """ASSOCIATED / SPLIT / BROAD / MISMATCH at antigen level; None if either side has none."""
        if not patient.antigens or not donor.antigens:
            return None
        shared = patient.antigens & donor.antigens
        if shared:
            associated = self.tables.parent_of_associated
            if patient.associated and any(antigen in associated for antigen in shared):
                return Grade.ASSOCIATED
            return Grade.SPLIT
        if not patient.parents.isdisjoint(donor.parents):
            return Grade.SPLIT
        if not patient.broads.isdisjoint(donor.broads):
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
