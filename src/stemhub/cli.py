"""The `stemhub` command.

`stemhub hla ...` runs the HLA engine's own command line without starting Django (the engine
never imports it, and a batch match should not pay for it). Everything else is a Django
management command: Django's own (`migrate`, `runserver`, ...) and ours (`demo`, `names`,
`import`, `export`, ...).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["hla"]:
        from stemhub.hla.cli import main as hla_main

        sys.exit(hla_main(args[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stemhub.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["stemhub", *args])


if __name__ == "__main__":
    main()
