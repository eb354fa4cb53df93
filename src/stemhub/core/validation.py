"""Plausible values, one rule each, for models, services, forms and importers alike.

Text: no NUL (PostgreSQL refuses it, and it truncates in C libraries) and no bidirectional
override or isolate (U+202A-U+202E, U+2066-U+2069: they make a code read differently from
what is stored, the "Trojan Source" trick). Dates of lab work: not before 1980 (no cell bank,
cord unit or freezer log of ours is older) and not in the future. Passage numbers: at most 1,000.
"""

import re
from datetime import date

from django.utils.translation import gettext

EARLIEST_LAB_DATE = date(1980, 1, 1)
MAX_PASSAGE = 1_000
FORBIDDEN_CHARACTERS = re.compile("[\x00\u202a-\u202e\u2066-\u2069]")


def text_problem(text: str) -> str:
    """Why `text` cannot be stored, or an empty string when it can."""
    found = FORBIDDEN_CHARACTERS.search(text)
    if found is None:
        return ""
    return gettext("contains the control character U+%(code)04X at position %(at)s") % {
        "code": ord(found.group()),
        "at": found.start() + 1,
    }


def lab_date_problem(day: date, *, today: date) -> str:
    """Why `day` cannot be the date of lab work (a freeze, a collection, a processing)."""
    if day < EARLIEST_LAB_DATE:
        return gettext("%(day)s is before %(earliest)s") % {
            "day": day,
            "earliest": EARLIEST_LAB_DATE,
        }
    if day > today:
        return gettext("%(day)s is in the future (today is %(today)s)") % {
            "day": day,
            "today": today,
        }
    return ""


def passage_problem(passage: int) -> str:
    if not 0 <= passage <= MAX_PASSAGE:
        return gettext("a passage is 0 to %(max)s") % {"max": f"{MAX_PASSAGE:,}"}
    return ""
