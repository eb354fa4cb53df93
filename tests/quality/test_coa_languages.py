"""A certificate in Chinese, in English and in both: the Chinese text read back from the PDF
(pypdf) is exactly what was put in, names and free text as entered, headings and labels from
the catalogue; a bilingual certificate has both languages' words and each value once."""

import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from stemhub.quality.coa import MEANINGS, TIERS, SignatureData, render_certificate
from stemhub.quality.models import CertificateLanguage
from tests.quality.test_coa_pdf import HASH, certificate

pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDF's text")

INSTITUTION = "国家干细胞资源库（NSCB）"
LINE = "NSCBi001-A"
PRODUCT = "人诱导多能干细胞来源心肌细胞"
SYNONYM = "中干 iPS-1 号"
NOTE = "备注：本批次仅供科研使用，不得用于临床。"
# 堃 and 喆 are common in given names and lie outside GB 2312: they come from the second cut.
SIGNER = "王堃（质量保证经理）"
TEST = "支原体检测"
METHOD = "荧光定量 PCR"


def chinese_certificate(language: str):
    data = certificate(
        provider=INSTITUTION,
        line_name=LINE,
        product=PRODUCT,
        synonyms=(SYNONYM,),
        bank_tier=TIERS["mcb"],
        notes=(NOTE,),
        signature=SignatureData(
            printed_name=SIGNER,
            signed_at=datetime(2025, 6, 3, 9, 40, 2, tzinfo=UTC),
            meaning=MEANINGS["approved for release"],
            record_hash=HASH,
        ),
    )
    tests = (replace(data.tests[0], name=TEST, method=METHOD, result="阴性"), *data.tests[1:])
    return replace(data, tests=tests, language=language)


def text_of(pdf: bytes) -> str:
    """The PDF's text, one space between words. pypdf reads fpdf2's CJK encoding (a CMap for a
    CID-keyed font) with a NUL before each character, which a viewer ignores: dropped here."""
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    return re.sub(r"\s+", " ", " ".join(pages).replace("\x00", ""))


VALUES = [INSTITUTION, LINE, PRODUCT, SYNONYM, NOTE, SIGNER, TEST, METHOD, "阴性"]


def test_a_chinese_certificate_prints_the_chinese_names_and_free_text_exactly():
    text = text_of(render_certificate(chinese_certificate(CertificateLanguage.CHINESE)))
    for value in VALUES:
        assert value in text, value
    for word in (
        "分析证书",
        "证书编号",
        "已放行：全部 3 项放行检测均符合质量标准",
        "样品信息",
        "细胞系",
        "提供机构",
        "细胞库 主细胞库 NSCBi001-A-MCB-01",
        "复苏后存活率",
        "全部 3 项检测均符合质量标准。",
        "检测项目 检测方法 质量标准 检测结果 检测日期 结论",
        "合格",
        "放行签名",
        "签名含义 批准放行",
        "本证书经电子签名",
        "第 1 页，共 1 页",
    ):
        assert word in text, word
    for english in ("Certificate", "Material", "Release tests", "PASS", "Approved"):
        assert english not in text, english


def test_the_line_after_a_chinese_one_is_not_garbled():
    """fpdf2 2.8 drew the Latin line after a line starting in Chinese with the wrong font."""
    text = text_of(render_certificate(chinese_certificate(CertificateLanguage.ENGLISH)))
    assert f"{INSTITUTION} Release testing of master cell bank NSCBi001-A-MCB-01" in text


def test_an_english_certificate_prints_chinese_values_and_english_words():
    text = text_of(render_certificate(chinese_certificate(CertificateLanguage.ENGLISH)))
    for value in VALUES:
        assert value in text, value
    assert "Released: all 3 release tests met their specification" in text
    assert "Bank Master cell bank NSCBi001-A-MCB-01" in text
    assert "样品信息" not in text and "合格" not in text


def test_a_bilingual_certificate_has_both_languages_and_each_value_once():
    text = text_of(render_certificate(chinese_certificate(CertificateLanguage.BILINGUAL)))
    english = text_of(render_certificate(chinese_certificate(CertificateLanguage.ENGLISH)))
    for words in (
        "分析证书 Certificate of Analysis",
        "证书编号 / Certificate no.",
        "已放行：全部 3 项放行检测均符合质量标准 Released: all 3 release tests met their",
        "样品信息 / Material",
        "放行检测 / Release tests",
        "检测项目 Test",
        "合格 / PASS",
        "放行签名 / Release signature",
        "批准放行 / Approved for release",
        "主细胞库 / Master cell bank",
        "本证书经电子签名",
        "Signed electronically",
    ):
        assert words in text, words
    for value in VALUES:
        if value != LINE:  # the line's name is also part of the bank code and the address
            assert text.count(value) == english.count(value), value


def test_the_language_changes_the_bytes_and_the_same_language_gives_the_same_bytes():
    rendered = {
        language: render_certificate(chinese_certificate(language))
        for language in CertificateLanguage.values
    }
    assert len(set(rendered.values())) == 3
    for language, pdf in rendered.items():
        assert render_certificate(chinese_certificate(language)) == pdf


def test_a_certificate_with_thirty_chinese_tests_keeps_its_layout_over_two_pages():
    many = tuple(
        replace(
            chinese_certificate("zh-hans").tests[0],
            name=f"检测 {n:02d}",
            tested_on=date(2025, 4, 1),
        )
        for n in range(1, 31)
    )
    data = replace(chinese_certificate(CertificateLanguage.BILINGUAL), tests=many)
    pages = [
        page.extract_text().replace("\x00", "")
        for page in pypdf.PdfReader(io.BytesIO(render_certificate(data))).pages
    ]
    assert len(pages) == 2
    assert all(f"检测 {n:02d}" in "".join(pages) for n in range(1, 31))
    assert "第 2 页，共 2 页" in pages[1] and "Page 2 of 2" in pages[1]
    assert SIGNER in pages[1]


def test_an_unknown_language_is_refused():
    from stemhub.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        render_certificate(chinese_certificate("fr"))
