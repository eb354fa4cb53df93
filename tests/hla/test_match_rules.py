"""One table of cases per matching rule of domain.md §4 (potential match at P-group level).

Expected counts follow from the rule and from facts checked against the IMGT files or py-ard in
the same test (e.g. that two alleles share a P group), never from the engine's own output.
"""

from __future__ import annotations

from typing import Any

import pytest

from stemhub.hla import Grade, HLAEngine, MatchCriteria
from tests.hla import imgt_facts
from tests.pyard_support import get_ard

ONLY_A = MatchCriteria(match_loci=("A",), score_loci=("A",))


def count_at_a(engine: HLAEngine, patient: str, donor: str) -> int | None:
    return engine.match(patient, donor, ONLY_A).loci["A"].count


CASES = [
    # rule, patient, donor, matched positions at A
    ("null in a list is ignored", "A*01:01+A*02:01", "A*01:01/A*01:11N+A*02:01", 2),
    ("null in a list is ignored", "A*01:11N+A*02:01", "A*01:11N/A*03:01+A*02:01", 1),
    ("null-only position: homozygous", "A*01:01+A*01:11N", "A*01:01+A*01:01", 2),
    ("null-only position: homozygous", "A*01:01+A*01:11N", "A*01:01+A*02:01", 1),
    ("null-only position: homozygous", "A*02:01+A*03:01", "A*02:01+A*01:11N", 1),
    ("homozygous patient", "A*02:01+A*02:01", "A*02:01+A*03:01", 1),
    ("homozygous donor", "A*02:01+A*03:01", "A*02:01+A*02:01", 1),
    ("single chromosome typed means homozygous", "A*02:01+A*03:01", "A*02:01", 1),
    ("cross orientation", "A*01:01+A*02:01", "A*02:01+A*01:01", 2),
    ("cross orientation", "A*01:01+A*02:01", "A*02:01+A*03:01", 1),
    ("serology broad covers its splits", "A*24:02+A*01:01", "A9+A1", 2),
    ("serology: another split does not", "A*24:02+A*01:01", "A23+A1", 1),
    ("serology covers its associated antigen", "A*24:03+A*01:01", "A24+A1", 2),
    ("serology vs serology", "A2+A24", "A9+A2", 2),
    ("MAC with a null: null ignored", "A*01:133+A*02:01", "A*01:ZZZ+A*02:01", 2),
    ("MAC of nulls only: homozygous", "A*01:01+A*02:01", "A*01:NUL+A*02:01", 1),
    ("generic MAC expands under the first field", "A*02:02+A*03:01", "A*02:AB+A*03:01", 2),
    ("generic MAC expands under the first field", "A*02:03+A*03:01", "A*02:AB+A*03:01", 1),
    ("XX code", "A*02:01+A*01:01", "A*02:XX+A*01:01", 2),
    ("XX code", "A*02:01+A*01:01", "A*03:XX+A*01:01", 1),
    ("first field alone is an XX code", "A*02:01+A*01:01", "A*02+A*01", 2),
    ("G group input", "A*02:01+A*01:01", "A*02:01:01G+A*01:01:01G", 2),
    ("P group input", "A*02:01:01:01+A*01:01:38L", "A*02:01P+A*01:01P", 2),
    (
        "genotype ambiguity: best alternative",
        "A*01:01+A*02:01",
        "A*03:01+A*11:01|A*01:01+A*02:01",
        2,
    ),
]


@pytest.mark.parametrize(("rule", "patient", "donor", "expected"), CASES)
def test_match_count_rule(
    engine: HLAEngine, rule: str, patient: str, donor: str, expected: int
) -> None:
    assert count_at_a(engine, patient, donor) == expected, rule


def test_the_facts_the_cases_rest_on_hold_in_the_release() -> None:
    """The expectations above assume these P-group facts; check them against py-ard."""
    ard: Any = get_ard()
    assert ard.redux("A*01:01:38L", "P") == ard.redux("A*01:01:01:01", "P")  # same protein
    assert ard.redux("A*02:02", "P") != ard.redux("A*02:01", "P")
    assert ard.redux("A*02:03", "P") not in {ard.redux("A*02:01", "P"), ard.redux("A*02:02", "P")}
    assert ard.redux("A*24:03:01:01", "S") == "A2403"  # associated antigen of A24
    assert "A24" in ard.redux("A*24:02:01:01", "S").split("/")


