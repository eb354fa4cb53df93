"""Audits (ISO 20387 8.8): plan an audit (qms.manage), run it (its lead auditor or qms.manage):
answer its checklist, record and grade findings, raise their CAPAs; report it, approve the
report by signature (qms.manage), and close it once every finding's CAPA is closed.

Each function is atomic, checks permission first, locks the audit it changes and writes under
an audit context. The management review's inputs and record are in `qms.review`.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from stemhub.accounts.models import Institution, User
from stemhub.accounts.permissions import Perm, require, user_can
from stemhub.audit.context import audit_context
from stemhub.core.errors import Conflict, Forbidden, InvalidInput, full_clean
from stemhub.core.names import said
from stemhub.qms.capa import capa_open
from stemhub.qms.clauses import clause, unknown_clauses
from stemhub.qms.models import (
    Audit,
    AuditChecklistItem,
    AuditFinding,
    AuditKind,
    AuditStatus,
    CapaSource,
    CapaStatus,
    ChecklistAnswer,
)
from stemhub.qms.models.audits import GRADES_NEEDING_CAPA
from stemhub.qms.signing import signature_write, signing_password_check
from stemhub.quality.models import Signature

OPEN_STATES = (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS)


def default_checklist(clause_ids: Iterable[str]) -> list[tuple[str, str, str]]:
    """(clause, question, question in Chinese) for each question of each clause, in order."""
    return [
        (found.id, q.en, q.zh)
        for found in (clause(c) for c in clause_ids)
        if found is not None
        for q in found.questions
    ]


def _clauses(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [part for part in value.replace(",", " ").split() if part]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(
            _("List the clauses as numbers, such as 7.10"),
            fields={"clauses": [_("a list of clause numbers")]},
        )
    ids = list(dict.fromkeys(v.strip() for v in value))
    if not ids:
        raise InvalidInput(
            _("Name at least one clause the audit covers"), fields={"clauses": [_("required")]}
        )
    unknown = unknown_clauses(ids)
    if unknown:
        raise InvalidInput(
            _("Not clauses of ISO 20387:2018: %(ids)s") % {"ids": ", ".join(unknown)},
            fields={"clauses": [_("unknown clause")]},
        )
    return ids


def _locked(audit: Audit) -> Audit:
    return Audit.objects.select_for_update().select_related("institution").get(pk=audit.pk)


def may_run(actor: Any, audit: Audit) -> bool:
    """Its lead auditor (still of the institution) or a QA manager of it."""
    if user_can(actor, Perm.QMS_MANAGE, audit.institution_id):
        return True
    return bool(
        audit.lead_auditor_id is not None
        and actor.pk == audit.lead_auditor_id
        and user_can(actor, Perm.QMS_VIEW, audit.institution_id)
    )


def findings_missing_capa(findings: Iterable[AuditFinding]) -> list[AuditFinding]:
    """The major and minor findings with no CAPA yet: the report is not approved while any."""
    return [f for f in findings if f.needs_capa]


def findings_with_capa_open(findings: Iterable[AuditFinding]) -> list[AuditFinding]:
    """The findings whose CAPA is not closed yet: the audit is not closed while any."""
    return [f for f in findings if f.capa is not None and f.capa.status != CapaStatus.CLOSED]


def _require_runner(actor: Any, audit: Audit) -> None:
    if not may_run(actor, audit):
        raise Forbidden(
            _("Only the audit's lead auditor or a holder of %(perm)s may record its work.")
            % {"perm": Perm.QMS_MANAGE}
        )


def _require_status(audit: Audit, *allowed: str) -> None:
    if audit.status not in allowed:
        raise Conflict(
            _("%(audit)s is %(status)s: this cannot be done now.")
            % {"audit": audit.number, "status": audit.get_status_display()},
            fields={"status": [audit.status]},
        )


def _lead_auditor(lead_auditor: User | None, institution_id: int) -> None:
    if lead_auditor is not None and (
        lead_auditor.institution_id != institution_id or not lead_auditor.is_active
    ):
        raise InvalidInput(
            _("The lead auditor must be an active member of the institution."),
            fields={"lead_auditor": [_("not a member of the institution")]},
        )


@transaction.atomic
def audit_plan(
    *,
    actor: User,
    institution: Institution,
    kind: str,
    title: str,
    clauses: Any,
    planned_on: datetime.date,
    title_zh: str = "",
    area: str = "",
    lead_auditor: User | None = None,
    external_body: str = "",
    with_checklist: bool = True,
) -> Audit:
    """Put an audit on the programme, with the default checklist of the clauses it covers
    (the supported clauses' questions). Needs qms.manage in the institution."""
    require(actor, Perm.QMS_MANAGE, institution.pk)
    ids = _clauses(clauses)
    _lead_auditor(lead_auditor, institution.pk)
    if kind == AuditKind.INTERNAL and lead_auditor is None:
        raise InvalidInput(
            _("An internal audit needs a lead auditor."),
            fields={"lead_auditor": [_("required")]},
        )
    if lead_auditor is None and not external_body.strip():
        raise InvalidInput(
            _("Name the lead auditor or the external body."),
            fields={"external_body": [_("required")]},
        )
    audit = Audit(
        institution=institution,
        kind=kind,
        title=title.strip(),
        title_zh=title_zh.strip(),
        clauses=ids,
        area=area.strip(),
        planned_on=planned_on,
        lead_auditor=lead_auditor,
        external_body=external_body.strip(),
        created_by=actor,
    )
    full_clean(audit, validate_constraints=True)
    with audit_context(actor=actor, reason="Audit planned"):
        audit.save()
        if with_checklist:
            AuditChecklistItem.objects.bulk_create(
                AuditChecklistItem(audit=audit, position=n, clause=cid, question=en, question_zh=zh)
                for n, (cid, en, zh) in enumerate(default_checklist(ids), start=1)
            )
    return audit


@transaction.atomic
def audit_start(*, actor: User, audit: Audit, started_on: datetime.date | None = None) -> Audit:
    """Planned → in progress, from `started_on` (today by default)."""
    audit = _locked(audit)
    _require_runner(actor, audit)
    _require_status(audit, AuditStatus.PLANNED)
    audit.started_on = started_on or timezone.localdate()
    audit.status = AuditStatus.IN_PROGRESS
    full_clean(audit, validate_constraints=True)
    with audit_context(actor=actor, reason="Audit started"):
        audit.save(update_fields=["started_on", "status"])
    return audit


@transaction.atomic
def audit_checklist_add(
    *, actor: User, audit: Audit, clause_id: str, question: str, question_zh: str = ""
) -> AuditChecklistItem:
    """One more question, for a clause of the standard, at the end of the checklist."""
    audit = _locked(audit)
    _require_runner(actor, audit)
    _require_status(audit, *OPEN_STATES)
    last = audit.checklist.aggregate(last=Max("position"))["last"] or 0
    item = AuditChecklistItem(
        audit=audit,
        position=last + 1,
        clause=clause_id.strip(),
        question=question.strip(),
        question_zh=question_zh.strip(),
    )
    full_clean(item, validate_constraints=False)
    with audit_context(actor=actor, reason="Checklist question added"):
        item.save()
    return item


@transaction.atomic
def audit_checklist_answer(
    *, actor: User, item: AuditChecklistItem, answer: str, evidence: str = ""
) -> AuditChecklistItem:
    """Answer a question of an audit in progress: conforms, does not conform (with the
    evidence), not applicable, or not checked."""
    audit = _locked(item.audit)
    _require_runner(actor, audit)
    _require_status(audit, AuditStatus.IN_PROGRESS)
    if answer not in ChecklistAnswer.values:
        raise InvalidInput(
            _("Unknown answer %(value)s") % {"value": answer},
            fields={"answer": [_("unknown value")]},
        )
    item = AuditChecklistItem.objects.select_for_update().get(pk=item.pk)
    evidence = evidence.strip()
    if answer == ChecklistAnswer.NONCONFORM and not evidence:
        raise InvalidInput(
            _("State the evidence of the nonconformity."), fields={"evidence": [_("required")]}
        )
    item.answer, item.evidence = answer, evidence
    item.answered_by = actor if answer != ChecklistAnswer.NOT_CHECKED else None
    item.answered_at = timezone.now() if item.answered_by else None
    full_clean(item, validate_constraints=False)
    with audit_context(actor=actor, reason="Checklist answered"):
        item.save()
    return item


def _open_capa(
    *, actor: User, finding: AuditFinding, owner: User | None, due_on: datetime.date | None
) -> AuditFinding:
    audit = finding.audit
    if owner is not None and owner.institution_id != audit.institution_id:
        raise InvalidInput(
            _("The CAPA's owner must be a member of the institution."),
            fields={"capa_owner": [_("not a member of the institution")]},
        )
    capa = capa_open(
        actor=actor,
        institution_id=audit.institution_id,
        source=CapaSource.AUDIT_FINDING,
        source_id=finding.pk,
        source_label=finding.label,
        title=said(
            lambda: (
                _("%(finding)s (%(grade)s, clause %(clause)s)")
                % {
                    "finding": finding.label,
                    "grade": finding.get_grade_display(),
                    "clause": finding.clause,
                }
            )
        ),
        description=finding.description,
        owner=owner,
        due_on=due_on,
    )
    finding.capa = capa
    finding.save(update_fields=["capa"])
    return finding


@transaction.atomic
def audit_finding_record(
    *,
    actor: User,
    audit: Audit,
    grade: str,
    clause_id: str,
    description: str,
    evidence: str = "",
    checklist_item: AuditChecklistItem | None = None,
    capa_owner: User | None = None,
    capa_due_on: datetime.date | None = None,
) -> AuditFinding:
    """Record a finding of an audit in progress. A major or minor one opens its CAPA at once
    when the actor may raise CAPAs (qms.record); otherwise it waits for someone who may
    (`audit_finding_capa_raise`), and the report cannot be approved until then."""
    audit = _locked(audit)
    _require_runner(actor, audit)
    _require_status(audit, AuditStatus.IN_PROGRESS)
    if checklist_item is not None and checklist_item.audit_id != audit.pk:
        raise InvalidInput(
            _("That question belongs to another audit."),
            fields={"checklist_item": [_("not of this audit")]},
        )
    number = (audit.findings.aggregate(last=Max("number"))["last"] or 0) + 1
    finding = AuditFinding(
        audit=audit,
        number=number,
        grade=grade,
        clause=clause_id.strip(),
        description=description.strip(),
        evidence=evidence.strip(),
        checklist_item=checklist_item,
        recorded_by=actor,
    )
    full_clean(finding, validate_constraints=False, exclude=("capa",))
    with audit_context(actor=actor, reason="Audit finding recorded"):
        finding.save()
        if grade in GRADES_NEEDING_CAPA and user_can(actor, Perm.QMS_RECORD, audit.institution_id):
            _open_capa(actor=actor, finding=finding, owner=capa_owner, due_on=capa_due_on)
    return finding


def _finding_locked(finding: AuditFinding) -> tuple[Audit, AuditFinding]:
    audit = _locked(finding.audit)
    locked = AuditFinding.objects.select_for_update().get(pk=finding.pk)
    locked.audit = audit
    return audit, locked


@transaction.atomic
def audit_finding_grade(
    *, actor: User, finding: AuditFinding, grade: str, reason: str
) -> AuditFinding:
    """Change a finding's grade before the report is approved (qms.manage); a finding raised
    to major or minor opens its CAPA."""
    audit, finding = _finding_locked(finding)
    require(actor, Perm.QMS_MANAGE, audit.institution_id)
    _require_status(audit, AuditStatus.IN_PROGRESS)
    if not reason.strip():
        raise InvalidInput(_("Say why the grade changes."), fields={"reason": [_("required")]})
    finding.grade = grade
    full_clean(finding, validate_constraints=False, exclude=("capa",))
    with audit_context(actor=actor, reason=reason.strip()):
        finding.save(update_fields=["grade"])
        if finding.needs_capa:
            _open_capa(actor=actor, finding=finding, owner=None, due_on=None)
    return finding


@transaction.atomic
def audit_finding_capa_raise(
    *,
    actor: User,
    finding: AuditFinding,
    owner: User | None = None,
    due_on: datetime.date | None = None,
) -> AuditFinding:
    """Open the CAPA of a finding that has none (any grade; an observation's is optional).
    Needs qms.record, and to run the audit or qms.manage."""
    audit, finding = _finding_locked(finding)
    _require_runner(actor, audit)
    if finding.capa_id is not None:
        raise Conflict(
            _("%(finding)s already has its CAPA.") % {"finding": finding.label},
            fields={"capa": [_("already raised")]},
        )
    _require_status(audit, AuditStatus.IN_PROGRESS, AuditStatus.REPORTED)
    with audit_context(actor=actor, reason="CAPA raised for an audit finding"):
        return _open_capa(actor=actor, finding=finding, owner=owner, due_on=due_on)


@transaction.atomic
def audit_report_submit(
    *, actor: User, audit: Audit, summary: str, ended_on: datetime.date | None = None
) -> Audit:
    """Write the report of an audit in progress and put it up for approval; it may be
    rewritten until it is approved."""
    audit = _locked(audit)
    _require_runner(actor, audit)
    _require_status(audit, AuditStatus.IN_PROGRESS)
    if not summary.strip():
        raise InvalidInput(
            _("Write the report's summary."), fields={"report_summary": [_("required")]}
        )
    audit.report_summary = summary.strip()
    audit.ended_on = ended_on or timezone.localdate()
    if audit.started_on is not None and audit.ended_on < audit.started_on:
        raise InvalidInput(
            _("The audit cannot end on %(end)s, before it started on %(start)s.")
            % {"end": audit.ended_on, "start": audit.started_on},
            fields={"ended_on": [_("before the audit started")]},
        )
    audit.report_submitted_at = timezone.now()
    full_clean(audit, validate_constraints=True)
    with audit_context(actor=actor, reason="Audit report submitted"):
        audit.save(update_fields=["report_summary", "ended_on", "report_submitted_at"])
    return audit


def audit_report_record(audit: Audit) -> dict[str, Any]:
    """What the report's approval signs: the audit, its summary, every checklist answer and
    every finding with its CAPA."""
    return {
        "audit": audit.number,
        "institution": audit.institution.provider_code,
        "kind": audit.kind,
        "title": audit.title,
        "clauses": list(audit.clauses),
        "area": audit.area,
        "auditor": audit.auditor_name,
        "started_on": f"{audit.started_on:%Y-%m-%d}" if audit.started_on else None,
        "ended_on": f"{audit.ended_on:%Y-%m-%d}" if audit.ended_on else None,
        "summary": audit.report_summary,
        "checklist": [
            {"clause": i.clause, "question": i.question, "answer": i.answer, "evidence": i.evidence}
            for i in audit.checklist.order_by("position")
        ],
        "findings": [
            {
                "finding": f.label,
                "grade": f.grade,
                "clause": f.clause,
                "description": f.description,
                "evidence": f.evidence,
                "capa": f.capa.number if f.capa else None,
            }
            for f in audit.findings.select_related("capa").order_by("number")
        ],
    }


def audit_report_approve(*, actor: User, audit: Audit, password: str) -> Audit:
    """Approve the submitted report by electronic signature ("audit report approved"):
    qms.manage; every major and minor finding must have its CAPA (else 409 naming them)."""
    require(actor, Perm.QMS_MANAGE, audit.institution_id)
    signing_password_check(actor, password)
    with transaction.atomic():
        audit = _locked(audit)
        _require_status(audit, AuditStatus.IN_PROGRESS)
        if audit.report_submitted_at is None or not audit.report_summary:
            raise Conflict(
                _("%(audit)s has no report to approve yet.") % {"audit": audit.number},
                fields={"report_summary": [_("not submitted")]},
            )
        missing = [f.label for f in findings_missing_capa(audit.findings.order_by("number"))]
        if missing:
            raise Conflict(
                _("Raise the CAPA of every major and minor finding first: %(findings)s")
                % {"findings": ", ".join(missing)},
                fields={"findings": missing},
            )
        with audit_context(actor=actor, reason="Audit report approved"):
            audit.report_signature = signature_write(
                actor=actor,
                meaning=Signature.Meaning.AUDIT_REPORT,
                record=audit_report_record(audit),
            )
            audit.status = AuditStatus.REPORTED
            full_clean(audit, validate_constraints=True)
            audit.save(update_fields=["report_signature", "status"])
    return audit


@transaction.atomic
def audit_close(*, actor: User, audit: Audit) -> Audit:
    """Close a reported audit once the CAPA of every finding is closed (qms.manage); else 409
    naming the findings whose CAPA is still open."""
    audit = _locked(audit)
    require(actor, Perm.QMS_MANAGE, audit.institution_id)
    _require_status(audit, AuditStatus.REPORTED)
    still_open = [
        f"{f.label} ({f.capa.number})"
        for f in findings_with_capa_open(audit.findings.select_related("capa").order_by("number"))
        if f.capa is not None
    ]
    if still_open:
        raise Conflict(
            _("These findings' CAPAs are still open: %(findings)s")
            % {"findings": ", ".join(still_open)},
            fields={"findings": still_open},
        )
    audit.status = AuditStatus.CLOSED
    audit.closed_at = timezone.now()
    with audit_context(actor=actor, reason="Audit closed"):
        audit.save(update_fields=["status", "closed_at"])
    return audit
