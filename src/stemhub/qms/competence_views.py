"""Pages of personnel competence: the training matrix (and its CSV), a person's page with the
forms that record training, sign an assessment and grant or revoke an authorisation, "My
training", job roles, and which document governs each regulated task."""

import datetime
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from stemhub.accounts.models import Institution, User
from stemhub.accounts.permissions import Perm, is_platform_admin, user_can
from stemhub.core.errors import InvalidInput, NotFound, StemhubError
from stemhub.core.exports import csv_download
from stemhub.core.pages import AuthenticatedHttpRequest, page
from stemhub.qms import competence
from stemhub.qms.competence_matrix import (
    EXPIRING_DAYS,
    STATUS_WORDS,
    matrix_for,
    needs_of,
    row_for,
)
from stemhub.qms.gating import authorisation_gaps
from stemhub.qms.models import (
    Authorisation,
    CompetenceAssessment,
    ControlledDocument,
    DocumentVersion,
    JobRole,
    JobRoleMembership,
    JobRoleRequirement,
    Task,
    TaskProcedure,
    TrainingRecord,
    VersionStatus,
)

WHAT = gettext_lazy("Personnel competence")
viewers = page(Perm.QMS_VIEW, what=WHAT)
keepers = page(Perm.QMS_TRAIN, Perm.QMS_MANAGE, what=gettext_lazy("The training matrix"))
trainers = page(Perm.QMS_TRAIN, what=gettext_lazy("Recording training and competence"))
managers = page(Perm.QMS_MANAGE, what=gettext_lazy("Naming a task's governing document"))

LABELS = {
    "user": gettext_lazy("Person"),
    "course": gettext_lazy("Course"),
    "document_version": gettext_lazy("Document version"),
    "trainer": gettext_lazy("Trainer"),
    "external_trainer": gettext_lazy("External trainer"),
    "trained_on": gettext_lazy("Trained on"),
    "evidence": gettext_lazy("Evidence"),
    "evidence_file": gettext_lazy("Evidence file"),
    "task": gettext_lazy("Task"),
    "assessed_on": gettext_lazy("Assessed on"),
    "method": gettext_lazy("Method"),
    "outcome": gettext_lazy("Outcome"),
    "password": gettext_lazy("Your password"),
    "valid_from": gettext_lazy("Valid from"),
    "expires_on": gettext_lazy("Expires on"),
    "assessment": gettext_lazy("Competence assessment"),
    "reason": gettext_lazy("Reason"),
    "document": gettext_lazy("Document"),
    "name": gettext_lazy("Name"),
    "skill": gettext_lazy("Skill"),
    "kind": gettext_lazy("Requirement"),
}


def _keeper(user: Any, institution_id: int | None) -> bool:
    return institution_id is not None and (
        user_can(user, Perm.QMS_TRAIN, institution_id)
        or user_can(user, Perm.QMS_MANAGE, institution_id)
    )


def _institution(request: HttpRequest) -> Institution:
    """The signed-in person's institution; a platform admin may name another
    (`?institution=NSRB`)."""
    user: Any = request.user
    code = request.GET.get("institution", "")
    if code and is_platform_admin(user):
        found = Institution.objects.filter(provider_code=code).first()
        if found is None:
            raise NotFound(_("No institution %(code)s") % {"code": code})
        return found
    if user.institution is None:
        raise NotFound(_("You belong to no institution"))
    institution: Institution = user.institution
    return institution


def _person(request: HttpRequest, username: str) -> User:
    """The person, when the signed-in user is them or keeps their institution's records."""
    user: Any = request.user
    person = (
        User.objects.select_related("institution").filter(username=username, is_active=True).first()
    )
    if person is None or not (person.pk == user.pk or _keeper(user, person.institution_id)):
        raise NotFound(_("No person %(name)s whose training you may see") % {"name": username})
    return person


def _day(value: str, field: str, *, required: bool = True) -> datetime.date | None:
    if not value.strip() and not required:
        return None
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            _("%(field)s is a date, YYYY-MM-DD") % {"field": LABELS.get(field, field)},
            fields={field: [_("a date, YYYY-MM-DD")]},
        ) from None


def _pick(queryset: QuerySet[Any], value: str, field: str, *, required: bool = True) -> Any:
    """The row `value` names among `queryset`, or InvalidInput on `field`."""
    if not value and not required:
        return None
    if not value:
        raise InvalidInput(_("Choose from the list"), fields={field: [_("required")]})
    if queryset.model is User:
        found = queryset.filter(username=value).first()
    else:
        found = queryset.filter(pk=int(value)).first() if value.isdigit() else None
    if found is None:
        raise NotFound(
            _("No such %(field)s that you may choose")
            % {"field": str(LABELS.get(field, field)).lower()}
        )
    return found


