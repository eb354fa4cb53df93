"""`stemhub cord import --bank CODE FILE [--mode full|delta] [--skip-invalid]`."""

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stemhub.accounts.models import Institution
from stemhub.cordblood import index as search_index
from stemhub.cordblood.uploads import units_import


class ProgressBar:
    """One line on stderr, redrawn in place: stage, a bar, done/total."""

    def __init__(self, stream: Any = sys.stderr) -> None:
        self.stream = stream
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        width = 30
        filled = width if total == 0 else width * done // total
        if stage != self.stage and self.stage:
            self.stream.write("\n")
        self.stage = stage
        bar = "#" * filled + "." * (width - filled)
        self.stream.write(f"\r{stage:<9} [{bar}] {done:,}/{total:,}")
        self.stream.flush()

    def close(self) -> None:
        if self.stage:
            self.stream.write("\n")


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # in the language active when it is read
        return _("Cord blood platform: import a bank's units (CSV or JSON).")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help=_("upload a bank's units from a CSV or JSON file"))
        imp.add_argument("--bank", required=True, help=_("the bank's provider code"))
        imp.add_argument("file", type=Path, help=_("the units file (CSV or JSON)"))
        imp.add_argument(
            "--mode",
            choices=("full", "delta"),
            default="delta",
            help=_(
                "delta (default): add and update these units; full: the file is the whole "
                "inventory, units missing from it are withdrawn"
            ),
        )
        imp.add_argument(
            "--skip-invalid",
            action="store_true",
            help=_("apply the good rows even when some are bad"),
        )
        imp.add_argument("--quiet", action="store_true", help=_("no progress bar"))
        sub.add_parser("snapshot", help=_("write the search index snapshot now"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "snapshot":
            self.stdout.write(str(search_index.snapshot()))
            return
        bank = Institution.objects.filter(provider_code=options["bank"]).first()
        if bank is None:
            raise CommandError(_("no bank with provider code %(code)r") % {"code": options["bank"]})
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("%(path)s: no such file") % {"path": path})
        started = time.perf_counter()
        bar = None if options["quiet"] else ProgressBar()
        report = units_import(
            actor=None,
            bank=bank,
            filename=path.name,
            content=path.read_bytes(),
            mode=options["mode"],
            skip_invalid=options["skip_invalid"],
            progress=bar,
        )
        if bar:
            bar.close()
        for error in report["errors"][:200]:
            self.stderr.write(f"{path}:{error['line']}: {error['field']}: {error['reason']}")
        more = len(report["errors"]) - 200
        if more > 0:
            self.stderr.write(
                ngettext("... and %(n)s more problem", "... and %(n)s more problems", more)
                % {"n": more}
            )
        if not report["applied"]:
            count = len(report["errors"])
            raise CommandError(
                ngettext(
                    "%(n)s problem; nothing was imported",
                    "%(n)s problems; nothing was imported",
                    count,
                )
                % {"n": count}
            )
        if report["created"] + report["updated"] + report["withdrawn"] >= 10_000:
            search_index.snapshot()
        self.stdout.write(
            _(
                "%(bank)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                "%(withdrawn)s withdrawn, %(skipped)s rows skipped (%(seconds).1f s)"
            )
            % {
                "bank": bank.provider_code,
                "created": report["created"],
                "updated": report["updated"],
                "unchanged": report["unchanged"],
                "withdrawn": report["withdrawn"],
                "skipped": report["skipped"],
                "seconds": time.perf_counter() - started,
            }
        )
