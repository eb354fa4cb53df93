"""Certificates of analysis: the PDF a released bank ships with, and its issue.

`render_certificate(data)` draws an A4 PDF from a `CertificateData` (no database access, so it
is fast and testable on its own); `certificate_issue(release=...)` gathers that data from a
release, renders it and stores the bytes with their SHA-256, which the public verification page
(`stemhub.quality.verification`) checks uploaded files against.

The PDF embeds subsets of TrueType fonts found with fontconfig (DejaVu Sans and Sans Mono from
Debian's fonts-dejavu-core; Noto Sans CJK for Chinese when the text has any), so µ, ×, ≤ and ≥
print as themselves; without DejaVu, issuing fails with `FontMissing` naming the package. The
QR code is drawn as vector rectangles, so
it stays sharp at any zoom and print size. Rendering is deterministic: the PDF's creation date is
the issue date-time, so the same data gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import segno
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from fontTools import ttLib
from fontTools.subset import Options, Subsetter
from fpdf import FPDF
from fpdf.enums import TableBordersLayout, TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace

from stemhub.biobank.models import CellBank
from stemhub.core.errors import Conflict, StemhubError
from stemhub.core.site import site_url
from stemhub.quality.models import Category, Certificate, QcTest, Release
from stemhub.registry.models import CellLine

__all__ = [
    "CertificateData",
    "FontMissing",
    "ResultLine",
    "SignatureData",
    "certificate_data",
    "certificate_issue",
    "line_of",
    "render_certificate",
    "verification_url",
]

# The TrueType faces the certificate prints in, by fontconfig name: DejaVu covers Latin, Greek
# and the symbols QC text uses (µ × ≤ ≥ ⁶); Noto Sans CJK prints Chinese where DejaVu has no glyph.
FACES = {
    ("sans", ""): "DejaVu Sans:style=Book",
    ("sans", "B"): "DejaVu Sans:style=Bold",
    ("mono", ""): "DejaVu Sans Mono:style=Book",
}
# What a certificate prints from those faces: Latin, Greek, punctuation, super- and subscripts,
# letterlike symbols, arrows and mathematical operators. The faces are cut down to these once per
# process (fpdf2 parses every glyph of a font it loads: a second a certificate for full DejaVu).
PRINTED = [
    *range(0x20, 0x250),
    *range(0x370, 0x400),
    *range(0x2000, 0x2200),
    *range(0x2200, 0x2300),
    0x25A0,
    0x25CF,
]
CJK_FACE = "Noto Sans CJK SC:style=Regular"
# fontTools narrates every subset it makes at INFO level: a page of glyph lists per certificate.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)
FONT_PACKAGES = "fonts-dejavu-core (and fonts-noto-cjk for Chinese)"


class FontMissing(StemhubError):
    """The fonts the certificate needs are not installed on this machine."""

    status = 500
    code = "font_missing"


@cache
def _font_file(pattern: str) -> Path | None:
    """The file fontconfig has for `pattern`, or None when the family is not installed
    (`fc-match` answers its nearest substitute; a substitute is not the face asked for)."""
    family = pattern.split(":")[0]
    try:
        found = subprocess.run(
            ["fc-match", "--format=%{family}\n%{file}", pattern],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return None
    if len(found) < 2 or family not in found[0].split(","):
        return None
    path = Path(found[1])
    return path if path.is_file() else None


@cache
def _printed_subset(source: Path) -> Path:
    """`source` cut down to the PRINTED characters, kept in the temporary directory under a name
    that changes with the source file."""
    stat = source.stat()
    stamp = hashlib.sha256(f"{source}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()
    target = Path(tempfile.gettempdir()) / "stemhub-fonts" / f"{source.stem}-{stamp[:16]}.ttf"
    if not target.is_file():
        font = ttLib.TTFont(source, recalcTimestamp=False)
        subsetter = Subsetter(Options(layout_features=["*"], name_IDs=["*"], notdef_outline=True))
        subsetter.populate(unicodes=PRINTED)
        subsetter.subset(font)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.part")
        font.save(partial)
        partial.replace(target)  # atomic: another process never reads half a font
    return target


def _fonts() -> dict[tuple[str, str], Path]:
    files = {face: _font_file(pattern) for face, pattern in FACES.items()}
    missing = sorted({FACES[face].split(":")[0] for face, path in files.items() if path is None})
    if missing:
        raise FontMissing(
            f"The certificate of analysis needs the {', '.join(missing)} font; install the "
            f"Debian package {FONT_PACKAGES}"
        )
    return {face: _printed_subset(path) for face, path in files.items() if path is not None}


def _needs_cjk(data: CertificateData) -> bool:
    return any(ch >= "\u2e80" for text in _strings(data) for ch in text)


def _strings(data: CertificateData) -> list[str]:
    texts = [data.line_name, data.provider, data.product, *data.synonyms, *data.notes]
    texts += [data.signature.printed_name, data.signature.meaning]
    for test in data.tests:
        texts += [test.name, test.method, test.specification, test.result, test.unit]
    return texts


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
    """The electronic signature of the release (21 CFR 11.50: name, date-time, meaning)."""

    printed_name: str
    signed_at: datetime
    meaning: str
    record_hash: str


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on a certificate. Percentages are numbers from 0 to 100."""

    number: str
    issued_at: datetime
    verification_url: str
    line_name: str
    provider: str
    bank_code: str
    bank_tier: str
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


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _cells(value: int | None) -> str:
    if value is None:
        return "not recorded"
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"{value:,} ({mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)})"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _percent(value: Decimal | None) -> str:
    return "not recorded" if value is None else f"{_plain(value)} %"


