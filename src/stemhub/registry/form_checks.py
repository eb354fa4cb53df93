"""Checks of loosely typed values on the line form that the services accept as text: a field
that holds only punctuation or control characters, a species that is no binomial name, an
ontology id, a gas percentage or a passage out of range. Each returns the message for the field
or None. The form runs them on the fields a person changed, so that an old record stays
editable."""

import re
import unicodedata
from collections.abc import Callable

from django.utils.translation import gettext as _

SPECIES_NAME = re.compile(r"[A-Z][a-z]+ [a-z]+(?: [a-z]+)?")
CELL_ONTOLOGY_ID = re.compile(r"CL:\d{7}")
PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*%?")
# The passages a line has at reprogramming: fibroblasts senesce long before this.
MAX_PASSAGE_AT_REPROGRAMMING = 100


def words(value: str) -> str | None:
    """Free text must carry a letter or a digit and no control characters."""
    if not value:
        return None
    if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in value):
        return _("Remove the control characters (pasted from another program?).")
    if not any(c.isalnum() for c in value):
        return _("Write a value with letters or digits, or leave the field empty.")
    return None


def species(value: str) -> str | None:
    if value and not SPECIES_NAME.fullmatch(value.strip()):
        return _(
            "Give the scientific name: genus with a capital and species, e.g. Homo sapiens or "
            "Mus musculus."
        )
    return None


def cell_ontology_id(value: str) -> str | None:
    if value and not CELL_ONTOLOGY_ID.fullmatch(value.strip()):
        return _("Give a Cell Ontology id: CL: and seven digits, e.g. CL:0000057.")
    return None


def percent(value: str) -> str | None:
    if not value:
        return None
    match = PERCENT.fullmatch(value.strip())
    if not match or float(match.group(1)) > 100:
        return _("Give a percentage from 0 to 100, e.g. 5%.")
    return None


def passage(value: int | None) -> str | None:
    if value is not None and value > MAX_PASSAGE_AT_REPROGRAMMING:
        return _("A passage at reprogramming above %(limit)d is not plausible; check it.") % {
            "limit": MAX_PASSAGE_AT_REPROGRAMMING
        }
    return None


# Checks beyond `words` (which every changed text field gets), by field.
FIELD_CHECKS: dict[str, Callable[..., str | None]] = {
    "species": species,
    "source_cell_type_id": cell_ontology_id,
    "o2_concentration": percent,
    "co2_concentration": percent,
    "passage_at_reprogramming": passage,
}
