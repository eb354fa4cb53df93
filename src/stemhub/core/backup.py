"""Backup and restore of a stemhub database, with a manifest that proves a restore complete.

Every file stemhub keeps (controlled documents' versions, certificates of analysis, QC raw
files, haplotype frequency sets) is a `BinaryField` in the database, and everything under
$STEMHUB_DATA_DIR is a cache rebuilt on demand: the database is the whole backup.

A backup folder holds the database (`database.dump`, PostgreSQL's custom format, or
`database.sqlite3`, a copy made with SQLite's online backup API), `manifest.json` and
`SHA256SUMS`. The manifest describes the database the backup holds: stemhub's version, the
migrations applied, every table's row count, the audit trail's row count and a SHA-256 over its
rows in id order, and the SHA-256 of every stored file (table, primary key, column).

On PostgreSQL the manifest is read from the same snapshot `pg_dump` dumps: one repeatable-read
transaction exports its snapshot (`pg_export_snapshot()`), `pg_dump --snapshot` dumps it while
the transaction reads the manifest, so both describe the source at one instant, whatever is
written meanwhile. (A manifest computed from the restored dump would only compare the dump with
itself.) On SQLite the backup API makes a consistent copy, and the manifest is read from the copy.

A restore goes into an empty database only (`force` replaces what is there), checks the backup
files against `SHA256SUMS` first, then computes the manifest of the restored database and
compares it with the backup's: a restore is verified when nothing differs. The audit triggers
do not fire during a restore: `pg_restore` creates triggers after loading the data, and SQLite's
backup API copies pages, not rows.
"""

import hashlib
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils.translation import gettext as _

import stemhub

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
AUDIT_TABLE = "audit_event"
FORMAT = 1
CHUNK = 1 << 20

Engine = Literal["postgresql", "sqlite"]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    tables: int
    rows: int
    files: int
    audit_rows: int


# The manifest -------------------------------------------------------------------------------


def stored_file_columns() -> list[tuple[str, str, str]]:
    """(table, primary key column, column) of every BinaryField of every model."""
    found: set[tuple[str, str, str]] = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or model._meta.pk is None:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.BinaryField):
                found.add((model._meta.db_table, str(model._meta.pk.column), str(field.column)))
    return sorted(found)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(cursor: Any, engine: Engine) -> list[str]:
    if engine == "postgresql":
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = ANY(current_schemas(false)) "
            "ORDER BY tablename"
        )
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    return [name for (name,) in cursor.fetchall()]


def _stream(connection: Any, engine: Engine, sql: str) -> Iterator[Any]:
    """The rows of `sql`, fetched in batches (a server-side cursor on PostgreSQL)."""
    if engine == "postgresql":
        with connection.cursor(name="stemhub_backup") as cursor:
            cursor.itersize = 2000
            cursor.execute(sql)
            yield from cursor
    else:
        cursor = connection.cursor()
        try:
            yield from cursor.execute(sql)
        finally:
            cursor.close()


def _audit_rows(connection: Any, engine: Engine) -> Iterator[str]:
    """Each audit row as one canonical text, in id order. PostgreSQL's own row text (jsonb is
    stored normalised; the session runs in UTC with ISO dates), SQLite's columns as JSON."""
    table = _quote(AUDIT_TABLE)
    if engine == "postgresql":
        for (text,) in _stream(connection, engine, f"SELECT a::text FROM {table} AS a ORDER BY id"):
            yield text
    else:
        for row in _stream(connection, engine, f"SELECT * FROM {table} ORDER BY id"):
            yield json.dumps(row, ensure_ascii=False, default=str)


