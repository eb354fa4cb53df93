"""Vial labels print a Chinese line name as itself, their words in the language of the person
printing them, and text too wide for a label cut short with an ellipsis."""

import io
import re
from datetime import date

import pytest
from django.utils import translation

from stemhub.biobank.labels import label_sheet
from stemhub.biobank.models import CellBank, Vial
from stemhub.registry.models import CellLine

pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDF's text")


def sheet(name: str, language: str = "en", vials: int = 3) -> str:
    bank = CellBank(
        code="NSCBi001-A-MCB-01",
        tier="mcb",
        passage_number=12,
        freeze_date=date(2025, 3, 14),
        line=CellLine(name=name),
    )
    with translation.override(language):
        pdf = label_sheet(bank, [Vial(barcode=f"V{n:07d}") for n in range(1, vials + 1)])
    # pypdf puts a NUL before each character of fpdf2's CJK encoding; a viewer does not.
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text.replace("\x00", ""))


def test_a_chinese_line_name_prints_exactly_on_every_label():
    text = sheet("人胚胎干细胞系 3 号")
    assert text.count("人胚胎干细胞系 3 号") == 3
    for n in (1, 2, 3):
        assert f"V000000{n}" in text
    assert "NSCBi001-A-MCB-01" in text and "Frozen 2025-03-14" in text


def test_the_words_are_in_the_printers_language():
    text = sheet("人胚胎干细胞系 3 号", language="zh-hans")
    assert "冻存 2025-03-14" in text and "Frozen" not in text
    assert "人胚胎干细胞系 3 号" in text


def test_a_name_too_wide_for_the_label_is_cut_short_with_an_ellipsis():
    name = "中国人诱导多能干细胞系 1 号（国家干细胞资源库）"
    text = sheet(name, vials=1)
    assert name not in text
    assert "中国人诱导多能干细胞…" in text
