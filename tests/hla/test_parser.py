"""Every typing form parses; every bad one raises the typed error naming token and reason."""

from __future__ import annotations

import pytest

from stemhub.hla import (
    DeletedAlleleError,
    HLAEngine,
    HLAError,
    MalformedTypingError,
    TypingError,
    UnknownAlleleError,
    UnknownMACError,
    UnknownSerologyError,
)
from tests.hla import imgt_facts


def position(engine: HLAEngine, token: str) -> set[str]:
    typing = engine.parse(f"{token}+{token}")
    (locus,) = typing.loci
    first = typing.loci[locus].genotypes[0][0]
    return {engine.tables.allele_names[a] for a in first.alleles}


def test_full_name_is_exactly_that_allele(engine: HLAEngine) -> None:
    assert position(engine, "A*01:01:01:01") == {"A*01:01:01:01"}
    assert position(engine, "HLA-A*01:11N") == {"A*01:11N"}


def test_two_field_name_covers_all_its_longer_alleles(engine: HLAEngine) -> None:
    expected = {
        n for n in imgt_facts.allele_names() if n.rstrip("NLSCAQ").startswith("A*02:01:")
    } | {n for n in imgt_facts.allele_names() if n.rstrip("NLSCAQ") == "A*02:01"}
    assert position(engine, "A*02:01") == expected
    assert "A*02:01:01:02L" in expected  # expression variants are covered too


def test_xx_code_covers_every_allele_of_the_first_field(engine: HLAEngine) -> None:
    expected = {n for n in imgt_facts.allele_names() if n.startswith("B*44:")}
    assert position(engine, "B*44:XX") == expected
    assert position(engine, "B*44") == expected


def test_allele_list_shorthand(engine: HLAEngine) -> None:
    assert position(engine, "A*01:01:01:01/01:01:01:03") == {"A*01:01:01:01", "A*01:01:01:03"}


def test_generic_mac_expands_second_fields_under_the_typed_first_field(engine: HLAEngine) -> None:
    # AB = 01/02 (generic) in the MAC subset
    assert position(engine, "A*02:AB") == position(engine, "A*02:01/A*02:02")


def test_specific_mac_lists_whole_alleles(engine: HLAEngine) -> None:
    # DEF = 02:01/03:01 (specific)
    assert position(engine, "A*02:DEF") == position(engine, "A*02:01/A*03:01")


def test_serology_and_cw_spelling(engine: HLAEngine) -> None:
    assert position(engine, "Cw7") == position(engine, "C7")
    assert "C*07:01:01:01" in position(engine, "Cw7")
    assert "DRB1*15:01:01:01" in position(engine, "DR2")  # broad covers the split DR15


def test_phased_gl_string_gives_each_locus_its_chromosomes(engine: HLAEngine) -> None:
    typing = engine.parse("A*01:01~B*08:01+A*02:01~B*07:02^DRB1*15:01+DRB1*03:01")
    assert set(typing.loci) == {"A", "B", "DRB1"}
    first, second = typing.loci["B"].genotypes[0]
    assert (first.token, second.token) == ("B*08:01", "B*07:02")
    assert typing.release == engine.release


@pytest.mark.parametrize(
    ("gl", "error", "token", "reason"),
    [
        ("A*99:99+A*01:01", UnknownAlleleError, "A*99:99", "no such allele"),
        ("XYZ*01:01+XYZ*01:01", UnknownAlleleError, "XYZ*01:01", "unknown locus"),
        ("A*01:01+A*01:QQQQ", UnknownMACError, "A*01:QQQQ", "not in the loaded dictionary"),
        ("A99+A1", UnknownSerologyError, "A99", "no alleles"),
        ("A*01:01++A*02:01", MalformedTypingError, "A*01:01++A*02:01", "more than two"),
        ("A*01:01+", MalformedTypingError, "", "empty chromosome"),
        ("A*01:01/B*08:01+A*01:01", MalformedTypingError, "A*01:01/B*08:01", "mixes loci"),
        ("A*01:01+A*02:01^A*03:01+A*03:01", MalformedTypingError, "A*03:01+A*03:01", "twice"),
        ("hello", MalformedTypingError, "hello", "not an allele name"),
        ("A*0x:01+A*01:01", MalformedTypingError, "A*0x:01", "not an allele name"),
        ("A*02:99:01G+A*01:01", UnknownAlleleError, "A*02:99:01G", "no such G group"),
    ],
)
def test_bad_typing_raises_typed_error_naming_token_and_reason(
    engine: HLAEngine, gl: str, error: type[TypingError], token: str, reason: str
) -> None:
    with pytest.raises(error) as caught:
        engine.parse(gl)
    assert caught.value.token == token
    assert reason in caught.value.reason
    assert isinstance(caught.value, HLAError)
    assert repr(token) in str(caught.value)


def test_deleted_allele_names_its_successor_from_hla_nom(engine: HLAEngine) -> None:
    # hla_nom.txt: A*;02:01:08;20020930;20220131;02:1040;Sequence renamed
    with pytest.raises(DeletedAlleleError) as caught:
        engine.parse("A*02:01:08+A*01:01")
    assert caught.value.successor == "A*02:1040"
    assert "renamed" in caught.value.reason


def test_deleted_allele_without_successor(engine: HLAEngine) -> None:
    # hla_nom.txt: A*;02:100;20100401;20100401;;Never assigned
    with pytest.raises(DeletedAlleleError) as caught:
        engine.parse("A*02:100+A*01:01")
    assert caught.value.successor is None


def test_validate_normalises_a_valid_gl_string(engine: HLAEngine) -> None:
    assert engine.validate("HLA-B*08:01+B*07:02^A*01:01+A*02:01") == (
        "A*01:01+A*02:01^B*08:01+B*07:02"
    )
