"""`stemhub biobank_demo`: demo storage, banks and vials for NSRB on top of `stemhub demo`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from stemhub.biobank import demo


class Command(BaseCommand):
    help = (
        "Load the biobank demo (NSRB's storage tree, banks of four published lines, their vials "
        "and custody events) on top of the core demo. Does nothing when loaded before."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            demo.load(stdout=self.stdout)
        except RuntimeError as error:
            raise CommandError(str(error)) from None
