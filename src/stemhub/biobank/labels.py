"""Printable cryovial labels: an A4 PDF sheet, one label per vial, each with a QR code of the
vial's barcode and the eye-readable text a technician checks against it.

QR codes come from segno (pure Python) and are drawn as vector rectangles, so they print sharp
at any size; the PDF is written by fpdf2 in the fonts of `stemhub.core.pdf_fonts`, so a Chinese
line name prints as itself. The words on a label are in the language of the person printing it.
"""

from collections.abc import Sequence

import segno
from django.utils.translation import pgettext

from stemhub.biobank.models import CellBank, Vial
from stemhub.core.pdf_fonts import DocumentPdf, add_fonts

# An A4 sheet of 4 × 12 labels of 48 × 22 mm (common cryo label stock, e.g. 1.9" × 0.87").
PAGE_MARGIN_X, PAGE_MARGIN_Y = 9.0, 16.5
LABEL_W, LABEL_H = 48.0, 22.0
COLUMNS, ROWS = 4, 12
QR_SIZE = 17.0
TEXT_W = LABEL_W - QR_SIZE - 4


def _draw_qr(pdf: DocumentPdf, text: str, x: float, y: float, size: float) -> None:
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


def _fitted(pdf: DocumentPdf, text: str, width: float) -> str:
    """`text`, cut short with an ellipsis where it is wider than `width` in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def label_sheet(bank: CellBank, vials: Sequence[Vial]) -> bytes:
    """The label sheet of these vials of one bank, as PDF bytes."""
    lines = [
        bank.source_name,
        bank.code,
        pgettext("vial label", "%(tier)s P%(passage)s")
        % {"tier": bank.get_tier_display(), "passage": bank.passage_number},
        pgettext("vial label", "Frozen %(date)s") % {"date": f"{bank.freeze_date:%Y-%m-%d}"},
    ]
    title = pgettext("vial label", "Labels %(bank)s") % {"bank": bank.code}
    pdf = DocumentPdf(format="A4", unit="mm")
    add_fonts(pdf, [title, *lines, *(vial.barcode for vial in vials)])
    pdf.set_auto_page_break(False)
    pdf.set_title(title)
    pdf.set_creator("stemhub")
    pdf.set_fill_color(0, 0, 0)
    pdf.set_font("sans", "", 6.5)
    fitted = [_fitted(pdf, line, TEXT_W) for line in lines]
    for index, vial in enumerate(vials):
        slot = index % (COLUMNS * ROWS)
        if slot == 0:
            pdf.add_page()
        x = PAGE_MARGIN_X + (slot % COLUMNS) * LABEL_W
        y = PAGE_MARGIN_Y + (slot // COLUMNS) * LABEL_H
        _draw_qr(pdf, vial.barcode, x + 1.5, y + 2.5, QR_SIZE)
        text_x = x + QR_SIZE + 3
        pdf.set_xy(text_x, y + 2.5)
        pdf.set_font("mono", "B", 8)
        pdf.cell(TEXT_W, 3.6, _fitted(pdf, vial.barcode, TEXT_W))
        pdf.set_font("sans", "", 6.5)
        for n, line in enumerate(fitted):
            pdf.set_xy(text_x, y + 6.6 + n * 3.1)
            pdf.cell(TEXT_W, 3.1, line)
    return bytes(pdf.output())
