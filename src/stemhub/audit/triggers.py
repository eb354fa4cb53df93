"""Database triggers that write the audit trail, for PostgreSQL and SQLite.

Each audited table (stemhub.audit.registry.AUDITED) gets row-level AFTER INSERT/UPDATE/DELETE
triggers that write one `audit_event` row: the table, the row's primary key, the operation, the
old and new values (for an UPDATE only the columns that changed; an UPDATE that changes nothing
writes nothing), the actor and reason of the innermost `audit_context`, the row's institution,
the transaction and the time. Because the database does the writing, `QuerySet.update()`,
`bulk_create()`, raw SQL and other programs are recorded as well as `Model.save()`.

`audit_event` itself refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE). So do the append-only
history tables (stemhub.audit.registry.IMMUTABLE: version history, curation, custody and request
events, signatures ...): BEFORE UPDATE/DELETE row triggers that raise. Django's `flush` (tests,
the demo) empties tables with DELETE on SQLite, so the audit app's `flush` command lifts those
guards for the flush and puts them back after it (`history_guards_lifted`).

The installer is idempotent and runs after every `migrate` (post_migrate, test databases
included). Models whose app or table does not exist yet are skipped. On SQLite the triggers
name every column, so they are dropped before `migrate` (whose table rebuilds would trip over
them) and re-created with the new columns afterwards; on PostgreSQL `to_jsonb(row)` follows
the table's columns by itself and the triggers stay in place.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from stemhub.audit.context import SETTINGS, SQLITE_CONTEXT_TABLE
from stemhub.audit.registry import AUDITED, EXCLUDED_COLUMNS, IMMUTABLE
from stemhub.core.columns import column, concrete_field

PREFIX = "stemhub_audit"
AUDIT_TABLE = "audit_event"
COLUMNS = (
    "at, model, table_name, row_pk, operation, old_values, new_values, actor_id, actor_label, "
    "reason, institution_id, txid, db_user"
)


def immutable_models() -> list[type[models.Model]]:
    """The append-only history models that exist in this codebase."""
    found = []
    for label in IMMUTABLE:
        try:
            found.append(apps.get_model(label))
        except LookupError:
            continue
    return found


def audited_models() -> list[tuple[type[models.Model], str | None]]:
    """The audited models that exist in this codebase, with their institution paths."""
    found = []
    for label, path in AUDITED.items():
        try:
            found.append((apps.get_model(label), path))
        except LookupError:
            continue
    return found


def excluded_columns(model: type[models.Model]) -> tuple[str, ...]:
    """The database columns of `model` that the trail leaves out."""
    names = EXCLUDED_COLUMNS.get(model._meta.label, ())
    return tuple(column(model, name) for name in names)


def _institution_sql(model: type[models.Model], path: str | None, row: str, quote: Any) -> str:
    """SQL for the institution id of the row `row` (NEW, OLD or a plpgsql record)."""
    if path is None:
        return "NULL"
    first, *rest = path.split("__")
    sql = f"{row}.{quote(column(model, first))}"
    current = concrete_field(model, first).related_model
    for name in rest:
        if not isinstance(current, type):
            break
        sql = (
            f"(SELECT {quote(column(current, name))} FROM {quote(current._meta.db_table)} "
            f"WHERE {quote(current._meta.pk.column)} = {sql})"
        )
        current = concrete_field(current, name).related_model
    if not isinstance(current, type) or current._meta.label != "accounts.Institution":
        raise ValueError(f"{model._meta.label}: {path!r} does not end at an institution")
    return sql


def _name(table: str, suffix: str = "") -> str:
    name = f"{PREFIX}_{table}{suffix}"
    if len(name) <= 63:
        return name
    return f"{PREFIX}_{hashlib.sha1(table.encode()).hexdigest()[:12]}{suffix}"


# PostgreSQL ----------------------------------------------------------------------------------


def _postgresql_statements(model: type[models.Model], path: str | None, quote: Any) -> list[str]:
    table = model._meta.db_table
    function = _name(table)
    institution = _institution_sql(model, path, "rec", quote)
    setting = SETTINGS
    skipped = excluded_columns(model)
    minus = "".join(f" - '{column}'" for column in skipped)
    old_row, new_row = f"(to_jsonb(OLD){minus})", f"(to_jsonb(NEW){minus})"
    body = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $audit$
DECLARE
    rec record;
    old_values jsonb;
    new_values jsonb;
BEGIN
    IF TG_OP = 'DELETE' THEN
        rec := OLD;
        old_values := {old_row};
    ELSIF TG_OP = 'INSERT' THEN
        rec := NEW;
        new_values := {new_row};
    ELSE
        rec := NEW;
        SELECT jsonb_object_agg(o.key, o.value), jsonb_object_agg(o.key, n.value)
          INTO old_values, new_values
          FROM jsonb_each({old_row}) o JOIN jsonb_each({new_row}) n ON n.key = o.key
         WHERE o.value IS DISTINCT FROM n.value;
        IF old_values IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;
    INSERT INTO {AUDIT_TABLE} ({COLUMNS}) VALUES (
        clock_timestamp(), '{model._meta.label_lower}', TG_TABLE_NAME,
        rec.{quote(model._meta.pk.column)}::text, TG_OP, old_values, new_values,
        NULLIF(current_setting('{setting["actor_id"]}', true), '')::bigint,
        COALESCE(current_setting('{setting["actor_label"]}', true), ''),
        COALESCE(current_setting('{setting["reason"]}', true), ''),
        {institution}, txid_current()::text, current_user);
    RETURN NULL;
END
$audit$"""
    return [
        body,
        f"DROP TRIGGER IF EXISTS {PREFIX} ON {quote(table)}",
        f"CREATE TRIGGER {PREFIX} AFTER INSERT OR UPDATE OR DELETE ON {quote(table)} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


POSTGRESQL_GUARD = [
    f"""
CREATE OR REPLACE FUNCTION {PREFIX}_refuse() RETURNS trigger LANGUAGE plpgsql AS $audit$
BEGIN
    RAISE EXCEPTION 'The audit trail is append-only: % on {AUDIT_TABLE} refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$audit$""",
    f"DROP TRIGGER IF EXISTS {PREFIX}_append_only ON {AUDIT_TABLE}",
    f"CREATE TRIGGER {PREFIX}_append_only BEFORE UPDATE OR DELETE ON {AUDIT_TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {PREFIX}_refuse()",
    f"DROP TRIGGER IF EXISTS {PREFIX}_no_truncate ON {AUDIT_TABLE}",
    f"CREATE TRIGGER {PREFIX}_no_truncate BEFORE TRUNCATE ON {AUDIT_TABLE} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}_refuse()",
]


def _postgresql_history_guard(model: type[models.Model], quote: Any) -> list[str]:
    table = quote(model._meta.db_table)
    return [
        f"DROP TRIGGER IF EXISTS {PREFIX}_immutable ON {table}",
        f"CREATE TRIGGER {PREFIX}_immutable BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {PREFIX}_refuse_history()",
    ]


POSTGRESQL_HISTORY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {PREFIX}_refuse_history() RETURNS trigger LANGUAGE plpgsql AS $audit$
BEGIN
    RAISE EXCEPTION '% is append-only history: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$audit$"""


# SQLite --------------------------------------------------------------------------------------


def _sqlite_row_json(model: type[models.Model], row: str, quote: Any) -> str:
    pairs = []
    skipped = excluded_columns(model)
    for field in model._meta.concrete_fields:
        if field.column in skipped:
            continue
        value = f"{row}.{quote(field.column)}"
        if isinstance(field, models.JSONField):
            value = f"json({value})"
        pairs.append(f"'{field.column}', {value}")
    return f"json_object({', '.join(pairs)})"


def _sqlite_statements(model: type[models.Model], path: str | None, quote: Any) -> list[str]:
    table = model._meta.db_table
    label = model._meta.label_lower
    pk = quote(model._meta.pk.column)
    context = (
        f"LEFT JOIN (SELECT actor_id, actor_label, reason, txid FROM {SQLITE_CONTEXT_TABLE} "
        "ORDER BY id DESC LIMIT 1) AS c ON 1"
    )
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    tail = "c.actor_id, coalesce(c.actor_label, ''), coalesce(c.reason, '')"

    def insert(operation: str, row: str, old: str, new: str, source: str, where: str = "") -> str:
        return (
            f"INSERT INTO {AUDIT_TABLE} ({COLUMNS}) SELECT {now}, '{label}', '{table}', "
            f"CAST({row}.{pk} AS TEXT), '{operation}', {old}, {new}, {tail}, "
            f"{_institution_sql(model, path, row, quote)}, coalesce(c.txid, ''), '' "
            f"FROM {source} {context}{where};"
        )

    old_json = _sqlite_row_json(model, "OLD", quote)
    new_json = _sqlite_row_json(model, "NEW", quote)
    diff = (
        "(SELECT json_group_object(o.key, o.value) AS old, "
        "json_group_object(o.key, n.value) AS new,"
        f" count(*) AS changed FROM json_each({old_json}) AS o JOIN json_each({new_json}) AS n "
        "ON n.key = o.key WHERE o.value IS NOT n.value OR o.type IS NOT n.type) AS d"
    )
    one = "(SELECT 1) AS one"
    triggers = {
        "insert": insert("INSERT", "NEW", "NULL", new_json, one),
        "update": insert("UPDATE", "NEW", "json(d.old)", "json(d.new)", diff, " WHERE d.changed"),
        "delete": insert("DELETE", "OLD", old_json, "NULL", one),
    }
    statements = []
    for event, action in triggers.items():
        name = _name(table, f"_{event}")
        statements.append(f"DROP TRIGGER IF EXISTS {name}")
        statements.append(
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON {quote(table)} BEGIN {action} END"
        )
    return statements


SQLITE_GUARD = [
    statement
    for event in ("update", "delete")
    for statement in (
        f"DROP TRIGGER IF EXISTS {PREFIX}_append_only_{event}",
        f"CREATE TRIGGER {PREFIX}_append_only_{event} BEFORE {event.upper()} ON {AUDIT_TABLE} "
        "BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only'); END",
    )
]


SQLITE_HISTORY_GUARD = f"{PREFIX}_immutable"


def _sqlite_history_guard(model: type[models.Model], quote: Any) -> list[str]:
    table = model._meta.db_table
    statements = []
    for event in ("update", "delete"):
        name = f"{SQLITE_HISTORY_GUARD}_{event}_{table}"
        message = f"{table} is append-only history: {event.upper()} refused"
        statements.append(f"DROP TRIGGER IF EXISTS {name}")
        statements.append(
            f"CREATE TRIGGER {name} BEFORE {event.upper()} ON {quote(table)} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
    return statements


# Installing ----------------------------------------------------------------------------------


def install_audit_triggers(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """(Re)create every audit trigger; returns the labels of the models now audited."""
    connection = connections[using]
    quote = connection.ops.quote_name
    existing = set(connection.introspection.table_names())
    if AUDIT_TABLE not in existing:
        return []
    postgresql = connection.vendor == "postgresql"
    statements = list(POSTGRESQL_GUARD if postgresql else SQLITE_GUARD)
    installed = []
    for model, path in audited_models():
        if model._meta.db_table not in existing:
            continue
        build = _postgresql_statements if postgresql else _sqlite_statements
        statements += build(model, path, quote)
        installed.append(model._meta.label)
    statements += history_guard_statements(using)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return installed


def history_guard_statements(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The statements that make every existing append-only history table refuse changes."""
    connection = connections[using]
    quote = connection.ops.quote_name
    existing = set(connection.introspection.table_names())
    postgresql = connection.vendor == "postgresql"
    statements = [POSTGRESQL_HISTORY_FUNCTION] if postgresql else []
    guard = _postgresql_history_guard if postgresql else _sqlite_history_guard
    for model in immutable_models():
        if model._meta.db_table in existing:
            statements += guard(model, quote)
    return statements


@contextmanager
def history_guards_lifted(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Drop the SQLite history guards for the block (Django's `flush` empties tables with
    DELETE) and put them back after it. PostgreSQL's flush is a TRUNCATE, which row triggers
    do not see: nothing to lift there."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    _drop_sqlite_triggers(connection, f"{SQLITE_HISTORY_GUARD}_%")
    try:
        yield
    finally:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            for statement in history_guard_statements(using):
                cursor.execute(statement)


@contextmanager
def history_rewritable(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """History rows may be changed for the block: for the demo, which back-dates the events of
    a past it makes up, and for tests that need events of some days ago. Only the database's
    owner can do this (it disables the guard triggers), which production's application role is
    not (docs/audit.md)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        with history_guards_lifted(using):
            yield
        return
    tables = [connection.ops.quote_name(m._meta.db_table) for m in immutable_models()]
    _set_guards(connection, tables, "DISABLE")
    try:
        yield
    finally:
        _set_guards(connection, tables, "ENABLE")


def _set_guards(connection: Any, tables: list[str], action: str) -> None:
    """ALTER TABLE refuses a table with pending trigger events (the foreign-key checks Django
    defers to the end of the transaction): run them now, then defer them again."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} {action} TRIGGER {PREFIX}_immutable")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _drop_sqlite_triggers(connection: Any, pattern: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [pattern]
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def drop_sqlite_audit_triggers(using: str = DEFAULT_DB_ALIAS) -> None:
    """Drop the SQLite audit triggers (before migrate rebuilds tables; re-created after)."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        _drop_sqlite_triggers(connection, f"{PREFIX}%")