def test_p_level_match_between_different_alleles_of_one_p_group(engine: HLAEngine) -> None:
    ard: Any = get_ard()
    first, second = "A*01:01:01:01", "A*01:01:38L"
    expected = 2 if ard.redux(first, "P") == ard.redux(second, "P") else 1
    assert count_at_a(engine, f"{first}+A*02:01", f"{second}+A*02:01") == expected


def test_g_group_matches_a_patient_only_through_shared_p_groups(engine: HLAEngine) -> None:
    ard: Any = get_ard()
    g_members = [
        name for name in imgt_facts.allele_names() if ard.redux(name, "G") == "A*02:01:01G"
    ]
    shares = any(ard.redux(m, "P") == ard.redux("A*02:02", "P") for m in g_members)
    assert count_at_a(engine, "A*02:02+A*03:01", "A*02:01:01G+A*03:01") == (2 if shares else 1)


def test_untyped_locus_is_reported_untyped_never_as_a_match(engine: HLAEngine) -> None:
    result = engine.match(
        "A*01:01+A*02:01^B*08:01+B*07:02^DQB1*02:01+DQB1*06:02",
        "A*01:01+A*02:01^B*08:01+B*07:02",
        MatchCriteria(),
    )
    assert result.loci["DQB1"].count is None
    assert not result.loci["DQB1"].typed
    assert result.loci["C"].count is None
    assert result.untyped_loci == ("C", "DRB1", "DQB1", "DPB1")
    assert result.mismatches == 0
    assert result.loci["A"].count == 2


def test_mismatches_sum_over_typed_counted_loci(engine: HLAEngine) -> None:
    result = engine.match(
        "A*01:01+A*02:01^B*08:01+B*07:02^DRB1*15:01+DRB1*03:01",
        "A*01:01+A*03:01^B*44:02+B*07:02^DRB1*15:01+DRB1*03:01",
    )
    assert [result.loci[locus].count for locus in ("A", "B", "DRB1")] == [1, 1, 2]
    assert result.mismatches == 2
    assert result.release == engine.release


def _tce_allele(group: str) -> str:
    return next(a for a, g in imgt_facts.tce_v2_groups().items() if g == group and ":" in a)


@pytest.mark.parametrize(
    ("patient_group", "donor_group", "expected"),
    [
        ("1", "3", "non_permissive_gvh"),  # the patient carries the more immunogenic group
        ("3", "1", "non_permissive_hvg"),  # the donor does
        ("2", "1", "non_permissive_hvg"),
        ("3", "3", "permissive"),
    ],
)
def test_dpb1_tce_direction(
    engine: HLAEngine, patient_group: str, donor_group: str, expected: str
) -> None:
    groups = imgt_facts.tce_v2_groups()
    patient_allele = _tce_allele(patient_group)
    donor_allele = next(
        a
        for a, g in groups.items()
        if g == donor_group and ":" in a and a.split(":")[:2] != patient_allele.split(":")[:2]
    )
    criteria = MatchCriteria(match_loci=(), score_loci=("DPB1",))
    result = engine.match(
        f"DPB1*{patient_allele.split('*')[1]}+DPB1*{patient_allele.split('*')[1]}",
        f"DPB1*{donor_allele.split('*')[1]}+DPB1*{donor_allele.split('*')[1]}",
        criteria,
    )
    assert result.loci["DPB1"].count == 0
    assert result.loci["DPB1"].dpb1 == expected


def test_dpb1_identical_typing_is_a_match(engine: HLAEngine) -> None:
    allele = _tce_allele("3")
    criteria = MatchCriteria(match_loci=(), score_loci=("DPB1",))
    result = engine.match(f"{allele}+{allele}", f"{allele}+{allele}", criteria)
    assert result.loci["DPB1"].dpb1 == "match"


