"""The engine is pure Python + numpy: importing all of it must not pull in Django."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_importing_every_module_of_the_engine_leaves_django_unloaded() -> None:
    script = textwrap.dedent(
        """
        import importlib, pkgutil, sys
        import stemhub.hla
        names = [m.name for m in pkgutil.walk_packages(stemhub.hla.__path__, "stemhub.hla.")]
        for name in names:
            importlib.import_module(name)
        assert "stemhub.hla.cli" in names and len(names) > 10, names
        loaded = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
        print(loaded)
        sys.exit(1 if loaded else 0)
        """
    )
    env_free = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert env_free.returncode == 0, env_free.stdout + env_free.stderr


def test_the_stemhub_command_runs_hla_without_django() -> None:
    script = (
        "import sys; from stemhub.cli import main\n"
        "try:\n    main(['hla', '--help'])\nexcept SystemExit:\n    pass\n"
        "sys.exit(1 if 'django' in sys.modules else 0)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, check=False)
    assert result.returncode == 0
