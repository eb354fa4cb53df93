"""The STR engine's reasons for refusing a profile, in the reader's language.

`stemhub.strprofile` knows nothing of Django and says why in English (`ProfileError.reason`);
each of its reasons is matched here and written out through gettext, with the locus or
allele it names. A reason not listed (a newer engine's) is shown as the engine wrote it.
"""

import re

from django.utils.translation import gettext, gettext_noop

from stemhub.strprofile import ProfileError

__all__ = ["profile_error_message", "profile_error_reason", "str_reason"]

_LOCUS = r"(?P<locus>.+?)"
# (the engine's reason as a pattern, the same reason marked for translation)
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), message)
    for pattern, message in (
        (
            r"empty allele \(write ND if not detected\)",
            gettext_noop("empty allele (write ND if not detected)"),
        ),
        (
            rf"{_LOCUS} alleles are X or Y \(or ND\)",
            gettext_noop("%(locus)s alleles are X or Y (or ND)"),
        ),
        (
            rf"not an allele of {_LOCUS}: write a repeat number like 9 or 9\.3",
            gettext_noop("not an allele of %(locus)s: write a repeat number like 9 or 9.3"),
        ),
        (r"empty locus name", gettext_noop("empty locus name")),
        (
            rf"locus {_LOCUS} appears twice \(also as (?P<other>.+)\)",
            gettext_noop("locus %(locus)s appears twice (also as %(other)s)"),
        ),
        (
            rf"locus {_LOCUS} appears twice in (?P<accession>.+)",
            gettext_noop("locus %(locus)s appears twice in %(accession)s"),
        ),
        (rf"locus {_LOCUS} appears twice", gettext_noop("locus %(locus)s appears twice")),
        (
            r"no alleles \(write ND if not detected\)",
            gettext_noop("no alleles (write ND if not detected)"),
        ),
        (
            r"write LOCUS:allele,allele \(e\.g\. TH01:6,9\.3\)",
            gettext_noop("write LOCUS:allele,allele (e.g. TH01:6,9.3)"),
        ),
        (
            r"an empty allele: remove the extra comma",
            gettext_noop("an empty allele: remove the extra comma"),
        ),
        (
            r"no loci: write LOCUS:allele,allele;LOCUS:\.\.\.",
            gettext_noop("no loci: write LOCUS:allele,allele;LOCUS:..."),
        ),
        # the search's parameters (threshold, minimum loci, algorithm), as the engine words them
        (r"(?P<value>.+) is negative", gettext_noop("%(value)s is negative")),
        (r"(?P<value>.+) is not a percentage", gettext_noop("%(value)s is not a percentage")),
        (r"(?P<value>.+) is less than 1", gettext_noop("%(value)s is less than 1")),
        (
            r"(?P<value>.+) is not one of (?P<choices>.+)",
            gettext_noop("%(value)s is not one of %(choices)s"),
        ),
    )
)


def str_reason(reason: str) -> str:
    """An STR engine's reason (a profile's or a search parameter's), in the active language:
    the one translation of them, for every app that shows one."""
    for pattern, message in _REASONS:
        if found := pattern.fullmatch(reason):
            return gettext(message) % found.groupdict()
    return reason


def profile_error_reason(error: ProfileError) -> str:
    """Why the engine refused the profile, in the active language."""
    return str_reason(error.reason)


def profile_error_message(error: ProfileError) -> str:
    """The refused token and the reason, as `str(error)` has them, in the active language."""
    return gettext("%(token)r: %(reason)s") % {
        "token": error.token,
        "reason": profile_error_reason(error),
    }
