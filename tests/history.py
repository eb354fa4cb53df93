"""Back-dating history in tests: history rows are immutable (stemhub.audit.registry.IMMUTABLE),
so a test that needs events of some days ago lifts the guards for the block, as only the
database owner can."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from stemhub.audit.triggers import PREFIX, history_guards_lifted, immutable_models


@contextmanager
def history_rewritable() -> Iterator[None]:
    if connection.vendor != "postgresql":
        with history_guards_lifted():
            yield
        return
    tables = [connection.ops.quote_name(m._meta.db_table) for m in immutable_models()]
    with connection.cursor() as cursor:
        # ALTER TABLE refuses while deferred foreign key checks are pending: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {PREFIX}_immutable")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {PREFIX}_immutable")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
