"""The quality record's own English stays as recorded and reads in Chinese: the default panel,
specifications, judgements and the reasons the services store; a result entered in Chinese is
recorded as the specification's word; the STR engine's reasons read in Chinese too."""

import pytest
from django.utils import translation

from stemhub.core.errors import InvalidInput
from stemhub.quality import services, wording
from stemhub.quality.models import Nonconformity, QcTest, Release
from stemhub.quality.selectors import signature_verify
from stemhub.strprofile import ParameterError, ProfileError, SearchParameters, parse_profile
from tests.conftest import PASSWORD
from tests.quality.setups import pass_everything, qc_bank, record
from tests.quality.test_str_identity import MISMATCH, RELATED


@pytest.fixture
def cell_bank(users):
    return qc_bank(users)


def chinese(text):
    with translation.override("zh-hans"):
        return wording.recorded(text)


def test_the_default_panel_reads_in_chinese_and_is_stored_in_english(db):
    sterility = QcTest.objects.get(code="sterility", current=True)
    assert sterility.name == "Sterility (bacteria and fungi)"
    assert sterility.specification == "no growth"
    with translation.override("zh-hans"):
        assert wording.term(sterility.name) == "无菌检查（细菌和真菌）"
        assert wording.specification(sterility.specification) == "无菌生长"
        assert wording.specification("Negative") == "阴性"  # as a certificate prints it
        assert wording.specification("≤ 5 EU/mL") == "≤ 5 EU/mL"
        assert wording.specification("demonstrated or not demonstrated") == "已证实或未证实"
        assert wording.term("A name someone typed") == "A name someone typed"


def test_a_failing_judgement_and_its_nonconformity_read_in_chinese(users, cell_bank):
    result = record(users["bank_technician"], cell_bank, "mycoplasma", "positive")
    assert result.judgement == "positive does not meet the specification (negative)"
    assert chinese(result.judgement) == "阳性，不符合质量标准（阴性）"
    nc = Nonconformity.objects.get(result=result)
    assert nc.description.startswith("Out of specification: Mycoplasma: ")
    assert chinese(nc.description) == "超标（OOS）：支原体：阳性，不符合质量标准（阴性）"


def test_str_judgements_read_in_chinese(users, cell_bank):
    tech = users["bank_technician"]
    mismatch = record(tech, cell_bank, "str-identity", MISMATCH)
    assert chinese(mismatch.judgement).startswith("STR 与亲本细胞系不匹配：与 NSCBi001-A 比对")
    related = record(tech, cell_bank, "str-identity", RELATED)
    assert "请核查是否发生漂变" in chinese(related.judgement)


def test_a_result_entered_in_chinese_is_recorded_in_the_specifications_words(users, cell_bank):
    with translation.override("zh-hans"):
        result = record(users["bank_technician"], cell_bank, "karyotype", "正常")
    assert result.passed and result.value_text == "normal"
    assert result.judgement == "normal meets the specification (normal)"


def test_a_refusal_reads_in_chinese(users, cell_bank):
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:
        record(users["bank_technician"], cell_bank, "karyotype", "maybe")
    assert refused.value.message == "核型：结果须为以下之一：正常、异常"


def test_the_signature_keeps_its_english_meaning_and_its_hash_in_any_language(users, cell_bank):
    pass_everything(users["bank_technician"], cell_bank)
    qa = users["qa_manager"]
    with translation.override("zh-hans"):
        release = services.bank_release(actor=qa, bank=cell_bank, password=PASSWORD)
        assert release.signature.get_meaning_display() == "批准放行"
        assert signature_verify(release).intact
    release = Release.objects.get(pk=release.pk)
    assert release.signature.meaning == "approved for release"
    assert '"specification":"no growth"' in release.signature.record
    assert signature_verify(release).intact


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda: parse_profile("TH01:6,abc"), "不是 TH01 的等位基因"),
        (lambda: parse_profile("TH01 6"), "请写成 位点:等位基因,等位基因"),
        (lambda: parse_profile("TH01:6;TH01:7"), "位点 TH01 出现两次"),
        (lambda: parse_profile("Amelogenin:Z;TH01:6"), "Amelogenin 的等位基因为 X 或 Y"),
        (lambda: SearchParameters(score_filter=150.0), "150.0 不是百分比"),
        (lambda: SearchParameters(min_markers=-1), "-1 为负数"),
    ],
)
def test_the_str_engines_reasons_read_in_chinese(make, said):
    with pytest.raises((ProfileError, ParameterError)) as refused:
        make()
    with translation.override("zh-hans"):
        assert said in wording.str_problem(refused.value.reason)
