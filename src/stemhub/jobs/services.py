"""Starting, cancelling and recovering background tasks.

`job_start` writes the Job and enqueues its task in the caller's transaction: django-tasks-db
enqueues by inserting a row, so a request that rolls back leaves no task behind. A task whose
worker stopped (its heartbeat in the cache grew old) is queued again while attempts are left,
else failed with a message that says so (`job_sweep_stale`, run by `stemhub worker` and by the
task page)."""

import logging
import time
from typing import Any

from django.conf import settings
from django.db import OperationalError, transaction
from django.tasks import Task
from django.utils import timezone, translation
from django.utils.translation import gettext

from stemhub.accounts.models import Institution, User
from stemhub.audit.context import audited
from stemhub.core.errors import Conflict, Forbidden, StemhubError
from stemhub.jobs import progress as live
from stemhub.jobs.models import Job, Kind, State
from stemhub.jobs.selectors import may_cancel

logger = logging.getLogger(__name__)


def job_start(
    *,
    actor: User | None,
    kind: Kind,
    title: str,
    task: Task[..., Any],
    institution: Institution | None = None,
    parameters: dict[str, Any] | None = None,
    input_name: str = "",
    input_bytes: bytes | None = None,
    max_attempts: int | None = None,
) -> Job:
    """A new queued Job and its task, in one transaction. The caller has checked that `actor`
    may start this work (each kind's starter does, with its own permission). On SQLite a
    running upload holds the write lock: a new task then waits, and is refused (503) when the
    wait runs out rather than failing with a server error."""
    try:
        return _start(
            actor=actor,
            kind=kind,
            title=title,
            task=task,
            institution=institution,
            parameters=parameters,
            input_name=input_name,
            input_bytes=input_bytes,
            max_attempts=max_attempts,
        )
    except OperationalError as error:
        if "locked" not in str(error):
            raise
        raise Busy(
            gettext("The database is busy with another task; try again in a moment.")
        ) from None


@audited
def _start(
    *,
    actor: User | None,
    kind: Kind,
    title: str,
    task: Task[..., Any],
    institution: Institution | None = None,
    parameters: dict[str, Any] | None = None,
    input_name: str = "",
    input_bytes: bytes | None = None,
    max_attempts: int | None = None,
) -> Job:
    job = Job.objects.create(
        kind=kind,
        title=title[:200],
        institution=institution,
        created_by=actor,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        parameters=parameters or {},
        input_name=input_name[:255],
        input_bytes=input_bytes,
        max_attempts=max_attempts or settings.STEMHUB_TASK_MAX_ATTEMPTS,
    )
    _enqueue(job, task)
    return job


def _enqueue(job: Job, task: Task[..., Any]) -> None:
    result = task.enqueue(str(job.pk))
    job.task_result_id = str(result.id)
    job.save(update_fields=["task_result_id"])


def job_cancel(*, actor: User, job: Job) -> Job:
    """A queued task is cancelled at once; a running one is asked to stop: it stops at its next
    progress point, and work done all or nothing is rolled back."""
    if not may_cancel(actor, job):
        raise Forbidden(
            gettext(
                "Only the person who started a task or its institution's managers may cancel it."
            )
        )
    if job.state == State.RUNNING:
        # First the cache's flag, which the worker reads: on SQLite the task's own transaction
        # holds the write lock until it ends, and the row can only follow afterwards.
        live.flag_cancel(job.pk)
    try:
        return _cancel(actor=actor, job=job)
    except OperationalError:
        if job.state == State.RUNNING:
            job.cancel_requested = True
            return job
        raise Busy(
            gettext("The database is busy with another task; try again in a moment.")
        ) from None


@audited
def _cancel(*, actor: User, job: Job) -> Job:
    locked = Job.objects.select_for_update().get(pk=job.pk)
    if locked.finished:
        raise Conflict(
            gettext("This task has already ended (%(state)s); there is nothing to cancel.")
            % {"state": locked.get_state_display()}
        )
    if locked.state == State.QUEUED:
        locked.state = State.CANCELLED
        locked.finished_at = timezone.now()
        locked.cancel_requested = True
        _note(locked, "cancelled_queued", by=actor.pk)
        locked.save(update_fields=["state", "finished_at", "cancel_requested", "notes"])
        return locked
    live.flag_cancel(locked.pk)
    locked.cancel_requested = True
    _note(locked, "cancel_requested", by=actor.pk)
    locked.save(update_fields=["cancel_requested", "notes"])
    return locked


class Busy(StemhubError):
    status = 503
    code = "busy"


def _note(job: Job, code: str, **values: Any) -> None:
    job.notes = [*job.notes, {"at": timezone.now().isoformat(), "code": code, **values}]


# ---- a worker that stopped ------------------------------------------------------------------


def is_stale(job: Job, now: float | None = None) -> bool:
    """Running, and neither its heartbeat nor its start is within the stale limit."""
    if job.state != State.RUNNING:
        return False
    now = time.time() if now is None else now
    beat = live.heartbeat_of(job.pk) or 0.0
    started = job.started_at.timestamp() if job.started_at else 0.0
    return now - max(beat, started) > settings.STEMHUB_TASK_STALE_SECONDS


def job_sweep_stale(*, jobs: list[Job] | None = None) -> list[Job]:
    """Queue again (or fail) every running task whose worker stopped; returns those handled.
    A database still locked by another writer is left for the next sweep."""
    candidates = jobs if jobs is not None else list(Job.objects.filter(state=State.RUNNING))
    handled = []
    for job in candidates:
        if not is_stale(job):
            continue
        try:
            recovered = _recover(job)
        except OperationalError:
            logger.warning("Task %s: the database is busy; it is swept again later", job.pk)
            continue
        if recovered is not None:
            handled.append(recovered)
    return handled


def _recover(job: Job) -> Job | None:
    from django_tasks_db.models import DBTaskResult

    from stemhub.jobs.kinds import task_of

    with transaction.atomic():
        locked = Job.objects.select_for_update().filter(pk=job.pk).first()
        if locked is None or not is_stale(locked):
            return None
        now = timezone.now()
        # The queue's own row of the lost run: failed, so no worker ever picks it up again.
        DBTaskResult.objects.filter(pk=locked.task_result_id).exclude(
            status__in=("SUCCESSFUL", "FAILED")
        ).update(
            status="FAILED",
            finished_at=now,
            exception_class_path="stemhub.jobs.runner.WorkerStopped",
            traceback="The worker stopped while running this task (no heartbeat).",
        )
        with translation.override(locked.language or settings.LANGUAGE_CODE):
            if locked.cancel_requested or live.cancel_flagged(locked.pk):
                locked.state = State.CANCELLED
                locked.finished_at = now
                _note(locked, "cancelled_worker_stopped")
            elif locked.attempts < locked.max_attempts:
                locked.state = State.QUEUED
                _note(locked, "requeued", attempt=locked.attempts, worker=locked.worker_id)
                locked.worker_id = ""
                locked.started_at = None
                locked.stage = ""
                locked.done = locked.total = 0
            else:
                locked.state = State.FAILED
                locked.finished_at = now
                locked.error = gettext(
                    "The worker stopped while running this task; nothing was written."
                )
                _note(locked, "failed_worker_stopped", attempt=locked.attempts)
        locked.save()
        if locked.state == State.QUEUED:
            _enqueue(locked, task_of(locked.kind))
    live.forget(locked.pk)
    logger.warning("Task %s: its worker stopped; now %s", locked.pk, locked.state)
    return locked
