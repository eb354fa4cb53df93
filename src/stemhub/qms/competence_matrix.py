"""The training matrix: the people of an institution against what their job roles require and
the tasks a document gates there, each cell one status (done, missing, expired, retraining
needed, expiring within 30 days). Read in a fixed number of queries, whatever the size."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stemhub.accounts.models import User
from stemhub.qms.models import (
    Acknowledgement,
    Authorisation,
    ControlledDocument,
    DocumentVersion,
    JobRoleMembership,
    JobRoleRequirement,
    Task,
    TaskProcedure,
    TrainingRecord,
    VersionStatus,
)

EXPIRING_DAYS = 30

DONE, MISSING, EXPIRED, RETRAINING, EXPIRING, NOT_REQUIRED = (
    "done",
    "missing",
    "expired",
    "retraining",
    "expiring",
    "not_required",
)
STATUS_WORDS = {
    DONE: gettext_lazy("Done"),
    MISSING: gettext_lazy("Missing"),
    EXPIRED: gettext_lazy("Expired"),
    RETRAINING: gettext_lazy("Retraining needed"),
    EXPIRING: gettext_lazy("Expiring within 30 days"),
    NOT_REQUIRED: gettext_lazy("Not required"),
}
OVERDUE = (MISSING, EXPIRED, RETRAINING)


@dataclass(frozen=True)
class Column:
    """One thing required: a document (its version in force), a task, or a skill."""

    kind: str  # "document", "task" or "skill"
    key: str  # the document's id, the task's value, the skill in lower case
    label: str
    document: ControlledDocument | None = None
    version: DocumentVersion | None = None  # the document's version in force
    gated: bool = False  # a task a document governs here

    @property
    def code(self) -> str:
        return f"{self.kind}:{self.key}"


@dataclass
class Cell:
    status: str
    detail: str = ""
    required: bool = True

    @property
    def word(self) -> str:
        return str(STATUS_WORDS[self.status])

    @property
    def overdue(self) -> bool:
        return self.required and self.status in OVERDUE


@dataclass
class Row:
    person: Any
    job_roles: list[Any]
    cells: list[Cell]
    authorisations: list[Any] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(cell.overdue for cell in self.cells)

    @property
    def expiring(self) -> int:
        return sum(cell.status == EXPIRING for cell in self.cells)


@dataclass
class Matrix:
    columns: list[Column]
    rows: list[Row]


def _columns(
    institution_id: int,
) -> tuple[list[Column], dict[int, list[Column]], list[DocumentVersion]]:
    """Every requirement of the institution's job roles and every gated task; which columns
    each job role requires; and every version of the documents they name."""
    requirements = list(
        JobRoleRequirement.objects.filter(job_role__institution_id=institution_id)
        .select_related("document")
        .order_by("id")
    )
    procedures = list(
        TaskProcedure.objects.filter(institution_id=institution_id).select_related("document")
    )
    documents = {r.document_id for r in requirements if r.document_id} | {
        p.document_id for p in procedures
    }
    versions = list(
        DocumentVersion.objects.filter(document_id__in=documents).select_related("document")
    )
    in_force = {v.document_id: v for v in versions if v.status == VersionStatus.EFFECTIVE}
    gated = {p.task: p for p in procedures}
    columns: dict[str, Column] = {}
    by_role: dict[int, list[Column]] = defaultdict(list)

    def add(column: Column) -> Column:
        return columns.setdefault(column.code, column)

    for r in requirements:
        if r.document_id:
            doc = r.document
            assert doc is not None
            column = add(Column("document", str(doc.pk), doc.number, doc, in_force.get(doc.pk)))
        elif r.task:
            procedure = gated.get(r.task)
            column = add(
                Column(
                    "task",
                    r.task,
                    str(Task(r.task).label),
                    procedure.document if procedure else None,
                    in_force.get(procedure.document_id) if procedure else None,
                    gated=procedure is not None,
                )
            )
        else:
            column = add(Column("skill", r.skill.lower(), r.skill))
        by_role[r.job_role_id].append(column)
    for task in Task:
        procedure = gated.get(task.value)
        if procedure is not None:
            add(
                Column(
                    "task",
                    task.value,
                    str(task.label),
                    procedure.document,
                    in_force.get(procedure.document_id),
                    gated=True,
                )
            )
    order = {"document": 0, "task": 1, "skill": 2}
    ordered = sorted(
        columns.values(),
        key=lambda c: (order[c.kind], TASK_ORDER.get(c.key, 0), c.label.lower()),
    )
    return ordered, by_role, versions


TASK_ORDER = {task.value: n for n, task in enumerate(Task)}


def matrix_for(
    institution_id: int, *, people: list[Any] | None = None, today: datetime.date | None = None
) -> Matrix:
    """The matrix of the institution's active people (or only `people`), those with overdue
    items first, then those with something expiring, then by name."""
    today = today or timezone.localdate()
    columns, by_role, versions = _columns(institution_id)
    if people is None:
        people = list(
            User.objects.filter(institution_id=institution_id, is_active=True).order_by(
                "last_name", "first_name", "username"
            )
        )
    ids = [p.pk for p in people]
    memberships = list(
        JobRoleMembership.objects.filter(user_id__in=ids, job_role__institution_id=institution_id)
        .select_related("job_role")
        .order_by("job_role__name")
    )
    roles_of: dict[int, list[Any]] = defaultdict(list)
    for m in memberships:
        roles_of[m.user_id].append(m.job_role)
    version_document = {v.pk: v.document_id for v in versions}
    acknowledged: dict[int, set[int]] = defaultdict(set)  # person → version ids
    for user_id, version_id in Acknowledgement.objects.filter(
        user_id__in=ids, version_id__in=version_document
    ).values_list("user_id", "version_id"):
        acknowledged[user_id].add(version_id)
    trained: dict[int, set[int]] = defaultdict(set)
    courses: dict[int, set[str]] = defaultdict(set)
    for user_id, version_id, course in TrainingRecord.objects.filter(user_id__in=ids).values_list(
        "user_id", "document_version_id", "course"
    ):
        if version_id:
            trained[user_id].add(version_id)
        courses[user_id].add(course.lower())
    held: dict[tuple[int, str], list[Authorisation]] = defaultdict(list)
    authorisations: dict[int, list[Authorisation]] = defaultdict(list)
    for a in Authorisation.objects.filter(user_id__in=ids).order_by("-expires_on", "-id"):
        held[(a.user_id, a.task)].append(a)
        authorisations[a.user_id].append(a)

    def document_cell(user_id: int, column: Column) -> Cell:
        version = column.version
        if version is None:
            return Cell(NOT_REQUIRED, _("no version in force"), required=False)
        read = version.pk in acknowledged[user_id]
        had = {
            version_document[v]
            for v in acknowledged[user_id] | trained[user_id]
            if version_document.get(v) == version.document_id and v != version.pk
        }
        needs_training = version.retraining_required and version.pk not in trained[user_id]
        if read and not needs_training:
            return Cell(DONE, version.label)
        if needs_training and had:
            return Cell(RETRAINING, _("not trained on %(v)s") % {"v": version.label})
        if needs_training and read:
            return Cell(RETRAINING, _("not trained on %(v)s") % {"v": version.label})
        return Cell(MISSING, _("not read: %(v)s") % {"v": version.label})

    def task_cell(user_id: int, column: Column, required: bool) -> Cell:
        found = held.get((user_id, column.key), [])
        active = [
            a for a in found if a.revoked_at is None and a.valid_from <= today <= a.expires_on
        ]
        if not found:
            return (
                Cell(MISSING, _("no authorisation"), required=required)
                if required
                else Cell(NOT_REQUIRED, required=False)
            )
        if not active:
            latest = found[0]
            if latest.revoked_at is not None:
                day = f"{latest.revoked_at:%Y-%m-%d}"
                return Cell(EXPIRED, _("revoked %(day)s") % {"day": day}, required=required)
            if latest.valid_from > today:
                day = f"{latest.valid_from:%Y-%m-%d}"
                return Cell(MISSING, _("starts %(day)s") % {"day": day}, required=required)
            day = f"{latest.expires_on:%Y-%m-%d}"
            return Cell(EXPIRED, _("expired %(day)s") % {"day": day}, required=required)
        until = max(a.expires_on for a in active)
        version = column.version
        if column.gated and version is not None:
            gaps = []
            if version.pk not in acknowledged[user_id]:
                gaps.append(_("not read: %(v)s") % {"v": version.label})
            untrained = version.retraining_required and version.pk not in trained[user_id]
            if untrained:
                gaps.append(_("not trained on %(v)s") % {"v": version.label})
            if gaps:  # authorised, but not (yet) under the version in force
                return Cell(RETRAINING, "; ".join(gaps), required=required)
        day = f"{until:%Y-%m-%d}"
        if until <= today + datetime.timedelta(days=EXPIRING_DAYS):
            return Cell(EXPIRING, _("until %(day)s") % {"day": day}, required=required)
        return Cell(DONE, _("until %(day)s") % {"day": day}, required=required)

    rows = []
    for person in people:
        roles = roles_of[person.pk]
        wanted = {c.code for role in roles for c in by_role.get(role.pk, [])}
        cells = []
        for column in columns:
            required = column.code in wanted
            if column.kind == "task":
                cells.append(task_cell(person.pk, column, required))
            elif not required:
                cells.append(Cell(NOT_REQUIRED, required=False))
            elif column.kind == "document":
                cells.append(document_cell(person.pk, column))
            else:
                done = column.key in courses[person.pk]
                cells.append(Cell(DONE) if done else Cell(MISSING, _("no training record")))
        rows.append(Row(person, roles, cells, authorisations[person.pk]))
    rows.sort(key=lambda r: (-(r.overdue > 0), -(r.expiring > 0)))
    return Matrix(columns, rows)


def row_for(person: Any, *, today: datetime.date | None = None) -> tuple[list[Column], Row]:
    """One person's row of their institution's matrix."""
    matrix = matrix_for(person.institution_id, people=[person], today=today)
    return matrix.columns, matrix.rows[0]


def needs_of(
    person: Any, *, today: datetime.date | None = None, matrix: Matrix | None = None
) -> list[tuple[Column, Cell]]:
    """What a person still needs or will soon need: their cells that are not done, overdue
    first (read from `matrix`, their institution's, when it is at hand)."""
    if person.institution_id is None:
        return []
    row = next((r for r in matrix.rows if r.person.pk == person.pk), None) if matrix else None
    if matrix is not None and row is not None:
        columns = matrix.columns
    else:
        columns, row = row_for(person, today=today)
    pairs = [
        (c, cell)
        for c, cell in zip(columns, row.cells, strict=True)
        if cell.status in (*OVERDUE, EXPIRING)
    ]
    pairs.sort(key=lambda pair: not pair[1].overdue)
    return pairs
