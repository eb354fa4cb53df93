"""The restore drill (issue 16): a database holding some of every kind of record is backed up
with `stemhub backup`, restored by `stemhub restore` in a process of its own into a new, empty
database of the same engine, and the restored database is compared with the source: row
counts, the audit trail (not one row more: the triggers stay quiet during a restore) and the
bytes of every stored file. A stored file changed by one byte or a row gone is named.

The suite's database is the source: SQLite by default (`t tests/backup`), PostgreSQL with
`DB=pg t tests/backup` (the restore goes into a new database on the same server)."""

import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from stemhub.audit.models import AuditEvent
from stemhub.cordblood.models import Unit
from stemhub.core.backup import CHECKSUMS, MANIFEST
from stemhub.populations.models import HaplotypeSet
from stemhub.qms.models import DocumentFile
from stemhub.quality.models import Certificate, RawFile
from tests.backup.content import fill

pytestmark = pytest.mark.django_db(transaction=True)

SOURCE = Path(__file__).resolve().parents[2] / "src"
POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """The address of a new, empty database of the suite's engine."""
    if not POSTGRESQL:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    settings = connection.settings_dict
    name = f"{settings['NAME']}_restored"
    server = {k: v for k, v in connection.get_connection_params().items() if k != "dbname"}
    with closing(psycopg.connect(**server, dbname="postgres", autocommit=True)) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    yield f"postgres://{settings['USER']}{password}@{settings['HOST']}{port}/{name}"
    with closing(psycopg.connect(**server, dbname="postgres", autocommit=True)) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def opened(url: str) -> Iterator[Any]:
    """A plain DB-API connection to the database at `url`, committing each statement."""
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)) as raw:
            yield raw
        return
    import psycopg

    with closing(
        psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True)
    ) as raw:
        yield raw


