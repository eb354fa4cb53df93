"""Registering the lines of a sheet as a background task: the import page and the API store the
file in a Job (`lines_import_start`, after what can be refused at once), a worker runs
`bulk.lines_import` on it with live progress (`stemhub.jobs.runner`: rows checked), and the
task page shows the same report as the import page. A check only (dry run) still answers at
once; `bulk.lines_import` itself stays synchronous. Every row is registered in one transaction,
so a cancel stops it with nothing written."""

from typing import Any

from django.tasks import TaskContext, task
from django.utils.translation import gettext

from stemhub.accounts.models import Institution, User
from stemhub.accounts.permissions import Perm, require
from stemhub.core.errors import InvalidInput
from stemhub.exchange import bulk
from stemhub.jobs.models import Job, Kind
from stemhub.jobs.runner import JobProgress, Outcome, run_job
from stemhub.jobs.services import job_start

MAX_UPLOAD = 20 * 1024 * 1024


def lines_import_start(
    *, actor: User, institution: Institution, filename: str, content: bytes
) -> Job:
    """Queue registering the sheet's lines as drafts of `institution`; the permission, an empty
    file and one over the limit are refused here."""
    require(actor, Perm.EDIT_LINE, institution.pk)
    if not content:
        message = gettext("The file is empty: it has no header and no rows.")
        raise InvalidInput(message, fields={"file": [message]})
    if len(content) > MAX_UPLOAD:
        raise InvalidInput(
            gettext("The file is larger than %(mb)s MB") % {"mb": MAX_UPLOAD // (1024 * 1024)},
            fields={"file": [gettext("too large")]},
        )
    return job_start(
        actor=actor,
        kind=Kind.LINE_IMPORT,
        title=f"{filename or 'lines'} · {institution.provider_code}",
        task=lines_import_task,
        institution=institution,
        input_name=filename,
        input_bytes=content,
    )


@task(takes_context=True)
def lines_import_task(context: TaskContext[..., str], job_id: str) -> str:
    """The queued line import `job_id`, run once (see stemhub.jobs.runner)."""
    workers = context.task_result.worker_ids
    return run_job(job_id, _register, worker_id=workers[-1] if workers else "")


def _register(job: Job, progress: JobProgress) -> Outcome:
    if job.created_by is None or job.institution is None:
        return Outcome(
            error=gettext("The person or the institution of this import no longer exists.")
        )
    report = bulk.lines_import(
        actor=job.created_by,
        institution=job.institution,
        filename=job.input_name,
        content=bytes(job.input_bytes or b""),
        dry_run=False,
        progress=progress,
    )
    if report["errors"]:
        return Outcome(
            report=report,
            error=bulk.ImportRejected([bulk.Problem(**e) for e in report["errors"]]).message,
        )
    return Outcome(report=report)


def report_context(job: Job) -> dict[str, Any]:
    """What exchange/_lines_report.html needs: the report as the import page shows it."""
    return {"report": job.report or {}, "filename": job.input_name}
