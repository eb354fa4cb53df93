"""CAPA and complaints over HTTP, under /api/v1/qms/. Reading needs qms.view in the record's
institution; each write states its permission (see qms/capa.py and qms/complaints.py)."""

from datetime import date, datetime
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.params import functions as param
from pydantic import ConfigDict

from stemhub.accounts.models import User
from stemhub.accounts.permissions import Perm, require
from stemhub.core.api import AUTHENTICATED, WORDS_PATTERN, Day, Words, one_of
from stemhub.core.errors import InvalidInput
from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.qms import capa as services
from stemhub.qms import complaints
from stemhub.qms.capa_selectors import (
    action_for,
    capa_for,
    capa_signature_verify,
    complaint_for,
    overdue_capas,
    overdue_first,
    visible_capas,
    visible_complaints,
)
from stemhub.qms.models import (
    ActionKind,
    Capa,
    CapaAction,
    CapaSource,
    CapaStatus,
    ComplainantKind,
    Complaint,
    ComplaintChannel,
    ComplaintStatus,
    EffectivenessResult,
    FishboneCategory,
)
from stemhub.qms.models.complaints import (
    CONTACT_LENGTH,
    DESCRIPTION_LENGTH,
    NAME_LENGTH,
    ORGANISATION_LENGTH,
    REFERENCE_LENGTH,
)

router = Router(tags=["qms"])

# What a person opens by hand: the other sources open their CAPA from their own record.
HAND_SOURCES = [
    s for s in CapaSource.values if s not in ("nonconformity", "excursion", "complaint")
]


class CapaIn(Schema):
    source: str = one_of(HAND_SOURCES, "deviation")
    source_label: str = Field("", max_length=80)
    title: str = Field(min_length=1, max_length=200)
    description: Words
    owner: str = Field("", description="The owner's username; yourself by default")
    due_on: Day | None = None


class CapaActionOut(Schema):
    id: int
    kind: str
    description: str
    owner: str
    due_on: date
    overdue: bool
    done_at: datetime | None
    done_by: str | None
    done_note: str
    evidence: str
    evidence_file_sha256: str | None


class CapaEventOut(Schema):
    kind: str
    at: datetime
    actor: str | None
    status_after: str
    action: int | None
    note: str


class CapaOut(Schema):
    id: int
    number: str
    institution: str
    source: str
    source_id: int | None
    source_label: str
    title: str
    title_zh: str = Field(description="The title in Chinese, where the platform wrote it")
    status: str
    owner: str
    due_on: date
    overdue: bool
    raised_by: str
    raised_at: datetime
    closed_at: datetime | None


class EffectivenessOut(Schema):
    criteria: str
    due_on: date | None
    result: str
    note: str
    verified_by: str | None
    verified_at: datetime | None


class ClosureOut(Schema):
    printed_name: str
    signed_at: datetime
    meaning: str
    record_sha256: str
    intact: bool
    changes: list[str]


class CapaDetailOut(CapaOut):
    description: str
    description_zh: str = Field(description="In Chinese, where the platform wrote it")
    problem_statement: str
    containment: str
    root_cause: str
    five_whys: list[str]
    fishbone: dict[str, list[str]]
    actions: list[CapaActionOut]
    effectiveness: EffectivenessOut
    closure_summary: str
    closure: ClosureOut | None
    events: list[CapaEventOut]


class CapaRefOut(Schema):
    id: int
    number: str
    status: str
    source: str
    source_label: str


# A why or a cause: said, and short.
Cause = Annotated[str, Field(pattern=WORDS_PATTERN, max_length=services.MAX_CAUSE_LENGTH)]


def _causes() -> Any:
    return Field(default_factory=list, max_length=services.MAX_CAUSES_PER_CATEGORY)


class FishboneIn(Schema):
    """Causes by category (FishboneCategory); no other category."""

    model_config = ConfigDict(extra="forbid")

    man: list[Cause] = _causes()
    machine: list[Cause] = _causes()
    method: list[Cause] = _causes()
    material: list[Cause] = _causes()
    measurement: list[Cause] = _causes()
    environment: list[Cause] = _causes()


