"""Readiness: may this process be sent traffic? (`/readyz`; `/healthz` only says it answers.)

Ready when the database answers, every migration this code ships is applied, the HLA engine's
reference tables are loaded (loading them here on first call, so a balancer does not send
searches to a process still loading them), and the task queue's table can be read. Each check
names what is wrong; the view answers 503 with them.

The migration check reads every migration file and the applied list (~100 ms here): its result
is kept for `MIGRATIONS_CACHE_SECONDS`, so a balancer probing every second costs a `SELECT 1` and
two tiny queries per probe.
"""

import threading
import time
from dataclasses import dataclass

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

MIGRATIONS_CACHE_SECONDS = 10.0
SHOWN_MIGRATIONS = 5


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


_lock = threading.Lock()
_migrations: tuple[float, Check] | None = None


def checks() -> list[Check]:
    """Every check, in order; those that need the database are skipped when it does not answer."""
    database = _database()
    if not database.ok:
        skipped = "not checked: the database does not answer"
        return [
            database,
            Check("migrations", False, skipped),
            _hla(),
            Check("tasks", False, skipped),
        ]
    return [database, _migrations_applied(), _hla(), _tasks()]


def forget() -> None:
    """Drop the cached migration check (tests that change the migration state)."""
    global _migrations
    with _lock:
        _migrations = None


def _database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return Check("database", False, f"{connection.vendor}: {_first_line(error)}")
    return Check("database", True, connection.vendor)


def _migrations_applied() -> Check:
    global _migrations
    cached = _migrations
    if cached is not None and time.monotonic() - cached[0] < MIGRATIONS_CACHE_SECONDS:
        return cached[1]
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        detail = f"cannot read the applied migrations: {_first_line(error)}"
        return Check("migrations", False, detail)
    if plan:
        names = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
        shown = ", ".join(names[:SHOWN_MIGRATIONS])
        more = f" and {len(names) - SHOWN_MIGRATIONS} more" if len(names) > SHOWN_MIGRATIONS else ""
        result = Check(
            "migrations",
            False,
            f"{len(names)} unapplied: {shown}{more}; run `stemhub migrate`",
        )
    else:
        result = Check("migrations", True, "all applied")
    with _lock:
        _migrations = (time.monotonic(), result)
    return result


def _hla() -> Check:
    from stemhub.core.hla import engine
    from stemhub.hla import HLAError

    try:
        loaded = engine()
    except HLAError as error:
        return Check("hla", False, str(error))
    return Check("hla", True, f"IPD-IMGT/HLA {loaded.release}")


def _tasks() -> Check:
    from django_tasks_db.models import DBTaskResult

    try:
        DBTaskResult.objects.order_by().values_list("pk").first()
    except DatabaseError as error:
        return Check("tasks", False, f"the task table cannot be read: {_first_line(error)}")
    return Check("tasks", True, "the task table is readable")


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
