"""`stemhub import cellosaurus|hpscreg|lines ...`: bring records from outside into the registry."""

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from stemhub.accounts.models import Institution, User
from stemhub.core.errors import StemhubError

# One hPSCreg import's declared limits: a file is read whole (JSON), so its size is capped
# before it is read; hPSCreg holds about 5,000 lines in all.
MAX_HPSCREG_BYTES = 50 * 2**20
MAX_HPSCREG_RECORDS = 20_000


class Command(BaseCommand):
    help = "Import a Cellosaurus release, hPSCreg JSON records or a centre's own lines."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subparsers = parser.add_subparsers(dest="format", required=True, metavar="FORMAT")
        cellosaurus = subparsers.add_parser(
            "cellosaurus", help="A Cellosaurus flat file (cellosaurus.txt)"
        )
        cellosaurus.add_argument("file", type=Path)
        cellosaurus.add_argument(
            "--release", default="", help="Release, when the file has no header naming it"
        )
        cellosaurus.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Leave malformed entries out (listed in the summary) instead of importing none",
        )
        hpscreg = subparsers.add_parser("hpscreg", help="hPSCreg JSON export files")
        hpscreg.add_argument("files", type=Path, nargs="+", metavar="FILE")
        hpscreg.add_argument(
            "--as", dest="username", default="", help="Record changes as this user"
        )
        lines = subparsers.add_parser("lines", help="A centre's own lines from CSV or XLSX")
        lines.add_argument("file", type=Path)
        lines.add_argument("--institution", default="", help="Provider code (default: the user's)")
        lines.add_argument("--dry-run", action="store_true", help="Validate only; write nothing")
        lines.add_argument("--as", dest="username", default="", help="Import as this user")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = getattr(self, f"_{options['format']}")(options)
        except StemhubError as error:
            details = getattr(error, "errors", None) or getattr(error, "rows", None)
            for item in details or []:
                print(str(item), file=sys.stderr)
            raise CommandError(error.message) from None
        self.stdout.write(json.dumps(summary, ensure_ascii=False))

    def _cellosaurus(self, options: dict[str, Any]) -> dict[str, Any]:
        from stemhub.exchange.cellosaurus import FileTooLarge, bounded_lines, read_release
        from stemhub.exchange.cellosaurus_import import cellosaurus_import

        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            with path.open(encoding="utf-8") as handle:
                release = read_release(bounded_lines(handle)) or options["release"]
            if not release:
                raise CommandError("The file names no release in its header; pass --release")
            with path.open(encoding="utf-8") as handle:
                summary = cellosaurus_import(
                    lines=bounded_lines(handle),
                    release=release,
                    skip_invalid=options["skip_invalid"],
                )
        except FileTooLarge as error:
            raise CommandError(f"{path.name}, {error}; nothing was imported") from None
        for skipped in summary.get("skipped", []):
            print(f"skipped line {skipped['line']}: {skipped['reason']}", file=sys.stderr)
        return summary

    def _hpscreg(self, options: dict[str, Any]) -> dict[str, Any]:
        from stemhub.exchange.hpscreg import RecordProblem, read_records
        from stemhub.exchange.services import hpscreg_import

        records = []
        for path in options["files"]:
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
            if path.stat().st_size > MAX_HPSCREG_BYTES:
                raise CommandError(
                    f"{path.name} is larger than {MAX_HPSCREG_BYTES // 2**20} MB, the limit of "
                    "one hPSCreg file; split it; nothing was imported"
                )
            try:
                records.extend(read_records(path.read_text(encoding="utf-8"), source=path.name))
            except RecordProblem as problem:
                raise CommandError(f"{problem.message}; nothing was imported") from None
            if len(records) > MAX_HPSCREG_RECORDS:
                raise CommandError(
                    f"more than {MAX_HPSCREG_RECORDS:,} records (at {path.name}), the limit of "
                    "one import; import the files in parts; nothing was imported"
                )
        return hpscreg_import(records=records, actor=_user(options["username"]))

    def _lines(self, options: dict[str, Any]) -> dict[str, Any]:
        from stemhub.exchange.bulk import lines_import

        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        actor = _user(options["username"])
        if actor is None:
            raise CommandError("Say who imports with --as USERNAME")
        institution = actor.institution
        if options["institution"]:
            institution = Institution.objects.filter(provider_code=options["institution"]).first()
            if institution is None:
                raise CommandError(f"No institution with provider code {options['institution']}")
        if institution is None:
            raise CommandError("Name the institution with --institution CODE")
        report = lines_import(
            actor=actor,
            institution=institution,
            filename=path.name,
            content=path.read_bytes(),
            dry_run=options["dry_run"],
        )
        if report["errors"]:
            for error in report["errors"]:
                print(
                    f"row {error['row']}, column {error['column']}: {error['reason']}",
                    file=sys.stderr,
                )
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            raise CommandError(f"{len(report['errors'])} problem(s); nothing was imported")
        return report


def _user(username: str) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user {username!r}")
    return user