def compute_manifest(connection: Any, engine: Engine) -> dict[str, Any]:
    """The manifest of the database a DB-API `connection` reads (psycopg in the snapshot's
    transaction, or sqlite3)."""
    cursor = connection.cursor()
    tables = _tables(cursor, engine)
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    migrations: list[str] = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    cursor.close()
    digest, audit_rows = hashlib.sha256(), 0
    if AUDIT_TABLE in counts:
        for text in _audit_rows(connection, engine):
            digest.update(text.encode())
            digest.update(b"\n")
            audit_rows += 1
    files = []
    for table, pk, column in stored_file_columns():
        if table not in counts:
            continue
        query = f"SELECT {_quote(pk)}, {_quote(column)} FROM {_quote(table)} ORDER BY {_quote(pk)}"
        for key, content in _stream(connection, engine, query):
            content_digest = hashlib.sha256(b"" if content is None else bytes(content))
            files.append([table, str(key), column, content_digest.hexdigest()])
    return {
        "format": FORMAT,
        "engine": engine,
        "stemhub_version": stemhub.__version__,
        "migrations": migrations,
        "tables": counts,
        "audit_trail": {"rows": audit_rows, "sha256": digest.hexdigest()},
        "files": files,
    }


def summary_of(manifest: dict[str, Any]) -> Summary:
    return Summary(
        tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()),
        files=len(manifest["files"]),
        audit_rows=manifest["audit_trail"]["rows"],
    )


def differences(backup: dict[str, Any], restored: dict[str, Any]) -> list[str]:
    """Every way the restored database differs from the backup's manifest, one sentence each."""
    found = []
    before, after = set(backup["migrations"]), set(restored["migrations"])
    for name in sorted(before - after):
        found.append(_("Migration %(name)s is missing.") % {"name": name})
    for name in sorted(after - before):
        found.append(_("Migration %(name)s is not in the backup.") % {"name": name})
    for table, count in sorted(backup["tables"].items()):
        if table not in restored["tables"]:
            found.append(_("Table %(table)s is missing.") % {"table": table})
        elif restored["tables"][table] != count:
            found.append(
                _("Table %(table)s: %(backup)s rows in the backup, %(restored)s restored.")
                % {"table": table, "backup": count, "restored": restored["tables"][table]}
            )
    for table in sorted(set(restored["tables"]) - set(backup["tables"])):
        found.append(_("Table %(table)s is not in the backup.") % {"table": table})
    audit, audit_now = backup["audit_trail"], restored["audit_trail"]
    if audit["rows"] != audit_now["rows"]:
        found.append(
            _("Audit trail: %(backup)s rows in the backup, %(restored)s restored.")
            % {"backup": audit["rows"], "restored": audit_now["rows"]}
        )
    elif audit["sha256"] != audit_now["sha256"]:
        found.append(_("Audit trail: same number of rows, but their contents differ."))
    kept = {(table, key, column): digest for table, key, column, digest in backup["files"]}
    now = {(table, key, column): digest for table, key, column, digest in restored["files"]}
    for where in sorted(kept.keys() | now.keys()):
        table, key, column = where
        place = {"table": table, "pk": key, "column": column}
        if where not in now:
            found.append(_("Stored file %(table)s #%(pk)s %(column)s is missing.") % place)
        elif where not in kept:
            found.append(
                _("Stored file %(table)s #%(pk)s %(column)s is not in the backup.") % place
            )
        elif kept[where] != now[where]:
            found.append(
                _(
                    "Stored file %(table)s #%(pk)s %(column)s differs: SHA-256 %(restored)s, "
                    "the backup's %(backup)s."
                )
                % {**place, "restored": now[where][:16], "backup": kept[where][:16]}
            )
    return found


# The configured database -----------------------------------------------------------------------


def engine_of(using: str = DEFAULT_DB_ALIAS) -> Engine:
    vendor = connections[using].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(
            _("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": vendor}
        )
    return "postgresql" if vendor == "postgresql" else "sqlite"


