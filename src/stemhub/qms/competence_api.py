"""Personnel competence over HTTP: the training matrix, training records, signed competence
assessments, authorisations and the documents that govern regulated tasks. Reading one's own
records needs qms.view; everyone's in the institution, qms.train or qms.manage there."""

from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from stemhub.accounts.models import User
from stemhub.accounts.permissions import Perm, user_can
from stemhub.core.api import AUTHENTICATED, Day, Words, one_of
from stemhub.core.errors import Forbidden, InvalidInput, NotFound
from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.qms import competence
from stemhub.qms.competence_matrix import matrix_for
from stemhub.qms.models import (
    Authorisation,
    CompetenceAssessment,
    ControlledDocument,
    DocumentVersion,
    Task,
    TaskProcedure,
    TrainingRecord,
    VersionStatus,
)

router = Router(tags=["qms"])
C = "/qms/competence"


class CellOut(Schema):
    column: str
    status: str
    word: str
    detail: str
    required: bool


class PersonRowOut(Schema):
    username: str
    name: str
    job_roles: list[str]
    overdue: int
    expiring: int
    cells: list[CellOut]


class ColumnOut(Schema):
    code: str
    kind: str
    label: str
    version_in_force: str
    gated: bool


class MatrixOut(Schema):
    institution: str
    columns: list[ColumnOut]
    people: list[PersonRowOut]


class TrainingIn(Schema):
    username: str = Field(min_length=1)
    course: str = ""
    document: str = ""
    version: int | None = Field(None, ge=1)
    trainer: str = ""
    external_trainer: str = ""
    trained_on: Day
    evidence: str = ""


class TrainingOut(Schema):
    id: int
    username: str
    course: str
    document_version: str
    trainer: str
    external_trainer: str
    trained_on: date
    evidence: str
    evidence_file: str
    evidence_sha256: str


class AssessmentIn(Schema):
    username: str = Field(min_length=1)
    task: str = one_of(Task.values)
    assessed_on: Day
    method: Words
    outcome: str = one_of(CompetenceAssessment.Outcome.values)
    notes: str = ""
    document: str = ""
    version: int | None = Field(None, ge=1)
    password: str


class AssessmentOut(Schema):
    id: int
    username: str
    task: str
    document_version: str
    assessor: str
    assessed_on: date
    method: str
    outcome: str
    notes: str
    signed_by: str
    signed_at: datetime
    meaning: str
    record_hash: str


class AuthorisationIn(Schema):
    username: str = Field(min_length=1)
    task: str = one_of(Task.values)
    valid_from: Day | None = None
    expires_on: Day


class RevokeIn(Schema):
    reason: Words


class AuthorisationOut(Schema):
    id: int
    username: str
    task: str
    valid_from: date
    expires_on: date
    granted_by: str
    assessment_id: int | None
    revoked_at: datetime | None
    revoked_reason: str
    active: bool


class ProcedureIn(Schema):
    document: str = Field(min_length=1, description="The document's number, e.g. SOP-QC-001")


class ClearIn(Schema):
    reason: Words


class ProcedureOut(Schema):
    task: str
    label: str
    document: str
    version_in_force: str
    retraining_required: bool


def _keeper(user: Any, institution_id: int | None) -> bool:
    return institution_id is not None and (
        user_can(user, Perm.QMS_TRAIN, institution_id)
        or user_can(user, Perm.QMS_MANAGE, institution_id)
    )


def _viewer(request: AuthenticatedHttpRequest) -> None:
    if not user_can(request.user, Perm.QMS_VIEW):
        raise Forbidden(_("Personnel competence needs the permission qms.view."))


def _visible(request: AuthenticatedHttpRequest, queryset: QuerySet[Any], username: str) -> Any:
    """Records of the institution for its keepers, else one's own; `username` narrows."""
    _viewer(request)
    user = request.user
    if _keeper(user, user.institution_id):
        found = queryset.filter(user__institution_id=user.institution_id)
    else:
        found = queryset.filter(user=user)
    return found.filter(user__username=username) if username else found


def _person(request: AuthenticatedHttpRequest, username: str) -> User:
    """A person of the caller's institution (404 for anyone else)."""
    person = User.objects.filter(
        username=username, institution_id=request.user.institution_id or 0, is_active=True
    ).first()
    if person is None or request.user.institution_id is None:
        raise NotFound(_("No person %(name)s at your institution") % {"name": username})
    return person


def _version(person: User, number: str, version: int | None) -> DocumentVersion | None:
    if not number:
        return None
    found = DocumentVersion.objects.select_related("document").filter(
        document__institution_id=person.institution_id or 0, document__number=number
    )
    found = (
        found.filter(number=version) if version else found.filter(status=VersionStatus.EFFECTIVE)
    )
    result = found.first()
    if result is None:
        raise InvalidInput(
            _("No such version of %(number)s") % {"number": number},
            fields={"document": [_("unknown")]},
        )
    return result