def _when(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.strftime("%Y-%m-%d %H:%M:%S ") + (aware.tzname() or "UTC")


class _Certificate(FPDF):
    def __init__(self, data: CertificateData) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.data = data
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=20)
        self.alias_nb_pages()
        for (family, style), path in _fonts().items():
            self.add_font(family, style, str(path))
        if _needs_cjk(data):
            cjk = _font_file(CJK_FACE)
            if cjk is None:
                raise FontMissing(
                    "The certificate has Chinese text; install the Debian package fonts-noto-cjk"
                )
            self.add_font("cjk", "", str(cjk), collection_font_number=0)
            self.add_font("cjk", "B", str(cjk), collection_font_number=0)
            self.set_fallback_fonts(["cjk"])

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font("sans", "B", 8.5)
        self.set_text_color(*SOFT)
        self.cell(WIDTH / 2, 5, str(f"Certificate of analysis {self.data.number}"))
        self.cell(WIDTH / 2, 5, str(self.data.bank_code), align="R")
        self.ln(8)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_draw_color(*RULE)
        self.line(MARGIN, self.get_y(), PAGE_W - MARGIN, self.get_y())
        self.set_font("sans", "", 7.5)
        self.set_text_color(*SOFT)
        self.cell(
            WIDTH * 0.78,
            5,
            str(f"Verify this certificate at {self.data.verification_url}"),
        )
        self.cell(WIDTH * 0.22, 5, f"Page {self.page_no()} of {{nb}}", align="R")


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


