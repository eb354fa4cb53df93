"""The audit programme and management reviews over HTTP. Reading needs qms.view in the
record's institution; planning, approving, closing and reviews qms.manage; an audit's work
its lead auditor or qms.manage (raising a CAPA also qms.record)."""

from datetime import date, datetime
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.params import functions as param

from stemhub.accounts.models import User
from stemhub.accounts.permissions import Perm, user_can
from stemhub.core.api import AUTHENTICATED, Day, Words, one_of
from stemhub.core.errors import Forbidden, InvalidInput, NotFound
from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.qms import audits as services
from stemhub.qms import review
from stemhub.qms.audit_selectors import audit_or_404, review_or_404, visible_audits, visible_reviews
from stemhub.qms.clauses import CLAUSES
from stemhub.qms.models import (
    Audit,
    AuditChecklistItem,
    AuditFinding,
    AuditKind,
    ChecklistAnswer,
    FindingGrade,
    ManagementReview,
)

router = Router(tags=["qms audits"])


class ClauseOut(Schema):
    id: str
    section: int
    title_en: str
    title_zh: str
    in_scope: bool
    questions: int


# A clause of ISO 20387:2018 by its number, such as 7.10.
ClauseId = Annotated[str, one_of([c.id for c in CLAUSES])]


class AuditIn(Schema):
    kind: str = one_of(AuditKind.values)
    title: str = Field(min_length=1, max_length=200)
    title_zh: str = Field("", max_length=200)
    clauses: list[ClauseId] = Field(min_length=1)
    area: str = Field("", max_length=200)
    planned_on: Day
    lead_auditor: str = Field("", description="The lead auditor's username")
    external_body: str = Field("", max_length=200)
    with_checklist: bool = True


class ChecklistItemOut(Schema):
    id: int
    position: int
    clause: str
    question: str
    question_zh: str
    answer: str
    evidence: str


class FindingOut(Schema):
    id: int
    label: str
    grade: str
    clause: str
    description: str
    evidence: str
    capa: str | None
    capa_status: str | None


class AuditOut(Schema):
    id: int
    number: str
    institution: str
    kind: str
    title: str
    title_zh: str
    clauses: list[str]
    area: str
    planned_on: date
    started_on: date | None
    ended_on: date | None
    lead_auditor: str | None
    external_body: str
    status: str
    awaiting_approval: bool
    report_summary: str
    report_signed_by: str | None
    report_signed_at: datetime | None


class AuditDetailOut(AuditOut):
    checklist: list[ChecklistItemOut]
    findings: list[FindingOut]


class StartIn(Schema):
    started_on: Day | None = None


class QuestionIn(Schema):
    clause: ClauseId
    question: Words
    question_zh: str = ""


class AnswerIn(Schema):
    answer: str = one_of(ChecklistAnswer.values)
    evidence: str = ""


class FindingIn(Schema):
    grade: str = one_of(FindingGrade.values)
    clause: ClauseId
    description: Words
    evidence: str = ""
    checklist_item: int | None = None
    capa_owner: str = Field("", description="The CAPA owner's username (default: you)")
    capa_due_on: Day | None = None


class GradeIn(Schema):
    grade: str = one_of(FindingGrade.values)
    reason: Words


class FindingCapaIn(Schema):
    owner: str = Field("", description="The CAPA owner's username (default: you)")
    due_on: Day | None = None


class ReportIn(Schema):
    summary: Words
    ended_on: Day | None = None


class AuditSignIn(Schema):
    password: str = Field(min_length=1)


class ManagementReviewIn(Schema):
    period_start: Day
    period_end: Day
    held_on: Day
    attendees: Words
    decisions: Words
    actions: str = ""
    password: str = Field(min_length=1)


class ReviewOut(Schema):
    id: int
    number: str
    institution: str
    period_start: date
    period_end: date
    held_on: date
    attendees: list[str]
    decisions: str
    actions: str
    inputs: dict[str, Any]
    signed_by: str
    signed_at: datetime
    record_hash: str


class InputsOut(Schema):
    period: dict[str, str]
    sources: dict[str, list[dict[str, Any]]]


def _viewer(request: AuthenticatedHttpRequest) -> None:
    if not user_can(request.user, Perm.QMS_VIEW):
        raise Forbidden(_("The quality system needs the permission qms.view."))


