"""Fixtures shared by the whole suite: institutions and one user per role; how the suite is
split over pytest-xdist's workers (docs/testing.md, "In parallel")."""

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from stemhub.accounts.models import Institution, Role, RoleGrant, User

PASSWORD = "correct horse battery staple"
SOURCE = Path(__file__).resolve().parents[1] / "src" / "stemhub"


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """The Chinese catalogues compiled as `make` compiles them, where a .po is newer than its .mo
    (a test run straight from pytest after editing a translation sees it)."""
    for catalogue in SOURCE.glob("*/locale/*/LC_MESSAGES/django.po"):
        compiled = catalogue.with_suffix(".mo")
        if not compiled.exists() or compiled.stat().st_mtime < catalogue.stat().st_mtime:
            # Written beside and moved into place: parallel workers compile at the same moment,
            # and one must never read the other's half-written catalogue.
            handle, partial = tempfile.mkstemp(dir=compiled.parent, suffix=".mo.part")
            os.close(handle)
            try:
                subprocess.run(
                    ["msgfmt", "--check-format", "-o", partial, str(catalogue)], check=True
                )
                os.replace(partial, compiled)
            finally:
                if os.path.exists(partial):
                    os.unlink(partial)


# ---- in parallel (pytest-xdist) ------------------------------------------------------------------

# Files whose tests share one session-scoped fixture too costly to build twice: they run on one
# worker, together. The click-through tests all drive one demo site (`demo` in
# tests/browser/conftest.py: migrate, `stemhub demo`, runserver), on PostgreSQL a database named
# after the suite's, which two workers would drop under each other.
SHARED_GROUPS = {"tests/browser/": "browser"}

# The longest units start first, so that no worker is left with one of them at the end while the
# other waits: the schemathesis run (its own demo site, then two runs), the click-through tests
# (one demo site, then a browser per test), `stemhub demo` loaded four times.
FIRST = ("tests/core/test_schemathesis.py", "browser", "tests/core/test_demo.py")


def _group(item: pytest.Item) -> str:
    """A worker's unit of work: the test's file (module- and class-scoped fixtures stay built once,
    as with --dist loadfile), or the shared group its folder belongs to."""
    path = item.nodeid.split("::", 1)[0]
    for folder, group in SHARED_GROUPS.items():
        if path.startswith(folder):
            return group
    return path


def _database_use(item: pytest.Item) -> int:
    """0: a test in a transaction rolled back; 1: one that commits (the tables are flushed after
    it); 2: no database. pytest-django's order, as Django's runner orders TestCase first."""
    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    if names & {"transactional_db", "live_server"} or (
        marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    ):
        return 1
    return 0 if marker or "db" in names else 2


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> Iterator[None]:
    """On an xdist worker: each test's group, set before xdist writes the groups into the test
    ids; then, after pytest-django's sort, the groups in the order the workers take them: the
    longest first, then files of rolled-back tests, files with tests that commit (the tables are
    flushed after them), files without the database. A worker runs its units in that order, so,
    as in one process, rolled-back tests do not run after committing ones (but after
    `tests/core/test_demo.py`'s class, which flushes in one process too)."""
    distributed = os.environ.get("PYTEST_XDIST_WORKER") is not None
    if distributed:
        for item in items:
            item.add_marker(pytest.mark.xdist_group(_group(item)))
    result = yield
    if distributed:
        uses: dict[str, set[int]] = {}
        for item in items:
            uses.setdefault(_group(item), set()).add(_database_use(item))
        rank = {
            group: FIRST.index(group) - len(FIRST)
            if group in FIRST
            else 1
            if 1 in found
            else 0
            if 0 in found
            else 2
            for group, found in uses.items()
        }
        items.sort(key=lambda item: rank[_group(item)])
    return result


@pytest.fixture(scope="session", autouse=True)
def worker_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each xdist worker keeps the files the platform writes under DATA_DIR (fonts cut for PDFs,
    haplotype frequency files, cord index snapshots) in its own folder: two workers writing the
    same name at once would race. The HLA tables and py-ard's database stay shared (written
    atomically, py-ard under a lock)."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        yield
        return
    previous = settings.DATA_DIR
    settings.DATA_DIR = tmp_path_factory.mktemp("data")
    yield
    settings.DATA_DIR = previous


@pytest.fixture(autouse=True)
def language_reset() -> Iterator[None]:
    """A page asked for in Chinese leaves Chinese active in the thread (LocaleMiddleware
    activates, nothing deactivates): every test starts in the default language."""
    yield
    translation.deactivate()


def make_user(username: str, institution: Institution | None, *roles: str) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.org",
        first_name=username.split("_")[0].title(),
        last_name="Tester",
        institution=institution,
    )
    RoleGrant.objects.bulk_create(RoleGrant(user=user, role=role) for role in roles)
    return user


@pytest.fixture
def bank(db) -> Institution:
    return Institution.objects.create(
        name="National Stem Cell Bank", kind=Institution.Kind.STEM_CELL_BANK, provider_code="NSCB"
    )


@pytest.fixture
def other_bank(db) -> Institution:
    return Institution.objects.create(
        name="Other Stem Cell Bank", kind=Institution.Kind.STEM_CELL_BANK, provider_code="OSB"
    )


@pytest.fixture
def users(bank, other_bank) -> dict[str, User]:
    """One user per role at the bank, plus staff of another institution."""
    people = {role.value: make_user(role.value, bank, role.value) for role in Role}
    people["other_curator"] = make_user("other_curator", other_bank, Role.CURATOR)
    people["other_technician"] = make_user("other_technician", other_bank, Role.BANK_TECHNICIAN)
    people["other_qa"] = make_user("other_qa", other_bank, Role.QA_MANAGER)
    return people


@pytest.fixture
def client_for(users):
    def login(who: str | None) -> Client:
        client = Client()
        if who is not None:
            client.force_login(users[who])
        return client

    return login


def ensure_reference_data() -> None:
    """The rows data migrations write (the default QC panel, licence versions 1 and 2): a
    transactional test flushes every table, so the tests after it would otherwise find them
    gone."""
    import importlib

    from django.apps import apps

    from stemhub.quality.defaults import install_defaults
    from stemhub.quality.models import QcTest

    install_defaults(QcTest)
    licence = importlib.import_module("stemhub.distribution.migrations.0002_licence_version_1")
    licence.add_version_1(apps, None)
    bilingual = importlib.import_module("stemhub.distribution.migrations.0003_translated_labels")
    bilingual.add_version_2(apps, None)


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a test client's request in Chinese leaves its
    language active in the thread (LocaleMiddleware activates it and nothing resets it), and
    the next test's menus and messages would read Chinese."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def reference_data(request):
    """Every test that uses the database starts with the migration-seeded reference rows."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    if transactional or names & {"transactional_db", "live_server"}:
        request.getfixturevalue("transactional_db")
    elif marker or "db" in names:
        request.getfixturevalue("db")
    else:
        return
    ensure_reference_data()