GRADE_CASES = [
    ("A*01:01:01:01", "A*01:01:01:01", Grade.GDNA),
    ("A*01:01:01:01", "A*01:01:01:03", Grade.CDNA),
    ("A*02:01", "A*02:01", Grade.PROTEIN),
    ("A*01:01:01:01", "A*01:01:38L", Grade.PROTEIN),
    ("A24", "A*24:02", Grade.SPLIT),
    ("A9", "A*24:02", Grade.BROAD),
    ("A2403", "A*24:03:01:01", Grade.ASSOCIATED),
    ("A*01:01", "A*02:01", Grade.MISMATCH),
    ("A*01:11N", "A*01:11N", Grade.NULL_GDNA),
    ("A*01:01", "A*01:11N", Grade.EXPRESSING_VS_NULL),
]


@pytest.mark.parametrize(("patient", "donor", "grade"), GRADE_CASES)
def test_position_grade(engine: HLAEngine, patient: str, donor: str, grade: Grade) -> None:
    p = engine.parse(f"{patient}+A*68:01").loci["A"].genotypes[0][0]
    d = engine.parse(f"{donor}+A*68:01").loci["A"].genotypes[0][0]
    assert engine.grader.grade(p, d).grade is grade


def _two_field(name: str) -> str:
    return ":".join(name.split(":")[:2]).rstrip("NLSCAQ")


def _pair_sharing(
    ard: Any, level: str, differing: str | None, min_fields: int = 4
) -> tuple[str, str]:
    """Two expressed A alleles with the same ``level`` group but different two-field names
    (and, if ``differing`` is given, different groups at that level), found via py-ard."""
    seen: dict[str, str] = {}
    for name in imgt_facts.allele_names():
        if not name.startswith("A*") or name.endswith("N") or name.count(":") < min_fields - 1:
            continue
        group = ard.redux(name, level)
        other = seen.setdefault(group, name)
        if _two_field(other) != _two_field(name) and (
            differing is None or ard.redux(other, differing) != ard.redux(name, differing)
        ):
            return other, name
    raise AssertionError(f"no such pair at {level}")


def test_g_group_grade_for_different_proteins_with_identical_exons_2_and_3(
    engine: HLAEngine,
) -> None:
    first, second = _pair_sharing(get_ard(), "G", None)
    p = engine.parse(f"{first}+A*68:01").loci["A"].genotypes[0][0]
    d = engine.parse(f"{second}+A*68:01").loci["A"].genotypes[0][0]
    assert engine.grader.grade(p, d).grade is Grade.G_GROUP


def test_p_group_grade_for_same_protein_domain_but_different_g_groups(engine: HLAEngine) -> None:
    first, second = _pair_sharing(get_ard(), "P", "G", min_fields=2)
    p = engine.parse(f"{first}+A*68:01").loci["A"].genotypes[0][0]
    d = engine.parse(f"{second}+A*68:01").loci["A"].genotypes[0][0]
    assert engine.grader.grade(p, d).grade is Grade.P_GROUP
    assert count_at_a(engine, f"{first}+A*68:01", f"{second}+A*68:01") == 2


def test_confidence_levels(engine: HLAEngine) -> None:
    def confidence(patient: str, donor: str) -> str:
        p = engine.parse(f"{patient}+A*68:01").loci["A"].genotypes[0][0]
        d = engine.parse(f"{donor}+A*68:01").loci["A"].genotypes[0][0]
        return engine.grader.grade(p, d).confidence.value

    assert confidence("A*01:01:01:01", "A*01:01:01:01") == "definite"
    assert confidence("A*01:01", "A*01:01:01:01") == "exact"
    assert confidence("A*01:XX", "A*01:01") == "potential"
    assert confidence("A*01:01", "A*02:01") == "mismatch"


def test_antigen_match_flag(engine: HLAEngine) -> None:
    def flag(patient: str, donor: str) -> bool:
        p = engine.parse(f"{patient}+A*68:01").loci["A"].genotypes[0][0]
        d = engine.parse(f"{donor}+A*68:01").loci["A"].genotypes[0][0]
        return engine.grader.grade(p, d).antigen_match

    assert flag("A*02:01", "A*02:01")
    assert flag("A24", "A*24:02")
    assert not flag("A*01:01", "A*02:01")
    assert not flag("A9", "A*23:01")  # a broad-only match is no antigen match
