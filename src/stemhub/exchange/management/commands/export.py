"""`stemhub export hpscreg [--out FILE]`: our lines in hPSCreg's JSON export shape."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    # gettext, not gettext_lazy: argparse needs plain text (the command's own language).
    help = _("Export registry lines for another registry.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        subparsers = parser.add_subparsers(dest="format", required=True, metavar="FORMAT")
        hpscreg = subparsers.add_parser(
            "hpscreg",
            help=_("Published human lines (not Cellosaurus entries), as hPSCreg JSON (by name)"),
        )
        hpscreg.add_argument("--out", type=Path, help=_("Write here instead of stdout"))

    def handle(self, *args: Any, **options: Any) -> None:
        from stemhub.exchange.services import hpscreg_dumps, hpscreg_export

        document = hpscreg_dumps(hpscreg_export())
        if options["out"]:
            options["out"].write_text(document, encoding="utf-8")
        else:
            self.stdout.write(document, ending="")
