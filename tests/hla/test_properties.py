"""Properties of the match count that must hold for any typings (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stemhub.hla import HLAEngine
from stemhub.hla.encoder import TypingEncoder
from stemhub.hla.encoding import GroupSetPool, _overlap_few, count_matrix, overlap_matrix

# Every typing form at locus A, including nulls, serology, MACs, XX, G and P groups.
TOKENS = [
    "A*01:01", "A*01:01:01:01", "A*01:01:38L", "A*01:11N", "A*02:01", "A*02:02", "A*02:03",
    "A*02:05", "A*02:01:01G", "A*02:01P", "A*03:01", "A*11:01", "A*24:02", "A*24:03",
    "A*23:01", "A*68:01", "A*02:XX", "A*24:XX", "A*02:AB", "A*01:ZZZ", "A*01:NUL", "A2", "A9",
    "A24", "A23", "A1", "A2403", "A*01:133",
]  # fmt: skip

positions = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=3, unique=True)
genotypes = st.tuples(positions, positions)
typings = st.lists(genotypes, min_size=1, max_size=2)

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def gl(typing: list[tuple[list[str], list[str]]]) -> str:
    return "|".join("/".join(a) + "+" + "/".join(b) for a, b in typing)


def count(engine: HLAEngine, patient: str, donor: str) -> int:
    return engine.matcher.locus_count(
        engine.parse(patient).loci["A"], engine.parse(donor).loci["A"]
    )


@PROPERTY_SETTINGS
@given(typings, typings)
def test_count_is_symmetric_between_patient_and_donor(
    engine: HLAEngine,
    patient: list[tuple[list[str], list[str]]],
    donor: list[tuple[list[str], list[str]]],
) -> None:
    assert count(engine, gl(patient), gl(donor)) == count(engine, gl(donor), gl(patient))


@PROPERTY_SETTINGS
@given(typings, typings)
def test_count_is_invariant_under_swapping_positions(
    engine: HLAEngine,
    patient: list[tuple[list[str], list[str]]],
    donor: list[tuple[list[str], list[str]]],
) -> None:
    swapped = [(b, a) for a, b in patient]
    assert count(engine, gl(patient), gl(donor)) == count(engine, gl(swapped), gl(donor))


@PROPERTY_SETTINGS
@given(typings, typings, st.sampled_from(TOKENS), st.integers(0, 1), st.booleans())
def test_adding_an_allele_to_an_ambiguity_list_never_lowers_the_count(
    engine: HLAEngine,
    patient: list[tuple[list[str], list[str]]],
    donor: list[tuple[list[str], list[str]]],
    extra: str,
    side: int,
    on_donor: bool,
) -> None:
    target = donor if on_donor else patient
    first, second = target[0]
    grown_genotype = ([*first, extra], second) if side == 0 else (first, [*second, extra])
    if extra in grown_genotype[side][:-1]:
        return
    # A null added to a list of expressed alleles is ignored; an expressed allele added to a
    # null-only position makes it expressed, which the null rule treats as a different typing.
    expressed = {
        engine.tables.is_null[a]
        for a in engine.parse(f"{extra}+{extra}").loci["A"].genotypes[0][0].alleles
    }
    before_position = engine.parse(gl([target[0]])).loci["A"].genotypes[0][side]
    if all(engine.tables.is_null[a] for a in before_position.alleles) and False in expressed:
        return
    grown = [grown_genotype, *target[1:]]
    before = count(engine, gl(patient), gl(donor))
    after = (
        count(engine, gl(patient), gl(grown)) if on_donor else count(engine, gl(grown), gl(donor))
    )
    assert after >= before


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(typings, min_size=1, max_size=6), st.lists(typings, min_size=1, max_size=6))
def test_vectorised_counts_equal_the_pairwise_rule(
    engine: HLAEngine,
    patients: list[list[tuple[list[str], list[str]]]],
    donors: list[list[tuple[list[str], list[str]]]],
) -> None:
    patient_encoder = TypingEncoder(engine.parser, engine.matcher, ("A",))
    donor_encoder = TypingEncoder(engine.parser, engine.matcher, ("A",))
    p_codes = [patient_encoder.encode(gl(p))["A"] for p in patients]
    d_codes = [donor_encoder.encode(gl(d))["A"] for d in donors]
    matrix = count_matrix(patient_encoder.pools["A"], donor_encoder.pools["A"])
    p_pool = patient_encoder.pool_map("A")[p_codes]
    d_pool = donor_encoder.pool_map("A")[d_codes]
    vectorised = matrix[np.ix_(p_pool, d_pool)]
    expected = [[count(engine, gl(p), gl(d)) for d in donors] for p in patients]
    assert vectorised.tolist() == expected


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.frozensets(st.integers(0, 40), min_size=1, max_size=6), min_size=1, max_size=40),
    st.lists(st.frozensets(st.integers(0, 40), min_size=1, max_size=6), min_size=1, max_size=40),
)
def test_every_overlap_strategy_agrees_with_set_intersection(
    left: list[frozenset[int]], right: list[frozenset[int]]
) -> None:
    a, b = GroupSetPool(), GroupSetPool()
    a_ids = [a.intern(s) for s in left]
    b_ids = [b.intern(s) for s in right]
    expected = [[not x.isdisjoint(y) for y in right] for x in left]
    for matrix in (overlap_matrix(a, b), _overlap_few(a, b)):
        assert matrix[np.ix_(a_ids, b_ids)].tolist() == expected
