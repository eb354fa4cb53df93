"""The home page's "Your drafts to submit": a document controller sees the drafts they started
(or of documents they own) waiting to be submitted, those returned from review first with why;
each opens the version's next steps."""

import pytest

from stemhub.qms import documents
from stemhub.qms.models import ControlledDocument
from stemhub.qms.navigation import my_drafts_queue
from tests.qms.documents_setup import DOCUMENT_ID, advance, drafted, sop

pytestmark = pytest.mark.django_db


def _panel(page: str) -> str:
    start = page.find('id="queue-qms-documents-drafts"')
    return page[start : page.find("</section>", start)] if start >= 0 else ""


def test_the_controller_sees_her_draft_waiting_to_be_submitted(users, client_for):
    drafted(users, sop(users))
    panel = _panel(client_for("document_controller").get("/work/").content.decode())
    assert "Your drafts to submit" in panel and "SOP-BB-012 v1" in panel
    assert f'href="/qms/documents/{DOCUMENT_ID}/?version=1#steps"' in panel
    assert "Thawing cryopreserved vials: submit it for review" in panel and "To submit" in panel


def test_a_draft_without_its_file_says_to_attach_it(users):
    documents.version_draft(actor=users["document_controller"], document=sop(users))
    (row,) = my_drafts_queue(users["document_controller"]).rows
    assert row.detail == "Thawing cryopreserved vials: attach the file, then submit it for review"


def test_a_version_returned_from_review_comes_first_with_the_reason(users):
    controller = users["document_controller"]
    drafted(users, sop(users, number="SOP-AA-001", pk=DOCUMENT_ID + 1, title="Earlier number"))
    returned = advance(users, drafted(users, sop(users)), "in_review")
    documents.version_return(
        actor=users["qa_manager"], version=returned, reason="Step 4 contradicts the form"
    )
    queue = my_drafts_queue(controller)
    assert [row.label for row in queue.rows] == ["SOP-BB-012 v1", "SOP-AA-001 v1"]
    first = queue.rows[0]
    assert first.badge == "Returned" and "Step 4 contradicts the form" in first.detail
    assert users["qa_manager"].display_name in first.detail
    assert queue.rows[1].badge == "To submit"


def test_a_version_in_review_no_longer_waits_for_its_author(users):
    advance(users, drafted(users, sop(users)), "in_review")
    assert my_drafts_queue(users["document_controller"]).count == 0


def test_someone_elses_draft_is_not_yours_and_the_empty_state_says_what_to_do(users, client_for):
    drafted(users, sop(users))
    panel = _panel(client_for("qa_manager").get("/work/").content.decode())
    assert "SOP-BB-012" not in panel
    assert "No draft of yours waits to be submitted." in panel


def test_a_draft_of_a_document_you_own_is_yours(users):
    document = sop(users)
    drafted(users, document)
    ControlledDocument.objects.filter(pk=document.pk).update(owner=users["qa_manager"])
    assert [row.label for row in my_drafts_queue(users["qa_manager"]).rows] == ["SOP-BB-012 v1"]


def test_staff_without_document_rights_get_no_drafts_panel(users, client_for):
    drafted(users, sop(users))
    assert _panel(client_for("bank_technician").get("/work/").content.decode()) == ""
