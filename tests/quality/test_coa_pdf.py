"""The certificate PDF itself, rendered from a `CertificateData` (no database): what it says,
where its QR code points, that it is A4 and that the same data gives the same bytes.

Text is read back with pypdf; the QR code is decoded from a rendering of page 1 (pypdfium2 +
zxing-cpp). Those three are test-only tools: without them the tests that need them skip, and the
QR drawing is still checked module by module against segno's matrix."""

import io
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import segno

from stemhub.core import pdf_fonts
from stemhub.quality import coa
from stemhub.quality.coa import (
    CertificateData,
    ResultLine,
    SignatureData,
    _draw_qr,
    render_certificate,
)

URL = "https://stemhub.example.org/verify/COA-NSCBi001-A-MCB-01-1/"
HASH = "0123456789abcdef" * 4


def certificate(**overrides) -> CertificateData:
    data = CertificateData(
        number="COA-NSCBi001-A-MCB-01-1",
        issued_at=datetime(2025, 6, 3, 9, 41, 17, tzinfo=UTC),
        verification_url=URL,
        line_name="NSCBi001-A",
        synonyms=("AD-iPS-1",),
        provider="National Stem Cell Bank (NSCB)",
        bank_code="NSCBi001-A-MCB-01",
        bank_tier="Master cell bank",
        passage_number=12,
        freeze_date=date(2025, 3, 14),
        cells_per_vial=1_500_000,
        post_thaw_viability=Decimal("88.5"),
        post_thaw_recovery=Decimal("64.25"),
        tests=(
            ResultLine("Mycoplasma", "PCR", "Negative", "Negative", "", True, date(2025, 4, 2)),
            ResultLine(
                "Endotoxin", "LAL kinetic", "≤ 5 EU/mL", "0.42", "EU/mL", True, date(2025, 4, 3)
            ),
            ResultLine(
                "STR identity", "STR profiling", "Tanabe ≥ 80 %", "Tanabe 96.30", "%", True, None
            ),
        ),
        signature=SignatureData(
            printed_name="Quinn Tester",
            signed_at=datetime(2025, 6, 3, 9, 40, 2, tzinfo=UTC),
            meaning="Approved for release",
            record_hash=HASH,
        ),
    )
    return replace(data, **overrides)


def pages_text(pdf: bytes) -> list[str]:
    pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDF's text")
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_it_is_an_a4_pdf_whose_first_page_names_the_certificate():
    pdf = render_certificate(certificate())
    assert pdf.startswith(b"%PDF-")
    pypdf = pytest.importorskip("pypdf")
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    width_mm = float(page.mediabox.width) * 25.4 / 72
    height_mm = float(page.mediabox.height) * 25.4 / 72
    assert (round(width_mm), round(height_mm)) == (210, 297)
    first = pages_text(pdf)[0]
    assert "Certificate of Analysis" in first
    assert "COA-NSCBi001-A-MCB-01-1" in first


def test_it_prints_the_material_the_tests_and_the_signature():
    text = " ".join(" ".join(pages_text(render_certificate(certificate()))).split())
    for expected in (
        "NSCBi001-A",
        "AD-iPS-1",
        "National Stem Cell Bank (NSCB)",
        "Master cell bank NSCBi001-A-MCB-01",
        "P12",
        "2025-03-14",
        "1,500,000",
        "88.5 %",
        "64.25 %",
        "Mycoplasma PCR Negative Negative 2025-04-02 PASS",
        "0.42 EU/mL",
        "Tanabe 96.30 %",
        "All 3 tests met their specification.",
        "Approved for release",
        "Quinn Tester",
        "2025-06-03 09:40:02 UTC",
        HASH,
        "2025-06-03 09:41:17 UTC",
        URL,
    ):
        assert expected in text, expected


