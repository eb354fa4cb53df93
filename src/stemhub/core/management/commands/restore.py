"""`stemhub restore DIR [--force REASON] [--verify-only]`: a backup made by `stemhub backup`
into the configured, empty database, then the restored database compared with the backup's
manifest (stemhub.core.backup)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from stemhub.core import backup


class Command(BaseCommand):
    help = _(
        "Restore a backup made by `stemhub backup` (a folder or its tar archive) into the "
        "configured database, which must be empty, then verify it against the backup's "
        "manifest: row counts, the audit trail and every stored file's SHA-256."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help=_("The backup folder or archive."))
        parser.add_argument(
            "--force",
            metavar="REASON",
            help=_(
                "Replace what a database that is not empty holds; state why (for example "
                '"rebuilding the training instance from last night\'s backup").'
            ),
        )
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help=_("Restore nothing: compare the configured database with the backup."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reason = options["force"]
        if reason is not None and not reason.strip():
            raise CommandError(_("--force needs a reason: say why the database may be replaced."))
        try:
            with backup.opened(Path(options["source"])) as folder:
                if options["verify_only"]:
                    expected = backup.check_backup_files(folder)
                else:
                    if reason:
                        self.stdout.write(
                            _("Replacing the database's contents: %(reason)s") % {"reason": reason}
                        )
                    expected = backup.restore(folder, force=reason is not None)
            found = backup.differences(expected, backup.current_manifest())
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        if found:
            for difference in found:
                self.stderr.write(difference)
            raise CommandError(
                _("The database differs from the backup in %(count)s ways (listed above).")
                % {"count": len(found)}
            )
        summary = backup.summary_of(expected)
        counts = {"tables": summary.tables, "rows": summary.rows, "files": summary.files}
        if options["verify_only"]:
            verdict = _(
                "database verified: %(tables)s tables, %(rows)s rows, %(files)s files, audit "
                "trail identical"
            )
        else:
            verdict = _(
                "restore verified: %(tables)s tables, %(rows)s rows, %(files)s files, audit "
                "trail identical"
            )
        self.stdout.write(self.style.SUCCESS(verdict % counts))