def _member(username: str, institution_id: int, field: str) -> User | None:
    if not username.strip():
        return None
    found = User.objects.filter(username=username.strip(), institution_id=institution_id).first()
    if found is None:
        raise InvalidInput(
            _("No member %(name)s of the institution") % {"name": username},
            fields={field: [_("unknown person")]},
        )
    return found


def _out(audit: Audit) -> dict[str, Any]:
    signature = audit.report_signature
    return {
        "id": audit.pk,
        "number": audit.number,
        "institution": audit.institution.provider_code,
        "kind": audit.kind,
        "title": audit.title,
        "title_zh": audit.title_zh,
        "clauses": list(audit.clauses),
        "area": audit.area,
        "planned_on": audit.planned_on,
        "started_on": audit.started_on,
        "ended_on": audit.ended_on,
        "lead_auditor": audit.lead_auditor.username if audit.lead_auditor else None,
        "external_body": audit.external_body,
        "status": audit.status,
        "awaiting_approval": audit.awaiting_approval,
        "report_summary": audit.report_summary,
        "report_signed_by": signature.printed_name if signature else None,
        "report_signed_at": signature.signed_at if signature else None,
    }


def _item(item: AuditChecklistItem) -> dict[str, Any]:
    return {f: getattr(item, f) for f in ChecklistItemOut.model_fields if f != "id"} | {
        "id": item.pk
    }


def _finding(finding: AuditFinding) -> dict[str, Any]:
    return {
        "id": finding.pk,
        "label": finding.label,
        "grade": finding.grade,
        "clause": finding.clause,
        "description": finding.description,
        "evidence": finding.evidence,
        "capa": finding.capa.number if finding.capa else None,
        "capa_status": finding.capa.status if finding.capa else None,
    }


def _detail(audit: Audit) -> dict[str, Any]:
    audit = Audit.objects.select_related("institution", "lead_auditor", "report_signature").get(
        pk=audit.pk
    )
    return _out(audit) | {
        "checklist": [_item(i) for i in audit.checklist.order_by("position")],
        "findings": [
            _finding(f) for f in audit.findings.select_related("audit", "capa").order_by("number")
        ],
    }


@router.get("/qms/clauses", response=list[ClauseOut], auth=AUTHENTICATED)
def clause_list(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """Needs qms.view: the clauses of ISO 20387:2018, whether software can support each, and
    how many default audit questions each has."""
    _viewer(request)
    return [
        {
            "id": c.id,
            "section": c.section,
            "title_en": c.title_en,
            "title_zh": c.title_zh,
            "in_scope": c.in_scope,
            "questions": len(c.questions),
        }
        for c in CLAUSES
    ]


@router.get("/qms/audits", response=list[AuditOut], auth=AUTHENTICATED)
def audit_list(
    request: AuthenticatedHttpRequest,
    year: int | None = param.Query(None, ge=2000, le=2100, description="Planned in this year"),
) -> list[dict[str, Any]]:
    """Needs qms.view: your institution's audit programme, by planned date."""
    _viewer(request)
    audits = visible_audits(request.user)
    if year is not None:
        audits = audits.filter(planned_on__year=year)
    return [_out(a) for a in audits.order_by("planned_on", "id")]


@router.post("/qms/audits", response={201: AuditDetailOut}, auth=AUTHENTICATED)
def audit_plan(request: AuthenticatedHttpRequest, payload: AuditIn) -> Status[dict[str, Any]]:
    """Needs qms.manage in your institution: put an audit on the programme, with the default
    checklist of its clauses unless `with_checklist` is false."""
    institution = request.user.institution
    if institution is None:
        raise Forbidden(_("You belong to no institution; audits are planned for one."))
    data = payload.dict()
    lead = data.pop("lead_auditor")
    if not user_can(request.user, Perm.QMS_MANAGE, institution.pk):
        raise Forbidden(_("Planning audits needs the permission qms.manage."))
    audit = services.audit_plan(
        actor=request.user,
        institution=institution,
        lead_auditor=_member(lead, institution.pk, "lead_auditor"),
        **data,
    )
    return Status(201, _detail(audit))


@router.get("/qms/audits/{audit_id}", response=AuditDetailOut, auth=AUTHENTICATED)
def audit_detail(request: AuthenticatedHttpRequest, audit_id: int) -> dict[str, Any]:
    """Needs qms.view for the audit's institution: the audit, its checklist and findings."""
    return _detail(audit_or_404(request.user, audit_id))


@router.post("/qms/audits/{audit_id}/start", response=AuditDetailOut, auth=AUTHENTICATED)
def audit_start(
    request: AuthenticatedHttpRequest, audit_id: int, payload: StartIn
) -> dict[str, Any]:
    """Its lead auditor or qms.manage: planned → in progress."""
    audit = audit_or_404(request.user, audit_id)
    return _detail(
        services.audit_start(actor=request.user, audit=audit, started_on=payload.started_on)
    )


@router.post("/qms/audits/{audit_id}/checklist", response={201: ChecklistItemOut},
             auth=AUTHENTICATED)  # fmt: skip
def audit_question_add(
    request: AuthenticatedHttpRequest, audit_id: int, payload: QuestionIn
) -> Status[dict[str, Any]]:
    """Its lead auditor or qms.manage: one more checklist question."""
    audit = audit_or_404(request.user, audit_id)
    item = services.audit_checklist_add(
        actor=request.user,
        audit=audit,
        clause_id=payload.clause,
        question=payload.question,
        question_zh=payload.question_zh,
    )
    return Status(201, _item(item))


@router.post("/qms/audits/{audit_id}/checklist/{item_id}", response=ChecklistItemOut,
             auth=AUTHENTICATED)  # fmt: skip
def audit_answer(
    request: AuthenticatedHttpRequest, audit_id: int, item_id: int, payload: AnswerIn
) -> dict[str, Any]:
    """Its lead auditor or qms.manage: answer a question of an audit in progress."""
    audit = audit_or_404(request.user, audit_id)
    item = audit.checklist.filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("No such question in this audit's checklist"))
    return _item(
        services.audit_checklist_answer(
            actor=request.user, item=item, answer=payload.answer, evidence=payload.evidence
        )
    )


