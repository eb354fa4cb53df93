"""`stemhub str search --query "Amelogenin:X;CSF1PO:12,13;..."`: CLASTR's STR similarity search
against the database's profiles or a Cellosaurus flat file."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from stemhub.core.exports import csv_lines
from stemhub.exchange.cellosaurus import MalformedEntry
from stemhub.quality.str_search import file_references, str_index_from_database
from stemhub.strprofile import (
    ALGORITHMS,
    SearchParameters,
    StrError,
    StrIndex,
    format_score,
    parse_profile,
)

MODES = ("nonempty", "query", "reference")


class Command(BaseCommand):
    requires_system_checks: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set here, not on the class: in the language of the run (argparse needs a str).
        self.help = _("STR identity search (CLASTR scoring).")

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        search = actions.add_parser(
            "search",
            help=_(
                "Search one STR profile against every profile in the database (the "
                "Cellosaurus STR library and registry lines) or in a Cellosaurus file. Prints "
                "accession,name,markers,score,kind best first; conflicting sources give a best "
                "and a worst row."
            ),
        )
        search.add_argument(
            "--query",
            required=True,
            help=_("e.g. %(example)s") % {"example": '"Amelogenin:X;CSF1PO:12,13;TH01:6,9.3"'},
        )
        search.add_argument(
            "--reference-file", metavar="CELLOSAURUS_TXT", help=_("search this file instead")
        )
        search.add_argument("--algorithm", choices=list(ALGORITHMS), default="tanabe")
        search.add_argument("--mode", choices=MODES, default="nonempty")
        search.add_argument("--include-amelogenin", action="store_true")
        search.add_argument("--min-markers", type=int, default=8)
        search.add_argument("--score-filter", type=float, default=60.0)
        search.add_argument("--max-results", type=int, default=200, help=_("references, not rows"))
        search.add_argument("--format", choices=("csv", "json"), default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            query = parse_profile(options["query"])
            parameters = SearchParameters(
                algorithm=options["algorithm"],
                mode=options["mode"],
                include_amelogenin=options["include_amelogenin"],
                min_markers=options["min_markers"],
                score_filter=options["score_filter"],
                max_results=options["max_results"],
            )
        except StrError as error:
            raise CommandError(_("Bad --query or option: %(error)s") % {"error": error}) from None
        index = self._index(options["reference_file"])
        matches = index.search(query, parameters)
        if options["format"] == "json":
            payload = {
                "query": query.as_text(),
                "parameters": {
                    "algorithm": parameters.algorithm,
                    "mode": parameters.mode,
                    "include_amelogenin": parameters.include_amelogenin,
                    "min_markers": parameters.min_markers,
                    "score_filter": parameters.score_filter,
                    "max_results": parameters.max_results,
                },
                "searched": len(index),
                "results": [
                    {
                        "accession": m.accession,
                        "name": m.name,
                        "markers": m.markers,
                        "score": float(format_score(m.score)),
                        "kind": m.kind,
                        "reading": m.reading,
                        "shared": m.shared,
                        "query_alleles": m.query_alleles,
                        "reference_alleles": m.reference_alleles,
                    }
                    for m in matches
                ],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        rows = ([m.accession, m.name, m.markers, format_score(m.score), m.kind] for m in matches)
        header = ["accession", "name", "markers", "score", "kind"]
        for line in csv_lines(header, rows, bom=False):
            self.stdout.write(line, ending="")

    def _index(self, path: str | None) -> StrIndex:
        if path is None:
            return str_index_from_database()
        try:
            with open(path, encoding="utf-8") as lines:
                return StrIndex.build(file_references(lines))
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from None
        except (MalformedEntry, StrError) as error:
            raise CommandError(f"{path}: {error}") from None
