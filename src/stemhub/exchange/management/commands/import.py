"""`stemhub import cellosaurus|hpscreg|lines ...`: bring records from outside into the registry."""

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stemhub.accounts.models import Institution, User
from stemhub.core.errors import StemhubError

# One hPSCreg import's declared limits: a file is read whole (JSON), so its size is capped
# before it is read; hPSCreg holds about 5,000 lines in all.
MAX_HPSCREG_BYTES = 50 * 2**20
MAX_HPSCREG_RECORDS = 20_000


class Command(BaseCommand):
    # gettext, not gettext_lazy: argparse needs plain text (the command's own language).
    help = _("Import a Cellosaurus release, hPSCreg JSON records or a centre's own lines.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        subparsers = parser.add_subparsers(dest="format", required=True, metavar="FORMAT")
        cellosaurus = subparsers.add_parser(
            "cellosaurus", help=_("A Cellosaurus flat file (cellosaurus.txt)")
        )
        cellosaurus.add_argument("file", type=Path)
        cellosaurus.add_argument(
            "--release", default="", help=_("Release, when the file has no header naming it")
        )
        cellosaurus.add_argument(
            "--skip-invalid",
            action="store_true",
            help=_("Leave malformed entries out (listed in the summary) instead of importing none"),
        )
        hpscreg = subparsers.add_parser("hpscreg", help=_("hPSCreg JSON export files"))
        hpscreg.add_argument("files", type=Path, nargs="+", metavar="FILE")
        hpscreg.add_argument(
            "--as", dest="username", default="", help=_("Record changes as this user")
        )
        lines = subparsers.add_parser("lines", help=_("A centre's own lines from CSV or XLSX"))
        lines.add_argument("file", type=Path)
        lines.add_argument(
            "--institution", default="", help=_("Provider code (default: the user's)")
        )
        lines.add_argument("--dry-run", action="store_true", help=_("Validate only; write nothing"))
        lines.add_argument("--as", dest="username", default="", help=_("Import as this user"))

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
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        try:
            with path.open(encoding="utf-8") as handle:
                release = read_release(bounded_lines(handle)) or options["release"]
            if not release:
                raise CommandError(_("The file names no release in its header; pass --release"))
            with path.open(encoding="utf-8") as handle:
                summary = cellosaurus_import(
                    lines=bounded_lines(handle),
                    release=release,
                    skip_invalid=options["skip_invalid"],
                )
        except FileTooLarge as error:
            raise CommandError(
                _("%(file)s, %(problem)s; nothing was imported")
                % {"file": path.name, "problem": error}
            ) from None
        for skipped in summary.get("skipped", []):
            print(
                _("skipped line %(line)s: %(reason)s")
                % {"line": skipped["line"], "reason": skipped["reason"]},
                file=sys.stderr,
            )
        return summary

    def _hpscreg(self, options: dict[str, Any]) -> dict[str, Any]:
        from stemhub.exchange.hpscreg import RecordProblem, read_records
        from stemhub.exchange.services import hpscreg_import

        records = []
        for path in options["files"]:
            if not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": path})
            if path.stat().st_size > MAX_HPSCREG_BYTES:
                raise CommandError(
                    _(
                        "%(file)s is larger than %(mb)s MB, the limit of one hPSCreg file; split "
                        "it; nothing was imported"
                    )
                    % {"file": path.name, "mb": MAX_HPSCREG_BYTES // 2**20}
                )
            try:
                records.extend(read_records(path.read_text(encoding="utf-8"), source=path.name))
            except RecordProblem as problem:
                raise CommandError(
                    _("%(problem)s; nothing was imported") % {"problem": problem.message}
                ) from None
            if len(records) > MAX_HPSCREG_RECORDS:
                raise CommandError(
                    _(
                        "more than %(limit)s records (at %(file)s), the limit of one import; "
                        "import the files in parts; nothing was imported"
                    )
                    % {"limit": f"{MAX_HPSCREG_RECORDS:,}", "file": path.name}
                )
        return hpscreg_import(records=records, actor=_user(options["username"]))

    def _lines(self, options: dict[str, Any]) -> dict[str, Any]:
        from stemhub.exchange.bulk import lines_import

        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        actor = _user(options["username"])
        if actor is None:
            raise CommandError(_("Say who imports with --as USERNAME"))
        institution = actor.institution
        if options["institution"]:
            institution = Institution.objects.filter(provider_code=options["institution"]).first()
            if institution is None:
                raise CommandError(
                    _("No institution with provider code %(code)s")
                    % {"code": options["institution"]}
                )
        if institution is None:
            raise CommandError(_("Name the institution with --institution CODE"))
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
                    _("row %(row)s, column %(column)s: %(reason)s") % error,
                    file=sys.stderr,
                )
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            count = len(report["errors"])
            raise CommandError(
                ngettext(
                    "%(n)s problem; nothing was imported",
                    "%(n)s problems; nothing was imported",
                    count,
                )
                % {"n": count}
            )
        return report


def _user(username: str) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("No user %(name)r") % {"name": username})
    return user
