"""CLASTR's scores on cases worked out by hand from the formulas (domain guide §5).

Query Q and reference R used throughout (loci only in one of them marked):

    locus      Q          R          shared
    Amelogenin X,Y        X          1
    CSF1PO     11,12      11,12      2
    D5S818     11,13      11         1
    D7S820     10 (hom.)  10,11      1
    D13S317    9,12       9,12       2
    D16S539    11,13      12,13      1
    TH01       6,9.3      6,9.3      2
    TPOX       8,11       8          1
    vWA        16,18      17,19      0
    D3S1358    15,16      -          (query only)
    FGA        -          21,22      (reference only)

Without Amelogenin, the 8 loci in both hold Q = 2+2+1+2+2+2+2+2 = 15 alleles,
R = 2+1+2+2+2+2+1+2 = 14 alleles, 2+1+1+2+1+2+1+0 = 10 shared.
"""

import pytest

from stemhub.strprofile import (
    ALGORITHMS,
    ParameterError,
    Profile,
    compare,
    format_score,
    parse_profile,
)

Q = parse_profile(
    "Amelogenin:X,Y;CSF1PO:11,12;D5S818:11,13;D7S820:10;D13S317:9,12;D16S539:11,13;"
    "TH01:6,9.3;TPOX:8,11;vWA:16,18;D3S1358:15,16"
)
R = parse_profile(
    "Amelogenin:X;CSF1PO:11,12;D5S818:11;D7S820:10,11;D13S317:9,12;D16S539:12,13;"
    "TH01:6,9.3;TPOX:8;vWA:17,19;FGA:21,22"
)


@pytest.mark.parametrize(
    ("algorithm", "mode", "amelogenin", "expected"),
    [
        # non-empty markers: 8 loci, shared 10, Q 15, R 14
        ("tanabe", "nonempty", False, "68.97"),  # 2×10/(15+14) = 20/29 = 0.689655
        ("masters-query", "nonempty", False, "66.67"),  # 10/15 = 0.666667
        ("masters-reference", "nonempty", False, "71.43"),  # 10/14 = 0.714286
        # + Amelogenin: 9 loci, shared 10+1 = 11, Q 15+2 = 17, R 14+1 = 15
        ("tanabe", "nonempty", True, "68.75"),  # 22/32
        ("masters-query", "nonempty", True, "64.71"),  # 11/17 = 0.647059
        ("masters-reference", "nonempty", True, "73.33"),  # 11/15
        # query markers: + D3S1358 (Q 2, R 0): 9 loci, shared 10, Q 17, R 14
        ("tanabe", "query", False, "64.52"),  # 20/31 = 0.645161
        ("masters-query", "query", False, "58.82"),  # 10/17 = 0.588235
        ("masters-reference", "query", False, "71.43"),  # 10/14
        # reference markers: + FGA (Q 0, R 2): 9 loci, shared 10, Q 15, R 16
        ("tanabe", "reference", False, "64.52"),  # 20/31
        ("masters-query", "reference", False, "66.67"),  # 10/15
        ("masters-reference", "reference", False, "62.50"),  # 10/16
    ],
)
def test_scores_match_the_hand_computed_values(algorithm, mode, amelogenin, expected):
    result = compare(Q, R, algorithm=algorithm, mode=mode, include_amelogenin=amelogenin)
    assert format_score(result.score) == expected


@pytest.mark.parametrize(
    ("mode", "amelogenin", "counts"),
    [
        ("nonempty", False, (10, 15, 14, 8, 8)),
        ("nonempty", True, (11, 17, 15, 9, 8)),
        ("query", False, (10, 17, 14, 9, 9)),
        ("query", True, (11, 19, 15, 10, 9)),  # Q's Amelogenin X,Y: +2 query, R's X: +1
        ("reference", False, (10, 15, 16, 9, 9)),
        ("reference", True, (11, 17, 17, 10, 9)),
    ],
)
def test_each_mode_counts_its_own_loci(mode, amelogenin, counts):
    result = compare(Q, R, mode=mode, include_amelogenin=amelogenin)
    got = (
        result.shared,
        result.query_alleles,
        result.reference_alleles,
        result.markers,
        result.str_markers,
    )
    assert got == counts


def test_a_homozygous_locus_counts_its_allele_once():
    # TPOX 8,8 vs 8: one allele each, one shared → 2×1/(1+1) = 100 %.
    result = compare(parse_profile("TPOX:8,8"), parse_profile("TPOX:8"))
    assert (result.shared, result.query_alleles, result.reference_alleles) == (1, 1, 1)
    assert result.score == 100.0


def test_nd_counts_no_allele_but_keeps_the_marker():
    # TH01 6,7 vs 6,7; TPOX ND vs 8,9: 2 markers, Q 2+0, R 2+2, shared 2 → 4/6 = 66.67
    result = compare(parse_profile("TH01:6,7;TPOX:ND"), parse_profile("TH01:6,7;TPOX:8,9"))
    assert (result.markers, result.query_alleles, result.reference_alleles) == (2, 2, 4)
    assert format_score(result.score) == "66.67"
    # ND beside a real allele is dropped: D5S818 11,ND vs 11 → 1/1, 1 shared → 100 %.
    assert compare(parse_profile("D5S818:11,ND"), parse_profile("D5S818:11")).score == 100.0


def test_a_score_with_nothing_to_divide_by_is_undefined():
    # Only Amelogenin in common, and it is left out: no alleles at all.
    result = compare(parse_profile("Amelogenin:X"), parse_profile("Amelogenin:X;TH01:6"))
    assert result.markers == 0 and result.score is None and result.reading is None


@pytest.mark.parametrize(
    ("algorithm", "score", "reading"),
    [
        ("tanabe", 90.0, "same"),
        ("tanabe", 89.99, "related"),
        ("tanabe", 80.0, "related"),
        ("tanabe", 79.99, "different"),
        ("masters-query", 80.0, "same"),
        ("masters-query", 60.0, "related"),
        ("masters-reference", 59.99, "different"),
    ],
)
def test_reading_bands(algorithm, score, reading):
    assert ALGORITHMS[algorithm].reading(score) == reading


def test_halves_round_up_as_clastr_prints_them():
    # 21/32 = 0.65625 exactly in binary: Java's %.2f prints 65.63 (round-half-even would give 65.62)
    assert format_score(21 / 32 * 100) == "65.63"
    assert format_score(100.0) == "100.00"


def test_an_unknown_algorithm_or_mode_is_refused():
    with pytest.raises(ParameterError, match="'dice'"):
        compare(Q, R, algorithm="dice")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="'all'"):
        compare(Q, R, mode="all")  # type: ignore[arg-type]


def test_profiles_compare_equal_on_their_alleles():
    assert Profile.from_mapping({"TH01": ["9.3", "6"]}) == parse_profile("th01:6,9.3")
