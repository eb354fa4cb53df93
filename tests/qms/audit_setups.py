"""Audits the tests share: the bank's audit 9101 (lead auditor: the bank technician) covering
clauses 6.5 and 8.4, with checklist question 9201 and an observation 9301, brought to a state
through the services; and the bank's management review 9401 of last year."""

import datetime
from typing import Any

from django.utils import timezone

from stemhub.audit.context import audit_context
from stemhub.qms import audits as services
from stemhub.qms.models import Audit, AuditChecklistItem, AuditFinding, ManagementReview
from stemhub.qms.review import management_review_inputs
from stemhub.qms.signing import signature_write
from stemhub.quality.models import Signature
from tests.conftest import PASSWORD

AUDIT_ID, ITEM_ID, FINDING_ID, REVIEW_ID = 9101, 9201, 9301, 9401
AUDIT = f"/api/v1/qms/audits/{AUDIT_ID}"


def planned(users: dict[str, Any], **values: Any) -> Audit:
    qa = users["qa_manager"]
    fields = {
        "kind": "internal",
        "title": "Equipment and records",
        "clauses": ["6.5", "8.4"],
        "planned_on": timezone.localdate() + datetime.timedelta(days=10),
        "lead_auditor": users["bank_technician"],
    } | values
    with audit_context(actor=qa, reason="test setup"):
        audit = Audit.objects.create(
            pk=AUDIT_ID, institution=qa.institution, created_by=qa, **fields
        )
        AuditChecklistItem.objects.create(
            pk=ITEM_ID,
            audit=audit,
            position=1,
            clause="6.5",
            question="Is every instrument calibrated?",
        )
    return audit


def in_progress(users: dict[str, Any]) -> Audit:
    audit = services.audit_start(actor=users["qa_manager"], audit=planned(users))
    with audit_context(actor=users["qa_manager"], reason="test setup"):
        AuditFinding.objects.create(
            pk=FINDING_ID,
            audit=audit,
            number=1,
            grade="observation",
            clause="8.4",
            description="Two logbooks kept side by side",
            recorded_by=users["bank_technician"],
        )
    return audit


def report_submitted(users: dict[str, Any]) -> Audit:
    return services.audit_report_submit(
        actor=users["bank_technician"], audit=in_progress(users), summary="One observation."
    )


def reported(users: dict[str, Any]) -> Audit:
    return services.audit_report_approve(
        actor=users["qa_manager"], audit=report_submitted(users), password=PASSWORD
    )


def a_planned_audit(users: dict[str, Any]) -> None:
    planned(users)


def an_audit_in_progress(users: dict[str, Any]) -> None:
    in_progress(users)


def a_submitted_report(users: dict[str, Any]) -> None:
    report_submitted(users)


def a_reported_audit(users: dict[str, Any]) -> None:
    reported(users)


def a_review(users: dict[str, Any]) -> None:
    qa = users["qa_manager"]
    year = timezone.localdate().year - 1
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    with audit_context(actor=qa, reason="test setup"):
        signature = signature_write(
            actor=qa, meaning=Signature.Meaning.MANAGEMENT_REVIEW, record={"review": "test"}
        )
        ManagementReview.objects.create(
            pk=REVIEW_ID,
            institution=qa.institution,
            period_start=start,
            period_end=end,
            held_on=end,
            attendees="Director\nQA manager",
            inputs=management_review_inputs(qa.institution, start, end),
            decisions="Keep the programme.",
            signature=signature,
            recorded_by=qa,
        )
