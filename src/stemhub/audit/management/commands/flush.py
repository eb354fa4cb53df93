"""Django's `flush`, with the append-only history guards lifted while it empties the tables
(on SQLite it deletes every row, which the guards refuse) and put back after it."""

from typing import Any

from django.core.management.commands import flush

from stemhub.audit.triggers import history_guards_lifted


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with history_guards_lifted(options["database"]):
            super().handle(**options)
