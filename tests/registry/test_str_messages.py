"""The STR engine says why it refuses a profile in English; the registry shows every one of its
reasons in the reader's language, with the locus it names, and an unknown reason as written."""

from collections.abc import Callable

import pytest
from django.utils import translation

from stemhub.registry.str_messages import profile_error_message, profile_error_reason
from stemhub.strprofile import Profile, ProfileError, Reference, parse_profile

REFUSED: dict[str, Callable[[], object]] = {
    "empty allele": lambda: Profile.from_mapping({"TH01": [""]}, strict=True),
    "amelogenin": lambda: parse_profile("Amelogenin:Z"),
    "not an allele": lambda: parse_profile("TH01:abc"),
    "empty locus name": lambda: Profile.from_mapping({" ": ["6"]}, strict=True),
    "twice, also as": lambda: parse_profile("TH01:6;th01:7"),
    "twice in a reference": lambda: Reference.from_alternatives(
        "CVCL_0001", "X", {"TH01": [["6"]], "th01": [["7"]]}
    ),
    "twice": lambda: Profile.from_mapping({"TH01": ["6"], "th01": ["7"]}),
    "no alleles": lambda: parse_profile("TH01:"),
    "no separator": lambda: parse_profile("TH01 6"),
    "extra comma": lambda: parse_profile("TH01:6,,7"),
    "no loci": lambda: parse_profile(";"),
}


def _refusal(make: Callable[[], object]) -> ProfileError:
    with pytest.raises(ProfileError) as refused:
        make()
    return refused.value


@pytest.mark.parametrize("case", REFUSED)
def test_every_reason_of_the_engine_reads_in_chinese(case):
    error = _refusal(REFUSED[case])
    with translation.override("en"):
        assert profile_error_reason(error) == error.reason
        assert profile_error_message(error) == str(error)
    with translation.override("zh-hans"):
        chinese = profile_error_reason(error)
    assert chinese != error.reason
    assert not any(word in chinese for word in ("write", "appears", "alleles are", "empty"))


def test_the_locus_survives_the_translation():
    with translation.override("zh-hans"):
        assert "TH01" in profile_error_reason(_refusal(REFUSED["not an allele"]))


def test_a_reason_it_does_not_know_is_shown_as_the_engine_wrote_it():
    error = ProfileError("X", "a reason from a newer engine")
    with translation.override("zh-hans"):
        assert profile_error_reason(error) == "a reason from a newer engine"
