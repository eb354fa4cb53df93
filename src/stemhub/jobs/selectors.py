"""Who sees which task, and a task as its page and the API show it (live progress included)."""

import time
import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from stemhub.accounts.models import User
from stemhub.accounts.permissions import Perm, is_platform_admin, permissions_of
from stemhub.jobs import progress as live
from stemhub.jobs.kinds import KINDS
from stemhub.jobs.models import Job, State

# Who may start a task of some kind: the menu shows them the tasks page.
STARTERS: tuple[Perm, ...] = tuple(
    sorted({*(spec.perm for spec in KINDS.values()), Perm.MANAGE_MEMBERS})
)


def visible_jobs(user: User) -> QuerySet[Job]:
    """A person's own tasks; the tasks of their institution in the work they manage there;
    every task for platform admins."""
    jobs = Job.objects.select_related("created_by", "institution").defer(
        "input_bytes", "output_bytes", "report"
    )
    if is_platform_admin(user):
        return jobs
    held = permissions_of(user)
    mine = Q(created_by=user)
    if user.institution_id is not None:
        if Perm.MANAGE_MEMBERS in held:
            mine |= Q(institution_id=user.institution_id)
        else:
            kinds = [kind for kind, spec in KINDS.items() if spec.perm in held]
            if kinds:
                mine |= Q(institution_id=user.institution_id, kind__in=kinds)
    return jobs.filter(mine)


def may_see(user: User, job: Job) -> bool:
    if is_platform_admin(user) or job.created_by_id == user.pk:
        return True
    if job.institution_id is None or job.institution_id != user.institution_id:
        return False
    held = permissions_of(user)
    spec = KINDS.get(job.kind)
    return Perm.MANAGE_MEMBERS in held or (spec is not None and spec.perm in held)


may_cancel = may_see


def job_for(user: User, job_id: Any) -> Job | None:
    """The task `job_id` if `user` may see it (None for a malformed id too)."""
    try:
        key = uuid.UUID(str(job_id))
    except ValueError:
        return None
    found = Job.objects.select_related("created_by", "institution").filter(pk=key).first()
    return found if found is not None and may_see(user, found) else None


def facts(job: Job) -> dict[str, Any]:
    """Where a task stands: the row, with the cache's live progress while it runs; elapsed
    seconds, rate (per second) and the estimated seconds left when they can be told."""
    stage, done, total = job.stage, job.done, job.total
    beat = None
    if job.state == State.RUNNING:
        found = live.live(job.pk)
        if found is not None:
            stage, done, total, beat = found.stage, found.done, found.total, found.heartbeat
    now = timezone.now()
    elapsed = None
    if job.started_at is not None:
        elapsed = ((job.finished_at or now) - job.started_at).total_seconds()
    rate = done / elapsed if elapsed and done else None
    left = (total - done) / rate if rate and total > done and job.state == State.RUNNING else None
    return {
        "state": job.state,
        "stage": stage,
        "done": done,
        "total": total,
        "percent": int(100 * done / total) if total else None,
        "elapsed": elapsed,
        "rate": rate,
        "left": left,
        "heartbeat_age": time.time() - beat if beat else None,
    }
