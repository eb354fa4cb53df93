"""Layers point one way: domain code never imports the API or page layer, the engines never
import Django, and the migrations match the models."""

import ast
import io
from pathlib import Path

import pytest
from django.core.management import call_command

SRC = Path(__file__).resolve().parents[1] / "src" / "stemhub"
DOMAIN_MODULES = ("models", "services", "selectors", "records", "naming", "name_services")
PRESENTATION = ("api", "views", "urls", "forms", "schemas")


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


def domain_files() -> list[Path]:
    return sorted(
        path
        for app in SRC.iterdir()
        if app.is_dir()
        for path in app.glob("*.py")
        if path.stem in DOMAIN_MODULES
    )


@pytest.mark.parametrize("path", domain_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_domain_code_never_imports_the_api_or_pages(path: Path):
    offending = sorted(
        name
        for name in imported_modules(path)
        if name.startswith("stemhub.")
        and name.split(".")[2:3]
        and name.split(".")[2] in PRESENTATION
    )
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
