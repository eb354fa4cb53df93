"""Running what the tests queued: django-tasks-db's own worker, in this process."""

from typing import Any
from unittest import mock

from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client
from django_tasks_db.management.commands import db_worker


def run_queued_tasks() -> None:
    """Every task waiting in the queue, run by `db_worker --batch` (the real worker loop).

    The loop closes "old" connections between tasks, as a request does; inside a test's
    transaction that would close PostgreSQL's connection (its autocommit differs from the
    setting's), so here, as Django's test client does for requests, it is left open."""
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
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
