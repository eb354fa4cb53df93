"""Imputation agrees with an independent brute force, and keeps its properties, on typings
generated from the CAU set.

The brute force shares only the parser with the engine: it reduces each position's alleles to
two-field names by string arithmetic and tries every unordered pair of a subset of haplotypes in
plain Python, with no allele codes, masks or numpy.
"""

from __future__ import annotations

import gzip
import random
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stemhub.hla import FrequencySet, HLAEngine, Typing
from tests.hla.imputation_support import CAU, as_dict, donor_generator

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@cache
def cau_rows() -> list[tuple[str, float]]:
    with gzip.open(CAU, "rt") as handle:
        return [(h, float(f)) for h, _, f in (line.strip().split(",") for line in handle)]


@pytest.fixture(scope="module")
def cau(engine: HLAEngine) -> FrequencySet:
    return engine.load_frequencies(CAU)


def two_field(name: str) -> str:
    locus, _, fields = name.partition("*")
    parts = fields.rstrip("NLSCAQ").split(":")
    return f"{locus}*{parts[0]}:{parts[1]}"


def brute_force(engine: HLAEngine, typing: Typing, rows: list[tuple[str, float]]) -> dict:
    """Every unordered pair of ``rows`` consistent with the typing, normalised."""
    names = engine.tables.allele_names
    allowed = {
        locus: [
            (
                {two_field(names[a]) for a in left.alleles},
                {two_field(names[a]) for a in right.alleles},
            )
            for left, right in locus_typing.genotypes
        ]
        for locus, locus_typing in typing.loci.items()
    }
    haplotypes = [({n.split("*")[0]: two_field(n) for n in h.split("~")}, h, f) for h, f in rows]
    weights: dict[frozenset[str], float] = {}
    for i, (first, h1, f1) in enumerate(haplotypes):
        for second, h2, f2 in haplotypes[i:]:
            consistent = all(
                any(
                    (first[locus] in s1 and second[locus] in s2)
                    or (first[locus] in s2 and second[locus] in s1)
                    for s1, s2 in alternatives
                )
                for locus, alternatives in allowed.items()
                if locus in first
            )
            if consistent:
                weights[frozenset((h1, h2))] = f1 * f1 if h1 == h2 else 2 * f1 * f2
    total = sum(weights.values())
    return {pair: w / total for pair, w in weights.items()} if weights else {}


def test_imputation_agrees_with_brute_force_on_generated_mixed_resolution_typings(
    engine: HLAEngine, tmp_path: Path
) -> None:
    rows = sorted(cau_rows(), key=lambda row: -row[1])
    subset = rows[:120] + random.Random(15).sample(rows[120:], 80)
    total = sum(f for _, f in subset)
    path = tmp_path / "subset.csv"
    path.write_text("".join(f"{h},1,{f / total!r}\n" for h, f in subset))
    subset_set = engine.load_frequencies(path)
    generated = list(donor_generator().generate(40, seed=15, prefix="T", haplotypes_path=path))
    kinds = {"serology": 0, "xx": 0, "mac": 0, "allele_list": 0, "g_group": 0}
    multi_pair = 0
    for _, gl in generated:
        typing = engine.parse(gl)
        for locus_typing in typing.loci.values():
            for position in locus_typing.genotypes[0]:
                if position.kind in kinds:
                    kinds[position.kind] += 1
        expected = brute_force(engine, typing, subset)
        found = engine.impute(typing, subset_set, top=None)
        assert found.inexplicable == (not expected), gl
        got = as_dict(found.pairs())
        assert got.keys() == expected.keys(), gl
        for pair, probability in expected.items():
            assert got[pair] == pytest.approx(probability, rel=1e-9, abs=1e-15), gl
        multi_pair += len(got) > 1
    # the generated typings really are of mixed resolution and ambiguous
    assert all(kinds.values()), kinds
    assert multi_pair >= 8


# ---- properties on the whole CAU set -----------------------------------------------------------

LOCI = ("A", "C", "B", "DRB1", "DQB1")


@st.composite
def typings(draw: st.DrawFn) -> tuple[list[list[list[str]]], tuple[str, str]]:
    """A typing made from two CAU haplotypes, each locus kept, widened to a list, XX or untyped.
    Per locus: a list of the two positions' allele-name lists ([] when untyped)."""
    rows = cau_rows()
    h1 = rows[draw(st.integers(0, len(rows) - 1))][0].split("~")
    h2 = rows[draw(st.integers(0, len(rows) - 1))][0].split("~")
    all_names = [sorted({row[0].split("~")[k] for row in rows}) for k in range(len(LOCI))]
    loci: list[list[list[str]]] = []
    for k in range(len(LOCI)):
        form = draw(st.sampled_from(["allele", "allele", "list", "xx", "untyped"]))
        if form == "untyped" and k > 0:
            loci.append([])
            continue
        positions = []
        for true in (h1[k], h2[k]):
            if form == "xx":
                positions.append([true.split(":")[0] + ":XX"])
            elif form == "list":
                extra = draw(st.lists(st.sampled_from(all_names[k]), max_size=3))
                positions.append(sorted({true, *extra}))
            else:
                positions.append([true])
        loci.append(positions)
    return loci, ("~".join(h1), "~".join(h2))


def gl_of(loci: list[list[list[str]]]) -> str:
    return "^".join("+".join("/".join(p) for p in positions) for positions in loci if positions)


@SETTINGS
@given(typings())
def test_probabilities_sum_to_one_and_the_true_pair_is_among_them(
    engine: HLAEngine, cau: FrequencySet, drawn: tuple[list[list[list[str]]], tuple[str, str]]
) -> None:
    loci, truth = drawn
    result = engine.impute(gl_of(loci), cau, top=None)
    assert not result.inexplicable
    assert result.covered == pytest.approx(1.0, abs=1e-9)
    assert frozenset(truth) in as_dict(result.pairs())
    assert all(result.probability[:-1] >= result.probability[1:])


@SETTINGS
@given(typings(), st.data())
def test_adding_an_allele_to_a_list_never_removes_a_pair(
    engine: HLAEngine,
    cau: FrequencySet,
    drawn: tuple[list[list[list[str]]], tuple[str, str]],
    data: st.DataObject,
) -> None:
    loci, _ = drawn
    typed = [k for k, positions in enumerate(loci) if positions]
    k = data.draw(st.sampled_from(typed))
    side = data.draw(st.integers(0, 1))
    names = sorted({row[0].split("~")[k] for row in cau_rows()})
    added = data.draw(st.sampled_from(names))
    wider = [[list(p) for p in positions] for positions in loci]
    wider[k][side] = sorted({*wider[k][side], added})
    before = as_dict(engine.impute(gl_of(loci), cau, top=None).pairs())
    after = as_dict(engine.impute(gl_of(wider), cau, top=None).pairs())
    assert before.keys() <= after.keys()
