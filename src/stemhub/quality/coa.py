"""Certificates of analysis: the PDF a released bank ships with, and its issue.

`render_certificate(data)` draws an A4 PDF from a `CertificateData` (no database access, so it
is fast and testable on its own); `certificate_issue(release=...)` gathers that data from a
release, renders it and stores the bytes with their SHA-256, which the public verification page
(`stemhub.quality.verification`) checks uploaded files against.

A certificate is printed in Chinese, in English, or in both (`CertificateLanguage`): bilingual,
as Chinese accredited laboratories issue them, every heading and label reads "中文 / English"
(or Chinese above English where the column is narrow) and every value is printed once. The
words come from the quality app's catalogue (context "certificate"), each language's through
`translation.override`, whatever language the request that issues it is in.

The PDF embeds cuts of TrueType/OpenType fonts found with fontconfig (`stemhub.core.pdf_fonts`:
DejaVu for Latin and symbols, so µ, ×, ≤ and ≥ print as themselves; Noto Sans CJK for Chinese);
a missing font fails with `FontMissing` naming the Debian package. The QR code is drawn as
vector rectangles, so it stays sharp at any zoom and print size. Rendering is deterministic: the
PDF's creation date is the issue date-time, so the same data in the same language gives the
same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast
from urllib.parse import quote

import segno
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _
from django.utils.translation import npgettext_lazy, pgettext_lazy
from fpdf import FPDF
from fpdf.enums import (
    MethodReturnValue,
    TableBordersLayout,
    TableCellFillMode,
    WrapMode,
    XPos,
    YPos,
)
from fpdf.fonts import FontFace

from stemhub.accounts.models import User
from stemhub.biobank.models import BankTier, CellBank
from stemhub.biobank.services import bank_locked
from stemhub.core import pdf_fonts
from stemhub.core.errors import Conflict, InvalidInput
from stemhub.core.pdf_fonts import DocumentPdf, FontMissing, wrapping
from stemhub.core.site import site_url
from stemhub.quality.models import Category, Certificate, CertificateLanguage, QcTest, Release
from stemhub.quality.models import Signature as SignatureRow
from stemhub.registry.models import CellLine

__all__ = [
    "CertificateData",
    "FontMissing",
    "ResultLine",
    "SignatureData",
    "certificate_data",
    "certificate_issue",
    "certificate_language_for",
    "line_of",
    "render_certificate",
    "verification_url",
]

# The languages each certificate language prints, in the order they are printed.
LANGUAGES = {
    CertificateLanguage.CHINESE: ("zh-hans",),
    CertificateLanguage.ENGLISH: ("en",),
    CertificateLanguage.BILINGUAL: ("zh-hans", "en"),
}

# Text: a plain string (printed as it is in every language) or a lazily translated one.
Text = str | Promise


class Words:
    """The certificate's own words (the catalogue's context "certificate"). Counted ones are
    formatted with `n`."""

    title = pgettext_lazy("certificate", "Certificate of Analysis")
    running_head = pgettext_lazy("certificate", "Certificate of analysis")
    verify_at = pgettext_lazy("certificate", "Verify this certificate at %(url)s")
    page_of = pgettext_lazy("certificate", "Page %(page)s of %(pages)s")
    testing_of = pgettext_lazy("certificate", "Release testing of %(tier)s %(code)s")
    number = pgettext_lazy("certificate", "Certificate no.")
    issued = pgettext_lazy("certificate", "Issued")
    scan = pgettext_lazy("certificate", "Scan to verify")
    all_passed = npgettext_lazy(
        "certificate",
        "Released: the release test met its specification",
        "Released: all %(n)s release tests met their specification",
        "n",
    )
    some_failed = npgettext_lazy(
        "certificate",
        "Released with %(n)s test outside specification",
        "Released with %(n)s tests outside specification",
        "n",
    )
    signed = pgettext_lazy("certificate", "Signed by %(name)s on %(when)s (%(meaning)s)")
    material = pgettext_lazy("certificate", "Material")
    cell_line = pgettext_lazy("certificate", "Cell line")
    synonyms = pgettext_lazy("certificate", "Synonyms")
    provider = pgettext_lazy("certificate", "Provider")
    bank = pgettext_lazy("certificate", "Bank")
    passage = pgettext_lazy("certificate", "Passage number")
    freeze_date = pgettext_lazy("certificate", "Freeze date")
    cells_per_vial = pgettext_lazy("certificate", "Cells per vial")
    viability = pgettext_lazy("certificate", "Post-thaw viability")
    recovery = pgettext_lazy("certificate", "Post-thaw recovery")
    none = pgettext_lazy("certificate", "none")
    not_recorded = pgettext_lazy("certificate", "not recorded")
    release_tests = pgettext_lazy("certificate", "Release tests")
    no_results = pgettext_lazy("certificate", "No test results recorded.")
    tests_passed = npgettext_lazy(
        "certificate",
        "The test met its specification.",
        "All %(n)s tests met their specification.",
        "n",
    )
    tests_some_passed = npgettext_lazy(
        "certificate",
        "%(passed)s of %(n)s test met its specification.",
        "%(passed)s of %(n)s tests met their specification.",
        "n",
    )
    test = pgettext_lazy("certificate", "Test")
    method = pgettext_lazy("certificate", "Method")
    specification = pgettext_lazy("certificate", "Specification")
    result = pgettext_lazy("certificate", "Result")
    date = pgettext_lazy("certificate", "Date")
    outcome = pgettext_lazy("certificate", "Outcome")
    passed = pgettext_lazy("certificate", "PASS")
    failed = pgettext_lazy("certificate", "FAIL")
    release_signature = pgettext_lazy("certificate", "Release signature")
    meaning = pgettext_lazy("certificate", "Meaning")
    signed_by = pgettext_lazy("certificate", "Signed by")
    signed_at = pgettext_lazy("certificate", "Date and time")
    record_hash = pgettext_lazy("certificate", "QC record hash")
    statement = pgettext_lazy(
        "certificate",
        "Signed electronically: the signer re-entered their password, and the signature is "
        "bound to the hash of the bank's QC record above. Any later change to a result breaks "
        "that binding. This certificate is valid only while the bank is released; scan the QR "
        "code or visit the address below to check its status and that this file is unaltered.",
    )


# The bank tiers and the release signature's meaning as a certificate prints them.
TIERS = {
    BankTier.SEED: pgettext_lazy("certificate", "Seed stock"),
    BankTier.MCB: pgettext_lazy("certificate", "Master cell bank"),
    BankTier.WCB: pgettext_lazy("certificate", "Working cell bank"),
    BankTier.DISTRIBUTION: pgettext_lazy("certificate", "Distribution lot"),
}
MEANINGS = {SignatureRow.Meaning.RELEASE: pgettext_lazy("certificate", "Approved for release")}


def _words() -> Iterator[Promise]:
    return (value for name, value in vars(Words).items() if isinstance(value, Promise))


INK = (20, 33, 48)
SOFT = (84, 97, 112)
RULE = (190, 200, 210)
BRAND = (16, 74, 110)
BAND = (233, 241, 247)
PASS = (9, 110, 57)
FAIL = (170, 20, 25)

PAGE_W, MARGIN = 210.0, 15.0
WIDTH = PAGE_W - 2 * MARGIN
QR_SIZE = 30.0


@dataclass(frozen=True)
class ResultLine:
    """One release test as printed: `passed` is the verdict against `specification`."""

    name: str
    method: str
    specification: str
    result: str
    unit: str
    passed: bool
    tested_on: date | None


@dataclass(frozen=True)
class SignatureData:
    """The electronic signature of the release (21 CFR 11.50: name, date-time, meaning). The
    meaning is the choice's label, translated into each language the certificate prints."""

    printed_name: str
    signed_at: datetime
    meaning: Text
    record_hash: str


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on a certificate, and the language it is printed in. Percentages are
    numbers from 0 to 100; the tier is the choice's label (translated when printed)."""

    number: str
    issued_at: datetime
    verification_url: str
    line_name: str
    provider: str
    bank_code: str
    bank_tier: Text
    passage_number: int
    freeze_date: date
    signature: SignatureData
    tests: Sequence[ResultLine] = ()
    synonyms: Sequence[str] = ()
    product: str = ""
    cells_per_vial: int | None = None
    post_thaw_viability: Decimal | None = None
    post_thaw_recovery: Decimal | None = None
    notes: Sequence[str] = field(default_factory=tuple)
    language: str = CertificateLanguage.ENGLISH


