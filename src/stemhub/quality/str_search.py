"""Where `stemhub.strprofile` gets its references: the database or a Cellosaurus file.

The database holds two kinds of profile: the Cellosaurus STR library (`exchange.StrReference`,
every source variant kept) and the registry lines' own profiles (`registry.CellLine.str_profile`).
A registry line imported from Cellosaurus has both; its `StrReference` wins, since it keeps the
conflicting sources the line's consensus profile has dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from stemhub.exchange.cellosaurus import Entry, iter_entries
from stemhub.exchange.models import StrReference
from stemhub.registry.models import CellLine
from stemhub.strprofile import ProfileError, Reference, StrIndex

logger = logging.getLogger(__name__)

__all__ = ["database_references", "file_references", "str_index_from_database"]


def database_references() -> Iterator[Reference]:
    """Every profile in the system: the STR library, then registry lines not already in it.
    A line's accession is its Cellosaurus accession when it has one, else its name."""
    library: set[str] = set()
    rows = StrReference.objects.order_by("accession").values_list(
        "accession", "name", "profile", "variant_sources"
    )
    for accession, name, profile, variant_sources in rows.iterator(chunk_size=2000):
        library.add(accession)
        try:
            yield Reference.from_alternatives(accession, name, profile, variant_sources)
        except ProfileError as error:
            logger.warning("STR reference %s skipped: %s", accession, error)
    lines = (
        CellLine.objects.exclude(str_profile={})
        .order_by("name")
        .values_list("name", "external_accession", "str_profile")
    )
    for name, external, profile in lines.iterator(chunk_size=2000):
        if external in library:
            continue
        accession = external if external.startswith("CVCL_") else name
        try:
            yield Reference.from_profile(accession, name, profile)
        except ProfileError as error:
            logger.warning("STR profile of %s skipped: %s", name, error)


def file_references(lines: Iterable[str]) -> Iterator[Reference]:
    """The STR profiles of a Cellosaurus flat file (entries without STR data are skipped; a
    malformed entry raises `MalformedEntry` from the parser)."""
    for item in iter_entries(lines):
        if not isinstance(item, Entry):
            raise item
        if not item.str_loci:
            continue
        yield Reference.from_alternatives(
            item.accession,
            item.id,
            {locus: [list(a) for a in data.alternatives] for locus, data in item.str_loci.items()},
            {locus: [list(s) for s in data.sources] for locus, data in item.str_loci.items()},
        )


def str_index_from_database() -> StrIndex:
    return StrIndex.build(database_references())