@router.post("/qms/audits/{audit_id}/findings", response={201: FindingOut}, auth=AUTHENTICATED)
def audit_finding_record(
    request: AuthenticatedHttpRequest, audit_id: int, payload: FindingIn
) -> Status[dict[str, Any]]:
    """Its lead auditor or qms.manage: record a finding; a major or minor one opens its CAPA
    when you hold qms.record."""
    audit = audit_or_404(request.user, audit_id)
    item = None
    if payload.checklist_item is not None:
        item = audit.checklist.filter(pk=payload.checklist_item).first()
        if item is None:
            raise InvalidInput(
                _("No such question in this audit's checklist"),
                fields={"checklist_item": [_("not of this audit")]},
            )
    finding = services.audit_finding_record(
        actor=request.user,
        audit=audit,
        grade=payload.grade,
        clause_id=payload.clause,
        description=payload.description,
        evidence=payload.evidence,
        checklist_item=item,
        capa_owner=_member(payload.capa_owner, audit.institution_id, "capa_owner"),
        capa_due_on=payload.capa_due_on,
    )
    return Status(201, _finding(finding))


def _finding_or_404(audit: Audit, finding_id: int) -> AuditFinding:
    finding = audit.findings.filter(pk=finding_id).first()
    if finding is None:
        raise NotFound(_("No such finding in this audit"))
    return finding


@router.post("/qms/audits/{audit_id}/findings/{finding_id}/grade", response=FindingOut,
             auth=AUTHENTICATED)  # fmt: skip
def audit_finding_grade(
    request: AuthenticatedHttpRequest, audit_id: int, finding_id: int, payload: GradeIn
) -> dict[str, Any]:
    """Needs qms.manage: change a finding's grade before the report is approved."""
    audit = audit_or_404(request.user, audit_id)
    finding = services.audit_finding_grade(
        actor=request.user,
        finding=_finding_or_404(audit, finding_id),
        grade=payload.grade,
        reason=payload.reason,
    )
    return _finding(finding)


@router.post("/qms/audits/{audit_id}/findings/{finding_id}/capa", response={201: FindingOut},
             auth=AUTHENTICATED)  # fmt: skip
