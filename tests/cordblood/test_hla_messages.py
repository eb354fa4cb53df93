"""The HLA engine's refusals reach people in their language, the token intact: the engine
(Django-free) words each reason in English, cordblood reads the wording back into its
parameters and says it again through a marked message."""

import json

import pytest
from django.test import Client
from django.utils import translation

from stemhub.cordblood.hla_messages import REASONS, reason_words
from stemhub.cordblood.hla_typing import BadTyping, parse_gl
from stemhub.core.hla import engine
from stemhub.hla import TypingError
from tests.cordblood.conftest import unit_row, upload

# A typing for each way the engine refuses one (the MAC subset of the tests is loaded).
REFUSED = {
    "": "empty typing",
    "A*02:01^A*01:01": "locus A typed twice",
    "A*02:01^^B*08:01": "empty locus segment",
    "A*02:01+A*01:01+A*03:01": "more than two chromosomes",
    "A*02:01+B*08:01": "the two chromosomes type different loci",
    "A*02:01+": "empty chromosome",
    "A*02:01~A*01:01": "locus A twice in one haplotype",
    "A*02:01//A*01:01": "empty item in allele list",
    "A*02:01/B*08:01": "allele list mixes loci A and B",
    "A*02:01:01:01:01:01": "not an allele name, group, MAC or XX code",
    "A*02N": "a first field needs",
    "A*02:01G": "no such G group",
    "A*99:99": "no such allele",
    "Q*01:01": "unknown locus Q",
    "A*02:ZZZZ": "MAC ZZZZ is not in the loaded dictionary",
    "A2Z": "not an allele name, MAC, XX code or antigen",
    "A1234": "antigen A1234 has no alleles",
}
# Wordings no small typing reaches here (no deleted-allele list, every MAC of the subset
# expands to a known allele), pinned as the engine writes them.
WORDED = [
    "deleted from IPD-IMGT/HLA (renamed); IMGT names A*01:01:01:01 as its successor",
    "deleted from IPD-IMGT/HLA (withdrawn)",
    "MAC AB expands to A*02:98/A*02:99, none in release 3.58.0",
    "no MAC dictionary loaded (run `stemhub hla macs FILE`)",
    "not in the loaded MAC dictionary",
]


def _refusal(text: str) -> TypingError:
    with pytest.raises(TypingError) as caught:
        engine().parse(text)
    return caught.value


@pytest.mark.parametrize("text", list(REFUSED))
def test_every_refusal_of_the_engine_has_a_translated_wording(text):
    error = _refusal(text)
    assert REFUSED[text] in error.reason  # the engine still words it this way
    assert any(pattern.fullmatch(error.reason) for pattern, _message in REASONS), error.reason
    with translation.override("zh-hans"):
        said = reason_words(error.reason)
    assert said != error.reason and not said.isascii(), said


@pytest.mark.parametrize("reason", WORDED)
def test_the_wordings_no_small_typing_reaches_are_translated_too(reason):
    assert any(pattern.fullmatch(reason) for pattern, _message in REASONS), reason
    with translation.override("zh-hans"):
        assert not reason_words(reason).isascii()


def test_the_parameters_survive_the_translation():
    with translation.override("zh-hans"):
        said = reason_words("allele list mixes loci A and B")
        deleted = reason_words(
            "deleted from IPD-IMGT/HLA (renamed); IMGT names A*01:01:01:01 as its successor"
        )
    assert "A" in said and "B" in said and "等位基因列表" in said
    assert "A*01:01:01:01" in deleted and "renamed" in deleted


def test_a_reason_not_known_here_is_shown_as_the_engine_wrote_it():
    assert reason_words("a wording from a newer engine") == "a wording from a newer engine"


def test_english_stays_the_engines_meaning():
    with translation.override("en"):
        assert reason_words("no such allele in IPD-IMGT/HLA 3.58.0") == (
            "no such allele in IPD-IMGT/HLA 3.58.0"
        )


def test_a_bad_typing_names_its_token_in_chinese():
    with translation.override("zh-hans"), pytest.raises(BadTyping) as caught:
        parse_gl("A*99:99+A*01:01^B*08:01+B*44:02^DRB1*03:01+DRB1*15:01")
    assert caught.value.token == "A*99:99"
    assert (
        caught.value.problem.startswith("'A*99:99'：")
        and "没有这个等位基因" in caught.value.problem
    )


def test_an_upload_in_chinese_reports_line_field_and_token_in_chinese(people, cord_bank):
    rows = [unit_row("U1", 1), unit_row("U2", 2, hla_b="B*08:01+B*99:99", tnc="abc")]
    with translation.override("zh-hans"):
        report = upload(people["tech"], cord_bank, rows)
    problems = {(p["line"], p["field"]): p["reason"] for p in report["errors"]}
    assert "B*99:99" in problems[(2, "hla_b")] and "没有这个等位基因" in problems[(2, "hla_b")]
    assert problems[(2, "tnc")] == "'abc' 不是数字"


def test_the_api_answers_a_bad_typing_in_the_readers_language(people, cord_bank):
    with translation.override("en"):  # the request activates Chinese; the next test is English
        answer = Client().post(
            "/api/v1/cord/preliminary-search",
            data=json.dumps({"hla": "A*99:99+A*01:01^B*08:01+B*44:02^DRB1*03:01+DRB1*15:01"}),
            content_type="application/json",
            headers={"Accept-Language": "zh-CN"},
        )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert "A*99:99" in error["message"] and "没有这个等位基因" in error["message"]
