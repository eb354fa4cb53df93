"""Who may open the quality system's pages and call its API: qms.view to read (every staff role
but the access committee), the parts' own permissions to write, each in the record's
institution."""

from tests.conftest import PASSWORD
from tests.permissions import OTHERS, Case, Page
from tests.qms.audit_setups import (
    AUDIT,
    AUDIT_ID,
    FINDING_ID,
    ITEM_ID,
    REVIEW_ID,
    a_planned_audit,
    a_reported_audit,
    a_review,
    a_submitted_report,
    an_audit_in_progress,
)

# Everyone holding qms.view, at the bank or elsewhere (the pages show one's own institution).
QMS_VIEWERS = {
    "curator",
    "bank_technician",
    "qa_manager",
    "search_coordinator",
    "institution_admin",
    "document_controller",
    "trainer",
    "platform_admin",
} | OTHERS

# qms.view at the bank only (a record of the bank).
BANK_VIEWERS = QMS_VIEWERS - OTHERS
# qms.manage, anywhere (planning for one's own institution) or at the bank.
MANAGERS = {"qa_manager", "platform_admin", "other_qa"}
BANK_MANAGERS = {"qa_manager", "platform_admin"}
# Who runs audit 9101: its lead auditor (the bank technician) and the bank's qms.manage.
RUNNERS = {"bank_technician"} | BANK_MANAGERS
YEAR_START, YEAR_END = "2025-01-01", "2025-12-31"

API_CASES: list = [
    Case("GET", "/api/v1/qms/clauses", QMS_VIEWERS),
    Case("GET", "/api/v1/qms/audits", QMS_VIEWERS, setup=a_planned_audit),
    Case(
        "POST",
        "/api/v1/qms/audits",
        MANAGERS,
        body={
            "kind": "external",
            "title": "CNAS surveillance",
            "clauses": ["8.8", "8.9"],
            "planned_on": "2026-11-03",
            "external_body": "CNAS",
        },
    ),
    Case("GET", "/api/v1/qms/audits/{audit_id}", BANK_VIEWERS, path=AUDIT, setup=a_planned_audit),
    Case(
        "POST",
        "/api/v1/qms/audits/{audit_id}/start",
        RUNNERS,
        path=f"{AUDIT}/start",
        body={},
        setup=a_planned_audit,
    ),
    Case(
        "POST",
        "/api/v1/qms/audits/{audit_id}/checklist",
        RUNNERS,
        path=f"{AUDIT}/checklist",
        body={"clause": "6.5", "question": "Are labels legible?"},
        setup=an_audit_in_progress,
    ),
    Case(
        "POST",
        "/api/v1/qms/audits/{audit_id}/checklist/{item_id}",
        RUNNERS,
        path=f"{AUDIT}/checklist/{ITEM_ID}",
        body={"answer": "conform", "evidence": "Certificates seen"},
        setup=an_audit_in_progress,
    ),
    Case(
        "POST",
        "/api/v1/qms/audits/{audit_id}/findings",
        RUNNERS,
        path=f"{AUDIT}/findings",
        body={"grade": "minor", "clause": "6.5", "description": "Centrifuge overdue"},
        setup=an_audit_in_progress,
    ),
    Case(
        "POST",
        "/api/v1/qms/audits/{audit_id}/findings/{finding_id}/grade",
        BANK_MANAGERS,
        path=f"{AUDIT}/findings/{FINDING_ID}/grade",
        body={"grade": "minor", "reason": "Recurs from last year"},
        setup=an_audit_in_progress,
    ),
    Case(
        "POST",
        "/api/v1/qms/audits/{audit_id}/findings/{finding_id}/capa",
        RUNNERS,
        path=f"{AUDIT}/findings/{FINDING_ID}/capa",
        body={},
        setup=an_audit_in_progress,
    ),
    Case(
        "POST",
        "/api/v1/qms/audits/{audit_id}/report",
        RUNNERS,
        path=f"{AUDIT}/report",
        body={"summary": "One observation."},
        setup=an_audit_in_progress,
    ),
    Case(
        "POST",
        "/api/v1/qms/audits/{audit_id}/approve",
        BANK_MANAGERS,
        path=f"{AUDIT}/approve",
        body={"password": PASSWORD},
        setup=a_submitted_report,
    ),
    Case(
        "POST",
        "/api/v1/qms/audits/{audit_id}/close",
        BANK_MANAGERS,
        path=f"{AUDIT}/close",
        setup=a_reported_audit,
    ),
    Case("GET", "/api/v1/qms/management-reviews", QMS_VIEWERS, setup=a_review),
    Case(
        "GET",
        "/api/v1/qms/management-reviews/inputs",
        MANAGERS,
        path=f"/api/v1/qms/management-reviews/inputs?start={YEAR_START}&end={YEAR_END}",
    ),
    Case(
        "POST",
        "/api/v1/qms/management-reviews",
        MANAGERS,
        body={
            "period_start": YEAR_START,
            "period_end": YEAR_END,
            "held_on": "2026-01-20",
            "attendees": "Director",
            "decisions": "Keep the programme.",
            "password": PASSWORD,
        },
    ),
    Case(
        "GET",
        "/api/v1/qms/management-reviews/{review_id}",
        BANK_VIEWERS,
        path=f"/api/v1/qms/management-reviews/{REVIEW_ID}",
        setup=a_review,
    ),
]

