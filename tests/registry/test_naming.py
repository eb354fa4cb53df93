"""The name validator: strict names are valid, registered legacy forms warn, garbage is invalid."""

import re
from pathlib import Path

import pytest

from stemhub.registry.naming import NameVerdict, StandardName, check_name, parse_standard_name

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CELLOSAURUS = SHARED / "cellosaurus" / "cellosaurus_head_1000.txt"

VALID = [
    "NSCBi001-A",
    "WAe009-A",
    "HVRDi006-A",
    "BIONi010-C-2",
    "KUIFMi004-E",
    "ABCDEi999-Z-9",
    "ABCDEi001-A-1-1",
]

# (name, what the one warning must say)
LEGACY = [
    ("MNZTASi001-A", "provider code 'MNZTAS' has 6 letters"),
    ("ESIBIe003-A-10", "subclone number '10' has 2 digits"),
    ("UOWe010-A-W", "subclone suffix 'W' is not a number"),
    ("MCRI001-A", "no type letter ('i' induced or 'e' embryonic) after the provider code 'MCRI'"),
    ("NSCBi01-A", "donor number '01' has 2 digits"),
    ("NSCBi0001-A", "donor number '0001' has 4 digits"),
    ("NSCBi001-AB", "clone 'AB' is not a single uppercase letter"),
    ("NSCBi001-a", "clone 'a' is not a single uppercase letter"),
    ("NSCBi001-A-0", "subclone number '0' is zero"),
    ("NSCBi001-A-1-X", "subclone suffix 'X' is not a number"),
]

# (name, what the reason must say)
GARBAGE = [
    ("", "the name is empty"),
    (" NSCBi001-A", "contains whitespace"),
    ("NSCBi001-A\n", "contains whitespace"),
    ("NSCB i001-A", "contains whitespace"),
    ("NSCB_i001-A", "contains '_'"),
    ("NSCBi001/A", "contains '/'"),
    ("NSCBé001-A", "contains 'é'"),
    ("nscbi001-A", "starts with lowercase 'nscbi'"),
    ("ABCDEi001-A-1-1-1", "has 17 characters"),
    ("AVERYLONGCODE00001-A", "has 20 characters"),
    ("-NSCBi001-A", "has an empty part"),
    ("NSCBi001-", "has an empty part"),
    ("NSCBi001--A", "has an empty part"),
    ("001-A", "starts with a digit"),
    ("NSCBi-A", "has no donor number"),
    ("NSCBi001X-A", "has letters after the donor number"),
    ("Hi001-A", "provider code 'H' has 1 letter"),
    ("H9", "provider code 'H' has 1 letter"),
]


@pytest.mark.parametrize("name", VALID)
def test_a_strict_name_is_valid_without_messages(name: str):
    assert check_name(name) == NameVerdict(name, "valid", ())


@pytest.mark.parametrize(("name", "reason"), LEGACY)
def test_a_registered_legacy_form_warns_saying_how_it_departs(name: str, reason: str):
    verdict = check_name(name)
    assert verdict.verdict == "warning"
    assert len(verdict.messages) == 1
    assert reason in verdict.messages[0]


def test_a_legacy_provider_and_number_name_gets_every_departure():
    verdict = check_name("Genea019")
    assert verdict.verdict == "warning"
    assert verdict.messages == (
        "provider code 'Genea' is not all uppercase",
        "no type letter ('i' induced or 'e' embryonic) after the provider code 'Genea'",
        "no clone letter: the strict form ends in '-' and an uppercase letter (e.g. 'Genea019-A')",
    )


@pytest.mark.parametrize(("name", "reason"), GARBAGE)
def test_garbage_is_invalid_with_the_reason(name: str, reason: str):
    verdict = check_name(name)
    assert verdict.verdict == "invalid"
    assert any(reason in message for message in verdict.messages), verdict.messages


def test_every_character_problem_is_reported_at_once():
    verdict = check_name("NSCB i001_A/extra-long")
    assert verdict.verdict == "invalid"
    assert len(verdict.messages) == 3
    assert "'/', '_'" in verdict.messages[1]


def test_a_strict_name_comes_apart_and_back_together():
    parts = parse_standard_name("BIONi010-C-2")
    assert parts == StandardName("BION", "i", "010", "C", (2,))
    assert str(parts) == "BIONi010-C-2"
    assert parts.donor_prefix == "BIONi010-"
    assert parse_standard_name("WAe009-A") == StandardName("WA", "e", "009", "A")


@pytest.mark.parametrize("name", ["MNZTASi001-A", "Genea019", "", "nscbi001-A"])
def test_only_strict_names_are_parsed(name: str):
    assert parse_standard_name(name) is None


def registered_hpscreg_names() -> list[str]:
    assert CELLOSAURUS.is_file(), f"{CELLOSAURUS} is missing: ../shared must sit beside the repo"
    text = CELLOSAURUS.read_text(encoding="utf-8")
    return sorted(set(re.findall(r"^DR   hPSCreg; (\S+)$", text, flags=re.MULTILINE)))


def test_real_registered_names_are_never_invalid():
    verdicts = {name: check_name(name) for name in registered_hpscreg_names()}
    # Checked by eye: 13 hPSCreg names, HVRDi006-A in the strict form and twelve under the
    # 6-letter provider code KUIFMS (KUIFMSi004-A ... KUIFMSi011-E), which hPSCreg accepted.
    assert len(verdicts) == 13
    assert not [name for name, v in verdicts.items() if v.verdict == "invalid"]
    assert [name for name, v in verdicts.items() if v.verdict == "valid"] == ["HVRDi006-A"]
    warned = {name: v.messages for name, v in verdicts.items() if v.verdict == "warning"}
    assert len(warned) == 12
    for name in ("KUIFMSi004-A", "KUIFMSi004-E", "KUIFMSi009-B", "KUIFMSi011-C"):
        assert warned[name] == ("provider code 'KUIFMS' has 6 letters; the strict form has 2 to 5",)
