"""PostgreSQL concurrency tests with a forced interleaving instead of a hoped-for one.

`HeldOpen` runs a write in a transaction of its own connection and keeps that transaction (and
its locks) open until another connection is waiting for a lock, then commits. The test runs the
competing write meanwhile: it must wait for the first and see what the first committed. Without
the lock the write under test would read the old rows and overwrite them, every time."""

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, connections, transaction

POLLS = 600  # at most 30 s: a missing waiter is a failed test, not a hang


def _another_connection_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        for _ in range(POLLS):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


class HeldOpen(threading.Thread):
    """`with HeldOpen(write) as held:` — inside the block the write is done but uncommitted;
    leaving the block waits for the commit. `held.outcome` is ``"committed"``, or the error."""

    def __init__(self, write: Callable[[], Any]) -> None:
        super().__init__()
        self.write = write
        self.ready = threading.Event()
        self.outcome: object = None
        self.waiter_seen = False

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.write()
                self.ready.set()
                self.waiter_seen = _another_connection_waits_for_a_lock()
            self.outcome = "committed"
        except BaseException as error:
            self.outcome = error
        finally:
            self.ready.set()
            connections.close_all()

    def __enter__(self) -> "HeldOpen":
        self.start()
        assert self.ready.wait(60), "the held write never started"
        assert self.outcome is None, self.outcome
        return self

    def __exit__(self, *exc: object) -> None:
        self.join(60)