def _sqlite_path(using: str) -> Path:
    name = str(connections[using].settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file::memory:"):
        raise BackupError(
            _("The database is in memory; back up and restore a database file or PostgreSQL.")
        )
    return Path(name)


def _pg_environment(using: str) -> dict[str, str]:
    """libpq's environment for pg_dump and pg_restore: the same server, database and role."""
    settings = connections[using].settings_dict
    environment = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if settings.get(key):
            environment[variable] = str(settings[key])
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if settings.get("OPTIONS", {}).get(option):
            environment[variable] = str(settings["OPTIONS"][option])
    return environment


@contextmanager
def _pg_snapshot(using: str) -> Iterator[Any]:
    """A new psycopg connection in a read-only repeatable-read transaction (one snapshot for
    every query), in UTC with ISO dates so that row texts do not depend on the session."""
    import psycopg

    raw = psycopg.connect(**connections[using].get_connection_params())
    try:
        raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        raw.read_only = True
        with raw.cursor() as cursor:
            cursor.execute("SET LOCAL TimeZone = 'UTC'")
            cursor.execute("SET LOCAL DateStyle = 'ISO, YMD'")
        yield raw
        raw.rollback()
    finally:
        raw.close()


def _run(command: list[str], environment: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=environment, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BackupError(_not_installed(command[0])) from error
    if done.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": command[0], "error": done.stderr.strip()}
        )


# Backup files --------------------------------------------------------------------------------


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_checksums(folder: Path, names: list[str]) -> None:
    lines = [f"{_sha256_of(folder / name)}  {name}\n" for name in names]
    (folder / CHECKSUMS).write_text("".join(lines), encoding="utf-8")


def check_backup_files(folder: Path) -> dict[str, Any]:
    """The backup's manifest, once every file SHA256SUMS lists has its checksum."""
    listing = folder / CHECKSUMS
    if not listing.is_file():
        raise BackupError(
            _("%(folder)s is not a stemhub backup: it has no %(file)s.")
            % {"folder": folder, "file": CHECKSUMS}
        )
    listed: dict[str, str] = {}
    for line in listing.read_text(encoding="utf-8").splitlines():
        expected, separator, name = line.partition("  ")
        if separator:
            listed[name] = expected
    if MANIFEST not in listed:
        raise BackupError(_("The backup file %(name)s is missing.") % {"name": MANIFEST})
    for name, expected in listed.items():
        path = folder / name
        if "/" in name or not path.is_file():
            raise BackupError(_("The backup file %(name)s is missing.") % {"name": name})
        if _sha256_of(path) != expected:
            raise BackupError(
                _("The backup file %(name)s is damaged: its SHA-256 is not the one recorded.")
                % {"name": name}
            )
    manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("database_file") not in listed:
        raise BackupError(
            _("The backup file %(name)s is missing.") % {"name": manifest.get("database_file")}
        )
    return manifest


def _new_folder(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(
            _("%(folder)s already exists and is not an empty folder; choose a new one.")
            % {"folder": out}
        )
    out.mkdir(parents=True, exist_ok=True)


def archive(folder: Path) -> Path:
    """The backup folder as one tar file beside it (`<folder>.tar`)."""
    target = folder.with_name(folder.name + ".tar")
    with tarfile.open(target, "w") as tar:
        for path in sorted(folder.iterdir()):
            tar.add(path, arcname=f"{folder.name}/{path.name}")
    return target


@contextmanager
def opened(source: Path) -> Iterator[Path]:
    """The backup folder `source` names: itself, or a tar made by `archive`, unpacked into a
    temporary folder for the block."""
    if source.is_dir():
        yield source
        return
    if not tarfile.is_tarfile(source):
        raise BackupError(
            _("%(path)s is neither a backup folder nor a backup archive.") % {"path": source}
        )
    with tempfile.TemporaryDirectory(prefix="stemhub-restore-") as temporary:
        with tarfile.open(source) as tar:
            tar.extractall(temporary, filter="data")
        folders = [path for path in Path(temporary).iterdir() if path.is_dir()]
        if len(folders) != 1:
            raise BackupError(_("%(path)s does not hold one backup folder.") % {"path": source})
        yield folders[0]


# Backup ----------------------------------------------------------------------------------------


def backup(out: Path, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Back the database up into the new folder `out`; returns the manifest."""
    engine = engine_of(using)
    _new_folder(out)
    if engine == "postgresql":
        database = PG_DUMP
        with _pg_snapshot(using) as raw:
            (snapshot,) = raw.execute("SELECT pg_export_snapshot()").fetchone()
            command = ["pg_dump", "-Fc", f"--snapshot={snapshot}", "-f", str(out / PG_DUMP)]
            try:
                dump = subprocess.Popen(
                    command,
                    env=_pg_environment(using),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            except FileNotFoundError as error:
                raise BackupError(_not_installed("pg_dump")) from error
            # The manifest is read while pg_dump runs; the snapshot lives until both are done.
            try:
                manifest = compute_manifest(raw, engine)
            finally:
                _out, errors = dump.communicate()
        if dump.returncode != 0:
            raise BackupError(
                _("%(program)s failed: %(error)s") % {"program": "pg_dump", "error": errors.strip()}
            )
    else:
        # From the application's own connection: the file, or the in-memory database of a test.
        database = SQLITE_COPY
        connection = connections[using]
        connection.ensure_connection()
        with closing(sqlite3.connect(out / SQLITE_COPY)) as copy:
            connection.connection.backup(copy)
            # One self-contained file, whatever journal the live database keeps.
            copy.execute("PRAGMA journal_mode=DELETE")
        with closing(_sqlite_read_only(out / SQLITE_COPY)) as copy:
            manifest = compute_manifest(copy, engine)
    manifest["created_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    manifest["database_file"] = database
    (out / MANIFEST).write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    _write_checksums(out, [database, MANIFEST])
    return manifest


def _sqlite_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _not_installed(program: str) -> str:
    return _("%(program)s is not installed (PostgreSQL's client programs are needed).") % {
        "program": program
    }


# Restore ---------------------------------------------------------------------------------------


def current_manifest(using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """The manifest of the configured database as it is now."""
    engine = engine_of(using)
    if engine == "postgresql":
        with _pg_snapshot(using) as raw:
            return compute_manifest(raw, engine)
    with closing(_sqlite_read_only(_sqlite_path(using))) as live:
        return compute_manifest(live, engine)


def occupied(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The tables the configured database holds (empty: a restore may go in)."""
    engine = engine_of(using)
    if engine == "sqlite" and not _sqlite_path(using).exists():
        return []
    connection = connections[using]
    with connection.cursor() as cursor:
        return _tables(cursor, engine)


def _empty_postgresql(using: str) -> None:
    """Drop the public schema with everything in it and create it again, owned as before."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'"
        )
        (owner,) = cursor.fetchone()
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute(f"CREATE SCHEMA public AUTHORIZATION {_quote(owner)}")
        cursor.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")


def restore(folder: Path, using: str = DEFAULT_DB_ALIAS, *, force: bool = False) -> dict[str, Any]:
    """Restore the backup in `folder` into the configured (empty) database; returns the
    backup's manifest. `force` first removes what the database holds."""
    manifest = check_backup_files(folder)
    engine = engine_of(using)
    if manifest["engine"] != engine:
        raise BackupError(
            _("This is a %(backup)s backup; the database configured is %(database)s.")
            % {"backup": manifest["engine"], "database": engine}
        )
    tables = occupied(using)
    if tables and not force:
        raise BackupError(
            _(
                "The database is not empty: it holds %(count)s tables (%(some)s ...). Restore "
                "into an empty database, or pass --force with your reason to replace them."
            )
            % {"count": len(tables), "some": ", ".join(tables[:3])}
        )
    connection = connections[using]
    if engine == "postgresql":
        if tables:
            _empty_postgresql(using)
        connection.close()
        _run(
            [
                "pg_restore",
                "--single-transaction",
                "--exit-on-error",
                "-d",
                str(connection.settings_dict["NAME"]),
                str(folder / PG_DUMP),
            ],
            _pg_environment(using),
        )
    else:
        connection.close()
        target = _sqlite_path(using)
        target.parent.mkdir(parents=True, exist_ok=True)
        with (
            closing(_sqlite_read_only(folder / SQLITE_COPY)) as copy,
            closing(sqlite3.connect(target)) as live,
        ):
            copy.backup(live)
    return manifest


def file_size(size: int) -> str:
    """A size in bytes for people: 512 B, 3.4 MB."""
    amount = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if amount < 1000 or unit == "GB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1000
    return f"{amount:.1f} GB"
