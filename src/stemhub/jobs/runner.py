"""The one wrapper every task body goes through (`run_job`).

It claims the Job (running, one more attempt, the worker's id), skips a Job already finished or
cancelled (a task delivered twice does its work once), runs the body inside one transaction
together with the Job's final state (so the work and "succeeded" commit together, or neither
does), gives the body a `progress(stage, done, total)` callable (the signature of
`cordblood.uploads.Progress`) that writes to the cache and honours a cancel, keeps a heartbeat
in the cache from a thread, and records the outcome: the report, a failure in words (the
traceback goes to the log only), or another attempt after a crash while attempts are left."""

import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from stemhub.core.errors import StemhubError
from stemhub.jobs import progress as live
from stemhub.jobs.models import Job, State

logger = logging.getLogger(__name__)

# The cache is written at most this often (and at every change of stage, and at the end).
WRITE_EVERY_SECONDS = 0.25


class JobCancelled(Exception):
    """Raised at a progress point of a task whose cancel was asked for."""


class WorkerStopped(Exception):
    """The name the queue's row gets when a sweep finds its worker gone."""


@dataclass
class Outcome:
    """What a body returns: its report, and a failure in the reader's words when the work was
    refused (say, an upload with bad rows and nothing applied)."""

    report: dict[str, Any] | None = None
    error: str = ""


@dataclass
class JobProgress:
    """The body's `progress(stage, done, total)`; raises JobCancelled once a cancel is asked
    (`cancellable` False past the point of no return)."""

    job: Job
    cancellable: bool = True
    calls: int = 0
    writes: int = 0
    _last: tuple[str, float] = field(default=("", 0.0))

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.calls += 1
        now = time.monotonic()
        last_stage, last_at = self._last
        if stage != last_stage or done >= total or now - last_at >= WRITE_EVERY_SECONDS:
            live.put_progress(self.job.pk, stage, done, total)
            self.writes += 1
            self._last = (stage, now)
            if not transaction.get_connection().in_atomic_block:
                Job.objects.filter(pk=self.job.pk).update(stage=stage, done=done, total=total)
        self.job.stage, self.job.done, self.job.total = stage, done, total
        if self.cancellable and live.cancel_flagged(self.job.pk):
            raise JobCancelled


Body = Callable[[Job, JobProgress], Outcome]


class _Heartbeat(threading.Thread):
    """Writes the job's heartbeat to the cache every few seconds until stopped."""

    def __init__(self, job: Job) -> None:
        super().__init__(name=f"heartbeat-{job.pk}", daemon=True)
        self.job_id, self.worker_id = job.pk, job.worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(settings.STEMHUB_TASK_HEARTBEAT_SECONDS):
            try:
                live.put_heartbeat(self.job_id, self.worker_id)
            except Exception:  # a cache hiccup must not end the task; the next beat may pass
                logger.exception("Task %s: heartbeat not written", self.job_id)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{__import__('os').getpid()}"[:64]


def run_job(job_id: str, body: Body, *, worker_id: str = "") -> str:
    """Run `body` for the Job `job_id` once; returns the Job's state afterwards."""
    job = _claim(job_id, worker_id or default_worker_id())
    if job is None:
        return "skipped"
    live.put_heartbeat(job.pk, job.worker_id)
    heartbeat = _Heartbeat(job)
    heartbeat.start()
    progress = JobProgress(job)
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            state = _run(job, body, progress)
    finally:
        heartbeat.stopped.set()
        heartbeat.join()
    logger.info(
        "Task %s (%s): %s after %s progress points, %s written to the cache",
        job.pk,
        job.kind,
        state,
        progress.calls,
        progress.writes,
    )
    return state


def _claim(job_id: str, worker_id: str) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            logger.warning("Task %s: no such job; nothing to do", job_id)
            return None
        if job.state != State.QUEUED:
            logger.info("Task %s is %s already; not run again", job_id, job.state)
            return None
        job.state = State.RUNNING
        job.attempts += 1
        job.worker_id = worker_id[:64]
        job.started_at = timezone.now()
        job.stage, job.done, job.total = "", 0, 0
        job.save(
            update_fields=["state", "attempts", "worker_id", "started_at", "stage", "done", "total"]
        )
    return job


def _run(job: Job, body: Body, progress: JobProgress) -> str:
    try:
        with transaction.atomic():
            outcome = body(job, progress)
            _finish(job, State.FAILED if outcome.error else State.SUCCEEDED, outcome)
    except JobCancelled:
        _finish(job, State.CANCELLED, Outcome(), note="cancelled_running")
    except StemhubError as refused:  # the input was refused: another attempt would be refused too
        _finish(job, State.FAILED, Outcome(error=refused.message))
    except Exception:
        logger.exception("Task %s (%s) stopped on an error", job.pk, job.kind)
        if job.attempts < job.max_attempts:
            _again(job)
        else:
            _finish(
                job,
                State.FAILED,
                Outcome(
                    error=gettext(
                        "The task stopped on an unexpected error after %(n)s attempts; nothing "
                        "was written. The administrators find the details in the worker's log."
                    )
                    % {"n": job.attempts}
                ),
            )
    live.forget(job.pk)
    return str(job.state)


def _finish(job: Job, state: State, outcome: Outcome, *, note: str = "") -> None:
    job.state = state
    job.finished_at = timezone.now()
    job.report = outcome.report
    job.error = outcome.error
    if note:
        job.notes = [*job.notes, {"at": job.finished_at.isoformat(), "code": note}]
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            state=job.state,
            finished_at=job.finished_at,
            report=job.report,
            error=job.error,
            notes=job.notes,
            stage=job.stage,
            done=job.done,
            total=job.total,
        )


def _again(job: Job) -> None:
    """Queue the job once more after a crash (the rolled-back attempt left nothing behind)."""
    from stemhub.jobs.kinds import task_of

    job.state = State.QUEUED
    job.notes = [
        *job.notes,
        {"at": timezone.now().isoformat(), "code": "retried", "attempt": job.attempts},
    ]
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            state=State.QUEUED, notes=job.notes, worker_id="", started_at=None
        )
        result = task_of(job.kind).enqueue(str(job.pk))
        Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))
