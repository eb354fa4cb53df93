"""`stemhub demo [--once]`: load the demo data and print the logins.

The help and the messages are marked with `gettext` (not `gettext_lazy`: argparse needs plain
text), in the language active when the command runs."""

import os
import time
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from stemhub.accounts.demo import UserSpec
from stemhub.accounts.models import User
from stemhub.biobank import demo as biobank_demo
from stemhub.cordblood import demo as cordblood_demo
from stemhub.distribution import demo as distribution_demo
from stemhub.populations import demo as populations_demo
from stemhub.qms import demo as qms_demo
from stemhub.qms import demo_records as qms_records_demo
from stemhub.quality import demo as quality_demo
from stemhub.registry.demo import DemoSummary, demo_is_loaded, demo_load, logins_table

# The registry's demo (people, institutions, lines) comes first; each app adds its part on top,
# in this order: `<module>.load(stdout=...)` and the logins it adds in `<module>.LOGINS`.
APP_DEMOS = (
    qms_demo,
    biobank_demo,
    quality_demo,
    distribution_demo,
    populations_demo,
    cordblood_demo,
    qms_records_demo,
)


class Command(BaseCommand):
    help = _(
        "Load the demo: institutions, a user for every role and 70-odd cell lines, all in one "
        "transaction, the same every time. Prints the demo logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help=_("Do nothing (but print the logins) when the demo was loaded before."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_is_loaded():
            if not options["once"]:
                raise CommandError(
                    _(
                        "The demo data is already loaded; use --once to skip loading, or start "
                        "from an empty database."
                    )
                )
            self.stdout.write(_("The demo data was loaded before; nothing to do."))
        else:
            started = time.monotonic()
            self.stdout.write(_("Loading the demo data..."))
            with transaction.atomic():
                summary = demo_load(stdout=self.stdout)
                for module in APP_DEMOS:
                    self._app_demo(module)
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Loaded %(institutions)s institutions, %(users)s users and %(lines)s cell "
                        "lines in %(seconds).1f s."
                    )
                    % {
                        "institutions": summary.institutions,
                        "users": len(summary.users),
                        "lines": summary.lines,
                        "seconds": time.monotonic() - started,
                    }
                )
            )
            self._counts(summary)
        self.stdout.write(logins_table(os.environ.get("PORT", "8000"), self._app_logins()))

    def _app_logins(self) -> tuple[UserSpec, ...]:
        """The logins an app's demo added (its module's `LOGINS`) that exist in the database."""
        specs = [spec for module in APP_DEMOS for spec in getattr(module, "LOGINS", ())]
        found = set(
            User.objects.filter(username__in=[s.username for s in specs]).values_list(
                "username", flat=True
            )
        )
        return tuple(spec for spec in specs if spec.username in found)

    def _app_demo(self, module: ModuleType) -> None:
        """An app's demo part; one that cannot run here (say, no HLA reference data on a
        machine without network) is skipped with its reason instead of failing the demo."""
        from stemhub.hla import HLAError

        try:
            with transaction.atomic():
                module.load(stdout=self.stdout)
        except HLAError as error:
            self.stdout.write(
                self.style.WARNING(
                    _("Skipped %(part)s: %(error)s") % {"part": module.__name__, "error": error}
                )
            )

    def _counts(self, summary: DemoSummary) -> None:
        for title, counts in (
            (_("by type"), summary.by_type),
            (_("by species"), summary.by_species),
            (_("by status"), summary.by_status),
            (_("by availability"), summary.by_availability),
        ):
            listed = ", ".join(f"{key} {count}" for key, count in counts.items())
            self.stdout.write(f"  {title}: {listed}")