def _training(t: TrainingRecord) -> dict[str, Any]:
    return {
        "id": t.pk,
        "username": t.user.username,
        "course": t.course,
        "document_version": t.document_version.label if t.document_version else "",
        "trainer": t.trainer.username if t.trainer else "",
        "external_trainer": t.external_trainer,
        "trained_on": t.trained_on,
        "evidence": t.evidence,
        "evidence_file": t.evidence_file.name if t.evidence_file else "",
        "evidence_sha256": t.evidence_file.sha256 if t.evidence_file else "",
    }


def _assessment(a: CompetenceAssessment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "username": a.user.username,
        "task": a.task,
        "document_version": a.document_version.label if a.document_version else "",
        "assessor": a.assessor.username,
        "assessed_on": a.assessed_on,
        "method": a.method,
        "outcome": a.outcome,
        "notes": a.notes,
        "signed_by": a.signature.printed_name,
        "signed_at": a.signature.signed_at,
        "meaning": a.signature.meaning,
        "record_hash": a.signature.record_hash,
    }


def _authorisation(a: Authorisation) -> dict[str, Any]:
    from django.utils import timezone

    today = timezone.localdate()
    return {
        "id": a.pk,
        "username": a.user.username,
        "task": a.task,
        "valid_from": a.valid_from,
        "expires_on": a.expires_on,
        "granted_by": a.granted_by.username,
        "assessment_id": a.assessment_id,
        "revoked_at": a.revoked_at,
        "revoked_reason": a.revoked_reason,
        "active": a.revoked_at is None and a.valid_from <= today <= a.expires_on,
    }


