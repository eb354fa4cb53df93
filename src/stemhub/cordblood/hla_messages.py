"""The HLA engine's refusals in the reader's language.

The engine (`stemhub.hla`) never imports Django: a `TypingError` carries the offending `token`
and an English `reason` whose wording is fixed per case (``locus A typed twice``, ``no such
allele in IPD-IMGT/HLA 3.58.0``). Here each of those wordings is read back into its parameters
and said again through a marked message, so a page or an API error in Chinese names the same
token and the same locus, allele, code or release. A reason this table does not know is shown
as the engine wrote it: never hidden, only untranslated (tests/cordblood/test_hla_messages.py
keeps the table in step with the engine).
"""

import re
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stemhub.hla import HLAError, TypingError

# (the engine's wording as a pattern, its parameters named; the marked message)
REASONS: tuple[tuple[re.Pattern[str], Any], ...] = tuple(
    (re.compile(pattern), message)
    for pattern, message in (
        (r"empty typing", _("empty typing")),
        (r"locus (?P<locus>\S+) typed twice", _("locus %(locus)s typed twice")),
        (
            r"empty locus segment \(doubled '\^'\?\)",
            _("empty locus segment (a doubled “^”?)"),
        ),
        (
            r"more than two chromosomes \('\+'\)",
            _("more than two typings (“+”) at one locus"),
        ),
        (
            r"the two chromosomes type different loci",
            _("the two typings joined by “+” are of different loci"),
        ),
        (
            r"empty chromosome \(stray '\+', '\|' or '\^'\)",
            _("empty typing beside a stray “+”, “|” or “^”"),
        ),
        (
            r"locus (?P<locus>\S+) twice in one haplotype",
            _("locus %(locus)s twice in one haplotype"),
        ),
        (r"empty item in allele list", _("empty item in the allele list (a stray “/”?)")),
        (
            r"allele list mixes loci (?P<first>\S+) and (?P<second>\S+)",
            _("the allele list mixes loci %(first)s and %(second)s"),
        ),
        (
            r"not an allele name, group, MAC or XX code",
            _("not an allele name, G or P group, MAC or XX code"),
        ),
        (
            r"a first field needs ':XX' or a second field",
            _("a first field alone needs “:XX” or a second field (e.g. A*02:XX, A*02:01)"),
        ),
        (
            r"not an allele name, MAC, XX code or antigen",
            _("not an allele name, MAC, XX code or serological antigen"),
        ),
        (
            r"no such (?P<kind>[GP]) group in release (?P<release>\S+)",
            _("no such %(kind)s group in IPD-IMGT/HLA %(release)s"),
        ),
        (r"unknown locus (?P<locus>\S+)", _("unknown locus %(locus)s")),
        (
            r"no such allele in IPD-IMGT/HLA (?P<release>\S+)",
            _("no such allele in IPD-IMGT/HLA %(release)s"),
        ),
        (
            r"deleted from IPD-IMGT/HLA \((?P<why>.*)\); IMGT names (?P<successor>\S+) as its "
            r"successor",
            _("deleted from IPD-IMGT/HLA (%(why)s); IMGT names %(successor)s as its successor"),
        ),
        (r"deleted from IPD-IMGT/HLA \((?P<why>.*)\)", _("deleted from IPD-IMGT/HLA (%(why)s)")),
        (r"not in the loaded MAC dictionary", _("not in the loaded MAC dictionary")),
        (
            r"no MAC dictionary loaded \(run `stemhub hla macs FILE`\)",
            _("no MAC dictionary is loaded on this server, so MACs cannot be read"),
        ),
        (
            r"MAC (?P<code>\S+) is not in the loaded dictionary",
            _("MAC %(code)s is not in the loaded MAC dictionary"),
        ),
        (
            r"MAC (?P<code>\S+) expands to (?P<alleles>\S+), none in release (?P<release>\S+)",
            _("MAC %(code)s expands to %(alleles)s, none of them in IPD-IMGT/HLA %(release)s"),
        ),
        (
            r"antigen (?P<antigen>\S+) has no alleles in release (?P<release>\S+)",
            _("antigen %(antigen)s has no alleles in IPD-IMGT/HLA %(release)s"),
        ),
    )
)


def reason_words(reason: str) -> str:
    """An engine reason in the active language (as the engine wrote it when not known here)."""
    for pattern, message in REASONS:
        found = pattern.fullmatch(reason)
        if found is not None:
            return str(message) % found.groupdict() if found.groupdict() else str(message)
    return reason


def error_words(error: HLAError) -> str:
    """Why the engine refused: a typing's reason translated, or the engine's own words for
    anything else (its reference data missing: a message for the operator, in English)."""
    if isinstance(error, TypingError):
        return reason_words(error.reason)
    return gettext("The HLA engine cannot read typings now: %(detail)s") % {"detail": error}