def test_symbols_outside_latin_1_print_as_themselves():
    count = ResultLine("Cells", "Counter", "≥ 1 × 10⁶", "1.5 × 10⁶ µL", "", True, None)
    text = " ".join(pages_text(render_certificate(certificate(tests=(count,)))))
    assert "≥ 1 × 10⁶" in text and "1.5 × 10⁶ µL" in text
    assert "≤ 5 EU/mL" in " ".join(pages_text(render_certificate(certificate())))


def test_the_outcome_comes_before_the_detail():
    text = " ".join(pages_text(render_certificate(certificate())))
    verdict = text.index("Released: all 3 release tests met their specification")
    assert verdict < text.index("Material") < text.index("Release signature")


def test_without_the_dejavu_font_it_says_which_package_to_install(monkeypatch):
    monkeypatch.setattr(pdf_fonts, "FACES", {("sans", ""): "No Such Font Family:style=Book"})
    with pytest.raises(coa.FontMissing, match=r"No Such Font Family.*fonts-dejavu-core"):
        render_certificate(certificate())


def test_a_failed_test_is_printed_as_failed_and_counted():
    failing = ResultLine("Sterility", "Culture", "No growth", "Growth", "", False, date(2025, 4, 9))
    data = certificate(tests=(*certificate().tests, failing))
    text = " ".join(" ".join(pages_text(render_certificate(data))).split())
    assert "Sterility Culture No growth Growth 2025-04-09 FAIL" in text
    assert "3 of 4 tests met their specification." in text


def test_thirty_tests_flow_onto_a_second_page_with_the_signature_block_whole():
    many = tuple(
        ResultLine(f"Test {n:02d}", "Method", "Negative", "Negative", "", True, date(2025, 4, 1))
        for n in range(1, 31)
    )
    pages = pages_text(render_certificate(certificate(tests=many)))
    assert len(pages) == 2
    assert all(f"Test {n:02d}" in "".join(pages) for n in range(1, 31))
    assert "Page 1 of 2" in pages[0] and "Page 2 of 2" in pages[1]
    # The table's headings are repeated where it continues, and the signature stays together.
    assert "Test Method Specification Result Date Outcome" in " ".join(pages[1].split())
    assert "Quinn Tester" in pages[1] and HASH in pages[1]


def test_the_same_data_renders_the_same_bytes():
    assert render_certificate(certificate()) == render_certificate(certificate())
    assert render_certificate(certificate()) != render_certificate(certificate(passage_number=13))


def test_the_qr_code_on_page_one_decodes_to_the_verification_url():
    pdfium = pytest.importorskip("pypdfium2", reason="renders the page to decode its QR code")
    zxingcpp = pytest.importorskip("zxingcpp", reason="decodes the QR code")
    document = pdfium.PdfDocument(render_certificate(certificate()))
    image = document[0].render(scale=80 / 72).to_pil()  # 80 dpi, as pdftoppm -r 80
    decoded = [code.text for code in zxingcpp.read_barcodes(image)]
    assert decoded == [URL]


class RecordingPdf:
    """Stands in for FPDF: keeps the filled rectangles `_draw_qr` draws."""

    def __init__(self) -> None:
        self.rects: list[tuple[float, float, float, float]] = []

    def set_fill_color(self, *args) -> None:
        pass

    def rect(self, x: float, y: float, w: float, h: float, style: str) -> None:
        assert style == "F"
        self.rects.append((x, y, w, h))


def test_the_drawn_modules_are_exactly_segnos_qr_matrix_of_the_url():
    expected = [[bool(m) for m in row] for row in segno.make(URL, error="m").matrix]
    size = len(expected) * 1.0  # one millimetre per module
    recorder = RecordingPdf()
    _draw_qr(recorder, URL, 10.0, 20.0, size)
    drawn = [[False] * len(expected) for _ in expected]
    for x, y, w, h in recorder.rects:
        row, first = round(y - 20.0), round(x - 10.0)
        assert h == pytest.approx(1.0)
        for column in range(first, first + round(w)):
            assert not drawn[row][column], "a module drawn twice"
            drawn[row][column] = True
    assert drawn == expected
