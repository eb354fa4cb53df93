"""/api/v1/tasks/...: where a background task stands, and its cancel."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from stemhub.core.api import AUTHENTICATED
from stemhub.core.errors import NotFound
from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.jobs import selectors, services
from stemhub.jobs.models import Job

router = Router(tags=["tasks"])


class TaskLinksOut(Schema):
    self: str
    page: str
    cancel: str


class TaskOut(Schema):
    id: str
    kind: str
    title: str
    state: str
    stage: str
    done: int
    total: int
    percent: int | None
    attempts: int
    max_attempts: int
    cancel_requested: bool
    created_at: str
    started_at: str | None
    finished_at: str | None
    error: str
    report: dict[str, Any] | None
    links: TaskLinksOut


def task_out(job: Job) -> dict[str, Any]:
    facts = selectors.facts(job)
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "title": job.title,
        "state": job.state,
        "stage": facts["stage"],
        "done": facts["done"],
        "total": facts["total"],
        "percent": facts["percent"],
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "cancel_requested": job.cancel_requested,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "error": job.error,
        "report": job.report if job.finished else None,
        "links": {
            "self": f"/api/v1/tasks/{job.pk}",
            "page": reverse("jobs:task", kwargs={"job_id": job.pk}),
            "cancel": f"/api/v1/tasks/{job.pk}/cancel",
        },
    }


def _visible(request: AuthenticatedHttpRequest, task_id: str) -> Job:
    found = selectors.job_for(request.user, task_id)
    if found is None:
        raise NotFound(_("No task %(id)s") % {"id": task_id})
    if services.is_stale(found):
        swept = services.job_sweep_stale(jobs=[found])
        if swept:
            found = swept[0]
    return found


@router.get("/tasks/{task_id}", auth=AUTHENTICATED, response=TaskOut)
def task_detail(request: HttpRequest, task_id: str) -> dict[str, Any]:
    """The person who started the task, its institution's managers or a platform admin: its
    state, stage, rows done of total (live while it runs), attempts and, at the end, its
    report or its error in words."""
    return task_out(_visible(request, task_id))  # type: ignore[arg-type]


@router.post("/tasks/{task_id}/cancel", auth=AUTHENTICATED, response=TaskOut)
def task_cancel(request: AuthenticatedHttpRequest, task_id: str) -> dict[str, Any]:
    """As GET /tasks/{task_id}: a queued task is cancelled at once, a running one stops at its
    next progress point (409 when it has already ended)."""
    job = _visible(request, task_id)
    return task_out(services.job_cancel(actor=request.user, job=job))