def audit_finding_capa(
    request: AuthenticatedHttpRequest, audit_id: int, finding_id: int, payload: FindingCapaIn
) -> Status[dict[str, Any]]:
    """qms.record, and its lead auditor or qms.manage: open the finding's CAPA."""
    audit = audit_or_404(request.user, audit_id)
    finding = services.audit_finding_capa_raise(
        actor=request.user,
        finding=_finding_or_404(audit, finding_id),
        owner=_member(payload.owner, audit.institution_id, "owner"),
        due_on=payload.due_on,
    )
    return Status(201, _finding(finding))


@router.post("/qms/audits/{audit_id}/report", response=AuditDetailOut, auth=AUTHENTICATED)
def audit_report(
    request: AuthenticatedHttpRequest, audit_id: int, payload: ReportIn
) -> dict[str, Any]:
    """Its lead auditor or qms.manage: write the report and put it up for approval."""
    audit = audit_or_404(request.user, audit_id)
    return _detail(
        services.audit_report_submit(
            actor=request.user, audit=audit, summary=payload.summary, ended_on=payload.ended_on
        )
    )


@router.post("/qms/audits/{audit_id}/approve", response=AuditDetailOut, auth=AUTHENTICATED)
def audit_approve(
    request: AuthenticatedHttpRequest, audit_id: int, payload: AuditSignIn
) -> dict[str, Any]:
    """Needs qms.manage: approve the report by electronic signature (your password)."""
    audit = audit_or_404(request.user, audit_id)
    return _detail(
        services.audit_report_approve(actor=request.user, audit=audit, password=payload.password)
    )


@router.post("/qms/audits/{audit_id}/close", response=AuditDetailOut, auth=AUTHENTICATED)
def audit_close(request: AuthenticatedHttpRequest, audit_id: int) -> dict[str, Any]:
    """Needs qms.manage: close a reported audit once every finding's CAPA is closed (409
    naming those still open)."""
    audit = audit_or_404(request.user, audit_id)
    return _detail(services.audit_close(actor=request.user, audit=audit))


def _review(found: ManagementReview) -> dict[str, Any]:
    return {
        "id": found.pk,
        "number": found.number,
        "institution": found.institution.provider_code,
        "period_start": found.period_start,
        "period_end": found.period_end,
        "held_on": found.held_on,
        "attendees": [line for line in found.attendees.splitlines() if line.strip()],
        "decisions": found.decisions,
        "actions": found.actions,
        "inputs": found.inputs,
        "signed_by": found.signature.printed_name,
        "signed_at": found.signature.signed_at,
        "record_hash": found.signature.record_hash,
    }


@router.get("/qms/management-reviews", response=list[ReviewOut], auth=AUTHENTICATED)
def review_list(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """Needs qms.view: your institution's management reviews, newest first."""
    _viewer(request)
    return [_review(r) for r in visible_reviews(request.user)]


@router.get("/qms/management-reviews/inputs", response=InputsOut, auth=AUTHENTICATED)
def review_inputs(request: AuthenticatedHttpRequest, start: Day, end: Day) -> dict[str, Any]:
    """Needs qms.manage in your institution: the inputs a review of `start`–`end` would be
    given, gathered now from the records."""
    institution = request.user.institution
    if institution is None or not user_can(request.user, Perm.QMS_MANAGE, institution.pk):
        raise Forbidden(_("Management review inputs need the permission qms.manage."))
    return review.management_review_inputs(institution, start, end)


@router.post("/qms/management-reviews", response={201: ReviewOut}, auth=AUTHENTICATED)
def review_record(
    request: AuthenticatedHttpRequest, payload: ManagementReviewIn
) -> Status[dict[str, Any]]:
    """Needs qms.manage in your institution: record a review, its inputs frozen, signed with
    your password ("management review approved")."""
    institution = request.user.institution
    if institution is None:
        raise Forbidden(_("You belong to no institution; reviews are recorded for one."))
    recorded = review.management_review_record(
        actor=request.user, institution=institution, **payload.dict()
    )
    return Status(201, _review(recorded))


@router.get("/qms/management-reviews/{review_id}", response=ReviewOut, auth=AUTHENTICATED)
def review_detail(request: AuthenticatedHttpRequest, review_id: int) -> dict[str, Any]:
    """Needs qms.view for the review's institution: the review, its frozen inputs, signature."""
    return _review(review_or_404(request.user, review_id))
