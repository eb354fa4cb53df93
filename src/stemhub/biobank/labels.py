"""Printable cryovial labels: an A4 PDF sheet, one label per vial, each with a QR code of the
vial's barcode and the eye-readable text a technician checks against it.

QR codes come from segno (pure Python) and are drawn as vector rectangles, so they print sharp
at any size; the PDF is written by fpdf2.
"""

from collections.abc import Sequence

import segno
from fpdf import FPDF

from stemhub.biobank.models import CellBank, Vial

# An A4 sheet of 4 × 12 labels of 48 × 22 mm (common cryo label stock, e.g. 1.9" × 0.87").
PAGE_MARGIN_X, PAGE_MARGIN_Y = 9.0, 16.5
LABEL_W, LABEL_H = 48.0, 22.0
COLUMNS, ROWS = 4, 12
QR_SIZE = 17.0


def _latin1(text: str) -> str:
    """The PDF core fonts know Latin-1 only; anything else prints as `?`."""
    return text.encode("latin-1", "replace").decode("latin-1")


def _draw_qr(pdf: FPDF, text: str, x: float, y: float, size: float) -> None:
    code = segno.make(text, error="m", micro=False)
    matrix = [list(row) for row in code.matrix]
    module = size / len(matrix)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(x + start * module, y + r * module, (c - start) * module, module, "F")
            else:
                c += 1


def label_sheet(bank: CellBank, vials: Sequence[Vial]) -> bytes:
    """The label sheet of these vials of one bank, as PDF bytes."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_title(_latin1(f"Labels {bank.code}"))
    pdf.set_creator("stemhub")
    pdf.set_fill_color(0, 0, 0)
    source = bank.source_name
    for index, vial in enumerate(vials):
        slot = index % (COLUMNS * ROWS)
        if slot == 0:
            pdf.add_page()
        x = PAGE_MARGIN_X + (slot % COLUMNS) * LABEL_W
        y = PAGE_MARGIN_Y + (slot // COLUMNS) * LABEL_H
        _draw_qr(pdf, vial.barcode, x + 1.5, y + 2.5, QR_SIZE)
        text_x = x + QR_SIZE + 3
        pdf.set_xy(text_x, y + 2.5)
        pdf.set_font("Courier", "B", 8)
        pdf.cell(LABEL_W - QR_SIZE - 4, 3.6, vial.barcode)
        pdf.set_font("Helvetica", "", 6.5)
        lines = [
            source,
            bank.code,
            f"{bank.get_tier_display()} P{bank.passage_number}",
            f"Frozen {bank.freeze_date:%Y-%m-%d}",
        ]
        for n, line in enumerate(lines):
            pdf.set_xy(text_x, y + 6.6 + n * 3.1)
            pdf.cell(LABEL_W - QR_SIZE - 4, 3.1, _latin1(line[:24]))
    return bytes(pdf.output())
