"""The checks of what banks and centres send us: per-locus HLA typings (validated by the
process's HLA engine once per distinct text) and ISBT 128 donation numbers."""

import re
from functools import lru_cache

from django.utils.translation import gettext as _

from stemhub.cordblood.hla_messages import error_words
from stemhub.cordblood.models import LOCI
from stemhub.core.hla import engine, engine_changed
from stemhub.hla import HLAError, Typing, TypingError

# ISBT 128 donation identification number: facility (α + 4 digits), year (2), sequence (6).
DIN_PATTERN = re.compile(r"^[A-NP-Z][0-9]{4}[0-9]{2}[0-9]{6}$")


class BadTyping(ValueError):
    """A typing refused: the offending `token`, and the `reason` in the active language."""

    def __init__(self, token: str, reason: str) -> None:
        super().__init__(f"{token!r}: {reason}")
        self.token = token
        self.reason = reason
        # The token and the reason as a field's problem (``'A*99:99': no such allele ...``).
        self.problem = _("%(token)r: %(reason)s") % {"token": token, "reason": reason}


@lru_cache(maxsize=200_000)
def locus_typing(locus: str, text: str) -> str:
    """The normalised typing of one locus (e.g. ``A*02:01+A*01:01``); `BadTyping` if invalid.

    Accepts anything the engine parses for that locus: alleles, lists, G/P groups, MACs, XX
    codes, serology, genotype ambiguity. Cached per distinct text: 300,000 units carry far fewer
    distinct typings.
    """
    cleaned = text.strip()
    try:
        parsed = engine().parse_segment(cleaned)
    except TypingError as error:
        raise BadTyping(error.token, error_words(error)) from None
    except HLAError as error:
        raise BadTyping(cleaned, error_words(error)) from None
    if set(parsed) != {locus}:
        found = ", ".join(sorted(parsed)) or _("none")
        raise BadTyping(
            cleaned,
            _("types locus %(found)s, expected HLA-%(locus)s") % {"found": found, "locus": locus},
        )
    return parsed[locus].text


engine_changed(locus_typing.cache_clear)


def gl_of(per_locus: dict[str, str]) -> str:
    """The GL string of normalised per-locus texts (loci in the platform's order)."""
    return "^".join(per_locus[locus] for locus in LOCI if per_locus.get(locus))


def parse_gl(gl: str) -> Typing:
    """The engine's parse of a whole GL string; `BadTyping` naming the token if it is bad."""
    try:
        return engine().parse(gl.strip())
    except TypingError as error:
        raise BadTyping(error.token, error_words(error)) from None
    except HLAError as error:
        raise BadTyping(gl, error_words(error)) from None


def split_gl(gl: str) -> dict[str, str]:
    """A whole GL string (a patient's, a maternal typing) validated and split per locus."""
    typing = parse_gl(gl)
    return {locus: typing.loci[locus].text for locus in LOCI if locus in typing.loci}


_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"
_VALUES = {c: i for i, c in enumerate(_ALPHABET)}


@lru_cache(maxsize=4096)
def _prefix_checksum(prefix: str) -> int:
    check = 0
    for c in prefix:
        check = (2 * check + _VALUES[c]) % 37
    return check


def _check_character(din: str) -> str:
    """ISO 7064 mod 37-2 check character (`stdnum.iso7064.mod_37_2.calc_check_digit`), with the
    fold over the facility and year (the first 7 characters, shared by a bank's units) cached."""
    check = _prefix_checksum(din[:7])
    for c in din[7:]:
        check = (2 * check + _VALUES[c]) % 37
    return _ALPHABET[(1 - 2 * check) % 37]


def din_problem(din: str, check: str) -> tuple[str, str] | None:
    """Why an ISBT 128 DIN or its check character is wrong, as (the field at fault: ``din`` or
    ``din_check``, the reason), or None."""
    if not DIN_PATTERN.match(din):
        return "din", _(
            "an ISBT 128 DIN is 13 characters: a facility letter (not O), 4 digits, "
            "a 2-digit year and a 6-digit sequence"
        )
    expected = _check_character(din)
    if check != expected:
        given = repr(check) if check else _("(missing)")
        return "din_check", _(
            "check character %(check)s is wrong for %(din)s (ISO 7064 mod 37-2)"
        ) % {"check": given, "din": din}
    return None


SEARCH_LOCI = ("A", "B", "DRB1")  # a patient's typing must hold these to be searched


def patient_typing(gl: str, per_locus: dict[str, str]) -> tuple[str, dict[str, list[str]]]:
    """A patient's typing given per locus (`hla_a` ... `hla_dpb1` fields) and/or as a GL string
    (`hla`): the normalised GL string, and the problems keyed by the field that holds them.

    Either way in, or both for different loci; a locus given both ways must agree. Each bad
    token is named (``'A*99:99': unknown allele``)."""
    problems: dict[str, list[str]] = {}
    merged: dict[str, str] = {}
    if gl.strip():
        try:
            merged = split_gl(gl)
        except BadTyping as error:
            problems["hla"] = [error.problem]
    for locus in LOCI:
        text = (per_locus.get(locus) or "").strip()
        if not text:
            continue
        field = f"hla_{locus.lower()}"
        try:
            typing = locus_typing(locus, text)
        except BadTyping as error:
            problems[field] = [error.problem]
            continue
        if locus in merged and merged[locus] != typing:
            problems[field] = [
                _("HLA-%(locus)s is also in the GL string as %(typing)s; give it one way only")
                % {"locus": locus, "typing": merged[locus]}
            ]
            continue
        merged[locus] = typing
    if "hla" not in problems:  # a locus neither given nor refused is missing
        missing = [
            locus
            for locus in SEARCH_LOCI
            if locus not in merged and f"hla_{locus.lower()}" not in problems
        ]
        if missing:
            names = ", ".join(f"HLA-{locus}" for locus in missing)
            problems["hla" if gl.strip() else f"hla_{missing[0].lower()}"] = [
                _("required: %(loci)s (a search needs HLA-A, -B and -DRB1)") % {"loci": names}
            ]
    return gl_of(merged), problems
