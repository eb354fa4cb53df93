"""What each kind of task is, by name: the task function that runs it and how its report is
shown. Named by dotted path, so this app depends on none of the apps whose work it runs."""

from dataclasses import dataclass
from typing import Any

from django.tasks import Task
from django.utils.module_loading import import_string

from stemhub.accounts.permissions import Perm
from stemhub.jobs.models import Job, Kind


@dataclass(frozen=True)
class KindSpec:
    task: str  # the django.tasks task, "module.name"
    report_template: str = ""  # included on the task page once it has a report
    report_context: str = ""  # "module.function": Job -> the template's context
    # Who manages this work at the task's institution (sees and cancels its tasks there),
    # besides the person who started it, the institution's admins and platform admins.
    perm: Perm = Perm.MANAGE_MEMBERS


KINDS: dict[str, KindSpec] = {
    Kind.CORD_UPLOAD: KindSpec(
        task="stemhub.cordblood.tasks.cord_units_import",
        report_template="cordblood/_upload_report.html",
        report_context="stemhub.cordblood.tasks.report_context",
        perm=Perm.CORD_MANAGE,
    ),
    Kind.INVENTORY_IMPORT: KindSpec(
        task="stemhub.biobank.tasks.inventory_import_task",
        report_template="biobank/_import_report.html",
        report_context="stemhub.biobank.tasks.report_context",
        perm=Perm.INVENTORY_EDIT,
    ),
    Kind.LINE_IMPORT: KindSpec(
        task="stemhub.exchange.tasks.lines_import_task",
        report_template="exchange/_lines_report.html",
        report_context="stemhub.exchange.tasks.report_context",
        perm=Perm.EDIT_LINE,
    ),
    Kind.SEARCH_INDEX_REBUILD: KindSpec(task="stemhub.cordblood.tasks.search_index_refresh"),
    Kind.CATALOGUE_REBUILD: KindSpec(
        task="stemhub.catalogue.tasks.catalogue_rebuild_run",
        report_template="catalogue/_rebuild_report.html",
        report_context="stemhub.catalogue.tasks.report_context",
    ),
}


def task_of(kind: str) -> Task[..., Any]:
    task: Task[..., Any] = import_string(KINDS[kind].task)
    return task


def report_of(job: Job) -> tuple[str, dict[str, Any]] | None:
    """The template and context that show a finished task's report, if its kind has one."""
    spec = KINDS.get(job.kind)
    if spec is None or not spec.report_template or job.report is None:
        return None
    context: dict[str, Any] = import_string(spec.report_context)(job)
    return spec.report_template, context
