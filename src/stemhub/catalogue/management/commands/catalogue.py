from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stemhub.catalogue.services import catalogue_rebuild


class Command(BaseCommand):
    help = "Maintain the public catalogue's search index: `stemhub catalogue rebuild`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"])

    def handle(self, *args: Any, **options: Any) -> None:
        count = catalogue_rebuild()
        self.stdout.write(f"Indexed {count} published lines.")
