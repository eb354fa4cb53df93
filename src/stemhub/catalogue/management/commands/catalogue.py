from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from stemhub.catalogue.services import catalogue_rebuild


class Command(BaseCommand):
    # gettext, not gettext_lazy: argparse needs plain text (the command's own language).
    help = _("Maintain the public catalogue's search index: `stemhub catalogue rebuild`.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["rebuild"], help=_("rebuild: index every published line anew")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = catalogue_rebuild()
        self.stdout.write(_("Indexed %(count)s published lines.") % {"count": count})
