"""The catalogue rebuild as a background task: a platform admin queues it
(`catalogue_rebuild_start`), a worker runs `catalogue_rebuild` with progress in lines indexed of
the published total, and the rebuilt index commits with the task's "succeeded" or not at all.
`stemhub catalogue rebuild` stays synchronous."""

from typing import Any

from django.tasks import TaskContext, task
from django.utils.translation import gettext

from stemhub.accounts.models import User
from stemhub.accounts.permissions import is_platform_admin
from stemhub.catalogue.services import catalogue_rebuild
from stemhub.core.errors import Forbidden
from stemhub.jobs.models import Job, Kind
from stemhub.jobs.runner import JobProgress, Outcome, run_job
from stemhub.jobs.services import job_start


def catalogue_rebuild_start(*, actor: User) -> Job:
    """Queue a rebuild of the public catalogue's index; platform admins only."""
    if not is_platform_admin(actor):
        raise Forbidden(gettext("Only platform admins may rebuild the catalogue."))
    return job_start(
        actor=actor,
        kind=Kind.CATALOGUE_REBUILD,
        title=gettext("every published line"),
        task=catalogue_rebuild_run,
    )


@task(takes_context=True)
def catalogue_rebuild_run(context: TaskContext[..., str], job_id: str) -> str:
    """The queued rebuild `job_id`, run once (see stemhub.jobs.runner)."""
    workers = context.task_result.worker_ids
    return run_job(job_id, _rebuild, worker_id=workers[-1] if workers else "")


def _rebuild(job: Job, progress: JobProgress) -> Outcome:
    count = catalogue_rebuild(progress=progress)
    return Outcome(report={"lines": count})


def report_context(job: Job) -> dict[str, Any]:
    """The finished rebuild's report on its task page: how many lines were indexed."""
    return {"lines": (job.report or {}).get("lines", 0)}