def _section(pdf: FPDF, title: str) -> None:
    pdf.ln(3)
    pdf.set_font("sans", "B", 11)
    pdf.set_text_color(*BRAND)
    pdf.cell(WIDTH, 7, str(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(0.4)
    pdf.line(MARGIN, pdf.get_y(), PAGE_W - MARGIN, pdf.get_y())
    pdf.set_line_width(0.2)
    pdf.ln(2)
    pdf.set_text_color(*INK)


def _head(pdf: _Certificate) -> None:
    data = pdf.data
    top = pdf.get_y()
    pdf.set_fill_color(*BRAND)
    pdf.rect(MARGIN, top, 3, 26, "F")
    pdf.set_xy(MARGIN + 6, top)
    pdf.set_font("sans", "B", 20)
    pdf.set_text_color(*INK)
    pdf.cell(WIDTH - QR_SIZE - 10, 10, "Certificate of Analysis", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("sans", "", 10.5)
    pdf.set_text_color(*SOFT)
    pdf.multi_cell(
        WIDTH - QR_SIZE - 12,
        5,
        str(f"{data.provider}\nRelease testing of {data.bank_tier.lower()} {data.bank_code}"),
        align="L",
        new_x=XPos.LEFT,
        new_y=YPos.NEXT,
    )
    pdf.ln(1.5)
    pdf.set_x(MARGIN + 6)
    pdf.set_font("sans", "B", 10.5)
    pdf.set_text_color(*INK)
    pdf.cell(32, 6, "Certificate no.")
    pdf.set_font("mono", "", 11)
    pdf.cell(70, 6, str(data.number), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_x(MARGIN + 6)
    pdf.set_font("sans", "B", 10.5)
    pdf.cell(32, 6, "Issued")
    pdf.set_font("sans", "", 10.5)
    pdf.cell(70, 6, str(_when(data.issued_at)))

    qr_x = PAGE_W - MARGIN - QR_SIZE
    _draw_qr(pdf, data.verification_url, qr_x, top, QR_SIZE)
    pdf.set_xy(qr_x - 6, top + QR_SIZE + 0.5)
    pdf.set_font("sans", "", 6.5)
    pdf.set_text_color(*SOFT)
    pdf.cell(QR_SIZE + 6, 3, "Scan to verify", align="C")
    pdf.set_y(max(top + QR_SIZE + 4, top + 28))


def _outcome(pdf: _Certificate) -> None:
    """The verdict before the detail: released, and how many release tests met specification."""
    data = pdf.data
    passed = sum(1 for t in data.tests if t.passed)
    every = passed == len(data.tests)
    if every:
        verdict = f"Released: all {len(data.tests)} release tests met their specification"
    else:
        verdict = f"Released with {len(data.tests) - passed} test(s) outside specification"
    signed = (
        f"Signed by {data.signature.printed_name} on {_when(data.signature.signed_at)} "
        f"({data.signature.meaning.lower()})"
    )
    top = pdf.get_y() + 2
    colour = PASS if every else FAIL
    pdf.set_fill_color(*colour)
    pdf.rect(MARGIN, top, WIDTH, 15, "F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(MARGIN + 4, top + 1.5)
    pdf.set_font("sans", "B", 12)
    pdf.cell(WIDTH - 8, 6.5, verdict, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("sans", "", 8.5)
    pdf.cell(WIDTH - 8, 5, signed, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(top + 17)
    pdf.set_text_color(*INK)
    pdf.set_fill_color(*BAND)


def _material(pdf: _Certificate) -> None:
    data = pdf.data
    _section(pdf, "Material")
    facts = [
        ("Cell line", data.line_name + (f", {data.product}" if data.product else "")),
        ("Synonyms", ", ".join(data.synonyms) or "none"),
        ("Provider", data.provider),
        ("Bank", f"{data.bank_tier} {data.bank_code}"),
        ("Passage number", f"P{data.passage_number}"),
        ("Freeze date", data.freeze_date.isoformat()),
        ("Cells per vial", _cells(data.cells_per_vial)),
        ("Post-thaw viability", _percent(data.post_thaw_viability)),
        ("Post-thaw recovery", _percent(data.post_thaw_recovery)),
    ]
    half = WIDTH / 2
    label_w = 37
    pdf.set_text_color(*INK)
    for i, (label, value) in enumerate(facts):
        if i % 2 == 0:
            row_y = pdf.get_y()
            x = MARGIN
        else:
            x = MARGIN + half
        pdf.set_xy(x, row_y)
        pdf.set_font("sans", "B", 9)
        pdf.set_text_color(*SOFT)
        pdf.cell(label_w, 5.5, str(label))
        pdf.set_font("sans", "", 9.5)
        pdf.set_text_color(*INK)
        pdf.multi_cell(
            half - label_w - 3,
            5.5,
            str(value),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        if i % 2 == 1 or i == len(facts) - 1:
            pdf.set_y(max(pdf.get_y(), row_y + 5.5) + 0.8)


def _tests(pdf: _Certificate) -> None:
    data = pdf.data
    _section(pdf, "Release tests")
    passed = sum(1 for t in data.tests if t.passed)
    pdf.set_font("sans", "", 9.5)
    if not data.tests:
        pdf.cell(WIDTH, 6, "No test results recorded.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    summary = (
        f"All {len(data.tests)} tests met their specification."
        if passed == len(data.tests)
        else f"{passed} of {len(data.tests)} tests met their specification."
    )
    pdf.cell(WIDTH, 6, summary, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    pdf.set_font("sans", "", 8.5)
    pdf.set_draw_color(*RULE)
    heading = FontFace(emphasis="BOLD", color=INK, fill_color=BAND, size_pt=8.5)
    with pdf.table(
        col_widths=(32, 30, 32, 45, 21, 20),
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
        for title in ("Test", "Method", "Specification", "Result", "Date", "Outcome"):
            row.cell(title)
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
                "PASS" if test.passed else "FAIL",
                style=FontFace(emphasis="BOLD", color=PASS if test.passed else FAIL),
            )


def _signature(pdf: _Certificate) -> None:
    data = pdf.data
    signature = data.signature
    block_h = 42 + 4.5 * len(data.notes)
    if pdf.get_y() + block_h > pdf.h - 22:
        pdf.add_page()
    _section(pdf, "Release signature")
    top = pdf.get_y()
    pdf.set_draw_color(*BRAND)
    pdf.set_fill_color(*BAND)
    pdf.rect(MARGIN, top, WIDTH, 33, "DF")
    rows = [
        ("Meaning", signature.meaning),
        ("Signed by", signature.printed_name),
        ("Date and time", _when(signature.signed_at)),
    ]
    pdf.set_y(top + 2.5)
    for label, value in rows:
        pdf.set_x(MARGIN + 4)
        pdf.set_font("sans", "B", 9)
        pdf.set_text_color(*SOFT)
        pdf.cell(34, 6, str(label))
        pdf.set_font("sans", "B" if label == "Meaning" else "", 10.5)
        pdf.set_text_color(*INK)
        pdf.cell(WIDTH - 42, 6, str(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(MARGIN + 4)
    pdf.set_font("sans", "B", 9)
    pdf.set_text_color(*SOFT)
    pdf.cell(34, 5, "QC record hash")
    pdf.set_font("mono", "", 8.5)
    pdf.set_text_color(*INK)
    pdf.cell(WIDTH - 42, 5, str(f"SHA-256 {signature.record_hash}"))
    pdf.set_y(top + 35)
    pdf.set_font("sans", "", 8)
    pdf.set_text_color(*SOFT)
    pdf.multi_cell(
        WIDTH,
        4,
        "Signed electronically: the signer re-entered their password, and the signature is "
        "bound to the hash of the bank's QC record above. Any later change to a result breaks "
        "that binding. This certificate is valid only while the bank is released; scan the QR "
        "code or visit the address below to check its status and that this file is unaltered.",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    for note in data.notes:
        pdf.multi_cell(WIDTH, 4.5, str(note), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_certificate(data: CertificateData) -> bytes:
    """The certificate as A4 PDF bytes."""
    pdf = _Certificate(data)
    pdf.set_title(str(f"Certificate of analysis {data.number}"))
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


def certificate_data(
    release: Release, *, number: str, issued_at: datetime, base_url: str | None = None
) -> CertificateData:
    """What the certificate of `release` prints: the bank as it is, the results and signature
    as signed."""
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
        bank_tier=bank.get_tier_display(),
        passage_number=bank.passage_number,
        freeze_date=bank.freeze_date,
        cells_per_vial=bank.cells_per_vial,
        post_thaw_viability=viability if viability is not None else bank.post_thaw_viability,
        post_thaw_recovery=recovery,
        tests=tuple(lines),
        signature=SignatureData(
            printed_name=signature.printed_name,
            signed_at=timezone.localtime(signature.signed_at),
            meaning=signature.get_meaning_display(),
            record_hash=signature.record_hash,
        ),
    )


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def certificate_issue(*, release: Release, base_url: str | None = None) -> Certificate:
    """Render and store the certificate of analysis of a release (call it right after the
    release, inside the release's transaction and audit context). Numbered
    `COA-<bank code>-<n>`, n counting the bank's certificates from 1. Conflict if the release
    has one already or is no longer standing."""
    with transaction.atomic():
        bank = CellBank.objects.select_for_update().get(pk=release.bank_id)
        release = Release.objects.select_for_update().select_related("signature").get(pk=release.pk)
        if Certificate.objects.filter(release_id=release.pk).exists():
            raise Conflict(
                f"The release of {bank.code} already has a certificate",
                fields={"release": ["already certified"]},
            )
        if not release.standing:
            raise Conflict(
                f"The release of {bank.code} was invalidated; it cannot be certified",
                fields={"release": ["invalidated"]},
            )
        count = Certificate.objects.filter(release__bank_id=bank.pk).count()
        number = f"COA-{bank.code}-{count + 1}"
        issued_at = timezone.now()
        pdf = render_certificate(
            certificate_data(release, number=number, issued_at=issued_at, base_url=base_url)
        )
        certificate = Certificate(
            release=release, number=number, pdf=pdf, sha256=sha256_hex(pdf), issued_at=issued_at
        )
        certificate.full_clean()
        certificate.save()
        return certificate