@router.get(f"{C}/matrix", response=MatrixOut, auth=AUTHENTICATED)
def competence_matrix(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """Needs qms.train or qms.manage in your institution: its training matrix, people with
    overdue items first (cells: done, missing, expired, retraining, expiring, not_required)."""
    user = request.user
    if not _keeper(user, user.institution_id):
        raise Forbidden(_("The training matrix needs the permission qms.train or qms.manage."))
    matrix = matrix_for(user.institution_id or 0)
    return {
        "institution": user.institution.provider_code if user.institution else "",
        "columns": [
            {
                "code": c.code,
                "kind": c.kind,
                "label": c.label,
                "version_in_force": c.version.label if c.version else "",
                "gated": c.gated,
            }
            for c in matrix.columns
        ],
        "people": [
            {
                "username": row.person.username,
                "name": row.person.get_full_name(),
                "job_roles": [r.name for r in row.job_roles],
                "overdue": row.overdue,
                "expiring": row.expiring,
                "cells": [
                    {
                        "column": c.code,
                        "status": cell.status,
                        "word": cell.word,
                        "detail": cell.detail,
                        "required": cell.required,
                    }
                    for c, cell in zip(matrix.columns, row.cells, strict=True)
                ],
            }
            for row in matrix.rows
        ],
    }


@router.get(f"{C}/training-records", response=list[TrainingOut], auth=AUTHENTICATED)
def training_record_list(
    request: AuthenticatedHttpRequest, username: str = ""
) -> list[dict[str, Any]]:
    """Needs qms.view: your training records (your institution's for qms.train or
    qms.manage), newest first; `username` narrows to one person."""
    found = _visible(
        request,
        TrainingRecord.objects.select_related(
            "user", "trainer", "document_version__document", "evidence_file"
        ),
        username,
    )
    return [_training(t) for t in found[:500]]


@router.post(f"{C}/training-records", response={201: TrainingOut}, auth=AUTHENTICATED)
def training_record_create(
    request: AuthenticatedHttpRequest, payload: TrainingIn
) -> Status[dict[str, Any]]:
    """Needs qms.train in the person's institution: record training (a course, or a document
    version: `document` and `version`, the version in force when `version` is left out)."""
    person = _person(request, payload.username)
    trainer = None
    if payload.trainer:
        trainer = User.objects.filter(
            username=payload.trainer, institution_id=person.institution_id or 0
        ).first()
        if trainer is None:
            raise InvalidInput(_("No such trainer here"), fields={"trainer": [_("unknown")]})
    record = competence.training_record_create(
        actor=request.user,
        user=person,
        course=payload.course,
        document_version=_version(person, payload.document, payload.version),
        trainer=trainer,
        external_trainer=payload.external_trainer,
        trained_on=payload.trained_on,
        evidence=payload.evidence,
    )
    return Status(201, _training(record))


@router.get(f"{C}/assessments", response=list[AssessmentOut], auth=AUTHENTICATED)
def assessment_list(request: AuthenticatedHttpRequest, username: str = "") -> list[dict[str, Any]]:
    """Needs qms.view: your competence assessments (your institution's for qms.train or
    qms.manage), with their signatures."""
    found = _visible(
        request,
        CompetenceAssessment.objects.select_related(
            "user", "assessor", "signature", "document_version__document"
        ),
        username,
    )
    return [_assessment(a) for a in found[:500]]


@router.post(f"{C}/assessments", response={201: AssessmentOut}, auth=AUTHENTICATED)
def assessment_sign(
    request: AuthenticatedHttpRequest, payload: AssessmentIn
) -> Status[dict[str, Any]]:
    """Needs qms.train in the person's institution, and not to be them: sign a competence
    assessment with your password (meaning "competence assessed")."""
    person = _person(request, payload.username)
    done = competence.competence_assessment_sign(
        actor=request.user,
        user=person,
        task=payload.task,
        assessed_on=payload.assessed_on,
        method=payload.method,
        outcome=payload.outcome,
        notes=payload.notes,
        document_version=_version(person, payload.document, payload.version),
        password=payload.password,
    )
    return Status(201, _assessment(done))


@router.get(f"{C}/authorisations", response=list[AuthorisationOut], auth=AUTHENTICATED)
def authorisation_list(
    request: AuthenticatedHttpRequest, username: str = ""
) -> list[dict[str, Any]]:
    """Needs qms.view: your authorisations (your institution's for qms.train or qms.manage),
    with their expiry."""
    found = _visible(request, Authorisation.objects.select_related("user", "granted_by"), username)
    return [_authorisation(a) for a in found[:500]]


@router.post(f"{C}/authorisations", response={201: AuthorisationOut}, auth=AUTHENTICATED)
def authorisation_grant(
    request: AuthenticatedHttpRequest, payload: AuthorisationIn
) -> Status[dict[str, Any]]:
    """Needs qms.train in the person's institution, and not to be them: authorise a task
    until `expires_on`, on a competent assessment of the last 12 months (409 without one)."""
    person = _person(request, payload.username)
    granted = competence.authorisation_grant(
        actor=request.user,
        user=person,
        task=payload.task,
        valid_from=payload.valid_from,
        expires_on=payload.expires_on,
    )
    return Status(201, _authorisation(granted))


@router.post(
    f"{C}/authorisations/{{authorisation_id}}/revoke",
    response=AuthorisationOut,
    auth=AUTHENTICATED,
)
def authorisation_revoke(
    request: AuthenticatedHttpRequest, authorisation_id: int, payload: RevokeIn
) -> dict[str, Any]:
    """Needs qms.train in the person's institution: revoke the authorisation, with a reason."""
    found = (
        Authorisation.objects.select_related("user", "granted_by")
        .filter(pk=authorisation_id)
        .first()
    )
    if found is None or not _keeper(request.user, found.user.institution_id):
        raise NotFound(_("No authorisation %(n)s that you may see") % {"n": authorisation_id})
    done = competence.authorisation_revoke(
        actor=request.user, authorisation=found, reason=payload.reason
    )
    done.user, done.granted_by = found.user, found.granted_by
    return _authorisation(done)


def _procedure(task: Task, procedure: TaskProcedure | None) -> dict[str, Any]:
    version = (
        DocumentVersion.objects.filter(
            document_id=procedure.document_id, status=VersionStatus.EFFECTIVE
        ).first()
        if procedure
        else None
    )
    return {
        "task": task.value,
        "label": str(task.label),
        "document": procedure.document.number if procedure else "",
        "version_in_force": version.label if version else "",
        "retraining_required": bool(version and version.retraining_required),
    }


@router.get(f"{C}/task-procedures", response=list[ProcedureOut], auth=AUTHENTICATED)
def task_procedure_list(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """Needs qms.view: each regulated task and the document that governs it at your
    institution (empty: not gated)."""
    _viewer(request)
    found = {
        p.task: p
        for p in TaskProcedure.objects.filter(
            institution_id=request.user.institution_id or 0
        ).select_related("document")
    }
    return [_procedure(task, found.get(task.value)) for task in Task]


def _task(task: str) -> Task:
    if task not in Task.values:
        raise NotFound(_("No regulated task %(task)s") % {"task": task})
    return Task(task)


@router.put(f"{C}/task-procedures/{{task}}", response=ProcedureOut, auth=AUTHENTICATED)
def task_procedure_set(
    request: AuthenticatedHttpRequest, task: str, payload: ProcedureIn
) -> dict[str, Any]:
    """Needs qms.manage in your institution: the document (by number) that governs the task
    from now on."""
    chosen = _task(task)
    institution_id = request.user.institution_id
    document = ControlledDocument.objects.filter(
        institution_id=institution_id or 0, number=payload.document
    ).first()
    if document is None or institution_id is None:
        if not user_can(request.user, Perm.QMS_MANAGE, institution_id):
            raise Forbidden(_("Naming a task's document needs the permission qms.manage."))
        raise NotFound(_("No document %(number)s here") % {"number": payload.document})
    procedure = competence.task_procedure_set(
        actor=request.user, institution_id=institution_id, task=task, document=document
    )
    return _procedure(chosen, procedure)


@router.post(f"{C}/task-procedures/{{task}}/clear", response=ProcedureOut, auth=AUTHENTICATED)
def task_procedure_clear(
    request: AuthenticatedHttpRequest, task: str, payload: ClearIn
) -> dict[str, Any]:
    """Needs qms.manage in your institution: no document governs the task any more (it is no
    longer gated), with a reason."""
    chosen = _task(task)
    if request.user.institution_id is None:
        raise Forbidden(_("Naming a task's document needs the permission qms.manage."))
    competence.task_procedure_clear(
        actor=request.user,
        institution_id=request.user.institution_id,
        task=task,
        reason=payload.reason,
    )
    return _procedure(chosen, None)
