"""Running what the tests queued: django-tasks-db's own worker, in this process."""

from typing import Any

from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client


def run_queued_tasks() -> None:
    """Every task waiting in the queue, run by `db_worker --batch` (the real worker loop)."""
    call_command(
        "db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0
    )


def upload_page(client: Client, path: str, data: dict[str, Any]) -> HttpResponse:
    """A web upload as a browser without JavaScript makes it: the POST queues a task and
    redirects to its page; the worker runs it; the task page then shows the report."""
    sent = client.post(path, data)
    assert sent.status_code == 302 and sent["Location"].startswith("/tasks/"), sent
    run_queued_tasks()
    answer: HttpResponse = client.get(sent["Location"])
    return answer
