"""Who may open the quality system's pages and call its API: qms.view to read (every staff role
but the access committee), the parts' own permissions to write, each in the record's
institution."""

import base64

from django.utils import timezone

from tests.conftest import PASSWORD
from tests.permissions import OTHERS, Case, Page
from tests.qms.documents_setup import PDF, sop_in

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
