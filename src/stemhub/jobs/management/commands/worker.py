"""`stemhub worker`: django-tasks-db's worker (`db_worker`, same options), plus the sweep that
finds tasks whose worker stopped (no heartbeat for STEMHUB_TASK_STALE_SECONDS) and queues them
again or fails them visibly: at start, then every STEMHUB_TASK_SWEEP_SECONDS while this worker
is between tasks."""

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections
from django.tasks.signals import task_finished, task_started
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from stemhub.jobs.services import job_sweep_stale

logger = logging.getLogger("stemhub.jobs")


class _Sweeper(threading.Thread):
    def __init__(self) -> None:
        super().__init__(name="stale-task-sweeper", daemon=True)
        self.busy = threading.Event()  # set while this worker runs a task
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(settings.STEMHUB_TASK_SWEEP_SECONDS):
            if not self.busy.is_set():
                sweep()

    def started(self, **kwargs: Any) -> None:
        self.busy.set()

    def finished(self, **kwargs: Any) -> None:
        self.busy.clear()


def sweep() -> None:
    try:
        close_old_connections()
        for job in job_sweep_stale():
            logger.warning("Task %s: its worker stopped; now %s", job.pk, job.state)
    except Exception:  # the sweep must never stop the worker; the next one tries again
        logger.exception("The sweep for stopped tasks failed")
    finally:
        connections.close_all()


class Command(DbWorkerCommand):
    help = "Run background tasks (django-tasks-db's worker) and recover tasks whose worker stopped."

    def handle(self, *args: Any, **options: Any) -> None:
        sweep()
        sweeper = _Sweeper()
        task_started.connect(sweeper.started, dispatch_uid="stemhub-worker-started")
        task_finished.connect(sweeper.finished, dispatch_uid="stemhub-worker-finished")
        sweeper.start()
        try:
            super().handle(*args, **options)
        finally:
            sweeper.stopped.set()
