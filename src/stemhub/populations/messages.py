"""The engine's reasons for refusing a frequency file, in the reader's language.

`stemhub.hla` writes its reasons in English (it knows nothing of Django); each pattern below
matches one of them (`stemhub.hla.frequencies`) and says it again through gettext. A reason no
pattern knows is shown as the engine wrote it."""

import re
from collections.abc import Callable

from django.utils.translation import gettext as _

from stemhub.hla import FrequencySetError

_RESOLUTIONS = {
    "two-field name": lambda: _("two-field"),
    "G group": lambda: _("G group"),
    "P group": lambda: _("P group"),
}


def _resolution(words: str) -> str:
    found = _RESOLUTIONS.get(words)
    return found() if found else words


_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"not a (?P<what>.+) of IPD-IMGT/HLA (?P<release>\S+)$"),
        lambda m: (
            _("not an allele of IPD-IMGT/HLA %(release)s at %(resolution)s resolution")
            % {"release": m["release"], "resolution": _resolution(m["what"])}
        ),
    ),
    (
        re.compile(r"deleted from IPD-IMGT/HLA (?P<release>\S+)$"),
        lambda m: _("deleted from IPD-IMGT/HLA %(release)s") % {"release": m["release"]},
    ),
    (
        re.compile(r"unknown locus (?P<locus>\S+)$"),
        lambda m: _("unknown locus %(locus)s") % {"locus": m["locus"]},
    ),
    (
        re.compile(r"frequencies sum to (?P<total>[\d.]+), not 1 within (?P<tolerance>[\d.]+)$"),
        lambda m: (
            _("the frequencies sum to %(total)s; they must sum to 1 ± %(tolerance)s")
            % {"total": f"{float(m['total']):.4f}", "tolerance": m["tolerance"]}
        ),
    ),
    (
        re.compile(
            r"expected three columns: haplotype,count,frequency(?P<hint> \(a Hapl-o-Mat.*)?$"
        ),
        lambda m: (
            _("expected three columns: haplotype,count,frequency")
            + (" " + _("(a Hapl-o-Mat file? choose the Hapl-o-Mat format)") if m["hint"] else "")
        ),
    ),
    (
        re.compile(r"expected two tab-separated columns: haplotype, frequency$"),
        lambda m: _("expected two tab-separated columns: haplotype, frequency"),
    ),
    (
        re.compile(r"count must be a whole number >= 0$"),
        lambda m: _("the count must be a whole number, 0 or more"),
    ),
    (re.compile(r"frequency is not a number$"), lambda m: _("the frequency is not a number")),
    (re.compile(r"frequency must be positive$"), lambda m: _("the frequency must be above 0")),
    (re.compile(r"no haplotypes$"), lambda m: _("no haplotypes in the file")),
    (re.compile(r"a locus appears twice$"), lambda m: _("a locus appears twice")),
    (re.compile(r"the set mixes G and P groups$"), lambda m: _("the set mixes G and P groups")),
    (
        re.compile(r"expected locus (?P<locus>\S+) in column (?P<column>\d+)$"),
        lambda m: (
            _("expected locus %(locus)s in column %(column)s")
            % {"locus": m["locus"], "column": m["column"]}
        ),
    ),
    (
        re.compile(r"(?P<found>\d+) loci, the set has (?P<loci>\d+)$"),
        lambda m: (
            _("%(found)s loci; the set's other rows have %(loci)s")
            % {"found": m["found"], "loci": m["loci"]}
        ),
    ),
    (
        re.compile(r"haplotype repeated \(first on line (?P<line>\d+)\)$"),
        lambda m: _("haplotype repeated (first on line %(line)s)") % {"line": m["line"]},
    ),
    (
        re.compile(r"the same haplotype as line (?P<line>\d+) at (?P<what>.+) resolution$"),
        lambda m: (
            _("the same haplotype as line %(line)s at %(resolution)s resolution")
            % {"line": m["line"], "resolution": _resolution(m["what"])}
        ),
    ),
    (
        re.compile(r"covers (?P<n>\d+) (?P<what>.+?)s \((?P<names>.*)\)$"),
        lambda m: (
            _("covers %(n)s groups of the set (%(names)s)") % {"n": m["n"], "names": m["names"]}
        ),
    ),
    (
        re.compile(r"cannot read: (?P<why>.*)$"),
        lambda m: _("cannot be read: %(why)s") % {"why": m["why"]},
    ),
]


def reason_words(reason: str) -> str:
    """The engine's reason in the reader's language."""
    for pattern, words in _PATTERNS:
        found = pattern.match(reason)
        if found:
            return words(found)
    return reason


def problem_words(filename: str, error: FrequencySetError) -> tuple[str, str]:
    """(the whole message, the short one for the file field): where, the token, the reason."""
    reason = reason_words(error.reason)
    if error.line is None:
        return _("%(file)s: %(reason)s") % {"file": filename, "reason": reason}, reason
    where = _("line %(line)d") % {"line": error.line}
    short = _("%(where)s: %(token)s: %(reason)s") % {
        "where": where,
        "token": error.token,
        "reason": reason,
    }
    return _("%(file)s, %(problem)s") % {"file": filename, "problem": short}, short
