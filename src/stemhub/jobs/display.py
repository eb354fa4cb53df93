"""A task in words for its pages: state and stage, "12,000 of 300,000 rows (4 %)", elapsed,
rate and time left, attempts, and its notes."""

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.jobs import selectors
from stemhub.jobs.kinds import report_of
from stemhub.jobs.models import Job, State

STAGE_WORDS = {
    "validate": _("validating rows"),
    "write": _("writing rows"),
    "index": _("updating the search index"),
    "impute": _("imputing units"),
    "lines": _("indexing lines"),
}
# Stages whose count is no number of rows (the index catches up in one step).
UNCOUNTED_STAGES = {"index"}
STATE_BADGES = {
    State.QUEUED: "status-draft",
    State.RUNNING: "status-submitted",
    State.SUCCEEDED: "status-published",
    State.FAILED: "availability-withdrawn",
    State.CANCELLED: "status-returned",
}


def _n(value: float) -> str:
    return number_format(int(value), force_grouping=True)


def duration(seconds: float | None) -> str:
    """12 s, 4 min 05 s, 1 h 02 min."""
    if seconds is None:
        return ""
    whole = round(seconds)
    if whole < 60:
        return gettext("%(s)s s") % {"s": whole}
    if whole < 3600:
        return gettext("%(m)s min %(s)02d s") % {"m": whole // 60, "s": whole % 60}
    return gettext("%(h)s h %(m)02d min") % {"h": whole // 3600, "m": (whole % 3600) // 60}


def note_words(note: dict[str, Any]) -> str:
    code = note.get("code")
    if code == "requeued":
        return gettext(
            "The worker stopped during attempt %(n)s; nothing of it was written and the task "
            "was queued again."
        ) % {"n": note.get("attempt", "?")}
    if code == "retried":
        return gettext(
            "Attempt %(n)s stopped on an unexpected error; nothing of it was written and the "
            "task was queued again."
        ) % {"n": note.get("attempt", "?")}
    if code == "failed_worker_stopped":
        return gettext("The worker stopped during the last attempt (%(n)s).") % {
            "n": note.get("attempt", "?")
        }
    if code in ("cancel_requested",):
        return gettext("Cancel asked for; the task stops at its next progress point.")
    if code in ("cancelled_queued", "cancelled_running", "cancelled_worker_stopped"):
        return gettext("Cancelled; nothing of the task was written.")
    return str(code)


def progress_words(done: int, total: int, percent: int | None) -> str:
    if not total:
        return ""
    return ngettext(
        "%(done)s of %(total)s row (%(percent)s %%)",
        "%(done)s of %(total)s rows (%(percent)s %%)",
        total,
    ) % {"done": _n(done), "total": _n(total), "percent": percent or 0}


def row(job: Job) -> dict[str, Any]:
    facts = selectors.facts(job)
    return {
        "job": job,
        "badge": STATE_BADGES[State(job.state)],
        "stage": STAGE_WORDS.get(facts["stage"], facts["stage"]),
        "progress": ""
        if facts["stage"] in UNCOUNTED_STAGES
        else progress_words(facts["done"], facts["total"], facts["percent"]),
    }


def panel(request: AuthenticatedHttpRequest, job: Job) -> dict[str, Any]:
    facts = selectors.facts(job)
    report = report_of(job) if job.finished else None
    return {
        **row(job),
        "facts": facts,
        "elapsed": duration(facts["elapsed"]),
        "rate": gettext("%(n)s rows/s") % {"n": _n(facts["rate"])} if facts["rate"] else "",
        "left": duration(facts["left"]),
        "notes": [
            {"at": note.get("at", "")[:19].replace("T", " "), "words": note_words(note)}
            for note in job.notes
        ],
        "can_cancel": not job.finished and selectors.may_cancel(request.user, job),
        "report_template": report[0] if report else "",
        **(report[1] if report else {}),
    }
