"""Chinese (and Japanese and Korean) text in the catalogue search. Pure Python.

Chinese is written without spaces, so a word-based full-text index never finds 干细胞 inside
人胚胎干细胞系: a line must be found by any part of its name, a substring. On PostgreSQL the
catalogue's substring search uses pg_trgm's GIN index, which needs three characters to look up;
one- and two-character queries (most Chinese words have two: 肝癌, 血库, 心肌) are looked up in
a second column holding every CJK character and every pair of adjacent ones as its own word
(`gram_text`), where a two-character query is a whole word and pg_trgm finds it padded with
spaces. This is what the pg_bigm extension does natively; Debian does not package it.
"""

import re

__all__ = ["CJK_RUN", "GRAM_LIMIT", "cjk_grams", "gram_text", "has_cjk", "short_cjk_grams"]

# CJK radicals, kana, bopomofo, ideographs (extension A, unified, compatibility), hangul, and
# the supplementary planes' ideographs.
CJK_RUN = re.compile(
    "[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    "\uf900-\ufaff\U00020000-\U0003134f]+"
)
# A term this long or longer has a trigram of its own, so the trigram index finds it.
GRAM_LIMIT = 3


def has_cjk(text: str) -> bool:
    return CJK_RUN.search(text) is not None


def cjk_grams(text: str) -> list[str]:
    """Every CJK character and every pair of adjacent CJK characters in `text`, once each, in
    order of first appearance."""
    grams: dict[str, None] = {}
    for run in CJK_RUN.findall(text):
        for index, character in enumerate(run):
            grams[character] = None
            if index + 1 < len(run):
                grams[run[index : index + 2]] = None
    return list(grams)


def gram_text(text: str) -> str:
    """The grams of `text` as words: space-separated, with a space at both ends so that every
    gram, the first and the last too, is found as ` gram `. Empty when `text` has no CJK."""
    grams = cjk_grams(text)
    return f" {' '.join(grams)} " if grams else ""


def short_cjk_grams(term: str) -> list[str]:
    """The grams to look up for a search term too short for a trigram (fewer than GRAM_LIMIT
    characters): its CJK runs, each one or two characters, a whole gram. Empty for a longer
    term or one without CJK."""
    if len(term) >= GRAM_LIMIT:
        return []
    return CJK_RUN.findall(term)
