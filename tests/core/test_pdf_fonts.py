"""The fonts PDFs embed: Noto Sans CJK's Simplified Chinese face found by fontconfig or named in
STEMHUB_CJK_FONT, cut once to GB 2312 with a second cut for rarer characters, and a missing
font named with the Debian package that brings it."""

import io
from pathlib import Path

import pytest

from stemhub.core import pdf_fonts
from stemhub.core.pdf_fonts import DocumentPdf, FontMissing, add_fonts

NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def fonts_for(text: str) -> DocumentPdf:
    pdf = DocumentPdf()
    add_fonts(pdf, [text])
    return pdf


def test_latin_text_needs_no_chinese_font(monkeypatch):
    monkeypatch.setattr(pdf_fonts, "_cjk_face", lambda style: None)
    assert "cjk" not in fonts_for("Approved for release ≥ 70 % × 10⁶ µL").fonts


def test_without_a_chinese_font_chinese_text_names_the_package(monkeypatch):
    monkeypatch.setattr(pdf_fonts, "_cjk_face", lambda style: None)
    with pytest.raises(FontMissing, match=r"has Chinese text.*fonts-noto-cjk"):
        fonts_for("细胞系")


def test_the_common_characters_come_from_one_cut_and_rarer_ones_from_a_second():
    common = fonts_for("国家干细胞资源库")
    assert {"cjk", "cjkB"} <= set(common.fonts) and "cjkx" not in common.fonts
    rare = fonts_for("王堃")  # 堃 is not in GB 2312
    assert {"cjk", "cjkx", "cjkxB"} <= set(rare.fonts)
    assert ord("堃") in rare.fonts["cjkx"].cmap and ord("王") in rare.fonts["cjk"].cmap


def test_a_cut_is_made_once_and_kept(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    face = pdf_fonts._fontconfig(pdf_fonts.FACES[("sans", "")])
    first = pdf_fonts._cut(face, frozenset(range(0x41, 0x5B)))
    made = first.stat().st_mtime_ns
    assert pdf_fonts._cut(face, frozenset(range(0x41, 0x5B))) == first
    assert first.stat().st_mtime_ns == made and first.parent == tmp_path / "cache" / "fonts"


@pytest.mark.skipif(not NOTO.is_file(), reason="Debian's fonts-noto-cjk is not installed")
def test_a_configured_collection_gives_its_simplified_chinese_face(settings):
    settings.STEMHUB_CJK_FONT = str(NOTO)
    assert pdf_fonts._cjk_face("") == (NOTO, 2)  # JP, KR, SC, TC, HK: SC is the third face


def test_a_configured_font_that_is_not_there_is_named(settings, tmp_path):
    settings.STEMHUB_CJK_FONT = str(tmp_path / "missing.ttf")
    with pytest.raises(FontMissing, match=r"missing\.ttf"):
        fonts_for("细胞系")


def test_a_latin_line_after_one_that_starts_in_chinese_keeps_its_font():
    pypdf = pytest.importorskip("pypdf")
    text = "细胞库（NSCB）\nRelease testing of the master cell bank"
    pdf = fonts_for(text)
    pdf.add_page()
    pdf.set_font("sans", "B", 16)
    pdf.cell(100, 10, "Title", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("sans", "", 10)
    pdf.multi_cell(120, 5, text)
    read = pypdf.PdfReader(io.BytesIO(bytes(pdf.output()))).pages[0].extract_text()
    assert "Release testing of the master cell bank" in read


def test_a_cut_removed_under_a_running_process_is_made_again(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    pdf_fonts._remembered_cut.cache_clear()
    try:
        sans = fonts_for("Release").fonts["sans"].ttffile
        assert sans.parent == tmp_path / "cache" / "fonts"
        for cut in sans.parent.iterdir():
            cut.unlink()
        assert fonts_for("Release").fonts["sans"].ttffile.is_file()
    finally:
        pdf_fonts._remembered_cut.cache_clear()
