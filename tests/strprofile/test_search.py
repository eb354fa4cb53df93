"""Searching many references: filters, best and worst of conflicting sources, the order.

The scores below reuse the hand-worked query Q and reference R of test_scoring.py: on their 8
shared STR loci Q has 15 alleles, R 14, and they share 10 (Tanabe 20/29 = 68.97 %).
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from stemhub.strprofile import (
    Reference,
    SearchParameters,
    StrIndex,
    compare,
    format_score,
    parse_profile,
)

Q_TEXT = (
    "Amelogenin:X,Y;CSF1PO:11,12;D5S818:11,13;D7S820:10;D13S317:9,12;D16S539:11,13;"
    "TH01:6,9.3;TPOX:8,11;vWA:16,18;D3S1358:15,16"
)
Q = parse_profile(Q_TEXT)
R_LOCI = {
    "Amelogenin": ["X"],
    "CSF1PO": ["11", "12"],
    "D5S818": ["11"],
    "D7S820": ["10", "11"],
    "D13S317": ["9", "12"],
    "D16S539": ["12", "13"],
    "TH01": ["6", "9.3"],
    "TPOX": ["8"],
    "vWA": ["17", "19"],
    "FGA": ["21", "22"],
}


def rows(matches):
    return [(m.accession, m.markers, format_score(m.score), m.kind) for m in matches]


def with_alternatives(accession, alternatives, sources=None):
    profile = {locus: [alleles] for locus, alleles in R_LOCI.items()}
    profile.update(alternatives)
    return Reference.from_alternatives(accession, accession.lower(), profile, sources)


def test_a_single_profile_is_reported_with_its_score():
    index = StrIndex.build([Reference.from_profile("CVCL_R", "r", R_LOCI)])
    assert rows(index.search(Q)) == [("CVCL_R", 8, "68.97", "single")]


def test_the_score_filter_applies_to_the_unrounded_score():
    index = StrIndex.build([Reference.from_profile("CVCL_R", "r", R_LOCI)])
    assert index.search(Q, SearchParameters(score_filter=68.96))
    # 68.9655 prints as 68.97 but is below a 68.97 filter.
    assert not index.search(Q, SearchParameters(score_filter=68.97))


def test_min_markers_counts_the_scored_loci_without_amelogenin():
    index = StrIndex.build([Reference.from_profile("CVCL_R", "r", R_LOCI)])
    assert index.search(Q, SearchParameters(min_markers=8))
    assert not index.search(Q, SearchParameters(min_markers=9))
    # With Amelogenin scored the row shows 9 markers, but only 8 are STR loci.
    amel = index.search(Q, SearchParameters(min_markers=8, include_amelogenin=True))
    assert rows(amel) == [("CVCL_R", 9, "68.75", "single")]  # 22/32
    assert not index.search(Q, SearchParameters(min_markers=9, include_amelogenin=True))
    # Query markers mode scores 9 STR loci (D3S1358 too): 20/31 = 64.52 %.
    query_mode = SearchParameters(mode="query", min_markers=9)
    assert rows(index.search(Q, query_mode)) == [("CVCL_R", 9, "64.52", "single")]


def test_conflicting_sources_give_the_best_and_the_worst_combination():
    # TPOX 8 or 8,11. With 8,11: shared 10+1 = 11, R 14+1 = 15 → 22/30 = 73.33 (best);
    # with 8 it is R itself, 68.97 (worst).
    reference = with_alternatives("CVCL_C", {"TPOX": [["8"], ["8", "11"]]})
    index = StrIndex.build([reference])
    assert rows(index.search(Q)) == [
        ("CVCL_C", 8, "73.33", "best"),
        ("CVCL_C", 8, "68.97", "worst"),
    ]
    # Only the best score must pass the filter; the worst comes along below it.
    assert [m.kind for m in index.search(Q, SearchParameters(score_filter=70))] == [
        "best",
        "worst",
    ]
    assert index.search(Q, SearchParameters(score_filter=74)) == []


TWO_LOCI = {"TPOX": [["8", "11"], ["8"]], "vWA": [["17", "19"], ["16", "18"]]}


def test_every_combination_is_scored_when_sources_are_unknown():
    # 4 combinations of TPOX {8,11 | 8} × vWA {17,19 | 16,18}:
    #   8,11 + 16,18: shared 10+1+2 = 13, R 15 → 26/30 = 86.67 (best)
    #   8    + 17,19: R itself → 20/29 = 68.97 (worst)
    index = StrIndex.build([with_alternatives("CVCL_C", TWO_LOCI)])
    assert rows(index.search(Q)) == [
        ("CVCL_C", 8, "86.67", "best"),
        ("CVCL_C", 8, "68.97", "worst"),
    ]


def test_known_sources_keep_each_sources_data_together_as_clastr_does():
    # Source A says TPOX 8,11 and vWA 17,19; source B says TPOX 8 and vWA 16,18.
    #   A: shared 10+1 = 11, R 15 → 22/30 = 73.33 (worst)
    #   B: shared 10+2 = 12, R 14 → 24/29 = 82.76 (best)
    sources = {"TPOX": [["A"], ["B"]], "vWA": [["A"], ["B"]]}
    index = StrIndex.build([with_alternatives("CVCL_C", TWO_LOCI, sources)])
    assert rows(index.search(Q)) == [
        ("CVCL_C", 8, "82.76", "best"),
        ("CVCL_C", 8, "73.33", "worst"),
    ]


def test_ties_go_to_more_markers_then_to_the_accession():
    same = {locus: sorted(alleles) for locus, alleles in Q.loci.items()}
    eight = {k: v for k, v in same.items() if k != "D3S1358"}
    index = StrIndex.build(
        [
            Reference.from_profile("CVCL_B", "b", eight),
            Reference.from_profile("CVCL_A", "a", eight),
            Reference.from_profile("CVCL_Z", "z", same),
        ]
    )
    assert rows(index.search(Q)) == [
        ("CVCL_Z", 9, "100.00", "single"),
        ("CVCL_A", 8, "100.00", "single"),
        ("CVCL_B", 8, "100.00", "single"),
    ]


def test_max_results_counts_references_not_rows():
    index = StrIndex.build(
        [
            with_alternatives("CVCL_C", {"TPOX": [["8"], ["8", "11"]]}),
            Reference.from_profile("CVCL_R", "r", R_LOCI),
        ]
    )
    assert rows(index.search(Q, SearchParameters(max_results=1))) == [
        ("CVCL_C", 8, "73.33", "best"),
        ("CVCL_C", 8, "68.97", "worst"),
    ]
    assert len(index.search(Q, SearchParameters(max_results=2))) == 3


def test_an_empty_index_finds_nothing():
    assert StrIndex.build([]).search(Q) == []


# The index against the plain-Python `compare`, on random small profiles.

LOCI = ["Amelogenin", "CSF1PO", "D5S818", "TH01", "TPOX", "vWA", "FGA"]
alleles = st.lists(st.sampled_from(["6", "7", "8", "9.3", "ND"]), min_size=1, max_size=3)
sex = st.lists(st.sampled_from(["X", "Y"]), min_size=1, max_size=2)
profiles = st.fixed_dictionaries(
    {},
    optional={locus: (sex if locus == "Amelogenin" else alleles) for locus in LOCI},
)


@settings(max_examples=150, deadline=None)
@given(
    query=profiles.filter(bool),
    stored=st.lists(profiles.filter(bool), min_size=1, max_size=6),
    algorithm=st.sampled_from(["tanabe", "masters-query", "masters-reference"]),
    mode=st.sampled_from(["nonempty", "query", "reference"]),
    include_amelogenin=st.booleans(),
    min_markers=st.integers(0, 4),
    score_filter=st.sampled_from([0.0, 50.0, 60.0]),
)
def test_the_index_agrees_with_pairwise_comparison(
    query, stored, algorithm, mode, include_amelogenin, min_markers, score_filter
):
    query_profile = parse_profile(";".join(f"{k}:{','.join(v)}" for k, v in query.items()))
    references = [Reference.from_profile(f"R{i}", f"r{i}", p) for i, p in enumerate(stored)]
    parameters = SearchParameters(
        algorithm=algorithm,
        mode=mode,
        include_amelogenin=include_amelogenin,
        min_markers=min_markers,
        score_filter=score_filter,
    )
    expected = {}
    for reference in references:
        result = compare(
            query_profile,
            reference.profiles()[0],
            algorithm=algorithm,
            mode=mode,
            include_amelogenin=include_amelogenin,
        )
        if (
            result.score is not None
            and result.score >= score_filter
            and result.str_markers >= min_markers
        ):
            expected[reference.accession] = (result.markers, result.score)
    found = StrIndex.build(references).search(query_profile, parameters)
    assert {m.accession: (m.markers, m.score) for m in found} == expected
    keys = [(-m.score, -m.markers, m.accession) for m in found]
    assert keys == sorted(keys)