def document_url(document: ControlledDocument | None) -> str:
    """The document's page in document control, where it exists."""
    return reverse("qms:documents_detail", args=[document.pk]) if document else ""


# The matrix ---------------------------------------------------------------------------------


@require_GET
@keepers
def competence_matrix(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.train or qms.manage: the institution's people against what their job roles
    require and the gated tasks, people with overdue items first."""
    institution = _institution(request)
    if not _keeper(request.user, institution.pk):
        raise NotFound(
            _("No training matrix of %(code)s that you may see")
            % {"code": institution.provider_code}
        )
    matrix = matrix_for(institution.pk)
    return render(
        request,
        "qms/competence/matrix.html",
        {
            "institution": institution,
            "matrix": matrix,
            "overdue": sum(1 for row in matrix.rows if row.overdue),
            "statuses": STATUS_WORDS,
            "days": EXPIRING_DAYS,
        },
    )


@require_GET
@keepers
def competence_matrix_csv(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Needs qms.train or qms.manage: the matrix as CSV (one row per person and requirement
    column, the status as a word)."""
    institution = _institution(request)
    if not _keeper(request.user, institution.pk):
        raise NotFound(
            _("No training matrix of %(code)s that you may see")
            % {"code": institution.provider_code}
        )
    matrix = matrix_for(institution.pk)
    header = [_("Person"), _("Username"), _("Job roles")] + [c.label for c in matrix.columns]
    rows = (
        [
            row.person.display_name,
            row.person.username,
            "; ".join(role.display_name for role in row.job_roles),
            *[
                f"{cell.word} ({cell.detail})" if cell.detail and cell.required else cell.word
                for cell in row.cells
            ],
        ]
        for row in matrix.rows
    )
    day = timezone.localdate()
    name = f"training-matrix-{institution.provider_code}-{day:%Y-%m-%d}.csv"
    return csv_download(name, header, rows, stream=False)


# A person -----------------------------------------------------------------------------------


def _person_page(
    request: HttpRequest,
    person: User,
    *,
    error: StemhubError | None = None,
    form: str = "",
) -> HttpResponse:
    user: Any = request.user
    columns, row = row_for(person)
    institution_id = person.institution_id or 0
    can_train = user_can(user, Perm.QMS_TRAIN, institution_id) and user.pk != person.pk
    versions = DocumentVersion.objects.filter(
        document__institution_id=institution_id, status__in=competence.TRAINABLE
    ).select_related("document")
    return render(
        request,
        "qms/competence/person.html",
        {
            "person": person,
            "cells": [
                (c, cell, document_url(c.document))
                for c, cell in zip(columns, row.cells, strict=True)
                if cell.required or cell.status != "not_required"
            ],
            "row": row,
            "training": person.training_records.select_related(
                "document_version__document", "trainer", "evidence_file"
            )[:50],
            "assessments": CompetenceAssessment.objects.filter(user=person).select_related(
                "assessor", "document_version__document", "signature"
            )[:50],
            "authorisations": Authorisation.objects.filter(user=person).select_related(
                "granted_by", "assessment"
            )[:50],
            "can_train": can_train,
            "versions": versions.order_by("document__number", "-number"),
            "trainers": User.objects.filter(institution_id=institution_id, is_active=True)
            .exclude(pk=person.pk)
            .order_by("last_name", "first_name"),
            "tasks": Task.choices,
            "outcomes": CompetenceAssessment.Outcome.choices,
            "today": timezone.localdate(),
            "soon": timezone.localdate() + datetime.timedelta(days=EXPIRING_DAYS),
            "default_expiry": timezone.localdate() + datetime.timedelta(days=365),
            "values": request.POST if error is not None else {},
            "error": error,
            "error_form": form,
            "bad": set(error.fields) if error is not None else set(),
            "labels": LABELS,
        },
        status=error.status if error is not None else 200,
    )


@require_GET
@viewers
def competence_person(request: AuthenticatedHttpRequest, username: str) -> HttpResponse:
    """Needs qms.view, and to be the person or hold qms.train or qms.manage in their
    institution: their job roles, requirements and status, training, assessments and
    authorisations."""
    return _person_page(request, _person(request, username))


@require_GET
@viewers
def competence_mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.view: what the signed-in person still needs (or soon), with links, and their
    own records."""
    user = request.user
    needs = [(c, cell, document_url(c.document)) for c, cell in needs_of(user)]
    return render(
        request,
        "qms/competence/mine.html",
        {
            "needs": needs,
            "roles": [m.job_role for m in user.job_roles.select_related("job_role")],
            "authorisations": [
                (a, _held_back(user, a)) for a in Authorisation.objects.filter(user=user)[:20]
            ],
            "training": user.training_records.select_related("document_version__document")[:20],
            "today": timezone.localdate(),
        },
    )


def _held_back(user: Any, authorisation: Authorisation) -> list[str]:
    """What stops an authorisation in force from being used (a version not yet read or trained
    on); nothing for one revoked or expired, which says so itself."""
    if authorisation.revoked_at is not None or user.institution_id is None:
        return []
    today = timezone.localdate()
    if not authorisation.valid_from <= today <= authorisation.expires_on:
        return []
    return authorisation_gaps(user, authorisation.task, user.institution_id, today=today)


def _post_person(
    request: AuthenticatedHttpRequest, username: str, form: str, action: Any
) -> HttpResponse:
    person = _person(request, username)
    try:
        said = action(person)
    except StemhubError as error:
        return _person_page(request, person, error=error, form=form)
    messages.success(request, said)
    return redirect("qms:competence_person", username=person.username)


@require_POST
@trainers
def competence_training_add(request: AuthenticatedHttpRequest, username: str) -> HttpResponse:
    """Needs qms.train in the person's institution: record training (a course or a document
    version, the trainer or an external trainer, the evidence and its file)."""
    data = request.POST

    def act(person: User) -> str:
        version = _pick(
            DocumentVersion.objects.filter(document__institution_id=person.institution_id or 0),
            data.get("document_version", ""),
            "document_version",
            required=False,
        )
        trainer = _pick(
            User.objects.filter(institution_id=person.institution_id or 0),
            data.get("trainer", ""),
            "trainer",
            required=False,
        )
        upload = request.FILES.get("evidence_file")
        record = competence.training_record_create(
            actor=request.user,
            user=person,
            course=data.get("course", ""),
            document_version=version,
            trainer=trainer,
            external_trainer=data.get("external_trainer", ""),
            trained_on=_day(data.get("trained_on", ""), "trained_on"),  # type: ignore[arg-type]
            evidence=data.get("evidence", ""),
            evidence_name=upload.name or "" if upload else "",
            evidence_chunks=upload.chunks() if upload else None,
        )
        return _("Training recorded: %(course)s.") % {"course": record.course}

    return _post_person(request, username, "training", act)


@require_POST
@trainers
def competence_assessment_add(request: AuthenticatedHttpRequest, username: str) -> HttpResponse:
    """Needs qms.train in the person's institution (and not to be them): sign a competence
    assessment with your password."""
    data = request.POST

    def act(person: User) -> str:
        version = _pick(
            DocumentVersion.objects.filter(document__institution_id=person.institution_id or 0),
            data.get("document_version", ""),
            "document_version",
            required=False,
        )
        done = competence.competence_assessment_sign(
            actor=request.user,
            user=person,
            task=data.get("task", ""),
            assessed_on=_day(data.get("assessed_on", ""), "assessed_on"),  # type: ignore[arg-type]
            method=data.get("method", ""),
            outcome=data.get("outcome", ""),
            notes=data.get("notes", ""),
            document_version=version,
            password=data.get("password", ""),
        )
        return _("Assessment signed: %(task)s, %(outcome)s.") % {
            "task": done.get_task_display(),
            "outcome": done.get_outcome_display().lower(),
        }

    return _post_person(request, username, "assessment", act)


@require_POST
@trainers
def competence_authorisation_grant(
    request: AuthenticatedHttpRequest, username: str
) -> HttpResponse:
    """Needs qms.train in the person's institution (and not to be them): authorise a task
    until an expiry date, on a competent assessment of the last 12 months."""
    data = request.POST

    def act(person: User) -> str:
        granted = competence.authorisation_grant(
            actor=request.user,
            user=person,
            task=data.get("task", ""),
            valid_from=_day(data.get("valid_from", ""), "valid_from", required=False),
            expires_on=_day(data.get("expires_on", ""), "expires_on"),  # type: ignore[arg-type]
        )
        return _("Authorised for %(task)s until %(day)s.") % {
            "task": granted.get_task_display(),
            "day": f"{granted.expires_on:%Y-%m-%d}",
        }

    return _post_person(request, username, "authorisation", act)


@require_POST
@trainers
def competence_authorisation_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.train in the person's institution: revoke an authorisation with a reason."""
    found = Authorisation.objects.select_related("user").filter(pk=pk).first()
    if found is None or not _keeper(request.user, found.user.institution_id):
        raise NotFound(_("No authorisation %(n)s that you may see") % {"n": pk})

    def act(person: User) -> str:
        competence.authorisation_revoke(
            actor=request.user, authorisation=found, reason=request.POST.get("reason", "")
        )
        return _("Authorisation for %(task)s revoked.") % {"task": found.get_task_display()}

    return _post_person(request, found.user.username, "revoke", act)


