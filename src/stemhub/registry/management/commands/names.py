"""`stemhub names check NAME...` and `stemhub names next ...`: hPSCreg standard names.

The help and the messages are marked with `gettext` (argparse needs plain text), in the
language active when the command runs."""

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from stemhub.accounts.models import User
from stemhub.core.errors import StemhubError
from stemhub.registry.name_services import standard_name_issue
from stemhub.registry.naming import check_name


class Command(BaseCommand):
    help = _("Check hPSCreg standard names, or issue the next one.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        check = actions.add_parser(
            "check",
            help=_(
                "Print one JSON object per name: "
                '{"name", "verdict": "valid"|"warning"|"invalid", "messages": [...]}. Exits 0.'
            ),
        )
        check.add_argument("names", nargs="+", metavar="NAME")
        issue = actions.add_parser(
            "next",
            help=_(
                "Issue and print the next standard name. Without --as it is issued as a system "
                "action: the server's command line is trusted, so no permission is checked and "
                "the name is recorded without a user. With --as USERNAME that user needs "
                "registry.issue_names for the provider's institution."
            ),
        )
        issue.add_argument("--provider", required=True, metavar="CODE", help=_("e.g. NSCB"))
        issue.add_argument("--type", required=True, choices=["i", "e"], dest="type_letter")
        family = issue.add_mutually_exclusive_group()
        family.add_argument("--same-donor", metavar="NAME", help=_("next clone of NAME's donor"))
        family.add_argument("--subclone-of", metavar="NAME", help=_("next subclone NAME-N"))
        issue.add_argument("--as", dest="username", metavar="USERNAME", help=_("acting user"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "check":
            for name in options["names"]:
                verdict = check_name(name)
                line = {"name": name, "verdict": verdict.verdict, "messages": verdict.messages}
                self.stdout.write(json.dumps(line, ensure_ascii=False))
            return
        actor = None
        if options["username"]:
            actor = User.objects.filter(username=options["username"]).first()
            if actor is None:
                raise CommandError(_("No user named %(name)r") % {"name": options["username"]})
        try:
            name = standard_name_issue(
                actor=actor,
                provider_code=options["provider"],
                type_letter=options["type_letter"],
                same_donor=options["same_donor"],
                subclone_of=options["subclone_of"],
            )
        except StemhubError as error:
            raise CommandError(error.message) from None
        self.stdout.write(name)
