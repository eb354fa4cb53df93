"""Layers point one way: domain code never imports the API or page layer, the engines never
import Django, and the migrations match the models."""

import ast
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

SRC = Path(__file__).resolve().parents[1] / "src" / "stemhub"
ENGINE_PACKAGES = ("hla", "strprofile")
# The page and API layer, by module name: what shapes an answer for a browser or a client.
PRESENTATION = re.compile(
    r"^(api|api_\w+|\w+_api|views|\w+_views|views_\w+|urls|urls_\w+|forms|schemas|navigation|admin"
    r"|display|next_steps)$"
)
# Glue that may use both layers: commands, template tags, demo loaders, migrations.
GLUE_PARTS = ("management", "templatetags", "migrations", "demo")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def is_presentation(module: str) -> bool:
    """`stemhub.<app>.<module>[...]` where <module> is of the page or API layer."""
    parts = module.split(".")
    return parts[0] == "stemhub" and len(parts) > 2 and bool(PRESENTATION.match(parts[2]))


def domain_files() -> list[Path]:
    """Every module of every app that is neither presentation nor glue: models, services,
    selectors, records, importers, rules ... A new module is covered the day it is added."""
    return sorted(
        path
        for app in SRC.iterdir()
        if app.is_dir() and app.name not in ENGINE_PACKAGES and app.name != "config"
        for path in app.rglob("*.py")
        if not PRESENTATION.match(path.stem)
        and not GLUE_PARTS_RE.search(str(path.relative_to(app)))
    )


GLUE_PARTS_RE = re.compile(rf"(^|/)({'|'.join(GLUE_PARTS)})(/|\.py$)")


def test_the_layer_rule_covers_the_modules_it_should():
    """The classification is not empty-handed: the services and models of every app are domain
    modules, and known page modules are not."""
    covered = {str(path.relative_to(SRC)) for path in domain_files()}
    for app in ("registry", "biobank", "quality", "distribution", "cordblood", "equipment"):
        assert f"{app}/services.py" in covered and f"{app}/models.py" in covered
    assert "cordblood/uploads.py" in covered and "core/tabular.py" in covered
    assert not covered & {"registry/views.py", "biobank/api.py", "quality/excursion_views.py"}


@pytest.mark.parametrize("path", domain_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_domain_code_never_imports_the_api_or_pages(path: Path):
    offending = sorted(name for name in imported_modules(path) if is_presentation(name))
    assert not offending, f"{path} imports {offending}"


ENGINES = [name for name in ("hla", "strprofile") if (SRC / name).is_dir()]


@pytest.mark.parametrize("engine", ENGINES)
def test_engines_never_import_django(engine: str):
    package = SRC / engine
    offending = {
        str(path.relative_to(SRC)): sorted(
            n for n in imported_modules(path) if n.startswith("django")
        )
        for path in package.rglob("*.py")
    }
    assert not {k: v for k, v in offending.items() if v}


@pytest.mark.django_db
def test_the_migrations_match_the_models():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
