"""`stemhub quality defaults`: load the default release panel into the QC catalogue (tests
already there, perhaps revised, are left alone)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stemhub.audit.context import audit_context
from stemhub.quality.defaults import install_defaults
from stemhub.quality.models import QcTest


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set here, not on the class: in the language of the run (argparse needs a str).
        self.help = _("Quality control catalogue: `defaults` loads the default release panel.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["defaults"])

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(actor=None, reason="Default QC release panel loaded"):
            created = install_defaults(QcTest)
        if created:
            self.stdout.write(
                ngettext(
                    "Created %(n)d test: %(codes)s", "Created %(n)d tests: %(codes)s", len(created)
                )
                % {"n": len(created), "codes": ", ".join(created)}
            )
        else:
            self.stdout.write(_("The catalogue already holds every default test."))
