"""`stemhub backup --out DIR [--archive]`: the database (and with it every stored file) into a
new folder, with a manifest read from the same snapshot (stemhub.core.backup)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from stemhub.core import backup


class Command(BaseCommand):
    help = _(
        "Back up the database: PostgreSQL with pg_dump, SQLite with its online backup API, into "
        "a new folder with a manifest (row counts, audit trail digest, stored files' SHA-256) "
        "and the checksums of the backup's files. `stemhub restore` restores and verifies it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out", required=True, type=Path, help=_("The new folder to write the backup to.")
        )
        parser.add_argument(
            "--archive",
            action="store_true",
            help=_("Also pack the folder into one tar file beside it (<folder>.tar)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        try:
            manifest = backup.backup(out)
            packed = backup.archive(out) if options["archive"] else None
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        summary = backup.summary_of(manifest)
        size = (out / manifest["database_file"]).stat().st_size
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Backup written to %(folder)s: %(tables)s tables, %(rows)s rows, %(files)s "
                    "stored files, an audit trail of %(audit)s rows; database file %(size)s."
                )
                % {
                    "folder": out,
                    "tables": summary.tables,
                    "rows": summary.rows,
                    "files": summary.files,
                    "audit": summary.audit_rows,
                    "size": backup.file_size(size),
                }
            )
        )
        if packed is not None:
            self.stdout.write(_("Archive: %(path)s") % {"path": packed})
