"""The task pages: a person's tasks (`/tasks/`), one task with its live progress, its report at
the end and its cancel button (`/tasks/<id>/`), and the progress panel those pages poll."""

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from stemhub.accounts.permissions import is_platform_admin
from stemhub.core.errors import NotFound
from stemhub.core.pages import AuthenticatedHttpRequest, page
from stemhub.jobs import display, selectors, services
from stemhub.jobs.models import Job, State

JOBS_PER_PAGE = 50


def _job(request: AuthenticatedHttpRequest, job_id: str) -> Job:
    found = selectors.job_for(request.user, job_id)
    if found is None:
        raise NotFound(gettext("No task %(id)s") % {"id": job_id})
    if found.state == State.RUNNING and services.is_stale(found):
        # The page's read sweeps this task as a worker would: its worker stopped.
        swept = services.job_sweep_stale(jobs=[found])
        if swept:
            found = selectors.job_for(request.user, job_id) or found
    return found


@page()
def tasks(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Any signed-in user: their own tasks; an institution's managers its tasks in the work
    they manage; platform admins every task. Newest first, 50 a page."""
    listing = Paginator(selectors.visible_jobs(request.user), JOBS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "jobs/tasks.html",
        {
            "page": listing,
            "rows": [display.row(job) for job in listing.object_list],
            "platform_admin": is_platform_admin(request.user),
        },
    )


@page()
def task(request: AuthenticatedHttpRequest, job_id: str) -> HttpResponse:
    """The person who started the task, its institution's managers or a platform admin: kind,
    state, live progress, attempts, who and when, cancel, and the report at the end."""
    job = _job(request, job_id)
    return render(request, "jobs/task.html", display.panel(request, job))


@page()
def task_panel(request: AuthenticatedHttpRequest, job_id: str) -> HttpResponse:
    """As the task page: its progress panel alone, which the page (and the upload page) poll
    every second while the task is queued or running."""
    job = _job(request, job_id)
    return render(request, "jobs/_panel.html", display.panel(request, job))


@page()
def task_cancel(request: AuthenticatedHttpRequest, job_id: str) -> HttpResponse:
    """As the task page, by POST: asks first (without JavaScript a page, with it a dialog), then
    cancels a queued task at once or asks a running one to stop."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    job = _job(request, job_id)
    if request.POST.get("confirm") != "yes":
        return render(request, "jobs/cancel.html", {"job": job})
    services.job_cancel(actor=request.user, job=job)
    if request.htmx:
        job = _job(request, job_id)
        return render(request, "jobs/_panel.html", display.panel(request, job))
    return redirect("jobs:task", job_id=job.pk)
