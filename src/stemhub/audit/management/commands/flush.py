"""Django's `flush`, with the append-only history guards lifted while it empties the tables
(on SQLite it deletes every row, which the guards refuse) and put back after it."""

from typing import Any

from django.core.management.commands import flush
from django.utils.translation import gettext as _

from stemhub.audit.triggers import history_guards_lifted


class Command(flush.Command):
    # gettext, not gettext_lazy: argparse needs plain text (the command's own language).
    help = _(
        "Remove every row from the database, as Django's flush does, lifting the append-only "
        "history guards while it empties the tables."
    )

    def handle(self, **options: Any) -> None:
        with history_guards_lifted(options["database"]):
            super().handle(**options)
