"""The cord unit upload as a background task: the page and the API store the file in a Job
(`cord_upload_start`, after what can be refused at once), a worker runs `units_import` on it
with live progress (`stemhub.jobs.runner`), and the task page shows the same report as the
upload page did. `units_import` itself and `stemhub cord import` stay synchronous.

The search index refresh is a task too (`index_refresh_start`, kind "search index rebuild"): a
worker brings its index up to date (imputing what a new haplotype set needs, with progress in
units imputed of total) and writes the snapshot web processes open, so no search imputes inside
a request. It is queued when a set is loaded and after an upload applies."""

from typing import Any

from django.tasks import TaskContext, task
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.models import Institution, User
from stemhub.accounts.permissions import Perm, require
from stemhub.cordblood import index as search_index
from stemhub.cordblood import upload_rows
from stemhub.cordblood.models import UnitUpload
from stemhub.cordblood.upload_rows import UploadRejected
from stemhub.cordblood.uploads import Mode, units_import
from stemhub.core.errors import InvalidInput
from stemhub.jobs.models import Job, Kind, State
from stemhub.jobs.runner import JobProgress, Outcome, run_job
from stemhub.jobs.services import job_start

STAGE_LABELS = {
    "validate": _("rows validated"),
    "write": _("rows applied"),
    "index": _("search index updated"),
    "impute": _("units imputed"),
}


def cord_upload_start(
    *,
    actor: User,
    bank: Institution,
    filename: str,
    content: bytes,
    mode: str = "delta",
    skip_invalid: bool = False,
) -> Job:
    """Queue an upload of `bank`'s units; what can be refused before queuing is refused here
    (the permission, a bad mode, an empty file, a file over the limit)."""
    require(actor, Perm.CORD_MANAGE, bank.pk)
    if mode not in ("full", "delta"):
        raise InvalidInput(
            gettext("mode: full or delta"), fields={"mode": [gettext("full or delta")]}
        )
    if not content:
        message = gettext("The file is empty: it has no header and no units.")
        raise InvalidInput(message, fields={"file": [message]})
    limit = upload_rows.LIMITS.max_bytes
    if len(content) > limit:
        message = gettext("The file is %(size)s bytes; the limit is %(limit)s bytes") % {
            "size": f"{len(content):,}",
            "limit": f"{limit:,}",
        }
        raise InvalidInput(message, fields={"file": [message]})
    return job_start(
        actor=actor,
        kind=Kind.CORD_UPLOAD,
        title=f"{filename or 'units'} · {bank.provider_code}",
        task=cord_units_import,
        institution=bank,
        parameters={"mode": mode, "skip_invalid": bool(skip_invalid)},
        input_name=filename,
        input_bytes=content,
    )


@task(takes_context=True)
def cord_units_import(context: TaskContext[..., str], job_id: str) -> str:
    """The queued upload `job_id`, run once (see stemhub.jobs.runner)."""
    workers = context.task_result.worker_ids
    return run_job(job_id, _upload, worker_id=workers[-1] if workers else "")


def _upload(job: Job, progress: JobProgress) -> Outcome:
    if job.created_by is None or job.institution is None:
        return Outcome(error=gettext("The person or the bank of this upload no longer exists."))
    stages: dict[str, list[int]] = {}

    def staged(stage: str, done: int, total: int) -> None:
        stages[stage] = [done, total]
        if stage == "index":
            progress.cancellable = False  # the units are written; only the index catches up
        progress(stage, done, total)

    mode: Mode = "full" if job.parameters.get("mode") == "full" else "delta"
    report = units_import(
        actor=job.created_by,
        bank=job.institution,
        filename=job.input_name,
        content=bytes(job.input_bytes or b""),
        mode=mode,
        skip_invalid=bool(job.parameters.get("skip_invalid")),
        progress=staged,
    )
    report["stages"] = stages
    if not report["applied"]:
        return Outcome(report=report, error=UploadRejected(report).message)
    # this worker's index has caught up already; the snapshot is what web processes need
    index_refresh_start(actor=job.created_by, reason=job.title)
    return Outcome(report=report)


# ---- the search index refresh ------------------------------------------------------------------


def index_refresh_start(*, actor: User | None, reason: str) -> Job | None:
    """Queue a refresh of the search index, in the caller's transaction; none when one is queued
    already (it will see this change too). The caller has changed what the index holds (loaded a
    set, applied an upload), so no permission beyond that is asked."""
    waiting = Job.objects.filter(kind=Kind.SEARCH_INDEX_REBUILD, state=State.QUEUED)
    if waiting.exists():
        return None
    return job_start(
        actor=actor,
        kind=Kind.SEARCH_INDEX_REBUILD,
        title=gettext("search index · %(reason)s") % {"reason": reason},
        task=search_index_refresh,
    )


@task(takes_context=True)
def search_index_refresh(context: TaskContext[..., str], job_id: str) -> str:
    """The queued refresh `job_id`, run once (see stemhub.jobs.runner)."""
    workers = context.task_result.worker_ids
    return run_job(job_id, _refresh, worker_id=workers[-1] if workers else "")


def _refresh(job: Job, progress: JobProgress) -> Outcome:
    # The index lives in this process's memory: stopping half-way would leave it half imputed.
    progress.cancellable = False
    before = search_index._current
    imputed = before.imputed if before is not None else 0
    index = search_index.refresh(progress)
    if index is not before:
        imputed = 0
    return Outcome(
        report={
            "generation": index.generation,
            "imputed": index.imputed - imputed,
            "sets": sorted(index.set_labels.values()),
            "stages": {"impute": [job.done, job.total]} if job.stage == "impute" else {},
        }
    )


MODE_WORDS = dict(UnitUpload._meta.get_field("mode").choices or ())


def stage_rows(stages: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"stage": STAGE_LABELS.get(stage, stage), "done": done, "total": total, "key": stage}
        for stage, (done, total) in stages.items()
    ]


def report_context(job: Job) -> dict[str, Any]:
    """What cordblood/_upload_report.html needs to show a finished upload's report."""
    report = job.report or {}
    return {
        "report": report,
        "bank": job.institution,
        "filename": job.input_name,
        "mode_label": MODE_WORDS.get(report.get("mode", ""), report.get("mode", "")),
        "stages": stage_rows(report.get("stages", {})),
        "error": None,
        # inside the task's panel, which the upload page shows as its #upload-report
        "report_id": "result",
    }