@require_GET
@viewers
def competence_evidence(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.view and to be the trainee or keep their institution's training records: the
    training record's evidence file."""
    record = TrainingRecord.objects.select_related("evidence_file", "user").filter(pk=pk).first()
    if record is None or record.evidence_file is None:
        raise NotFound(_("No evidence file for training record %(n)s") % {"n": pk})
    _person(request, record.user.username)
    file = record.evidence_file
    response = HttpResponse(bytes(file.content), content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.name}"'
    return response


# Job roles ----------------------------------------------------------------------------------


def _roles_page(
    request: HttpRequest, institution: Institution, *, error: StemhubError | None = None
) -> HttpResponse:
    roles = (
        JobRole.objects.filter(institution=institution)
        .prefetch_related("requirements__document", "memberships__user")
        .order_by("name")
    )
    return render(
        request,
        "qms/competence/job_roles.html",
        {
            "institution": institution,
            "roles": roles,
            "values": request.POST if error is not None else {},
            "error": error,
            "bad": set(error.fields) if error is not None else set(),
            "labels": LABELS,
        },
        status=error.status if error is not None else 200,
    )


@keepers
def competence_job_roles(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.train or qms.manage: the institution's job roles; POST creates one."""
    institution = _institution(request)
    if not _keeper(request.user, institution.pk):
        raise NotFound(
            _("No job roles of %(code)s that you may see") % {"code": institution.provider_code}
        )
    if request.method == "POST":
        data = request.POST
        try:
            role = competence.job_role_create(
                actor=request.user,
                institution_id=institution.pk,
                name=data.get("name", ""),
                name_zh=data.get("name_zh", ""),
                description=data.get("description", ""),
            )
        except StemhubError as error:
            return _roles_page(request, institution, error=error)
        messages.success(request, _("Job role %(name)s created.") % {"name": role.name})
        return redirect("qms:competence_job_role", pk=role.pk)
    return _roles_page(request, institution)


def _role(request: HttpRequest, pk: int) -> JobRole:
    role = JobRole.objects.filter(pk=pk).first()
    if role is None or not _keeper(request.user, role.institution_id):
        raise NotFound(_("No job role %(n)s that you may see") % {"n": pk})
    return role


def _role_page(
    request: HttpRequest, role: JobRole, *, error: StemhubError | None = None, form: str = ""
) -> HttpResponse:
    members = role.memberships.select_related("user").order_by("user__last_name")
    return render(
        request,
        "qms/competence/job_role.html",
        {
            "role": role,
            "requirements": role.requirements.select_related("document"),
            "members": members,
            "documents": ControlledDocument.objects.filter(institution_id=role.institution_id),
            "people": User.objects.filter(institution_id=role.institution_id, is_active=True)
            .exclude(pk__in=[m.user_id for m in members])
            .order_by("last_name", "first_name"),
            "tasks": Task.choices,
            "today": timezone.localdate(),
            "values": request.POST if error is not None else {},
            "error": error,
            "error_form": form,
            "bad": set(error.fields) if error is not None else set(),
            "labels": LABELS,
        },
        status=error.status if error is not None else 200,
    )


@require_GET
@keepers
def competence_job_role(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.train or qms.manage in the role's institution: its requirements and members,
    with the forms that change them."""
    return _role_page(request, _role(request, pk))


@require_POST
@keepers
def competence_requirement_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.train or qms.manage: the role requires a document, a task or a skill."""
    role = _role(request, pk)
    data = request.POST
    try:
        competence.job_role_requirement_add(
            actor=request.user,
            job_role=role,
            document=_pick(
                ControlledDocument.objects.filter(institution_id=role.institution_id),
                data.get("document", ""),
                "document",
                required=False,
            ),
            task=data.get("task", ""),
            skill=data.get("skill", ""),
        )
    except StemhubError as error:
        return _role_page(request, role, error=error, form="requirement")
    messages.success(request, _("Requirement added to %(role)s.") % {"role": role.name})
    return redirect("qms:competence_job_role", pk=role.pk)


@require_POST
@keepers
def competence_requirement_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.train or qms.manage: the role no longer requires it."""
    found = JobRoleRequirement.objects.select_related("job_role").filter(pk=pk).first()
    if found is None or not _keeper(request.user, found.job_role.institution_id):
        raise NotFound(_("No requirement %(n)s that you may see") % {"n": pk})
    competence.job_role_requirement_remove(actor=request.user, requirement=found)
    messages.success(request, _("Requirement removed."))
    return redirect("qms:competence_job_role", pk=found.job_role_id)


@require_POST
@keepers
def competence_member_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.train or qms.manage: a person of the institution takes the job role."""
    role = _role(request, pk)
    data = request.POST
    try:
        competence.job_role_member_add(
            actor=request.user,
            job_role=role,
            user=_pick(
                User.objects.filter(institution_id=role.institution_id),
                data.get("user", ""),
                "user",
            ),
            since=_day(data.get("since", ""), "since", required=False),
        )
    except StemhubError as error:
        return _role_page(request, role, error=error, form="member")
    messages.success(request, _("Member added to %(role)s.") % {"role": role.name})
    return redirect("qms:competence_job_role", pk=role.pk)


@require_POST
@keepers
def competence_member_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Needs qms.train or qms.manage: the person leaves the job role."""
    found = JobRoleMembership.objects.select_related("job_role", "user").filter(pk=pk).first()
    if found is None or not _keeper(request.user, found.job_role.institution_id):
        raise NotFound(_("No membership %(n)s that you may see") % {"n": pk})
    competence.job_role_member_remove(actor=request.user, membership=found)
    messages.success(request, _("Member removed."))
    return redirect("qms:competence_job_role", pk=found.job_role_id)


# Governing documents ------------------------------------------------------------------------


def _tasks_page(
    request: HttpRequest, institution: Institution, *, error: StemhubError | None = None
) -> HttpResponse:
    procedures = {
        p.task: p
        for p in TaskProcedure.objects.filter(institution=institution).select_related("document")
    }
    in_force = {
        v.document_id: v
        for v in DocumentVersion.objects.filter(
            document_id__in=[p.document_id for p in procedures.values()],
            status=VersionStatus.EFFECTIVE,
        )
    }
    rows = []
    for task in Task:
        procedure = procedures.get(task.value)
        rows.append(
            {
                "task": task,
                "procedure": procedure,
                "version": in_force.get(procedure.document_id) if procedure else None,
                "url": document_url(procedure.document) if procedure else "",
            }
        )
    return render(
        request,
        "qms/competence/tasks.html",
        {
            "institution": institution,
            "rows": rows,
            "documents": ControlledDocument.objects.filter(institution=institution),
            "can_manage": user_can(request.user, Perm.QMS_MANAGE, institution.pk),
            "values": request.POST if error is not None else {},
            "error": error,
            "bad": set(error.fields) if error is not None else set(),
            "labels": LABELS,
        },
        status=error.status if error is not None else 200,
    )


@require_GET
@viewers
def competence_tasks(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.view: which document governs each regulated task at your institution (a task
    with none is not gated), and to QA managers the form that names it."""
    return _tasks_page(request, _institution(request))


@require_POST
@managers
def competence_task_set(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.manage: name (or change) the document that governs a task."""
    institution = _institution(request)
    data = request.POST
    try:
        competence.task_procedure_set(
            actor=request.user,
            institution_id=institution.pk,
            task=data.get("task", ""),
            document=_pick(
                ControlledDocument.objects.filter(institution=institution),
                data.get("document", ""),
                "document",
            ),
        )
    except StemhubError as error:
        return _tasks_page(request, institution, error=error)
    messages.success(request, _("The governing document is set."))
    return redirect("qms:competence_tasks")


@require_POST
@managers
def competence_task_clear(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs qms.manage: no document governs the task any more (it is no longer gated)."""
    institution = _institution(request)
    try:
        competence.task_procedure_clear(
            actor=request.user,
            institution_id=institution.pk,
            task=request.POST.get("task", ""),
            reason=request.POST.get("reason", ""),
        )
    except StemhubError as error:
        return _tasks_page(request, institution, error=error)
    messages.success(request, _("The task is no longer gated."))
    return redirect("qms:competence_tasks")
