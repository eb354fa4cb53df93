"""Personnel competence (ISO 20387 6.2): which document governs a regulated task, job roles
and what they require, training records, competence assessments signed by an assessor, and
authorisations to do a task alone, each with an expiry.

Who may: the QA manager (qms.manage) sets a task's governing document; trainers and the QA
manager (qms.train or qms.manage) keep job roles, their requirements and members; trainers
(qms.train) record training, sign assessments and grant or revoke authorisations. Every
record belongs to the institution of the person it is about; nobody assesses or authorises
themselves. `qms.gating` reads these records to let a person do a regulated task.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stemhub.accounts.models import User
from stemhub.accounts.permissions import Perm, require, user_can
from stemhub.audit.context import audit_context
from stemhub.core.errors import Conflict, Forbidden, InvalidInput, NotFound, full_clean
from stemhub.qms.files import document_file_store
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
from stemhub.qms.signing import signature_write, signing_password_check
from stemhub.quality.models import Signature

# A grant rests on a "competent" assessment no older than this.
ASSESSMENT_VALID_DAYS = 365
# Longest authorisation: three years, then the person is assessed again.
LONGEST_AUTHORISATION_DAYS = 3 * 366
# Versions a person can be trained on: approved (before it takes effect), in force, or past.
TRAINABLE = (VersionStatus.APPROVED, VersionStatus.EFFECTIVE, VersionStatus.SUPERSEDED)


def _require_any(actor: Any, perms: tuple[Perm, ...], institution_id: int) -> None:
    """`require` for the first of `perms`, passing when the actor holds any of them."""
    if not any(user_can(actor, perm, institution_id) for perm in perms):
        require(actor, perms[0], institution_id)


def _task(value: str, field: str = "task") -> str:
    if value not in Task.values:
        raise InvalidInput(
            _("Choose a regulated task"),
            fields={field: [_("one of %(values)s") % {"values": ", ".join(Task.values)}]},
        )
    return value


def _person(user: Any, institution_id: int, field: str = "user") -> None:
    """The person a record is about belongs to the institution whose records it joins."""
    if user is None or user.institution_id != institution_id:
        raise InvalidInput(
            _("Choose a person of this institution"), fields={field: [_("not of this institution")]}
        )


def _not_future(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
        raise InvalidInput(
            _("%(day)s is in the future") % {"day": f"{day:%Y-%m-%d}"},
            fields={field: [_("today or earlier")]},
        )


# Governing documents ------------------------------------------------------------------------


def task_procedure_set(
    *, actor: Any, institution_id: int, task: str, document: ControlledDocument, reason: str = ""
) -> TaskProcedure:
    """Name the controlled document that governs `task` at the institution (replacing the one
    named before): from now the task is gated by it. Needs qms.manage there."""
    require(actor, Perm.QMS_MANAGE, institution_id)
    _task(task)
    if document.institution_id != institution_id:
        raise InvalidInput(
            _("Choose a document of this institution"),
            fields={"document": [_("not of this institution")]},
        )
    with (
        transaction.atomic(),
        audit_context(actor=actor, reason=reason or f"{task} governed by {document.number}"),
    ):
        procedure = (
            TaskProcedure.objects.select_for_update()
            .filter(institution_id=institution_id, task=task)
            .first()
        )
        if procedure is None:
            procedure = TaskProcedure(institution_id=institution_id, task=task, document=document)
        else:
            procedure.document = document
        full_clean(procedure, validate_constraints=False)
        try:
            with transaction.atomic():
                procedure.save()
        except IntegrityError:
            raise Conflict(
                _("Someone named this task's document a moment ago; reload and try again.")
            ) from None
    return procedure


def task_procedure_clear(*, actor: Any, institution_id: int, task: str, reason: str) -> None:
    """No document governs `task` at the institution any more: it is no longer gated. Needs
    qms.manage there, and a reason."""
    require(actor, Perm.QMS_MANAGE, institution_id)
    _task(task)
    if not reason.strip():
        raise InvalidInput(
            _("Say why the task is no longer governed"), fields={"reason": [_("required")]}
        )
    with transaction.atomic(), audit_context(actor=actor, reason=reason.strip()):
        procedure = (
            TaskProcedure.objects.select_for_update()
            .filter(institution_id=institution_id, task=task)
            .first()
        )
        if procedure is None:
            raise NotFound(_("No document governs this task here"))
        procedure.delete()


# Job roles ----------------------------------------------------------------------------------

JOB_ROLE_KEEPERS = (Perm.QMS_TRAIN, Perm.QMS_MANAGE)


def job_role_create(
    *, actor: Any, institution_id: int, name: str, name_zh: str = "", description: str = ""
) -> JobRole:
    """A job at the institution. Needs qms.train or qms.manage there."""
    _require_any(actor, JOB_ROLE_KEEPERS, institution_id)
    role = JobRole(
        institution_id=institution_id,
        name=name.strip(),
        name_zh=name_zh.strip(),
        description=description.strip(),
    )
    full_clean(role, validate_constraints=False)
    if JobRole.objects.filter(institution_id=institution_id, name__iexact=role.name).exists():
        raise Conflict(
            _("A job role named %(name)s exists already") % {"name": role.name},
            fields={"name": [_("already used")]},
        )
    try:
        with transaction.atomic(), audit_context(actor=actor, reason=f"job role {role.name}"):
            role.save()
    except IntegrityError:
        raise Conflict(
            _("A job role named %(name)s exists already") % {"name": role.name},
            fields={"name": [_("already used")]},
        ) from None
    return role


def job_role_requirement_add(
    *,
    actor: Any,
    job_role: JobRole,
    document: ControlledDocument | None = None,
    task: str = "",
    skill: str = "",
) -> JobRoleRequirement:
    """What the role requires: one of a document (its version in force read, and trained on
    where that version needs it), a task (an authorisation for it) or a skill (a training
    record of that course). Needs qms.train or qms.manage."""
    _require_any(actor, JOB_ROLE_KEEPERS, job_role.institution_id)
    skill = skill.strip()
    given = [
        kind for kind, value in (("document", document), ("task", task), ("skill", skill)) if value
    ]
    if len(given) != 1:
        raise InvalidInput(
            _("Give one of a document, a task or a skill"),
            fields={"kind": [_("exactly one of document, task, skill")]},
        )
    if task:
        _task(task)
    if document is not None and document.institution_id != job_role.institution_id:
        raise InvalidInput(
            _("Choose a document of this institution"),
            fields={"document": [_("not of this institution")]},
        )
    found = JobRoleRequirement.objects.filter(job_role=job_role)
    same = (
        found.filter(document=document)
        if document is not None
        else found.filter(task=task)
        if task
        else found.filter(skill__iexact=skill)
    )
    if same.exists():
        raise Conflict(
            _("%(role)s requires this already") % {"role": job_role.name},
            fields={given[0]: [_("already required")]},
        )
    requirement = JobRoleRequirement(job_role=job_role, document=document, task=task, skill=skill)
    full_clean(requirement, validate_constraints=False)
    with transaction.atomic(), audit_context(actor=actor, reason=f"requirement of {job_role.name}"):
        requirement.save()
    return requirement


def job_role_requirement_remove(
    *, actor: Any, requirement: JobRoleRequirement, reason: str = ""
) -> None:
    """The role no longer requires it. Needs qms.train or qms.manage."""
    _require_any(actor, JOB_ROLE_KEEPERS, requirement.job_role.institution_id)
    with (
        transaction.atomic(),
        audit_context(
            actor=actor,
            reason=reason.strip() or f"requirement of {requirement.job_role.name} removed",
        ),
    ):
        JobRoleRequirement.objects.filter(pk=requirement.pk).delete()


def job_role_member_add(
    *, actor: Any, job_role: JobRole, user: Any, since: datetime.date | None = None
) -> JobRoleMembership:
    """`user` holds the job from `since` (today by default). Needs qms.train or qms.manage."""
    _require_any(actor, JOB_ROLE_KEEPERS, job_role.institution_id)
    _person(user, job_role.institution_id)
    membership = JobRoleMembership(
        job_role=job_role, user=user, since=since or timezone.localdate()
    )
    full_clean(membership, validate_constraints=False)
    if JobRoleMembership.objects.filter(job_role=job_role, user=user).exists():
        raise Conflict(
            _("%(person)s holds this job role already") % {"person": user.get_full_name()},
            fields={"user": [_("already a member")]},
        )
    try:
        with (
            transaction.atomic(),
            audit_context(actor=actor, reason=f"{user.username} joins {job_role.name}"),
        ):
            membership.save()
    except IntegrityError:
        raise Conflict(_("This person holds this job role already")) from None
    return membership


def job_role_member_remove(*, actor: Any, membership: JobRoleMembership, reason: str = "") -> None:
    """The person no longer holds the job. Needs qms.train or qms.manage."""
    _require_any(actor, JOB_ROLE_KEEPERS, membership.job_role.institution_id)
    with (
        transaction.atomic(),
        audit_context(
            actor=actor,
            reason=reason.strip()
            or f"{membership.user.username} leaves {membership.job_role.name}",
        ),
    ):
        JobRoleMembership.objects.filter(pk=membership.pk).delete()


# Training -----------------------------------------------------------------------------------


def training_record_create(
    *,
    actor: Any,
    user: Any,
    course: str,
    trained_on: datetime.date,
    document_version: DocumentVersion | None = None,
    trainer: Any = None,
    external_trainer: str = "",
    evidence: str = "",
    evidence_name: str = "",
    evidence_chunks: Iterable[bytes] | None = None,
) -> TrainingRecord:
    """Record training `user` received: a course (by default the document version's label)
    or a document version they were trained on, from a trainer of the institution or an
    external trainer, with the evidence (text, and a PDF or DOCX file). Needs qms.train in the
    trainee's institution."""
    require(actor, Perm.QMS_TRAIN, user.institution_id)
    fields: dict[str, list[str]] = {}
    if document_version is not None:
        if document_version.document.institution_id != user.institution_id:
            fields["document_version"] = [_("not of this institution")]
        elif document_version.status not in TRAINABLE:
            fields["document_version"] = [_("not approved")]
    course = course.strip() or (document_version.label if document_version is not None else "")
    if not course:
        fields["course"] = [_("required")]
    external_trainer = external_trainer.strip()
    if trainer is None and not external_trainer:
        fields["trainer"] = [_("a trainer or an external trainer")]
    if trainer is not None and trainer.pk == user.pk:
        fields["trainer"] = [_("not the trainee")]
    if trainer is not None and trainer.institution_id != user.institution_id:
        fields["trainer"] = [_("not of this institution; name them as an external trainer")]
    if fields:
        raise InvalidInput(_("The training record is incomplete"), fields=fields)
    _not_future(trained_on, "trained_on")
    with transaction.atomic(), audit_context(actor=actor, reason=f"training: {course}"):
        evidence_file = None
        if evidence_chunks is not None:
            evidence_file = document_file_store(
                actor=actor, name=evidence_name, chunks=evidence_chunks, field="evidence_file"
            )
        record = TrainingRecord(
            user=user,
            course=course,
            document_version=document_version,
            trainer=trainer,
            external_trainer=external_trainer,
            trained_on=trained_on,
            evidence=evidence.strip(),
            evidence_file=evidence_file,
            recorded_by=actor,
        )
        full_clean(record, validate_constraints=False)
        record.save()
    return record


# Assessments --------------------------------------------------------------------------------


def competence_assessment_sign(
    *,
    actor: Any,
    user: Any,
    task: str,
    assessed_on: datetime.date,
    method: str,
    outcome: str,
    password: str,
    notes: str = "",
    document_version: DocumentVersion | None = None,
) -> CompetenceAssessment:
    """The assessor's signed judgement (meaning "competence assessed") that `user` can, or
    cannot yet, do `task`, by `method` (observed practice, a test run ...). Needs qms.train in
    the person's institution; nobody assesses themselves."""
    require(actor, Perm.QMS_TRAIN, user.institution_id)
    if actor.pk == user.pk:
        raise Forbidden(
            _("You cannot assess your own competence: another assessor signs it"),
            fields={"user": [_("not yourself")]},
        )
    _task(task)
    fields: dict[str, list[str]] = {}
    if outcome not in CompetenceAssessment.Outcome.values:
        fields["outcome"] = [_("competent or not yet competent")]
    if not method.strip():
        fields["method"] = [_("required")]
    if document_version is not None and (
        document_version.document.institution_id != user.institution_id
        or document_version.status not in TRAINABLE
    ):
        fields["document_version"] = [_("an approved version of this institution")]
    if fields:
        raise InvalidInput(_("The assessment is incomplete"), fields=fields)
    _not_future(assessed_on, "assessed_on")
    signing_password_check(actor, password)
    record = {
        "kind": "competence assessment",
        "person": user.username,
        "person_name": user.get_full_name(),
        "institution": user.institution.provider_code if user.institution_id else "",
        "task": task,
        "document_version": document_version.label if document_version is not None else "",
        "assessed_on": f"{assessed_on:%Y-%m-%d}",
        "method": method.strip(),
        "outcome": outcome,
        "notes": notes.strip(),
        "assessor": actor.username,
    }
    with (
        transaction.atomic(),
        audit_context(actor=actor, reason=f"competence assessed: {user.username} {task} {outcome}"),
    ):
        signature = signature_write(
            actor=actor, meaning=Signature.Meaning.COMPETENCE_ASSESSED, record=record
        )
        assessment = CompetenceAssessment(
            user=user,
            task=task,
            document_version=document_version,
            assessor=actor,
            assessed_on=assessed_on,
            method=method.strip(),
            outcome=outcome,
            notes=notes.strip(),
            signature=signature,
        )
        full_clean(assessment, validate_constraints=False)
        assessment.save()
    return assessment


# Authorisations -----------------------------------------------------------------------------


def assessment_for_grant(
    user: Any, task: str, *, today: datetime.date | None = None
) -> CompetenceAssessment | None:
    """The latest "competent" assessment of `user` for `task` within the last 12 months."""
    today = today or timezone.localdate()
    return (
        CompetenceAssessment.objects.filter(
            user_id=user.pk,
            task=task,
            outcome=CompetenceAssessment.Outcome.COMPETENT,
            assessed_on__gte=today - datetime.timedelta(days=ASSESSMENT_VALID_DAYS),
        )
        .order_by("-assessed_on", "-id")
        .first()
    )


def authorisation_grant(
    *,
    actor: Any,
    user: Any,
    task: str,
    expires_on: datetime.date,
    valid_from: datetime.date | None = None,
    assessment: CompetenceAssessment | None = None,
) -> Authorisation:
    """Authorise `user` to do `task` alone from `valid_from` (today by default) until
    `expires_on`, on a "competent" assessment of theirs for the task within the last 12
    months (the latest one unless `assessment` names it). Needs qms.train in the person's
    institution; nobody authorises themselves."""
    require(actor, Perm.QMS_TRAIN, user.institution_id)
    if actor.pk == user.pk:
        raise Forbidden(
            _("You cannot authorise yourself: another trainer or the QA manager grants it"),
            fields={"user": [_("not yourself")]},
        )
    _task(task)
    today = timezone.localdate()
    valid_from = valid_from or today
    if assessment is None:
        assessment = assessment_for_grant(user, task, today=today)
    elif (
        assessment.user_id != user.pk
        or assessment.task != task
        or assessment.outcome != CompetenceAssessment.Outcome.COMPETENT
        or assessment.assessed_on < today - datetime.timedelta(days=ASSESSMENT_VALID_DAYS)
    ):
        assessment = None
    if assessment is None:
        raise Conflict(
            _(
                "%(person)s has no competent assessment for %(task)s in the last 12 months: "
                "an assessor signs one first"
            )
            % {"person": user.get_full_name() or user.username, "task": Task(task).label},
            fields={"assessment": [_("a competent assessment within 12 months")]},
        )
    if expires_on <= valid_from:
        raise InvalidInput(
            _("The authorisation must expire after it starts"),
            fields={"expires_on": [_("after %(day)s") % {"day": f"{valid_from:%Y-%m-%d}"}]},
        )
    if (expires_on - valid_from).days > LONGEST_AUTHORISATION_DAYS:
        raise InvalidInput(
            _("An authorisation lasts at most three years; the person is assessed again then"),
            fields={"expires_on": [_("at most three years after it starts")]},
        )
    if valid_from < today - datetime.timedelta(days=ASSESSMENT_VALID_DAYS):
        raise InvalidInput(
            _("An authorisation cannot start more than a year ago"),
            fields={"valid_from": [_("within the last year")]},
        )
    authorisation = Authorisation(
        user=user,
        task=task,
        assessment=assessment,
        granted_by=actor,
        valid_from=valid_from,
        expires_on=expires_on,
    )
    full_clean(authorisation, validate_constraints=False)
    with (
        transaction.atomic(),
        audit_context(
            actor=actor, reason=f"authorised: {user.username} {task} until {expires_on:%Y-%m-%d}"
        ),
    ):
        User.objects.select_for_update().filter(pk=user.pk).first()
        authorisation.save()
    return authorisation


def authorisation_revoke(*, actor: Any, authorisation: Authorisation, reason: str) -> Authorisation:
    """End an authorisation now, with a reason (a failed check, a long absence, a new
    procedure). Needs qms.train in the person's institution."""
    require(actor, Perm.QMS_TRAIN, authorisation.user.institution_id)
    if not reason.strip():
        raise InvalidInput(
            _("Say why the authorisation is revoked"), fields={"reason": [_("required")]}
        )
    with transaction.atomic(), audit_context(actor=actor, reason=reason.strip()):
        locked = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
        if locked.revoked_at is not None:
            raise Conflict(
                _("This authorisation was revoked on %(day)s")
                % {"day": f"{locked.revoked_at:%Y-%m-%d}"}
            )
        locked.revoked_at = timezone.now()
        locked.revoked_reason = reason.strip()
        locked.save(update_fields=["revoked_at", "revoked_reason"])
    return locked
