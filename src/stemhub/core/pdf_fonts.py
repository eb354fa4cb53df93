"""The fonts every PDF stemhub draws embeds (certificates of analysis, vial labels).

fpdf2 embeds TrueType/OpenType faces: DejaVu Sans and Sans Mono (Debian's fonts-dejavu-core)
print Latin, Greek and the symbols QC text uses (µ × ≤ ≥ ⁶); Noto Sans CJK SC (fonts-noto-cjk)
prints Chinese wherever DejaVu has no glyph. Both are found with fontconfig; a centre whose
machine has another CJK font names its file in `STEMHUB_CJK_FONT`. Fonts are never committed:
`make fonts` installs the packages where missing.

Why cuts. fpdf2 reads the metrics of every glyph of a face it adds, and fontTools reads the whole
face again to subset it when the PDF is written. For Noto Sans CJK (65,535 CFF glyphs in a
20 MB collection) that is most of a second per document. So each face is cut once per machine
to what documents print, and the cut is kept under `$STEMHUB_DATA_DIR/cache/fonts`: DejaVu to
Latin, Greek and symbols; Noto CJK to the 7,445 characters of GB 2312 (the common hanzi, kana,
full-width punctuation: what names and labels in mainland China are written with), about 4 s
per face once. A document adds those cuts (about 0.1 s). A character beyond GB 2312 (a rare
hanzi in a name, a traditional form) comes from a second cut of the full face made for that
document's rare characters only (about 0.4 s, cached per character set).
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from fontTools import ttLib
from fontTools.subset import Options, Subsetter
from fpdf import FPDF
from fpdf.enums import WrapMode

from stemhub.core.errors import StemhubError

__all__ = [
    "CJK_FACES",
    "FACES",
    "DocumentPdf",
    "FontMissing",
    "add_fonts",
    "warm",
    "wrapping",
]

# The Latin faces, by fontconfig pattern, under the family names documents use.
FACES = {
    ("sans", ""): "DejaVu Sans:style=Book",
    ("sans", "B"): "DejaVu Sans:style=Bold",
    ("mono", ""): "DejaVu Sans Mono:style=Book",
    ("mono", "B"): "DejaVu Sans Mono:style=Bold",
}
# What documents print from them: Latin, Greek, punctuation, super- and subscripts, letterlike
# symbols, arrows, mathematical operators, a square and a bullet.
PRINTED = frozenset(
    [
        *range(0x20, 0x250),
        *range(0x370, 0x400),
        *range(0x2000, 0x2300),
        0x25A0,
        0x25CF,
    ]
)
# The Chinese faces, regular and bold: the Simplified Chinese face of Noto Sans CJK.
CJK_FACES = {"": "Noto Sans CJK SC:style=Regular", "B": "Noto Sans CJK SC:style=Bold"}
LATIN_PACKAGE, CJK_PACKAGE = "fonts-dejavu-core", "fonts-noto-cjk"

# fontTools narrates every subset it makes at INFO level: a page of glyph lists per cut.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


class FontMissing(StemhubError):
    """A font a document needs is not installed on this machine."""

    status = 500
    code = "font_missing"


Face = tuple[Path, int]  # a font file and the face's index in it (a .ttc holds several)


@cache
def _fontconfig(pattern: str) -> Face | None:
    """The file and face index fontconfig has for `pattern`, or None when the family is not
    installed (`fc-match` answers its nearest substitute; a substitute is not the face asked
    for)."""
    family = pattern.split(":")[0]
    try:
        found = subprocess.run(
            ["fc-match", "--format=%{family}\n%{file}\n%{index}", pattern],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return None
    if len(found) < 3 or family not in found[0].split(","):
        return None
    path = Path(found[1])
    return (path, int(found[2] or 0)) if path.is_file() else None


def _simplified_chinese_face(path: Path) -> int:
    """In a collection, the face for Simplified Chinese (its family name says SC, or GB, or
    Simplified); the first one otherwise."""
    if path.suffix.lower() not in {".ttc", ".otc"}:
        return 0
    collection = ttLib.TTCollection(path, lazy=True)
    for index, font in enumerate(collection.fonts):
        family = font["name"].getDebugName(1) or ""
        if any(mark in family.split() for mark in ("SC", "GB", "Simplified")):
            return index
    return 0


def _cjk_face(style: str) -> Face | None:
    configured = str(getattr(settings, "STEMHUB_CJK_FONT", "") or "")
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise FontMissing(
                _("STEMHUB_CJK_FONT names %(path)s, which is not a font file")
                % {"path": configured}
            )
        return path, _simplified_chinese_face(path)
    return _fontconfig(CJK_FACES[style])


def _cache_dir() -> Path:
    return Path(settings.DATA_DIR) / "cache" / "fonts"


def _cut(face: Face, unicodes: frozenset[int]) -> Path:
    """`face` cut down to `unicodes` (those it has), kept in the cache under a name that changes
    with the source file, the face and the characters."""
    source, index = face
    stat = source.stat()
    key = f"{source}:{index}:{stat.st_size}:{stat.st_mtime_ns}:" + ",".join(
        map(str, sorted(unicodes))
    )
    stamp = hashlib.sha256(key.encode()).hexdigest()[:16]
    # Bounding boxes stay the source's (a cut only drops glyphs): recomputing them from every
    # outline would double the time of a CJK cut.
    font = ttLib.TTFont(
        source, fontNumber=index, lazy=True, recalcTimestamp=False, recalcBBoxes=False
    )
    suffix = ".otf" if "CFF " in font or "CFF2" in font else ".ttf"
    target = _cache_dir() / f"{source.stem}-{index}-{stamp}{suffix}"
    if target.is_file():
        return target
    options = Options(layout_features=[], name_IDs=["*"], notdef_outline=True)
    # Horizontal text only, no shaping: the layout and vertical tables are dead weight.
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "VORG", "vhea", "vmtx", "FFTM"]
    subsetter = Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    font.save(partial)
    partial.replace(target)  # atomic: another process never reads half a font
    return target


@cache
def gb2312() -> frozenset[int]:
    """Every character of GB 2312: 6,763 hanzi, kana, full-width forms and punctuation."""
    found = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return frozenset(found)


@lru_cache(maxsize=256)
def _remembered_cut(face: Face, unicodes: frozenset[int]) -> Path:
    return _cut(face, unicodes)


def _kept_cut(face: Face, unicodes: frozenset[int]) -> Path:
    """`_cut`, remembered by the process for as long as its file is there."""
    path = _remembered_cut(face, unicodes)
    if not path.is_file():  # the cache directory was cleared under a running process
        _remembered_cut.cache_clear()
        path = _remembered_cut(face, unicodes)
    return path


@cache
def _covered(path: Path) -> frozenset[int]:
    """The characters a (cut) font has a glyph for."""
    return frozenset(ttLib.TTFont(path, lazy=True).getBestCmap())


def _latin_fonts() -> dict[tuple[str, str], Path]:
    faces = {key: _fontconfig(pattern) for key, pattern in FACES.items()}
    missing = sorted({FACES[key].split(":")[0] for key, face in faces.items() if face is None})
    if missing:
        raise FontMissing(
            _(
                "PDF documents need the %(fonts)s font; install the Debian package %(package)s "
                "(and %(cjk)s for Chinese)"
            )
            % {"fonts": ", ".join(missing), "package": LATIN_PACKAGE, "cjk": CJK_PACKAGE}
        )
    return {key: _kept_cut(face, PRINTED) for key, face in faces.items() if face is not None}


def _beyond(fonts: dict[tuple[str, str], Path], texts: Iterable[str]) -> frozenset[int]:
    """The characters of `texts` that the Latin cuts do not print."""
    printed = _covered(fonts[("sans", "")])
    return frozenset(ord(ch) for text in texts for ch in text if ch >= " ") - printed


def add_fonts(pdf: FPDF, texts: Iterable[str]) -> None:
    """Add the families "sans" and "mono" (regular and bold) to `pdf`, and, when `texts` (all
    the text the document will print) have characters they lack, Noto Sans CJK as their
    fallback. FontMissing names the Debian package to install."""
    fonts = _latin_fonts()
    for (family, style), path in fonts.items():
        pdf.add_font(family, style, str(path))
    wanted = _beyond(fonts, texts)
    if not wanted:
        return
    fallbacks = ["cjk"]
    for style in ("", "B"):
        face = _cjk_face(style) or (_cjk_face("") if style else None)
        if face is None:
            raise FontMissing(
                _(
                    "This document has Chinese text; install the Debian package %(package)s or "
                    "set STEMHUB_CJK_FONT to a font file that has it"
                )
                % {"package": CJK_PACKAGE}
            )
        common = _kept_cut(face, gb2312())
        pdf.add_font("cjk", style, str(common))
        rare = wanted - _covered(common)
        if rare:
            pdf.add_font("cjkx", style, str(_kept_cut(face, rare)))
            fallbacks[1:] = ["cjkx"]
    # Bold text prefers the bold face; a character only the regular face has still prints.
    pdf.set_fallback_fonts(fallbacks, exact_match=False)
    for key, font in pdf.fonts.items():
        if key.startswith("cjk"):
            # fpdf2 cuts each font again to the glyphs used when it writes the PDF; recomputing
            # bounding boxes from every CJK outline then costs a third of the document's time,
            # and the source's boxes (which contain every glyph) are as good.
            font.ttfont.recalcBBoxes = False  # type: ignore[union-attr]


def warm() -> list[Path]:
    """Make the cuts now (a deployment step), so the first Chinese document does not wait for
    them; the paths of the cuts."""
    cuts = list(_latin_fonts().values())
    for style in ("", "B"):
        face = _cjk_face(style)
        if face is not None:
            cuts.append(_kept_cut(face, gb2312()))
    return cuts


def wrapping(text: str) -> WrapMode:
    """How a paragraph of `text` wraps: anywhere between characters when it has Chinese (which
    has no spaces to break at), between words otherwise. (A short value wraps between words
    either way: fpdf2 breaks a run too long for the line between its characters.)"""
    return WrapMode.CHAR if any(ch >= "\u2e80" for ch in text) else WrapMode.WORD


class DocumentPdf(FPDF):
    """FPDF for documents whose text mixes the Latin faces with the CJK fallback.

    fpdf2 2.8 has a bug there: when a line's first character comes from a fallback font right
    after `set_font`, it selects the line's own font inside that line's `q ... Q`, which the
    PDF forgets at `Q`, yet it records the font as selected; the next line that starts with a
    Latin character is then drawn with the previous font's glyph numbers (garbage on paper).
    Marking the font unselected again after such a line makes fpdf2 select it for the next one.
    """

    def _render_styled_text_line(self, *args: Any, **kwargs: Any) -> Any:
        selected = self.current_font_is_set_on_page
        drawn = super()._render_styled_text_line(*args, **kwargs)
        if not selected:
            self.current_font_is_set_on_page = False
        return drawn
