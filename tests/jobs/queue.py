"""Running what the tests queued: django-tasks-db's own worker, in this process."""

from django.core.management import call_command


def run_queued_tasks() -> None:
    """Every task waiting in the queue, run by `db_worker --batch` (the real worker loop)."""
    call_command(
        "db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0
    )
