"""Who is changing regulated records, and why: the context the audit triggers read.

Services wrap their writes in `audit_context(actor=..., reason=...)`. The database triggers
(see `stemhub.audit.triggers`) copy the innermost context into every audit row they write:

- PostgreSQL: transaction-local settings (`set_config(name, value, true)`), read by the trigger
  functions with `current_setting('stemhub.audit_actor', true)`.
- SQLite: a row in the table `audit_context`. SQLite lets one connection write at a time and
  the row lives only inside the writer's transaction (pushed on entry, removed on exit, rolled
  back with it), so other connections never see it. A trigger cannot read a TEMP table, which
  is why this is an ordinary table.

The context opens an atomic block (a savepoint when nested), so a failure inside it rolls the
context back together with the writes. Nested contexts stack; an inner context without a reason
keeps the outer one's reason.
"""

import functools
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

SETTINGS = {
    "actor_id": "stemhub.audit_actor",
    "actor_label": "stemhub.audit_actor_label",
    "reason": "stemhub.audit_reason",
}
SQLITE_CONTEXT_TABLE = "audit_context"


@dataclass(frozen=True)
class AuditFrame:
    actor_id: int | None
    actor_label: str
    reason: str
    txid: str


def _stack(connection: Any) -> list[AuditFrame]:
    if not hasattr(connection, "stemhub_audit_stack"):
        connection.stemhub_audit_stack = []
    stack: list[AuditFrame] = connection.stemhub_audit_stack
    return stack


def current_audit_frame(using: str = DEFAULT_DB_ALIAS) -> AuditFrame | None:
    """The innermost audit context on this connection, or None outside any."""
    stack = _stack(connections[using])
    return stack[-1] if stack else None


def _write_postgresql(cursor: Any, frame: AuditFrame | None) -> None:
    values = {
        "actor_id": "" if frame is None or frame.actor_id is None else str(frame.actor_id),
        "actor_label": "" if frame is None else frame.actor_label,
        "reason": "" if frame is None else frame.reason,
    }
    cursor.execute(
        "SELECT " + ", ".join(f"set_config('{SETTINGS[key]}', %s, true)" for key in values),
        list(values.values()),
    )


def _push_sqlite(cursor: Any, frame: AuditFrame) -> None:
    cursor.execute(
        f"INSERT INTO {SQLITE_CONTEXT_TABLE} (actor_id, actor_label, reason, txid) "
        "VALUES (%s, %s, %s, %s)",
        [frame.actor_id, frame.actor_label, frame.reason, frame.txid],
    )


def _pop_sqlite(cursor: Any) -> None:
    cursor.execute(
        f"DELETE FROM {SQLITE_CONTEXT_TABLE} "
        f"WHERE id = (SELECT max(id) FROM {SQLITE_CONTEXT_TABLE})"
    )


@contextmanager
def audit_context(*, actor: Any, reason: str = "", using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Attribute every write to audited tables inside the block to `actor`, with `reason`.

    `actor` is a user (or None for system jobs, which then show as "system").
    """
    connection = connections[using]
    stack = _stack(connection)
    outer = stack[-1] if stack else None
    actor_id = getattr(actor, "pk", None)
    frame = AuditFrame(
        actor_id=actor_id,
        actor_label=actor.get_username() if actor is not None else "system",
        reason=reason.strip() or (outer.reason if outer else ""),
        txid=outer.txid if outer else uuid.uuid4().hex,
    )
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                _write_postgresql(cursor, frame)
            else:
                _push_sqlite(cursor, frame)
        stack.append(frame)
        try:
            yield
        finally:
            stack.pop()
        # Reached only on success: on an error the savepoint rollback undoes the push.
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                _write_postgresql(cursor, outer)
            else:
                _pop_sqlite(cursor)


def audited[**P, R](service: Callable[P, R]) -> Callable[P, R]:
    """A service whose writes the trail attributes to its `actor=` keyword (and `reason=`, if it
    takes one): `audit_context` around the whole call, without re-indenting its body."""

    @functools.wraps(service)
    def attributed(*args: P.args, **kwargs: P.kwargs) -> R:
        reason = kwargs.get("reason")
        with audit_context(
            actor=kwargs.get("actor"), reason=reason if isinstance(reason, str) else ""
        ):
            return service(*args, **kwargs)

    return attributed
