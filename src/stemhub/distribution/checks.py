"""The automatic check notes a request carries for its reviewers: what they should look at
although it blocks nothing.

A request stores its notes in English, as the record of what was checked when it was made
(`DistributionRequest.checks`, the API's `checks`); `note_text` shows a stored note in the
reader's language, by recognising the message it was written from.
"""

import re
from functools import cache

from django.utils.translation import gettext, gettext_noop

from stemhub.distribution.models import IntendedUse
from stemhub.registry.models import Availability, CellLine

# The messages a note is written from, by what they note.
NOTES = {
    "managed_access": gettext_noop(
        "%(name)s is under managed access: the access committee must approve"
    ),
    "commercial_consent_unknown": gettext_noop(
        "The consent record does not say whether commercial use is allowed"
    ),
    "clinical_consent_unknown": gettext_noop(
        "The consent record does not say whether clinical use is allowed"
    ),
    "not_clinical_grade": gettext_noop("%(name)s is not a clinical-grade line"),
    "restrictions": gettext_noop("Restrictions on record: %(restrictions)s"),
    "expand_to_order": gettext_noop("%(name)s is expanded to order: shipping takes longer"),
}


def check_notes(line: CellLine, intended_use: str) -> list[str]:
    """What a reviewer should look at although it blocks nothing, in English (as stored)."""
    name = {"name": line.name}
    notes = []
    if line.managed_access:
        notes.append(NOTES["managed_access"] % name)
    if intended_use == IntendedUse.COMMERCIAL and line.use_commercial is None:
        notes.append(NOTES["commercial_consent_unknown"])
    if intended_use == IntendedUse.CLINICAL:
        if line.use_clinical is None:
            notes.append(NOTES["clinical_consent_unknown"])
        if not line.clinical_grade:
            notes.append(NOTES["not_clinical_grade"] % name)
    if line.restrictions.strip():
        notes.append(NOTES["restrictions"] % {"restrictions": line.restrictions.strip()})
    if line.availability == Availability.EXPAND_TO_ORDER:
        notes.append(NOTES["expand_to_order"] % name)
    return notes


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Each message as a pattern that matches the notes written from it, its placeholders as
    named groups."""
    return [
        (message, re.compile(re.sub(r"%\\\((\w+)\\\)s", r"(?P<\1>.+)", re.escape(message)), re.S))
        for message in NOTES.values()
    ]


def note_text(stored: str) -> str:
    """A stored note in the active language; a note written from no known message (an older
    wording) as it is."""
    for message, pattern in _patterns():
        found = pattern.fullmatch(stored)
        if found:
            return gettext(message) % found.groupdict()
    return stored