assert set(FishboneIn.model_fields) == set(FishboneCategory.values)


class InvestigationIn(Schema):
    problem_statement: Words
    containment: str = ""
    root_cause: str = ""
    five_whys: list[Cause] = Field(default_factory=list, max_length=services.MAX_WHYS)
    fishbone: FishboneIn = Field(default_factory=FishboneIn)


class ActionIn(Schema):
    kind: str = one_of(ActionKind.values)
    description: Words
    owner: str = Field(min_length=1, description="The owner's username")
    due_on: Day


class ActionDoneIn(Schema):
    done_note: Words
    evidence: str = ""


class EffectivenessPlanIn(Schema):
    criteria: Words
    due_on: Day


class EffectivenessIn(Schema):
    result: str = one_of(EffectivenessResult.values)
    note: Words
    new_action: ActionIn | None = Field(None, description="Required when not effective")


class CapaCloseIn(Schema):
    password: str = Field(min_length=1)
    summary: str = ""


class ReassignIn(Schema):
    owner: str = ""
    due_on: Day | None = None
    reason: Words


def _user(username: str, field: str) -> User:
    found = User.objects.filter(username=username).first()
    if found is None:
        raise InvalidInput(
            _("No user %(name)s") % {"name": username}, fields={field: [_("unknown")]}
        )
    return found


