"""Applying an inventory import as a background task: the page and the API store the CSV in a
Job (`inventory_import_start`, after what can be refused at once), a worker runs
`imports.inventory_import` on it with live progress (`stemhub.jobs.runner`: rows checked, then
rows written), and the task page shows the same row report as the import page. A check only
(dry run) writes nothing and still answers at once; `imports.inventory_import` itself stays
synchronous. The whole apply is one transaction, so a cancel stops it with nothing written up to
its last progress point."""

from typing import Any

from django.tasks import TaskContext, task
from django.utils.translation import gettext

from stemhub.accounts.models import Institution, User
from stemhub.accounts.permissions import Perm, require
from stemhub.biobank import imports
from stemhub.core.errors import InvalidInput
from stemhub.jobs.models import Job, Kind
from stemhub.jobs.runner import JobProgress, Outcome, run_job
from stemhub.jobs.services import job_start


def inventory_import_start(
    *, actor: User, text: str, filename: str = "", institution: Institution | None = None
) -> Job:
    """Queue applying `text` (the inventory CSV) in `institution`'s storage (the actor's own by
    default); the permission, an empty file and one over the limit are refused here."""
    target = institution or actor.institution
    if target is None:
        raise InvalidInput(
            gettext("Name the institution"), fields={"institution": [gettext("required")]}
        )
    require(actor, Perm.INVENTORY_EDIT, target.pk)
    content = text.encode("utf-8")
    if not text.strip():
        message = gettext("The file is empty: it has no header and no rows.")
        raise InvalidInput(message, fields={"file": [message]})
    limit = imports.LIMITS.max_bytes
    if len(content) > limit:
        message = gettext("The file is %(size)s bytes; the limit is %(limit)s bytes") % {
            "size": f"{len(content):,}",
            "limit": f"{limit:,}",
        }
        raise InvalidInput(message, fields={"file": [message]})
    return job_start(
        actor=actor,
        kind=Kind.INVENTORY_IMPORT,
        title=f"{filename or 'inventory.csv'} · {target.provider_code}",
        task=inventory_import_task,
        institution=target,
        input_name=filename,
        input_bytes=content,
    )


@task(takes_context=True)
def inventory_import_task(context: TaskContext[..., str], job_id: str) -> str:
    """The queued inventory import `job_id`, run once (see stemhub.jobs.runner)."""
    workers = context.task_result.worker_ids
    return run_job(job_id, _apply, worker_id=workers[-1] if workers else "")


def _apply(job: Job, progress: JobProgress) -> Outcome:
    if job.created_by is None or job.institution is None:
        return Outcome(
            error=gettext("The person or the institution of this import no longer exists.")
        )
    report = imports.inventory_import(
        actor=job.created_by,
        text=bytes(job.input_bytes or b"").decode("utf-8"),
        dry_run=False,
        filename=job.input_name,
        institution=job.institution,
        progress=progress,
    )
    if not report.ok:
        return Outcome(report=report.as_dict(), error=report.as_error().message)
    return Outcome(report=report.as_dict())


def report_context(job: Job) -> dict[str, Any]:
    """What biobank/_import_report.html needs: the report as the import page shows it."""
    report = job.report or {}
    return {
        "report": {
            "ok": report.get("ok", False),
            "applied": report.get("applied", False),
            "new_banks": report.get("new_banks", []),
            "error_count": report.get("errors", 0),
            "rows": [
                {
                    "number": r["row"],
                    "barcode": r["barcode"],
                    "location": r["location"],
                    "errors": r["errors"],
                }
                for r in report.get("report", [])
            ],
        }
    }
