"""`stemhub cord import --bank CODE FILE [--mode full|delta] [--skip-invalid]`."""

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

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
    help = "Cord blood platform: import a bank's units (CSV or JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="upload a bank's units from a CSV or JSON file")
        imp.add_argument("--bank", required=True, help="the bank's provider code")
        imp.add_argument("file", type=Path)
        imp.add_argument("--mode", choices=("full", "delta"), default="delta")
        imp.add_argument("--skip-invalid", action="store_true")
        imp.add_argument("--quiet", action="store_true", help="no progress bar")
        sub.add_parser("snapshot", help="write the search index snapshot now")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "snapshot":
            self.stdout.write(str(search_index.snapshot()))
            return
        bank = Institution.objects.filter(provider_code=options["bank"]).first()
        if bank is None:
            raise CommandError(f"no bank with provider code {options['bank']!r}")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
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
        if len(report["errors"]) > 200:
            self.stderr.write(f"... and {len(report['errors']) - 200} more problems")
        if not report["applied"]:
            raise CommandError(f"{len(report['errors'])} problem(s); nothing was imported")
        if report["created"] + report["updated"] + report["withdrawn"] >= 10_000:
            search_index.snapshot()
        self.stdout.write(
            f"{bank.provider_code}: {report['created']} created, {report['updated']} updated, "
            f"{report['unchanged']} unchanged, {report['withdrawn']} withdrawn, "
            f"{report['skipped']} rows skipped ({time.perf_counter() - started:.1f} s)"
        )
