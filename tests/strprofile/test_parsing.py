"""The query syntax, locus names and allele values; every rejection names the bad token."""

import pytest

from stemhub.strprofile import ProfileError, Reference, normalise_locus, parse_profile


def test_it_reads_loci_and_alleles_whatever_the_spacing_and_case():
    profile = parse_profile(" amelogenin : x,y ; csf1po:12, 13;TH01=6,9.3; ")
    assert profile.loci == {
        "Amelogenin": frozenset({"X", "Y"}),
        "CSF1PO": frozenset({"12", "13"}),
        "TH01": frozenset({"6", "9.3"}),
    }


@pytest.mark.parametrize(
    ("written", "standard"),
    [
        ("AMEL", "Amelogenin"),
        ("am", "Amelogenin"),
        ("penta_d", "Penta D"),
        ("PentaE", "Penta E"),
        ("VWA", "vWA"),
        ("THO1", "TH01"),
        ("CSF1P0", "CSF1PO"),
        ("d21s11", "D21S11"),
        ("se33", "SE33"),
        ("Dog  pez8", "DOG PEZ8"),  # not a human locus: kept, upper-cased
    ],
)
def test_locus_names_are_normalised_to_the_standard_spelling(written, standard):
    assert normalise_locus(written) == standard


def test_a_repeated_allele_is_one_allele():
    assert parse_profile("TPOX:8,8").loci["TPOX"] == frozenset({"8"})


def test_nd_keeps_the_locus_but_is_not_an_allele():
    profile = parse_profile("TPOX:ND;D5S818:11,nd;vWA:Not_detected")
    assert profile.loci == {"TPOX": frozenset(), "D5S818": frozenset({"11"}), "vWA": frozenset()}


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("Amelogenin:X;CSF1PO 12,13", "CSF1PO 12,13"),  # no colon
        ("CSF1PO:12,abc", "abc"),
        ("Amelogenin:Z", "Z"),
        ("TH01:6;th01:7", "th01"),  # the same locus twice
        ("TH01:", "TH01:"),  # no alleles
        ("TH01:6,,7", "TH01:"),  # an empty allele
        ("", ""),
        ("  ;  ", "  ;  "),
    ],
)
def test_a_bad_query_is_rejected_naming_the_token(text, token):
    with pytest.raises(ProfileError) as caught:
        parse_profile(text)
    assert caught.value.token == token
    assert repr(token) in str(caught.value)


def test_stored_profiles_are_read_leniently():
    reference = Reference.from_profile("X1", "x", {"th01": ["6", " 9.3 "], "TPOX": [""]})
    # Empty values are dropped (TPOX had no allele at all), names and case normalised.
    assert reference.alternatives == {"TH01": (frozenset({"6", "9.3"}),)}