PAGE_CASES = [
    Page("qms:home", "/qms/", QMS_VIEWERS),
    Page("qms:audits_programme", "/qms/audits/", QMS_VIEWERS, setup=a_planned_audit),
    Page("qms:audits_new", "/qms/audits/new/", MANAGERS),
    Page("qms:audits_detail", f"/qms/audits/{AUDIT_ID}/", BANK_VIEWERS, setup=an_audit_in_progress),
    Page(
        "qms:audits_start",
        f"/qms/audits/{AUDIT_ID}/start/",
        RUNNERS,
        method="POST",
        setup=a_planned_audit,
    ),
    Page(
        "qms:audits_answer",
        f"/qms/audits/{AUDIT_ID}/checklist/{ITEM_ID}/",
        RUNNERS,
        method="POST",
        data={"answer": "conform", "evidence": "Certificates seen"},
        setup=an_audit_in_progress,
    ),
    Page(
        "qms:audits_question_add",
        f"/qms/audits/{AUDIT_ID}/checklist/add/",
        RUNNERS,
        method="POST",
        data={"clause": "6.5", "question": "Are labels legible?"},
        setup=an_audit_in_progress,
    ),
    Page(
        "qms:audits_finding_record",
        f"/qms/audits/{AUDIT_ID}/findings/",
        RUNNERS,
        method="POST",
        data={"grade": "minor", "clause": "6.5", "description": "Centrifuge overdue"},
        setup=an_audit_in_progress,
    ),
    Page(
        "qms:audits_finding_grade",
        f"/qms/audits/{AUDIT_ID}/findings/{FINDING_ID}/grade/",
        BANK_MANAGERS,
        method="POST",
        data={"grade": "minor", "reason": "Recurs from last year"},
        setup=an_audit_in_progress,
    ),
    Page(
        "qms:audits_finding_capa",
        f"/qms/audits/{AUDIT_ID}/findings/{FINDING_ID}/capa/",
        RUNNERS,
        method="POST",
        setup=an_audit_in_progress,
    ),
    Page(
        "qms:audits_report",
        f"/qms/audits/{AUDIT_ID}/report/",
        RUNNERS,
        method="POST",
        data={"report_summary": "One observation."},
        setup=an_audit_in_progress,
    ),
    Page(
        "qms:audits_approve",
        f"/qms/audits/{AUDIT_ID}/approve/",
        BANK_MANAGERS,
        method="POST",
        data={"password": PASSWORD},
        setup=a_submitted_report,
    ),
    Page(
        "qms:audits_close",
        f"/qms/audits/{AUDIT_ID}/close/",
        BANK_MANAGERS,
        method="POST",
        setup=a_reported_audit,
    ),
    Page("qms:audits_reviews", "/qms/reviews/", QMS_VIEWERS, setup=a_review),
    Page("qms:audits_review_new", "/qms/reviews/new/", MANAGERS),
    Page(
        "qms:audits_review_detail",
        f"/qms/reviews/{REVIEW_ID}/",
        BANK_VIEWERS,
        setup=a_review,
    ),
]