def capa_out(capa: Capa, today: date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    return {
        "id": capa.pk,
        "number": capa.number,
        "institution": capa.institution.provider_code,
        "source": capa.source,
        "source_id": capa.source_id,
        "source_label": capa.source_label,
        "title": capa.title,
        "title_zh": capa.title_zh,
        "status": capa.status,
        "owner": capa.owner.get_username(),
        "due_on": capa.due_on,
        "overdue": capa.is_overdue(today),
        "raised_by": capa.raised_by.get_username(),
        "raised_at": capa.raised_at,
        "closed_at": capa.closed_at,
    }


def _action_out(action: CapaAction, today: date) -> dict[str, Any]:
    return {
        "id": action.pk,
        "kind": action.kind,
        "description": action.description,
        "owner": action.owner.get_username(),
        "due_on": action.due_on,
        "overdue": not action.is_done and action.due_on < today,
        "done_at": action.done_at,
        "done_by": action.done_by.get_username() if action.done_by else None,
        "done_note": action.done_note,
        "evidence": action.evidence,
        "evidence_file_sha256": action.evidence_file.sha256 if action.evidence_file else None,
    }


def capa_detail_out(capa: Capa) -> dict[str, Any]:
    today = timezone.localdate()
    capa = Capa.objects.select_related(
        "owner",
        "raised_by",
        "institution",
        "effectiveness_verified_by",
        "closure_signature",
    ).get(pk=capa.pk)
    check = capa_signature_verify(capa)
    signature = capa.closure_signature
    return {
        **capa_out(capa, today),
        "description": capa.description,
        "description_zh": capa.description_zh,
        "problem_statement": capa.problem_statement,
        "containment": capa.containment,
        "root_cause": capa.root_cause,
        "five_whys": capa.five_whys,
        "fishbone": capa.fishbone,
        "actions": [
            _action_out(a, today)
            for a in capa.actions.select_related("owner", "done_by", "evidence_file")
        ],
        "effectiveness": {
            "criteria": capa.effectiveness_criteria,
            "due_on": capa.effectiveness_due_on,
            "result": capa.effectiveness_result,
            "note": capa.effectiveness_note,
            "verified_by": capa.effectiveness_verified_by.get_username()
            if capa.effectiveness_verified_by
            else None,
            "verified_at": capa.effectiveness_verified_at,
        },
        "closure_summary": capa.closure_summary,
        "closure": {
            "printed_name": signature.printed_name,
            "signed_at": signature.signed_at,
            "meaning": signature.meaning,
            "record_sha256": signature.record_hash,
            "intact": check.intact,
            "changes": check.changes,
        }
        if signature is not None and check is not None
        else None,
        "events": [
            {
                "kind": e.kind,
                "at": e.at,
                "actor": e.actor.get_username() if e.actor else None,
                "status_after": e.status_after,
                "action": e.action_id,
                "note": e.note,
            }
            for e in capa.events.select_related("actor")
        ],
    }


def _viewer(request: AuthenticatedHttpRequest) -> None:
    require(request.user, Perm.QMS_VIEW)


@router.get("/qms/capas", response=list[CapaOut], auth=AUTHENTICATED)
def capa_list(
    request: AuthenticatedHttpRequest,
    status: str = param.Query("", pattern="^(" + "|".join(CapaStatus.values) + "|)$"),
    source: str = param.Query("", pattern="^(" + "|".join(CapaSource.values) + "|)$"),
    owner: str = param.Query("", max_length=150, description="The owner's username"),
    overdue: bool = param.Query(
        False, description="Only open CAPAs overdue or with an overdue action"
    ),
) -> list[dict[str, Any]]:
    """Needs qms.view: your institution's CAPAs, overdue ones first."""
    _viewer(request)
    today = timezone.localdate()
    found = visible_capas(request.user)
    if status:
        found = found.filter(status=status)
    if source:
        found = found.filter(source=source)
    if owner:
        found = found.filter(owner__username=owner)
    if overdue:
        found = overdue_capas(found, today)
    return [capa_out(c, today) for c in overdue_first(found, today)[:500]]


@router.post("/qms/capas", response={201: CapaDetailOut}, auth=AUTHENTICATED)
def capa_create(request: AuthenticatedHttpRequest, payload: CapaIn) -> Status[dict[str, Any]]:
    """Needs qms.record in your institution: raise a CAPA by hand (a deviation, an audit
    finding, ...). Nonconformities, excursions and complaints open theirs from their record."""
    institution_id = request.user.institution_id
    if institution_id is None:
        raise InvalidInput(_("You belong to no institution"), fields={"institution": [_("none")]})
    capa = services.capa_open(
        actor=request.user,
        institution_id=institution_id,
        source=payload.source,
        source_label=payload.source_label,
        title=payload.title,
        description=payload.description,
        owner=_user(payload.owner, "owner") if payload.owner else None,
        due_on=payload.due_on,
    )
    return Status(201, capa_detail_out(capa))


@router.get("/qms/capas/{capa_id}", response=CapaDetailOut, auth=AUTHENTICATED)
def capa_detail(request: AuthenticatedHttpRequest, capa_id: int) -> dict[str, Any]:
    """Needs qms.view in the CAPA's institution: the whole CAPA, its actions, history and
    closure signature (and whether it still binds)."""
    return capa_detail_out(capa_for(request.user, capa_id))


@router.post("/qms/capas/{capa_id}/investigation", response=CapaDetailOut, auth=AUTHENTICATED)
def capa_investigation(
    request: AuthenticatedHttpRequest, capa_id: int, payload: InvestigationIn
) -> dict[str, Any]:
    """Needs the CAPA's owner (qms.record) or qms.manage: record the investigation."""
    capa = services.capa_investigation_record(
        actor=request.user, capa=capa_for(request.user, capa_id), **payload.dict()
    )
    return capa_detail_out(capa)


@router.post("/qms/capas/{capa_id}/actions", response={201: CapaActionOut}, auth=AUTHENTICATED)
def capa_action_add(
    request: AuthenticatedHttpRequest, capa_id: int, payload: ActionIn
) -> Status[dict[str, Any]]:
    """Needs the CAPA's owner (qms.record) or qms.manage: add an action, after the root cause."""
    action = services.capa_action_add(
        actor=request.user,
        capa=capa_for(request.user, capa_id),
        kind=payload.kind,
        description=payload.description,
        owner=_user(payload.owner, "owner"),
        due_on=payload.due_on,
    )
    return Status(201, _action_out(action, timezone.localdate()))


@router.post("/qms/capa-actions/{action_id}/done", response=CapaActionOut, auth=AUTHENTICATED)
def capa_action_done(
    request: AuthenticatedHttpRequest, action_id: int, payload: ActionDoneIn
) -> dict[str, Any]:
    """Needs the action's owner, the CAPA's owner or qms.manage: record the action done,
    with what was done and the evidence."""
    action = services.capa_action_complete(
        actor=request.user,
        action=action_for(request.user, action_id),
        done_note=payload.done_note,
        evidence=payload.evidence,
    )
    return _action_out(action, timezone.localdate())


@router.post("/qms/capas/{capa_id}/effectiveness-plan", response=CapaDetailOut,
             auth=AUTHENTICATED)  # fmt: skip
def capa_effectiveness_plan(
    request: AuthenticatedHttpRequest, capa_id: int, payload: EffectivenessPlanIn
) -> dict[str, Any]:
    """Needs the CAPA's owner (qms.record) or qms.manage, once every action is done: the
    effectiveness criteria and the check's due date."""
    capa = services.capa_effectiveness_plan(
        actor=request.user,
        capa=capa_for(request.user, capa_id),
        criteria=payload.criteria,
        due_on=payload.due_on,
    )
    return capa_detail_out(capa)


@router.post("/qms/capas/{capa_id}/effectiveness", response=CapaDetailOut, auth=AUTHENTICATED)
def capa_effectiveness(
    request: AuthenticatedHttpRequest, capa_id: int, payload: EffectivenessIn
) -> dict[str, Any]:
    """Needs qms.manage: the effectiveness verdict; not effective sends the CAPA back to
    actions with `new_action`."""
    new_action = None
    if payload.new_action is not None:
        new_action = {
            **payload.new_action.dict(),
            "owner": _user(payload.new_action.owner, "new_action.owner"),
        }
    capa = services.capa_effectiveness_record(
        actor=request.user,
        capa=capa_for(request.user, capa_id),
        result=payload.result,
        note=payload.note,
        new_action=new_action,
    )
    return capa_detail_out(capa)


@router.post("/qms/capas/{capa_id}/close", response=CapaDetailOut, auth=AUTHENTICATED)
def capa_close(
    request: AuthenticatedHttpRequest, capa_id: int, payload: CapaCloseIn
) -> dict[str, Any]:
    """Needs qms.manage: close the CAPA found effective, signed with your password."""
    capa = services.capa_close(
        actor=request.user,
        capa=capa_for(request.user, capa_id),
        password=payload.password,
        summary=payload.summary,
    )
    return capa_detail_out(capa)


@router.post("/qms/capas/{capa_id}/reassign", response=CapaDetailOut, auth=AUTHENTICATED)
def capa_reassign(
    request: AuthenticatedHttpRequest, capa_id: int, payload: ReassignIn
) -> dict[str, Any]:
    """Needs qms.manage: change the owner or the due date, with a reason."""
    capa = services.capa_reassign(
        actor=request.user,
        capa=capa_for(request.user, capa_id),
        owner=_user(payload.owner, "owner") if payload.owner else None,
        due_on=payload.due_on,
        reason=payload.reason,
    )
    return capa_detail_out(capa)


# Complaints


class ComplaintIn(Schema):
    complainant_kind: str = one_of(ComplainantKind.values)
    channel: str = one_of([c for c in ComplaintChannel.values if c != "web"])
    received_on: Day
    description: str = Field(pattern=WORDS_PATTERN, max_length=DESCRIPTION_LENGTH)
    complainant_name: str = Field("", max_length=NAME_LENGTH)
    complainant_contact: str = Field("", max_length=CONTACT_LENGTH)
    complainant_organisation: str = Field("", max_length=ORGANISATION_LENGTH)
    related_reference: str = Field("", max_length=REFERENCE_LENGTH)


class ComplaintOut(Schema):
    id: int
    number: str
    institution: str
    complainant_kind: str
    complainant_name: str
    complainant_contact: str
    complainant_organisation: str
    received_on: date
    channel: str
    description: str
    related_reference: str
    status: str
    outcome: str
    recorded_by: str | None
    recorded_at: datetime
    capa: CapaRefOut | None
    closed_at: datetime | None


class ComplaintCapaIn(Schema):
    title: str = Field("", max_length=200)
    owner: str = ""
    due_on: Day | None = None


class ComplaintCloseIn(Schema):
    outcome: Words


def capa_ref(capa: Capa | None) -> dict[str, Any] | None:
    if capa is None:
        return None
    return {
        "id": capa.pk,
        "number": capa.number,
        "status": capa.status,
        "source": capa.source,
        "source_label": capa.source_label,
    }


def complaint_out(complaint: Complaint) -> dict[str, Any]:
    return {
        "id": complaint.pk,
        "number": complaint.number,
        "institution": complaint.institution.provider_code,
        "complainant_kind": complaint.complainant_kind,
        "complainant_name": complaint.complainant_name,
        "complainant_contact": complaint.complainant_contact,
        "complainant_organisation": complaint.complainant_organisation,
        "received_on": complaint.received_on,
        "channel": complaint.channel,
        "description": complaint.description,
        "related_reference": complaint.related_reference,
        "status": complaint.status,
        "outcome": complaint.outcome,
        "recorded_by": complaint.recorded_by.get_username() if complaint.recorded_by else None,
        "recorded_at": complaint.recorded_at,
        "capa": capa_ref(complaint.capa),
        "closed_at": complaint.closed_at,
    }


@router.get("/qms/complaints", response=list[ComplaintOut], auth=AUTHENTICATED)
def complaint_list(
    request: AuthenticatedHttpRequest,
    status: str = param.Query("", pattern="^(" + "|".join(ComplaintStatus.values) + "|)$"),
) -> list[dict[str, Any]]:
    """Needs qms.view: your institution's complaints, newest first."""
    _viewer(request)
    found = visible_complaints(request.user)
    if status:
        found = found.filter(status=status)
    return [complaint_out(c) for c in found[:500]]


@router.post("/qms/complaints", response={201: ComplaintOut}, auth=AUTHENTICATED)
def complaint_create(
    request: AuthenticatedHttpRequest, payload: ComplaintIn
) -> Status[dict[str, Any]]:
    """Needs qms.record in your institution: record a complaint received by e-mail,
    telephone, letter or in person."""
    institution_id = request.user.institution_id
    if institution_id is None:
        raise InvalidInput(_("You belong to no institution"), fields={"institution": [_("none")]})
    found = complaints.complaint_record(
        actor=request.user, institution_id=institution_id, **payload.dict()
    )
    return Status(201, complaint_out(found))


@router.get("/qms/complaints/{complaint_id}", response=ComplaintOut, auth=AUTHENTICATED)
def complaint_detail(request: AuthenticatedHttpRequest, complaint_id: int) -> dict[str, Any]:
    """Needs qms.view in the complaint's institution."""
    return complaint_out(complaint_for(request.user, complaint_id))


@router.post("/qms/complaints/{complaint_id}/review", response=ComplaintOut, auth=AUTHENTICATED)
def complaint_review(request: AuthenticatedHttpRequest, complaint_id: int) -> dict[str, Any]:
    """Needs qms.record in the complaint's institution: take it under review."""
    found = complaints.complaint_review_start(
        actor=request.user, complaint=complaint_for(request.user, complaint_id)
    )
    return complaint_out(found)


@router.post("/qms/complaints/{complaint_id}/capa", response={201: CapaRefOut},
             auth=AUTHENTICATED)  # fmt: skip
def complaint_capa(
    request: AuthenticatedHttpRequest, complaint_id: int, payload: ComplaintCapaIn
) -> Status[dict[str, Any] | None]:
    """Needs qms.record in the complaint's institution: open its CAPA (or return the one it
    opened)."""
    capa = complaints.complaint_capa_open(
        actor=request.user,
        complaint=complaint_for(request.user, complaint_id),
        title=payload.title,
        owner=_user(payload.owner, "owner") if payload.owner else None,
        due_on=payload.due_on,
    )
    return Status(201, capa_ref(capa))


@router.post("/qms/complaints/{complaint_id}/close", response=ComplaintOut, auth=AUTHENTICATED)
def complaint_close(
    request: AuthenticatedHttpRequest, complaint_id: int, payload: ComplaintCloseIn
) -> dict[str, Any]:
    """Needs qms.manage in the complaint's institution: close it with its outcome."""
    found = complaints.complaint_close(
        actor=request.user,
        complaint=complaint_for(request.user, complaint_id),
        outcome=payload.outcome,
    )
    return complaint_out(found)
