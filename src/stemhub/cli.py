"""The `stemhub` command.

`stemhub hla ...` and `stemhub haplobank ...` run the HLA engine's own command line without
starting Django (the engine never imports it, and a batch match should not pay for it).
Everything else is a Django management command: Django's own (`migrate`, `runserver`, ...) and
ours (`demo`, `names`, `import`, `export`, ...).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["hla"]:
        from stemhub.hla.cli import main as hla_main

        sys.exit(hla_main(args[1:]))
    if args[:1] == ["haplobank"]:
        from stemhub.hla.cli import haplobank_main

        sys.exit(haplobank_main(args[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stemhub.config.settings")
    import django
    from django.core.management import execute_from_command_line
    from django.utils import translation

    django.setup()
    # Our commands' help and messages in the operator's language, as the shell's locale says
    # (LANG=zh_CN.UTF-8: Chinese); Django's own commands run in English whatever it is.
    translation.activate(command_language(os.environ))
    execute_from_command_line(["stemhub", *args])


def command_language(environ: dict[str, str] | os._Environ[str]) -> str:
    """The interface language a shell's locale asks for: the first of LC_ALL, LC_MESSAGES and
    LANG that is set; Chinese where it names Chinese, else English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := environ.get(name, ""):
            return "zh-hans" if value.lower().startswith("zh") else "en"
    return "en"


if __name__ == "__main__":
    main()
