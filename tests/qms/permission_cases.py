"""Who may open the quality system's pages and call its API: qms.view to read (every staff role
but the access committee), the parts' own permissions to write, each in the record's
institution."""

from tests.permissions import OTHERS, Page

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

API_CASES: list = []

PAGE_CASES = [
    Page("qms:home", "/qms/", QMS_VIEWERS),
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
