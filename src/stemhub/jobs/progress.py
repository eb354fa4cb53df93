"""What a running task says while it runs, through Django's cache (shared by web and worker
processes: files under the data directory, or Redis).

An upload writes its rows inside one transaction: on SQLite no other connection may write while
it runs, and no reader sees its uncommitted rows. So the progress, the heartbeat and the cancel
flag never wait for the database: the worker writes progress and heartbeat here, the page reads
them; a cancel is flagged here and read at the task's next progress point."""

import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

KEPT_SECONDS = 7 * 24 * 3600


def _key(job_id: Any, what: str) -> str:
    return f"job:{job_id}:{what}"


@dataclass(frozen=True)
class Live:
    """A running task's last progress point and heartbeat, as the cache holds them."""

    stage: str
    done: int
    total: int
    at: float
    heartbeat: float | None


def put_progress(job_id: Any, stage: str, done: int, total: int) -> None:
    cache.set(_key(job_id, "progress"), (stage, done, total, time.time()), KEPT_SECONDS)


def put_heartbeat(job_id: Any, worker_id: str) -> None:
    cache.set(_key(job_id, "heartbeat"), (time.time(), worker_id), KEPT_SECONDS)


def heartbeat_of(job_id: Any) -> float | None:
    found = cache.get(_key(job_id, "heartbeat"))
    return None if found is None else float(found[0])


def live(job_id: Any) -> Live | None:
    found = cache.get_many([_key(job_id, "progress"), _key(job_id, "heartbeat")])
    progress = found.get(_key(job_id, "progress"))
    beat = found.get(_key(job_id, "heartbeat"))
    if progress is None:
        return None
    stage, done, total, at = progress
    return Live(stage, int(done), int(total), float(at), None if beat is None else float(beat[0]))


def flag_cancel(job_id: Any) -> None:
    cache.set(_key(job_id, "cancel"), True, KEPT_SECONDS)


def cancel_flagged(job_id: Any) -> bool:
    return bool(cache.get(_key(job_id, "cancel")))


def forget(job_id: Any) -> None:
    """A finished task's live entries: the row holds its last state now."""
    cache.delete_many([_key(job_id, "progress"), _key(job_id, "heartbeat"), _key(job_id, "cancel")])
