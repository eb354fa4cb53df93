"""The document pages: the list (filters, overdue first), a document's page with the form of
each step shown only to who may take it, errors on their form with what was typed, and the
workflow clicked through."""

import datetime

import pytest
from django.utils import timezone

from stemhub.qms.models import DocumentVersion, VersionStatus
from tests.conftest import PASSWORD
from tests.qms.documents_setup import advance, drafted, sop

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
FORMS = ("edit-form", "submit-form", "review-form", "approve-form", "return-form",
         "periodic-form", "draft-form", "withdraw-form", "acknowledge-form")  # fmt: skip


def forms_on(client, url: str) -> set[str]:
    page = client.get(url).content.decode()
    return {form for form in FORMS if f'id="{form}"' in page}


def test_the_list_puts_overdue_reviews_first_and_filters(users, client_for):
    late = advance(
        users,
        drafted(users, sop(users, "SOP-ZZ-001", pk=9102, title="Waste", title_zh="废物")),
        "effective",
    )
    advance(users, drafted(users, sop(users)), "effective")
    DocumentVersion.objects.filter(pk=late.pk).update(review_due=TODAY - datetime.timedelta(1))
    client = client_for("bank_technician")
    page = client.get("/qms/documents/").content.decode()
    assert page.index("SOP-ZZ-001") < page.index("SOP-BB-012")
    assert 'id="overdue-summary"' in page
    page = client.get("/qms/documents/?q=复苏").content.decode()
    assert "SOP-BB-012" in page and "SOP-ZZ-001" not in page
    page = client.get("/qms/documents/?kind=form").content.decode()
    assert "No document matches" in page


@pytest.mark.parametrize(
    ("who", "state", "expected"),
    [
        ("bank_technician", "effective", {"acknowledge-form"}),
        ("document_controller", "effective", {"acknowledge-form", "draft-form"}),
        ("qa_manager", "effective",
         {"acknowledge-form", "draft-form", "periodic-form", "withdraw-form"}),
        ("document_controller", "draft", {"edit-form", "submit-form"}),
        ("document_controller", "in_review", {"return-form"}),  # its author does not review
        ("qa_manager", "in_review", {"review-form", "return-form", "withdraw-form"}),
        ("qa_manager", "reviewed", {"approve-form", "return-form", "withdraw-form"}),
        ("curator", "in_review", set()),
    ],
)  # fmt: skip
def test_each_step_is_offered_to_who_may_take_it(users, client_for, who, state, expected):
    version = advance(users, drafted(users, sop(users)), state)
    url = f"/qms/documents/{version.document_id}/"
    assert forms_on(client_for(who), url) == expected


def test_a_workflow_clicked_through(users, client_for):
    document = sop(users)
    controller, qa = client_for("document_controller"), client_for("qa_manager")
    base = f"/qms/documents/{document.pk}"
    assert controller.post(f"{base}/versions/", {"change_summary": ""}).status_code == 302
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.qms.documents_setup import PDF

    upload = SimpleUploadedFile("sop.pdf", PDF, "application/pdf")
    assert controller.post(f"{base}/versions/1/edit/", {"file": upload}).status_code == 302
    assert controller.post(f"{base}/versions/1/submit/").status_code == 302
    wrong = qa.post(f"{base}/versions/1/review/", {"password": "nope", "comment": "fine"})
    assert wrong.status_code == 403
    assert 'id="review-error"' in wrong.content.decode()
    assert qa.post(f"{base}/versions/1/review/", {"password": PASSWORD}).status_code == 302
    past = qa.post(
        f"{base}/versions/1/approve/",
        {"password": PASSWORD, "effective_from": "2001-01-01", "retraining_required": "on"},
    )
    assert past.status_code == 400
    page = past.content.decode()
    assert 'id="approve-error"' in page and 'value="2001-01-01"' in page
    done = qa.post(
        f"{base}/versions/1/approve/",
        {"password": PASSWORD, "effective_from": TODAY.isoformat(), "retraining_required": "on"},
    )
    assert done.status_code == 302
    version = document.versions.get()
    assert version.status == VersionStatus.EFFECTIVE and version.retraining_required


def test_the_create_page_keeps_what_was_typed(client_for):
    client = client_for("document_controller")
    answer = client.post(
        "/qms/documents/new/",
        {
            "number": "bad number",
            "title": "Cord thaw",
            "kind": "sop",
            "review_interval_months": "24",
        },
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'value="Cord thaw"' in page and 'aria-invalid="true"' in page
    answer = client.post(
        "/qms/documents/new/",
        {
            "number": "SOP-CB-001",
            "title": "Cord thaw",
            "kind": "sop",
            "review_interval_months": "24",
        },
    )
    assert answer.status_code == 302


def test_the_pages_read_in_chinese(users, client_for):
    version = advance(users, drafted(users, sop(users)), "effective")
    client = client_for("bank_technician")
    client.cookies["stemhub_language"] = "zh-hans"
    page = client.get(f"/qms/documents/{version.document_id}/").content.decode()
    assert "冻存管复苏" in page