def query(raw: Any, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    if isinstance(raw, sqlite3.Connection):
        cursor = raw.execute(sql.replace("%s", "?"), params)
    else:
        cursor = raw.execute(sql, params)
    return cursor.fetchall() if cursor.description else []


def tamper(raw: Any, sql: str, *params: Any, tables: list[str]) -> None:
    """Change the restored database behind the application's back, as a damaged disk or a
    faulty restore would: no trigger sees it."""
    if isinstance(raw, sqlite3.Connection):
        for table in tables:
            names = query(
                raw,
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                table,
            )
            for (name,) in names:
                raw.execute(f'DROP TRIGGER "{name}"')
        raw.execute(sql.replace("%s", "?"), params)
    else:
        raw.execute("SET session_replication_role = replica")
        raw.execute(sql, params)


def stemhub(url: str, *args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    """`stemhub <args>` in a process of its own, on the database at `url`, in English."""
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "stemhub.config.test_settings",
        "PYTHONPATH": str(SOURCE),
        "STEMHUB_DATA_DIR": str(tmp / "var"),
        "LC_ALL": "C.UTF-8",
    }
    return subprocess.run(
        [sys.executable, "-P", "-m", "stemhub", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def backup_folder(users, tmp_path: Path) -> Path:
    fill(users)
    folder = tmp_path / "backup"
    call_command("backup", out=str(folder), stdout=io.StringIO())
    return folder


def test_a_backup_holds_the_database_with_a_manifest_of_its_rows_audit_trail_and_files(
    backup_folder,
):
    manifest = json.loads((backup_folder / MANIFEST).read_text())
    assert manifest["audit_trail"]["rows"] == AuditEvent.objects.count() > 0
    assert manifest["tables"][Unit._meta.db_table] == Unit.objects.count() == 12
    stored = {(table, key) for table, key, _column, _digest in manifest["files"]}
    for model in (RawFile, Certificate, DocumentFile, HaplotypeSet):
        keys = {str(pk) for pk in model.objects.values_list("pk", flat=True)}
        assert keys and {(model._meta.db_table, key) for key in keys} <= stored
    listed = (backup_folder / CHECKSUMS).read_text().split()
    assert MANIFEST in listed and manifest["database_file"] in listed


def test_the_drill_restores_every_record_the_audit_trail_and_every_file_into_an_empty_database(
    backup_folder, empty_database, tmp_path
):
    done = stemhub(empty_database, "restore", str(backup_folder), tmp=tmp_path)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((backup_folder / MANIFEST).read_text())
    rows, files = sum(manifest["tables"].values()), len(manifest["files"])
    assert (
        f"restore verified: {len(manifest['tables'])} tables, {rows} rows, {files} files, "
        "audit trail identical"
    ) in done.stdout
    # Checked again here, apart from the command's own comparison.
    with opened(empty_database) as restored:
        audit = query(restored, "SELECT count(*), max(id) FROM audit_event")[0]
        assert audit == (AuditEvent.objects.count(), AuditEvent.objects.latest("id").id)
        for model in (RawFile, Certificate, DocumentFile, HaplotypeSet):
            column = "pdf" if model is Certificate else "content"
            for pk, content in model.objects.values_list("pk", column):
                table = model._meta.db_table
                (kept,) = query(restored, f"SELECT {column} FROM {table} WHERE id = %s", pk)[0]
                assert bytes(kept) == bytes(content)


def test_a_changed_file_and_a_missing_row_are_named(backup_folder, empty_database, tmp_path):
    assert stemhub(empty_database, "restore", str(backup_folder), tmp=tmp_path).returncode == 0
    document = DocumentFile.objects.get()
    changed = bytes([document.content[0] ^ 1]) + bytes(document.content)[1:]
    unit = Unit.objects.order_by("pk").last()
    files, units = DocumentFile._meta.db_table, Unit._meta.db_table
    with opened(empty_database) as restored:
        tamper(
            restored,
            f"UPDATE {files} SET content = %s WHERE id = %s",
            changed,
            document.pk,
            tables=[files],
        )
        tamper(restored, f"DELETE FROM {units} WHERE id = %s", unit.pk, tables=[units])

    found = stemhub(empty_database, "restore", "--verify-only", str(backup_folder), tmp=tmp_path)

    assert found.returncode != 0
    assert f"Stored file {files} #{document.pk} content differs" in found.stderr
    assert f"Table {units}: 12 rows in the backup, 11 restored." in found.stderr
    assert "differs from the backup in 2 ways" in found.stderr


def test_a_database_that_is_not_empty_is_refused_unless_forced_with_a_reason(
    backup_folder, empty_database, tmp_path
):
    assert stemhub(empty_database, "restore", str(backup_folder), tmp=tmp_path).returncode == 0
    with opened(empty_database) as restored:
        query(restored, "CREATE TABLE scratch (id integer)")

    refused = stemhub(empty_database, "restore", str(backup_folder), tmp=tmp_path)
    assert refused.returncode != 0 and "The database is not empty" in refused.stderr
    with opened(empty_database) as restored:
        assert query(restored, "SELECT count(*) FROM scratch") == [(0,)]

    unexplained = stemhub(
        empty_database, "restore", "--force", " ", str(backup_folder), tmp=tmp_path
    )
    assert unexplained.returncode != 0 and "--force needs a reason" in unexplained.stderr

    forced = stemhub(
        empty_database,
        "restore",
        "--force",
        "rehearsing the drill",
        str(backup_folder),
        tmp=tmp_path,
    )
    assert forced.returncode == 0, forced.stderr
    assert "rehearsing the drill" in forced.stdout and "restore verified" in forced.stdout


def test_a_damaged_backup_is_refused_before_the_database_is_touched(
    backup_folder, empty_database, tmp_path
):
    manifest = json.loads((backup_folder / MANIFEST).read_text())
    database = backup_folder / manifest["database_file"]
    content = bytearray(database.read_bytes())
    content[len(content) // 2] ^= 1
    database.write_bytes(bytes(content))

    refused = stemhub(empty_database, "restore", str(backup_folder), tmp=tmp_path)

    assert refused.returncode != 0
    assert f"The backup file {database.name} is damaged" in refused.stderr
    with opened(empty_database) as restored:
        tables = (
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            if isinstance(restored, sqlite3.Connection)
            else "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        )
        assert query(restored, tables) == [(0,)]