# A lazily lower-cased label ("master cell bank" in a sentence), in the language it is read in.
_lower = cast(Callable[[Text], Promise], lazy(lambda text: str(text).lower(), str))


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _cells(value: int) -> str:
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"{value:,} ({mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)})"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _percent(value: Decimal) -> str:
    return f"{_plain(value)} %"


def _when(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.strftime("%Y-%m-%d %H:%M:%S ") + (aware.tzname() or "UTC")


class _Blanks(dict[str, Any]):
    """Values for any placeholder: the ones given, an empty string for the others."""

    def __missing__(self, key: str) -> str:
        return ""


def _data_texts(data: CertificateData) -> list[str]:
    """The values the certificate prints as they are, whatever its language."""
    texts = [data.number, data.verification_url, data.line_name, data.provider, data.product]
    texts += [data.bank_code, *data.synonyms, *data.notes, data.signature.printed_name]
    for test in data.tests:
        texts += [test.name, test.method, test.specification, test.result, test.unit]
    return texts


class _Certificate(DocumentPdf):
    def __init__(self, data: CertificateData) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        if data.language not in LANGUAGES:
            raise InvalidInput(
                _("Choose the language of the certificate: Chinese, English or both"),
                fields={"language": [f"one of {', '.join(CertificateLanguage.values)}"]},
            )
        self.data = data
        self.languages = LANGUAGES[CertificateLanguage(data.language)]
        self.bilingual = len(self.languages) > 1
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=22 if self.bilingual else 20)
        self.alias_nb_pages()
        pdf_fonts.add_fonts(self, self._every_text())

    def _every_text(self) -> list[str]:
        """All the text this certificate can print: its values, and its words in its languages
        (singular and plural, placeholders left empty). The fonts are cut to these characters."""
        texts = _data_texts(self.data)
        for word in _words():
            for n in (1, 2):
                texts += self.say(word, _Blanks(n=n, passed=1))
        texts += self.say(self.data.bank_tier) + self.say(self.data.signature.meaning)
        return texts

    def say(self, word: Text, values: dict[str, Any] | None = None) -> list[str]:
        """`word` in each of the certificate's languages, `values` put in (a counted word picks
        its form by `values["n"]`); once when the languages say the same (a code, a name)."""
        said: list[str] = []
        for language in self.languages:
            with translation.override(language):
                text = str(word % values) if values is not None else str(word)
            if text not in said:
                said.append(text)
        return said

    def inline(self, word: Text, **values: Any) -> str:
        """The languages side by side: "中文 / English"."""
        return " / ".join(self.say(word, values or None))

    def stacked(self, word: Text, **values: Any) -> str:
        """The languages one above the other, for a narrow column."""
        return "\n".join(self.say(word, values or None))

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font("sans", "B", 8.5)
        self.set_text_color(*SOFT)
        self.cell(WIDTH * 0.7, 5, f"{self.inline(Words.running_head)} {self.data.number}")
        self.cell(WIDTH * 0.3, 5, str(self.data.bank_code), align="R")
        self.ln(8)

    def footer(self) -> None:
        verify = self.say(Words.verify_at, {"url": self.data.verification_url})
        pages = self.say(Words.page_of, {"page": self.page_no(), "pages": "{nb}"})
        self.set_y(-8 - 4 * len(verify) - (2 if self.bilingual else 0))
        self.set_draw_color(*RULE)
        self.line(MARGIN, self.get_y(), PAGE_W - MARGIN, self.get_y())
        self.set_font("sans", "", 7.5)
        self.set_text_color(*SOFT)
        height = 5 if len(verify) == 1 else 4
        for left, right in zip(verify, pages, strict=False):
            self.cell(WIDTH * 0.78, height, left)
            self.cell(WIDTH * 0.22, height, right, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for left in verify[len(pages) :]:
            self.cell(WIDTH * 0.78, height, left, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _draw_qr(pdf: FPDF, text: str, x: float, y: float, size: float) -> None:
    """The QR code as black rectangles, one per run of dark modules in a row (quiet zone left
    to the caller)."""
    code = segno.make(text, error="m", micro=False)
    rows = [list(row) for row in code.matrix]
    module = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            pdf.rect(x + start * module, y + r * module, (c - start) * module, module, "F")


def _section(pdf: _Certificate, title: Text) -> None:
    pdf.ln(3)
    pdf.set_font("sans", "B", 11)
    pdf.set_text_color(*BRAND)
    pdf.cell(WIDTH, 7, pdf.inline(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(0.4)
    pdf.line(MARGIN, pdf.get_y(), PAGE_W - MARGIN, pdf.get_y())
    pdf.set_line_width(0.2)
    pdf.ln(2)
    pdf.set_text_color(*INK)


def _head(pdf: _Certificate) -> None:
    data = pdf.data
    top = pdf.get_y()
    text_w = WIDTH - QR_SIZE - 10
    pdf.set_xy(MARGIN + 6, top)
    pdf.set_text_color(*INK)
    titles = pdf.say(Words.title)
    pdf.set_font("sans", "B", 20)
    pdf.cell(text_w, 10, titles[0], new_x=XPos.LEFT, new_y=YPos.NEXT)
    for title in titles[1:]:
        pdf.set_font("sans", "B", 13)
        pdf.cell(text_w, 7, title, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("sans", "", 10.5)
    pdf.set_text_color(*SOFT)
    testing = pdf.say(Words.testing_of, {"tier": _lower(data.bank_tier), "code": data.bank_code})
    for line in [data.provider, *testing]:
        pdf.multi_cell(
            text_w - 2,
            5,
            line,
            align="L",
            new_x=XPos.LEFT,
            new_y=YPos.NEXT,
            wrapmode=wrapping(line),
        )
    pdf.ln(1.5)
    pdf.set_font("sans", "B", 10.5)
    labels = [pdf.inline(Words.number), pdf.inline(Words.issued)]
    label_w = max(32.0, *(pdf.get_string_width(label) + 3 for label in labels))
    pdf.set_x(MARGIN + 6)
    pdf.set_text_color(*INK)
    pdf.cell(label_w, 6, labels[0])
    pdf.set_font("mono", "", 11)
    pdf.cell(70, 6, str(data.number), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_x(MARGIN + 6)
    pdf.set_font("sans", "B", 10.5)
    pdf.cell(label_w, 6, labels[1])
    pdf.set_font("sans", "", 10.5)
    pdf.cell(70, 6, str(_when(data.issued_at)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    bottom = pdf.get_y()
    pdf.set_fill_color(*BRAND)
    pdf.rect(MARGIN, top, 3, max(26.0, bottom - top - 2), "F")

    qr_x = PAGE_W - MARGIN - QR_SIZE
    _draw_qr(pdf, data.verification_url, qr_x, top, QR_SIZE)
    pdf.set_xy(qr_x - 8, top + QR_SIZE + 0.5)
    pdf.set_font("sans", "", 6.5)
    pdf.set_text_color(*SOFT)
    pdf.cell(QR_SIZE + 8, 3, pdf.inline(Words.scan), align="C")
    pdf.set_y(max(top + QR_SIZE + 4, top + 28, bottom))


def _outcome(pdf: _Certificate) -> None:
    """The verdict before the detail: released, and how many release tests met specification."""
    data = pdf.data
    passed = sum(1 for t in data.tests if t.passed)
    every = passed == len(data.tests)
    if every:
        verdicts = pdf.say(Words.all_passed, {"n": len(data.tests)})
    else:
        verdicts = pdf.say(Words.some_failed, {"n": len(data.tests) - passed})
    name, when = data.signature.printed_name, _when(data.signature.signed_at)
    meaning = _lower(data.signature.meaning)
    if pdf.bilingual:  # the signer's name and the time once, not in a sentence per language
        signed = [f"{pdf.inline(Words.signed_by)}: {name} · {when} · {pdf.inline(meaning)}"]
    else:
        signed = pdf.say(Words.signed, {"name": name, "when": when, "meaning": meaning})
    height = max(15.0, 3 + 6.5 + 5.5 * (len(verdicts) - 1) + 5 * len(signed))
    top = pdf.get_y() + 2
    colour = PASS if every else FAIL
    pdf.set_fill_color(*colour)
    pdf.rect(MARGIN, top, WIDTH, height, "F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(MARGIN + 4, top + 1.5)
    pdf.set_font("sans", "B", 12)
    pdf.cell(WIDTH - 8, 6.5, verdicts[0], new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("sans", "B", 10)
    for verdict in verdicts[1:]:
        pdf.cell(WIDTH - 8, 5.5, verdict, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("sans", "", 8.5)
    for line in signed:
        pdf.cell(WIDTH - 8, 5, line, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_y(top + height + 2)
    pdf.set_text_color(*INK)
    pdf.set_fill_color(*BAND)


def _material(pdf: _Certificate) -> None:
    data = pdf.data
    _section(pdf, Words.material)
    synonyms = ", ".join(data.synonyms) or pdf.inline(Words.none)
    unknown = pdf.inline(Words.not_recorded)

    def percent(value: Decimal | None) -> str:
        return unknown if value is None else _percent(value)

    cells = unknown if data.cells_per_vial is None else _cells(data.cells_per_vial)

    facts: list[tuple[Text, str]] = [
        (Words.cell_line, data.line_name + (f", {data.product}" if data.product else "")),
        (Words.synonyms, synonyms),
        (Words.provider, data.provider),
        (Words.bank, f"{pdf.inline(data.bank_tier)} {data.bank_code}"),
        (Words.passage, f"P{data.passage_number}"),
        (Words.freeze_date, data.freeze_date.isoformat()),
        (Words.cells_per_vial, cells),
        (Words.viability, percent(data.post_thaw_viability)),
        (Words.recovery, percent(data.post_thaw_recovery)),
    ]
    half = WIDTH / 2
    label_w = 37
    label_h = 4.2 if pdf.bilingual else 5.5
    pdf.set_text_color(*INK)
    row_y = bottom = pdf.get_y()
    for i, (label, value) in enumerate(facts):
        x = MARGIN + (i % 2) * half
        if i % 2 == 0:
            row_y = bottom
        pdf.set_xy(x, row_y)
        pdf.set_font("sans", "B", 9)
        pdf.set_text_color(*SOFT)
        pdf.multi_cell(label_w, label_h, pdf.stacked(label), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        bottom = max(bottom, pdf.get_y())
        pdf.set_xy(x + label_w, row_y)
        pdf.set_font("sans", "", 9.5)
        pdf.set_text_color(*INK)
        pdf.multi_cell(
            half - label_w - 3,
            5.5,
            value,
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        bottom = max(bottom, pdf.get_y(), row_y + 5.5)
        if i % 2 == 1 or i == len(facts) - 1:
            bottom += 0.8
    pdf.set_y(bottom)


def _tests(pdf: _Certificate) -> None:
    data = pdf.data
    _section(pdf, Words.release_tests)
    passed = sum(1 for t in data.tests if t.passed)
    pdf.set_font("sans", "", 9.5)
    if not data.tests:
        for line in pdf.say(Words.no_results):
            pdf.cell(WIDTH, 6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    if passed == len(data.tests):
        summary = pdf.say(Words.tests_passed, {"n": len(data.tests)})
    else:
        summary = pdf.say(Words.tests_some_passed, {"n": len(data.tests), "passed": passed})
    for line in summary:
        pdf.cell(WIDTH, 6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    pdf.set_font("sans", "", 8.5)
    pdf.set_draw_color(*RULE)
    heading = FontFace(emphasis="BOLD", color=INK, fill_color=BAND, size_pt=8.5)
    verdicts = {True: pdf.inline(Words.passed), False: pdf.inline(Words.failed)}
    # Bilingual, the outcome column takes "不合格 / FAIL" on one line, so a row stays one line.
    with pdf.table(
        col_widths=(32, 30, 32, 41, 21, 24) if pdf.bilingual else (32, 30, 32, 45, 21, 20),
        text_align=("LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "CENTER"),
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        headings_style=heading,
        cell_fill_color=(247, 249, 251),
        cell_fill_mode=TableCellFillMode.EVEN_ROWS,
        line_height=4.2,
        padding=(1.2, 1.2),
        width=WIDTH,
        repeat_headings=1,
    ) as table:
        row = table.row()
        for title in (
            Words.test,
            Words.method,
            Words.specification,
            Words.result,
            Words.date,
            Words.outcome,
        ):
            row.cell(pdf.stacked(title))
        for test in data.tests:
            row = table.row()
            row.cell(str(test.name), style=FontFace(emphasis="BOLD"))
            row.cell(str(test.method or "-"))
            row.cell(str(test.specification or "-"))
            result = f"{test.result} {test.unit}".strip() if test.unit else test.result
            # A profile wraps between its markers, not in the middle of one.
            row.cell(str(result or "-").replace(";", "; "))
            row.cell(test.tested_on.isoformat() if test.tested_on else "-")
            row.cell(
                verdicts[test.passed],
                style=FontFace(emphasis="BOLD", color=PASS if test.passed else FAIL),
            )


def _signature(pdf: _Certificate) -> None:
    data = pdf.data
    signature = data.signature
    row_h = 9.0 if pdf.bilingual else 6.0
    hash_h = 9.0 if pdf.bilingual else 5.0
    box_h = max(33.0, 5 + 3 * row_h + hash_h)
    pdf.set_font("sans", "", 8)
    statement = pdf.say(Words.statement)
    lines = sum(len(_lines(pdf, text)) for text in statement)
    block_h = 12 + box_h + 2 + 4 * lines + 4.5 * len(data.notes)
    if pdf.get_y() + block_h > pdf.h - pdf.b_margin:
        pdf.add_page()
    _section(pdf, Words.release_signature)
    top = pdf.get_y()
    pdf.set_draw_color(*BRAND)
    pdf.set_fill_color(*BAND)
    pdf.rect(MARGIN, top, WIDTH, box_h, "DF")
    rows: list[tuple[Text, str, str]] = [
        (Words.meaning, pdf.inline(signature.meaning), "B"),
        (Words.signed_by, signature.printed_name, ""),
        (Words.signed_at, _when(signature.signed_at), ""),
    ]
    y = top + 2.5
    for label, value, style in rows:
        _signature_row(pdf, y, row_h, label)
        pdf.set_font("sans", style, 10.5)
        pdf.set_text_color(*INK)
        pdf.cell(WIDTH - 42, row_h if pdf.bilingual else 6, value)
        y += row_h
    _signature_row(pdf, y, hash_h, Words.record_hash)
    pdf.set_font("mono", "", 8.5)
    pdf.set_text_color(*INK)
    pdf.cell(WIDTH - 42, hash_h, str(f"SHA-256 {signature.record_hash}"))
    pdf.set_y(top + box_h + 2)
    pdf.set_font("sans", "", 8)
    pdf.set_text_color(*SOFT)
    for text in statement:
        _paragraph(pdf, 4, text)
    for note in data.notes:
        _paragraph(pdf, 4.5, note)


def _paragraph(pdf: _Certificate, height: float, text: str) -> None:
    """Prose across the page: justified between words, or, in Chinese, broken between any two
    characters and set flush left (justifying would only widen the spaces around a Latin word)."""
    mode = wrapping(text)
    align = "L" if mode is WrapMode.CHAR else "J"
    pdf.multi_cell(
        WIDTH, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=mode
    )


def _lines(pdf: _Certificate, text: str) -> list[str]:
    """The lines `text` takes as a paragraph across the page, in the current font."""
    wrapped = pdf.multi_cell(
        WIDTH, 4, text, dry_run=True, output=MethodReturnValue.LINES, wrapmode=wrapping(text)
    )
    return cast(list[str], wrapped)


def _signature_row(pdf: _Certificate, y: float, height: float, label: Text) -> None:
    """A label of the signature box, its languages stacked, and the cursor where its value goes."""
    pdf.set_xy(MARGIN + 4, y)
    pdf.set_font("sans", "B", 9)
    pdf.set_text_color(*SOFT)
    said = pdf.say(label)
    pdf.multi_cell(34, height / len(said), "\n".join(said), new_x=XPos.RIGHT, new_y=YPos.TOP)
    pdf.set_xy(MARGIN + 4 + 34, y)


def render_certificate(data: CertificateData) -> bytes:
    """The certificate as A4 PDF bytes, in `data.language`."""
    pdf = _Certificate(data)
    pdf.set_lang("zh-CN" if pdf.languages[0] == "zh-hans" else "en")
    pdf.set_title(f"{pdf.inline(Words.running_head)} {data.number}")
    pdf.set_subject(str(f"{data.line_name} {data.bank_code}"))
    pdf.set_author(str(data.provider))
    pdf.set_creator("stemhub")
    pdf.set_creation_date(data.issued_at)
    pdf.add_page()
    _head(pdf)
    _outcome(pdf)
    _material(pdf)
    _tests(pdf)
    _signature(pdf)
    return bytes(pdf.output())


# Issue: from a release to a stored certificate

VIABILITY, RECOVERY = "viability", "recovery"
_CATEGORY_ORDER = {value: rank for rank, value in enumerate(Category.values)}


def verification_url(number: str, *, base_url: str | None = None) -> str:
    """The public page a certificate's QR code opens: `<site address>/verify/<number>/`."""
    base = base_url or site_url()
    try:
        path = reverse("quality_public:verify", args=[number])
    except NoReverseMatch:
        # Until the site's URLconf includes `urls_public`, the address it will have there.
        path = f"/verify/{quote(number, safe='')}/"
    return base.rstrip("/") + path


def _decimal(value: str | None) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _signed_results(release: Release) -> list[dict[str, Any]]:
    """The results the release signed (its record, as hashed), latest per test code: the ones
    the release decision rested on, earlier attempts left out."""
    record = json.loads(release.signature.record)
    latest: dict[str, dict[str, Any]] = {}
    for result in sorted(record.get("results", []), key=lambda r: (r["tested_on"], r["id"])):
        latest[result["test"]] = result
    return list(latest.values())


def _test_line(result: dict[str, Any], test: QcTest | None) -> ResultLine:
    score = _decimal(result.get("str_score"))
    number = _decimal(result.get("value_number"))
    if score is not None:
        value, unit = f"Tanabe {score:.2f}", "%"
    elif number is not None:
        value, unit = _plain(number), result.get("unit", "")
    else:
        value, unit = _sentence(result.get("value_text", "")), ""
    return ResultLine(
        name=test.name if test else result["test"],
        method=result.get("method", ""),
        specification=_sentence(result.get("specification", "")),
        result=value,
        unit=unit,
        passed=bool(result.get("passed")),
        tested_on=date.fromisoformat(result["tested_on"]),
    )


def line_of(bank: CellBank) -> CellLine:
    """The line a bank is of: its own, or its differentiated product's."""
    line = bank.line if bank.line_id else bank.product.line  # type: ignore[union-attr]
    assert line is not None  # a bank is of a line or of a product (a database constraint)
    return line


def certificate_language_for(
    user: User | AnonymousUser | None, chosen: str = ""
) -> CertificateLanguage:
    """The language a certificate is issued in: the one its issuer `chosen`, else the issuer's
    own (their profile's), else the one they are using the site in. InvalidInput for a choice
    that is not a `CertificateLanguage`."""
    if chosen:
        if chosen not in CertificateLanguage.values:
            raise InvalidInput(
                _("Choose the language of the certificate: Chinese, English or both"),
                fields={
                    "certificate_language": [f"one of {', '.join(CertificateLanguage.values)}"]
                },
            )
        return CertificateLanguage(chosen)
    language = getattr(user, "language", "") or translation.get_language() or ""
    if language.startswith("zh"):
        return CertificateLanguage.CHINESE
    return CertificateLanguage.ENGLISH


def certificate_data(
    release: Release,
    *,
    number: str,
    issued_at: datetime,
    base_url: str | None = None,
    language: str = CertificateLanguage.ENGLISH,
) -> CertificateData:
    """What the certificate of `release` prints, in `language`: the bank as it is, the results
    and signature as signed."""
    bank = CellBank.objects.select_related("line", "product__line", "institution").get(
        pk=release.bank_id
    )
    signature = release.signature
    line = line_of(bank)
    results = _signed_results(release)
    versions = {(r["test"], r.get("test_version")) for r in results}
    tests: dict[tuple[str, Any], QcTest] = {
        (t.code, t.version): t
        for t in QcTest.objects.filter(code__in={code for code, _ in versions})
        if (t.code, t.version) in versions
    }
    by_code = {r["test"]: r for r in results}

    def order(result: dict[str, Any]) -> tuple[int, str]:
        test = tests.get((result["test"], result.get("test_version")))
        return (_CATEGORY_ORDER.get(test.category, 99) if test else 99, result["test"])

    lines = [
        _test_line(r, tests.get((r["test"], r.get("test_version"))))
        for r in sorted(results, key=order)
    ]
    viability = _decimal(by_code.get(VIABILITY, {}).get("value_number"))
    recovery = _decimal(by_code.get(RECOVERY, {}).get("value_number"))
    institution = bank.institution
    provider = institution.name + (
        f" ({institution.provider_code})" if institution.provider_code else ""
    )
    return CertificateData(
        number=number,
        issued_at=timezone.localtime(issued_at),
        verification_url=verification_url(number, base_url=base_url),
        line_name=line.name,
        synonyms=tuple(line.synonyms.values_list("name", flat=True)),
        product=bank.product.name if bank.product_id else "",  # type: ignore[union-attr]
        provider=provider,
        bank_code=bank.code,
        bank_tier=TIERS.get(BankTier(bank.tier), bank.get_tier_display()),
        passage_number=bank.passage_number,
        freeze_date=bank.freeze_date,
        cells_per_vial=bank.cells_per_vial,
        post_thaw_viability=viability if viability is not None else bank.post_thaw_viability,
        post_thaw_recovery=recovery,
        tests=tuple(lines),
        signature=SignatureData(
            printed_name=signature.printed_name,
            signed_at=timezone.localtime(signature.signed_at),
            meaning=MEANINGS.get(
                SignatureRow.Meaning(signature.meaning), signature.get_meaning_display()
            ),
            record_hash=signature.record_hash,
        ),
        language=language,
    )


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def certificate_issue(
    *,
    release: Release,
    language: str = CertificateLanguage.ENGLISH,
    base_url: str | None = None,
) -> Certificate:
    """Render and store the certificate of analysis of a release in `language` (a
    `CertificateLanguage`; kept with it, so that rendering it again gives the same bytes). Call
    it right after the release, inside the release's transaction and audit context. Numbered
    `COA-<bank code>-<n>`, n counting the bank's certificates from 1. Conflict if the release
    has one already or is no longer standing."""
    language = certificate_language_for(None, language)
    with transaction.atomic():
        bank = bank_locked(release.bank_id)
        release = Release.objects.select_for_update().select_related("signature").get(pk=release.pk)
        if Certificate.objects.filter(release_id=release.pk).exists():
            raise Conflict(
                _("The release of %(bank)s already has a certificate") % {"bank": bank.code},
                fields={"release": ["already certified"]},
            )
        if not release.standing:
            raise Conflict(
                _("The release of %(bank)s was invalidated; it cannot be certified")
                % {"bank": bank.code},
                fields={"release": ["invalidated"]},
            )
        count = Certificate.objects.filter(release__bank_id=bank.pk).count()
        number = f"COA-{bank.code}-{count + 1}"
        issued_at = timezone.now()
        data = certificate_data(
            release, number=number, issued_at=issued_at, base_url=base_url, language=language
        )
        pdf = render_certificate(data)
        certificate = Certificate(
            release=release,
            number=number,
            pdf=pdf,
            sha256=sha256_hex(pdf),
            issued_at=issued_at,
            language=language,
        )
        certificate.full_clean()
        certificate.save()
        return certificate
