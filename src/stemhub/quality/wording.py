"""The quality record's own English, shown in the reader's language.

What the quality app writes into its records is stored in English, as recorded: the default
panel's test names, methods and result words, a test's specification, a result's judgement, why
a nonconformity opened or a release was invalidated. A signature binds some of it (the
specification is part of the signed QC record) and the audit trail keeps all of it, so it never
changes with the language of whoever wrote it. Each word and sentence is marked for translation
where it is written (`gettext_noop`, the sentences below); these functions recognise a stored
text and show it, with its parts, in the active language. Text a person typed, and anything
they do not recognise, is shown as stored.
"""

import re
from collections.abc import Callable, Iterable
from functools import cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop, pgettext

from stemhub.registry.str_messages import str_reason

__all__ = [
    "clauses",
    "listing",
    "recorded",
    "result_words",
    "specification",
    "str_problem",
    "term",
]

# A test's specification (`QcTest.specification`): the qualitative words are joined with SPEC_OR.
SPEC_STR = gettext_noop("Tanabe ≥ %(limit)s %% against the parent line")
SPEC_ANY = gettext_noop("any value")
SPEC_ANY_UNIT = gettext_noop("any value %(unit)s")
SPEC_OR = gettext_noop("%(first)s or %(second)s")

# A result's judgement (`evaluation.evaluate`).
MEETS = gettext_noop("%(result)s meets the specification (%(specification)s)")
FAILS = gettext_noop("%(result)s does not meet the specification (%(specification)s)")
WITHIN = gettext_noop("%(value)s is within the specification (%(specification)s)")
OUTSIDE = gettext_noop("%(value)s is outside the specification (%(specification)s)")
STR_SAME = gettext_noop(
    "Same line: Tanabe %(score)s %% against %(reference)s (%(shared)s shared alleles, "
    "%(markers)s markers)"
)
STR_RELATED = gettext_noop(
    "Related, not identical: Tanabe %(score)s %% against %(reference)s (%(shared)s shared "
    "alleles, %(markers)s markers), below %(same)s %%; check for drift"
)
STR_MISMATCH = gettext_noop(
    "STR mismatch with parent line: Tanabe %(score)s %% against %(reference)s (%(shared)s "
    "shared alleles, %(markers)s markers), below %(limit)s %%"
)

# Why a nonconformity opened, a release was invalidated or vials changed status (`services`).
NC_OUT_OF_SPEC = gettext_noop("Out of specification: %(test)s: %(judgement)s")
OUT_OF_SPEC_ON = gettext_noop("%(test)s out of specification on %(bank)s")
CORRECTED = gettext_noop("%(test)s corrected from %(before)s to %(after)s: %(reason)s")
CHANGED_AFTER_RELEASE = gettext_noop("Result changed after release: %(change)s")
CHANGED_AFTER_RELEASE_OF = gettext_noop("Result changed after release of %(bank)s")
BANK_RELEASED = gettext_noop("Bank %(bank)s released")
LATER_CERTIFICATE = gettext_noop("A later certificate was issued for this bank.")

# Tried in this order: first the sentences that begin with their own words (a sentence that
# begins with a placeholder would swallow them: "Out of specification: %(test)s: %(judgement)s"
# also reads as FAILS with a long %(result)s), then those that begin with a placeholder.
SENTENCES = (
    NC_OUT_OF_SPEC,
    CHANGED_AFTER_RELEASE_OF,
    CHANGED_AFTER_RELEASE,
    STR_SAME,
    STR_RELATED,
    STR_MISMATCH,
    BANK_RELEASED,
    LATER_CERTIFICATE,
    SPEC_STR,
    SPEC_ANY_UNIT,
    SPEC_ANY,
    CORRECTED,
    OUT_OF_SPEC_ON,
    FAILS,
    MEETS,
    OUTSIDE,
    WITHIN,
)


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_LIMITS = re.compile(r"[≤≥<>]|\d")


def term(text: str) -> str:
    """A stored word in the reader's language: a default test's name or method, a qualitative
    result ("negative"), also as a certificate prints it ("Negative"); else as stored."""
    if not text:
        return text
    found = gettext(text)
    if found == text and text[:1].isupper():
        lowered = text[:1].lower() + text[1:]
        translated = gettext(lowered)
        if translated != lowered:
            return translated
    return found


def listing(items: Iterable[str]) -> str:
    """Items joined as the reader's language lists them ("a, b" or "a、b")."""
    return pgettext("list separator", ", ").join(items)


def clauses(items: Iterable[str]) -> str:
    """Clauses joined as the reader's language separates them ("a; b" or "a；b")."""
    return pgettext("clause separator", "; ").join(items)


def specification(text: str) -> str:
    """A stored specification (`≤ 5 EU/mL`, `negative`, `no growth or growth`, as a
    certificate prints it too) in the reader's language."""
    if not text:
        return text
    said = _sentence(text) or _sentence(text[:1].lower() + text[1:])
    if said is not None:
        return said
    if _LIMITS.search(text):  # limits: numbers, symbols and a unit read the same
        return text
    words = [term(word) for word in text.split(" or ")]
    joined = words[0]
    for word in words[1:]:
        joined = gettext(SPEC_OR) % {"first": joined, "second": word}
    return joined


def recorded(text: str) -> str:
    """A sentence the quality app stored (a judgement, a nonconformity's or an invalidation's
    reason) in the reader's language, its parts too; anything else as stored."""
    if not text:
        return text
    said = _sentence(text)
    return text if said is None else said


def str_problem(reason: str) -> str:
    """Why the STR engine refused a profile or parameter, in the reader's language."""
    return str_reason(reason)


def result_words(word: str) -> set[str]:
    """The ways a qualitative result may be entered: as stored and in every interface
    language, lower case ("negative", "阴性")."""
    found = {word.lower()}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(gettext(word).lower())
    return found


def _translate_part(name: str) -> Callable[[str], str]:
    return {
        "test": term,
        "result": term,
        "before": term,
        "after": term,
        "specification": specification,
        "judgement": recorded,
        "change": recorded,
    }.get(name, str)


@cache
def _pattern(english: str) -> tuple[list[str], re.Pattern[str]]:
    """The sentence's fixed words, and a pattern that reads its parts back."""
    pieces = _PLACEHOLDER.split(english.replace("%%", "%"))
    regex = "".join(
        f"(?P<{piece}>.+?)" if index % 2 else re.escape(piece) for index, piece in enumerate(pieces)
    )
    return [piece for piece in pieces[::2] if piece], re.compile(regex + r"\Z", re.DOTALL)


def _sentence(text: str, sentences: tuple[str, ...] = SENTENCES) -> str | None:
    for english in sentences:
        words, pattern = _pattern(english)
        # The fixed words first: a cheap test that spares most texts the pattern.
        match = pattern.match(text) if all(word in text for word in words) else None
        if match is None:
            continue
        parts = {name: _translate_part(name)(value) for name, value in match.groupdict().items()}
        return gettext(english) % parts
    return None
