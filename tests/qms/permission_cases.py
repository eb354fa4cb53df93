"""Who may open the quality system's pages and call its API: qms.view to read (every staff role
but the access committee), the parts' own permissions to write, each in the record's
institution."""

import base64

from django.utils import timezone

from tests.conftest import PASSWORD
from tests.permissions import OTHERS, Case, Page
from tests.qms import competence_cases
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
from tests.qms.documents_setup import PDF, sop_in
from tests.qms.iqc_setups import (
    a_material_with_a_run,
    a_pending_round,
    a_questionable_round,
    a_scheme,
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
# Document control: readers of the bank's documents, their writers (qms.documents or
# qms.manage), the reviewers of a version the document controller drafted, and QA (qms.manage).
BANK_READERS = QMS_VIEWERS - OTHERS
WRITERS = {"qa_manager", "document_controller", "platform_admin"}
REVIEWERS = {"qa_manager", "platform_admin"}
QA = {"qa_manager", "platform_admin"}
DOC = "/api/v1/qms/documents/9101"
V1 = f"{DOC}/versions/1"
TODAY = timezone.localdate().isoformat()

API_CASES: list = [
    Case("GET", "/api/v1/qms/documents", QMS_VIEWERS, setup=sop_in("effective")),
    Case(
        "POST",
        "/api/v1/qms/documents",
        WRITERS | {"other_qa"},
        body={"number": "SOP-QC-009", "title": "Mycoplasma PCR", "kind": "sop"},
    ),
    Case("GET", "/api/v1/qms/documents/to-read", QMS_VIEWERS, setup=sop_in("effective")),
    Case(
        "GET",
        "/api/v1/qms/documents/{document_id}",
        BANK_READERS,
        path=DOC,
        setup=sop_in("effective"),
    ),
    Case(
        "POST",
        "/api/v1/qms/documents/{document_id}/versions",
        WRITERS,
        path=f"{DOC}/versions",
        body={"change_summary": "New medium"},
        setup=sop_in("effective"),
    ),
    Case(
        "PATCH",
        "/api/v1/qms/documents/{document_id}/versions/{number}",
        WRITERS,
        path=V1,
        body={"change_summary": "First issue"},
        setup=sop_in("draft"),
    ),
    Case(
        "POST",
        "/api/v1/qms/documents/{document_id}/versions/{number}/file",
        WRITERS,
        path=f"{V1}/file",
        body={"name": "sop.pdf", "content_base64": base64.b64encode(PDF).decode()},
        setup=sop_in("draft"),
    ),
    Case(
        "GET",
        "/api/v1/qms/documents/{document_id}/versions/{number}/file",
        BANK_READERS,
        path=f"{V1}/file",
        setup=sop_in("effective"),
    ),
    Case(
        "POST",
        "/api/v1/qms/documents/{document_id}/versions/{number}/submit",
        WRITERS,
        path=f"{V1}/submit",
        body={},
        setup=sop_in("draft"),
    ),
    Case(
        "POST",
        "/api/v1/qms/documents/{document_id}/versions/{number}/return",
        WRITERS,
        path=f"{V1}/return",
        body={"reason": "Step 4 unclear"},
        setup=sop_in("in_review"),
    ),
    Case(
        "POST",
        "/api/v1/qms/documents/{document_id}/versions/{number}/review",
        REVIEWERS,
        path=f"{V1}/review",
        body={"password": PASSWORD},
        setup=sop_in("in_review"),
    ),
    Case(
        "POST",
        "/api/v1/qms/documents/{document_id}/versions/{number}/approve",
        QA,
        path=f"{V1}/approve",
        body={"password": PASSWORD, "effective_from": TODAY, "retraining_required": True},
        setup=sop_in("reviewed"),
    ),
    Case(
        "POST",
        "/api/v1/qms/documents/{document_id}/versions/{number}/periodic-review",
        QA,
        path=f"{V1}/periodic-review",
        body={"password": PASSWORD, "outcome": "confirmed"},
        setup=sop_in("effective"),
    ),
    Case(
        "POST",
        "/api/v1/qms/documents/{document_id}/versions/{number}/acknowledge",
        BANK_READERS,
        path=f"{V1}/acknowledge",
        body={},
        setup=sop_in("effective"),
    ),
    Case(
        "GET",
        "/api/v1/qms/documents/{document_id}/versions/{number}/acknowledgements",
        BANK_READERS,
        path=f"{V1}/acknowledgements",
        setup=sop_in("effective"),
    ),
    Case(
        "GET",
        "/api/v1/qms/documents/{document_id}/versions/{number}/signatures",
        BANK_READERS,
        path=f"{V1}/signatures",
        setup=sop_in("effective"),
    ),
    Case(
        "POST",
        "/api/v1/qms/documents/{document_id}/withdraw",
        QA,
        path=f"{DOC}/withdraw",
        body={"reason": "Discontinued"},
        setup=sop_in("effective"),
    ),
]

PAGE_DOC = "/qms/documents/9101"
PAGE_V1 = f"{PAGE_DOC}/versions/1"

PAGE_CASES = [
    Page("qms:home", "/qms/", QMS_VIEWERS),
    Page("qms:documents_list", "/qms/documents/", QMS_VIEWERS, setup=sop_in("effective")),
    Page("qms:documents_create", "/qms/documents/new/", WRITERS | {"other_qa"}),
    Page(
        "qms:documents_to_read", "/qms/documents/to-read/", QMS_VIEWERS, setup=sop_in("effective")
    ),
    Page("qms:documents_detail", f"{PAGE_DOC}/", BANK_READERS, setup=sop_in("effective")),
    Page(
        "qms:documents_version_new",
        f"{PAGE_DOC}/versions/",
        WRITERS,
        method="POST",
        data={"change_summary": "New medium"},
        setup=sop_in("effective"),
    ),
    Page(
        "qms:documents_withdraw",
        f"{PAGE_DOC}/withdraw/",
        QA,
        method="POST",
        data={"reason": "Discontinued"},
        setup=sop_in("effective"),
    ),
    Page(
        "qms:documents_version_edit",
        f"{PAGE_V1}/edit/",
        WRITERS,
        method="POST",
        data={"change_summary": "First issue"},
        setup=sop_in("draft"),
    ),
    Page(
        "qms:documents_version_submit",
        f"{PAGE_V1}/submit/",
        WRITERS,
        method="POST",
        setup=sop_in("draft"),
    ),
    Page(
        "qms:documents_version_return",
        f"{PAGE_V1}/return/",
        WRITERS,
        method="POST",
        data={"reason": "Step 4 unclear"},
        setup=sop_in("in_review"),
    ),
    Page(
        "qms:documents_version_review",
        f"{PAGE_V1}/review/",
        REVIEWERS,
        method="POST",
        data={"password": PASSWORD},
        setup=sop_in("in_review"),
    ),
    Page(
        "qms:documents_version_approve",
        f"{PAGE_V1}/approve/",
        QA,
        method="POST",
        data={"password": PASSWORD, "effective_from": TODAY},
        setup=sop_in("reviewed"),
    ),
    Page(
        "qms:documents_periodic_review",
        f"{PAGE_V1}/periodic-review/",
        QA,
        method="POST",
        data={"password": PASSWORD, "outcome": "confirmed"},
        setup=sop_in("effective"),
    ),
    Page(
        "qms:documents_acknowledge",
        f"{PAGE_V1}/acknowledge/",
        BANK_READERS,
        method="POST",
        setup=sop_in("effective"),
    ),
    Page("qms:documents_file", f"{PAGE_V1}/file/", BANK_READERS, setup=sop_in("effective")),
]


# CAPA and complaints (qms/capa.py, qms/complaints.py): qms.view reads the institution's own;
# qms.record raises; the CAPA's owner (the technician here) or QA leads it; QA (qms.manage)
# verifies effectiveness, reassigns and closes.
from tests.conftest import PASSWORD  # noqa: E402
from tests.permissions import EVERYONE, Case  # noqa: E402
from tests.qms.capa_setups import (  # noqa: E402
    ACTION_ID,
    CAPA_ID,
    COMPLAINT_ID,
    a_complaint,
    action_with_evidence,
    actions_done,
    fixed_action,
    fixed_capa,
    found_effective,
    in_effectiveness,
    investigated,
    soon,
)

BANK_VIEWERS = QMS_VIEWERS - OTHERS
RECORDERS = {"bank_technician", "qa_manager", "platform_admin"}
LEADS = RECORDERS  # the technician owns CAPA 9101
MANAGERS = {"qa_manager", "platform_admin"}
CAPAS = "/api/v1/qms/capas"
CAPA = f"{CAPAS}/{CAPA_ID}"
COMPLAINTS = "/api/v1/qms/complaints"
COMPLAINT = f"{COMPLAINTS}/{COMPLAINT_ID}"
LATER = soon(30).isoformat()

API_CASES += [
    Case("GET", CAPAS, QMS_VIEWERS, setup=fixed_capa),
    Case(
        "POST",
        CAPAS,
        RECORDERS | {"other_technician", "other_qa"},
        body={"source": "deviation", "title": "Late thaw", "description": "Entered a day late"},
    ),
    Case("GET", f"{CAPAS}/{{capa_id}}", BANK_VIEWERS, path=CAPA, setup=fixed_capa),
    Case(
        "POST",
        f"{CAPAS}/{{capa_id}}/investigation",
        LEADS,
        path=f"{CAPA}/investigation",
        body={"problem_statement": "Late", "root_cause": "No reminder"},
        setup=fixed_capa,
    ),
    Case(
        "POST",
        f"{CAPAS}/{{capa_id}}/actions",
        LEADS,
        path=f"{CAPA}/actions",
        body={
            "kind": "corrective",
            "description": "Checklist",
            "owner": "bank_technician",
            "due_on": LATER,
        },
        setup=investigated,
    ),
    Case(
        "POST",
        "/api/v1/qms/capa-actions/{action_id}/done",
        LEADS,
        path=f"/api/v1/qms/capa-actions/{ACTION_ID}/done",
        body={"done_note": "Checklist SOP-017 v4"},
        setup=fixed_action,
    ),
    Case(
        "POST",
        f"{CAPAS}/{{capa_id}}/effectiveness-plan",
        LEADS,
        path=f"{CAPA}/effectiveness-plan",
        body={"criteria": "No late entry in 20 shipments", "due_on": LATER},
        setup=actions_done,
    ),
    Case(
        "POST",
        f"{CAPAS}/{{capa_id}}/effectiveness",
        MANAGERS,
        path=f"{CAPA}/effectiveness",
        body={"result": "effective", "note": "20 of 20"},
        setup=in_effectiveness,
    ),
    Case(
        "POST",
        f"{CAPAS}/{{capa_id}}/close",
        MANAGERS,
        path=f"{CAPA}/close",
        body={"password": PASSWORD},
        setup=found_effective,
    ),
    Case(
        "POST",
        f"{CAPAS}/{{capa_id}}/reassign",
        MANAGERS,
        path=f"{CAPA}/reassign",
        body={"due_on": LATER, "reason": "Supplier delay"},
        setup=fixed_capa,
    ),
    Case("GET", COMPLAINTS, QMS_VIEWERS, setup=a_complaint),
    Case(
        "POST",
        COMPLAINTS,
        RECORDERS | {"other_technician", "other_qa"},
        body={
            "complainant_kind": "hospital",
            "channel": "email",
            "received_on": soon(0).isoformat(),
            "description": "The unit arrived warm",
        },
    ),
    Case(
        "GET",
        f"{COMPLAINTS}/{{complaint_id}}",
        BANK_VIEWERS,
        path=COMPLAINT,
        setup=a_complaint,
    ),
    Case(
        "POST",
        f"{COMPLAINTS}/{{complaint_id}}/review",
        RECORDERS,
        path=f"{COMPLAINT}/review",
        body={},
        setup=a_complaint,
    ),
    Case(
        "POST",
        f"{COMPLAINTS}/{{complaint_id}}/capa",
        RECORDERS,
        path=f"{COMPLAINT}/capa",
        body={},
        setup=a_complaint,
    ),
    Case(
        "POST",
        f"{COMPLAINTS}/{{complaint_id}}/close",
        MANAGERS,
        path=f"{COMPLAINT}/close",
        body={"outcome": "Seal supplier changed; hospital told"},
        setup=a_complaint,
    ),
]

PAGE_CASES += [
    Page("qms:capa_list", "/qms/capa/", QMS_VIEWERS, setup=fixed_capa),
    Page("qms:capa_new", "/qms/capa/new/", RECORDERS | {"other_technician", "other_qa"}),
    Page("qms:capa_detail", f"/qms/capa/{CAPA_ID}/", BANK_VIEWERS, setup=fixed_capa),
    Page(
        "qms:capa_investigation",
        f"/qms/capa/{CAPA_ID}/investigation/",
        LEADS,
        method="POST",
        data={"problem_statement": "Late", "root_cause": "No reminder"},
        setup=fixed_capa,
    ),
    Page(
        "qms:capa_action_add",
        f"/qms/capa/{CAPA_ID}/actions/",
        LEADS,
        method="POST",
        data={
            "kind": "corrective",
            "description": "Checklist",
            "owner": "bank_technician",
            "due_on": LATER,
        },
        setup=investigated,
    ),
    Page(
        "qms:capa_action_done",
        f"/qms/capa/actions/{ACTION_ID}/done/",
        LEADS,
        method="POST",
        data={"done_note": "Checklist SOP-017 v4"},
        setup=fixed_action,
    ),
    Page(
        "qms:capa_action_evidence",
        f"/qms/capa/actions/{ACTION_ID}/evidence/",
        BANK_VIEWERS,
        setup=action_with_evidence,
    ),
    Page(
        "qms:capa_effectiveness_plan",
        f"/qms/capa/{CAPA_ID}/effectiveness-plan/",
        LEADS,
        method="POST",
        data={"effectiveness_criteria": "No late entry", "effectiveness_due_on": LATER},
        setup=actions_done,
    ),
    Page(
        "qms:capa_effectiveness",
        f"/qms/capa/{CAPA_ID}/effectiveness/",
        MANAGERS,
        method="POST",
        data={"result": "effective", "note": "20 of 20"},
        setup=in_effectiveness,
    ),
    Page(
        "qms:capa_close",
        f"/qms/capa/{CAPA_ID}/close/",
        MANAGERS,
        method="POST",
        data={"password": PASSWORD},
        setup=found_effective,
    ),
    Page(
        "qms:capa_reassign",
        f"/qms/capa/{CAPA_ID}/reassign/",
        MANAGERS,
        method="POST",
        data={"due_on": LATER, "reason": "Supplier delay"},
        setup=fixed_capa,
    ),
    Page("qms:complaint_list", "/qms/complaints/", QMS_VIEWERS, setup=a_complaint),
    Page("qms:complaint_new", "/qms/complaints/new/", RECORDERS | {"other_technician", "other_qa"}),
    Page(
        "qms:complaint_detail", f"/qms/complaints/{COMPLAINT_ID}/", BANK_VIEWERS, setup=a_complaint
    ),
    Page(
        "qms:complaint_review",
        f"/qms/complaints/{COMPLAINT_ID}/review/",
        RECORDERS,
        method="POST",
        setup=a_complaint,
    ),
    Page(
        "qms:complaint_capa",
        f"/qms/complaints/{COMPLAINT_ID}/capa/",
        RECORDERS,
        method="POST",
        setup=a_complaint,
    ),
    Page(
        "qms:complaint_close",
        f"/qms/complaints/{COMPLAINT_ID}/close/",
        MANAGERS,
        method="POST",
        data={"outcome": "Seal supplier changed; hospital told"},
        setup=a_complaint,
    ),
    Page("qms_public:complaint_form", "/complaints/", EVERYONE),
    Page("qms_public:complaint_sent", "/complaints/sent/", EVERYONE),
]

# qms.view at the bank only (a record of the bank).
BANK_VIEWERS = QMS_VIEWERS - OTHERS
# qms.manage, anywhere (planning for one's own institution) or at the bank.
MANAGERS = {"qa_manager", "platform_admin", "other_qa"}
BANK_MANAGERS = {"qa_manager", "platform_admin"}
# Who runs audit 9101: its lead auditor (the bank technician) and the bank's qms.manage.
RUNNERS = {"bank_technician"} | BANK_MANAGERS
YEAR_START, YEAR_END = "2025-01-01", "2025-12-31"

API_CASES += [
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

PAGE_CASES += [
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

API_CASES += competence_cases.api_cases(QMS_VIEWERS)
PAGE_CASES += [*competence_cases.PAGE_CASES, *competence_cases.page_cases(QMS_VIEWERS)]

RECORDERS = {"bank_technician", "qa_manager", "platform_admin"}
IQC_MANAGERS = {"qa_manager", "platform_admin"}
# Staff of another institution who hold the permission in their own institution.
OTHER_RECORDERS = {"other_technician", "other_qa"}
MATERIAL = {
    "assay": "endotoxin",
    "name": "Endotoxin control",
    "level": 1,
    "lot": "EC-1",
    "target_mean": 0.5,
    "target_sd": 0.05,
    "valid_from": "2026-01-01",
}
RUN = {"value": 92.1, "run_at": "2026-06-01T09:30:00+08:00"}
RESULT = {"result": 90.5, "assigned_value": 91.0, "sigma_pt": 2.0}
ROUND = {
    "scheme_id": 9201,
    "round_code": "2026-2",
    "sample_id": "V-02",
    "received_on": "2026-03-01",
    "due_on": "2026-03-20",
}

API_CASES += [
    Case("GET", "/api/v1/qms/iqc/materials", QMS_VIEWERS, setup=a_material_with_a_run),
    Case("POST", "/api/v1/qms/iqc/materials", IQC_MANAGERS | {"other_qa"}, body=MATERIAL),
    Case(
        "GET",
        "/api/v1/qms/iqc/materials/{material_id}/runs",
        QMS_VIEWERS - OTHERS,
        path="/api/v1/qms/iqc/materials/9101/runs",
        setup=a_material_with_a_run,
    ),
    Case(
        "POST",
        "/api/v1/qms/iqc/materials/{material_id}/runs",
        RECORDERS,
        path="/api/v1/qms/iqc/materials/9101/runs",
        body=RUN,
        setup=a_material_with_a_run,
    ),
    Case(
        "POST",
        "/api/v1/qms/iqc/runs/{run_id}/correction",
        RECORDERS,
        path="/api/v1/qms/iqc/runs/9111/correction",
        body={"value": 92.2, "reason": "transcription error"},
        setup=a_material_with_a_run,
    ),
    Case("GET", "/api/v1/qms/proficiency/schemes", QMS_VIEWERS, setup=a_scheme),
    Case(
        "POST",
        "/api/v1/qms/proficiency/schemes",
        IQC_MANAGERS | {"other_qa"},
        body={"provider": "UK NEQAS", "name": "CD34+ stem cell enumeration", "assay": "cd34_count"},
    ),
    Case("GET", "/api/v1/qms/proficiency/rounds", QMS_VIEWERS, setup=a_pending_round),
    Case("POST", "/api/v1/qms/proficiency/rounds", RECORDERS, body=ROUND, setup=a_scheme),
    Case(
        "POST",
        "/api/v1/qms/proficiency/rounds/{round_id}/result",
        RECORDERS,
        path="/api/v1/qms/proficiency/rounds/9301/result",
        body=RESULT,
        setup=a_pending_round,
    ),
    Case(
        "POST",
        "/api/v1/qms/proficiency/rounds/{round_id}/review",
        IQC_MANAGERS,
        path="/api/v1/qms/proficiency/rounds/9301/review",
        body={"note": "Pipette recalibrated; within limits since."},
        setup=a_questionable_round,
    ),
]

PAGE_CASES += [
    Page("qms:iqc_overview", "/qms/iqc/", QMS_VIEWERS, setup=a_material_with_a_run),
    Page(
        "qms:iqc_material_define",
        "/qms/iqc/materials/",
        IQC_MANAGERS | {"other_qa"},
        method="POST",
        data={**MATERIAL, "target_mean": "0.5", "target_sd": "0.05", "level": "1"},
    ),
    Page(
        "qms:iqc_material",
        "/qms/iqc/materials/9101/",
        QMS_VIEWERS - OTHERS,
        setup=a_material_with_a_run,
    ),
    Page(
        "qms:iqc_run_record",
        "/qms/iqc/materials/9101/runs/",
        RECORDERS,
        method="POST",
        data={"value": "92.1", "run_on": "2026-06-01", "run_time": "09:30"},
        setup=a_material_with_a_run,
    ),
    Page("qms:pt_list", "/qms/proficiency/", QMS_VIEWERS, setup=a_pending_round),
    Page(
        "qms:pt_scheme_create",
        "/qms/proficiency/schemes/",
        IQC_MANAGERS | {"other_qa"},
        method="POST",
        data={"provider": "UK NEQAS", "name": "CD34+ enumeration", "assay": "cd34_count"},
    ),
    Page(
        "qms:pt_round_register",
        "/qms/proficiency/rounds/",
        RECORDERS,
        method="POST",
        data={
            "scheme": "9201",
            "round_code": "2026-2",
            "sample_id": "V-02",
            "received_on": "2026-03-01",
            "due_on": "2026-03-20",
        },
        setup=a_scheme,
    ),
    Page(
        "qms:pt_result_enter",
        "/qms/proficiency/rounds/9301/result/",
        RECORDERS,
        method="POST",
        data={"result": "90.5", "assigned_value": "91", "sigma_pt": "2"},
        setup=a_pending_round,
    ),
    Page(
        "qms:pt_round_review",
        "/qms/proficiency/rounds/9301/review/",
        IQC_MANAGERS,
        method="POST",
        data={"note": "Pipette recalibrated."},
        setup=a_questionable_round,
    ),
]
