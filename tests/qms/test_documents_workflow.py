"""Document control's workflow: draft, file, review, approval, coming into force, supersession,
periodic review, withdrawal, and who may do each step."""

import datetime
import json

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from stemhub.core.errors import Conflict, Forbidden, InvalidInput
from stemhub.qms import documents
from stemhub.qms.documents_selectors import (
    documents_awaiting,
    reviews_overdue,
    version_signatures,
)
from stemhub.qms.gating import version_in_force
from stemhub.qms.models import (
    DocumentVersion,
    PeriodicReview,
    Task,
    TaskProcedure,
    VersionStatus,
)
from stemhub.quality.models import Signature
from tests.conftest import PASSWORD
from tests.qms.documents_setup import advance, drafted, pdf, sop

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_a_version_goes_from_draft_to_effective_with_two_signatures(users):
    document = sop(users)
    version = advance(users, drafted(users, document), "effective", retraining_required=True)
    assert version.status == VersionStatus.EFFECTIVE
    assert version.effective_from == TODAY
    assert version.review_due == documents.add_months(TODAY, 24)
    review = Signature.objects.get(pk=version.review_signature_id)
    approval = Signature.objects.get(pk=version.approval_signature_id)
    assert review.meaning == Signature.Meaning.DOCUMENT_REVIEWED
    assert approval.meaning == Signature.Meaning.DOCUMENT_APPROVED
    signed = json.loads(approval.record)
    assert signed["document"] == "SOP-BB-012"
    assert signed["version"] == 1
    assert signed["title"] == "Thawing cryopreserved vials"
    assert signed["file"]["name"] == "sop.pdf"
    assert signed["file"]["sha256"] == version.file.sha256
    assert signed["effective_from"] == TODAY.isoformat()
    assert signed["retraining_required"] is True
    assert approval.printed_name == "Qa Tester"


def test_the_next_version_supersedes_the_one_in_force_with_a_reason(users):
    document = sop(users)
    first = advance(users, drafted(users, document, "one"), "effective")
    second = advance(users, drafted(users, document, "two"), "effective")
    first.refresh_from_db()
    assert second.number == 2
    assert second.status == VersionStatus.EFFECTIVE
    assert first.status == VersionStatus.SUPERSEDED
    assert "version 2" in first.retired_reason
    assert first.retired_at is not None
    # The platform's own sentence, kept in both languages whatever the approver's was.
    assert first.retired_reason_zh.startswith("已被第 2 版取代")
    with translation.override("zh-hans"):
        assert first.display_retired_reason == first.retired_reason_zh
    with translation.override("en"):
        assert first.display_retired_reason == first.retired_reason


def test_a_version_approved_for_a_later_day_comes_into_force_on_that_day_by_itself(users):
    document = sop(users)
    TaskProcedure.objects.create(
        institution=document.institution, task=Task.VIAL_THAW, document=document
    )
    first = advance(users, drafted(users, document, "one"), "effective")
    later = TODAY + datetime.timedelta(days=10)
    second = advance(users, drafted(users, document, "two"), "effective", effective_from=later)
    assert second.status == VersionStatus.APPROVED
    assert version_in_force(document.institution_id, Task.VIAL_THAW) == (True, first)
    # Ten days on, nobody clicking: the gate sees version 2.
    DocumentVersion.objects.filter(pk=second.pk).update(effective_from=TODAY)
    _governed, version = version_in_force(document.institution_id, Task.VIAL_THAW)
    assert version == second
    first.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED


def test_bringing_into_force_twice_changes_nothing_the_second_time(users):
    document = sop(users)
    advance(users, drafted(users, document), "effective")
    assert documents.document_versions_bring_into_force(today=TODAY) == 0


def test_the_database_refuses_two_effective_versions_of_one_document(users):
    document = sop(users)
    advance(users, drafted(users, document, "one"), "effective")
    second = advance(users, drafted(users, document, "two"), "reviewed")
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentVersion.objects.filter(pk=second.pk).update(
            status=VersionStatus.EFFECTIVE,
            approval_signature=second.review_signature,
            effective_from=TODAY,
            review_due=TODAY,
        )


def test_one_revision_at_a_time(users):
    document = sop(users)
    drafted(users, document)
    with pytest.raises(Conflict):
        documents.version_draft(actor=users["document_controller"], document=document)


def test_the_author_may_not_review_their_own_version(users):
    document = sop(users)
    version = documents.version_draft(actor=users["qa_manager"], document=document)
    documents.version_file_attach(
        actor=users["qa_manager"], version=version, name="a.pdf", chunks=[pdf()]
    )
    documents.version_submit(actor=users["qa_manager"], version=version)
    with pytest.raises(Forbidden) as refused:
        documents.version_review(actor=users["qa_manager"], version=version, password=PASSWORD)
    assert "reviewer" in refused.value.fields


def test_a_document_controller_may_review_but_not_approve(users):
    document = sop(users)
    version = documents.version_draft(actor=users["qa_manager"], document=document)
    documents.version_file_attach(
        actor=users["qa_manager"], version=version, name="a.pdf", chunks=[pdf()]
    )
    documents.version_submit(actor=users["qa_manager"], version=version)
    documents.version_review(actor=users["document_controller"], version=version, password=PASSWORD)
    with pytest.raises(Forbidden):
        documents.version_approve(
            actor=users["document_controller"],
            version=version,
            password=PASSWORD,
            effective_from=TODAY,
            retraining_required=False,
        )


def test_approval_needs_a_review_first(users):
    version = advance(users, drafted(users, sop(users)), "in_review")
    with pytest.raises(Conflict):
        documents.version_approve(
            actor=users["qa_manager"],
            version=version,
            password=PASSWORD,
            effective_from=TODAY,
            retraining_required=False,
        )


def test_a_wrong_password_signs_nothing(users):
    version = advance(users, drafted(users, sop(users)), "in_review")
    with pytest.raises(Forbidden) as refused:
        documents.version_review(actor=users["qa_manager"], version=version, password="nope")
    assert "password" in refused.value.fields
    version.refresh_from_db()
    assert version.review_signature_id is None


def test_an_effective_date_in_the_past_is_refused_naming_the_field(users):
    version = advance(users, drafted(users, sop(users)), "reviewed")
    with pytest.raises(InvalidInput) as refused:
        documents.version_approve(
            actor=users["qa_manager"],
            version=version,
            password=PASSWORD,
            effective_from=TODAY - datetime.timedelta(days=1),
            retraining_required=False,
        )
    assert "effective_from" in refused.value.fields


def test_submitting_needs_a_file_and_from_version_two_what_changed(users):
    document = sop(users)
    version = documents.version_draft(actor=users["document_controller"], document=document)
    # What is missing is in the version, not in the request: a conflict (409).
    with pytest.raises(Conflict) as refused:
        documents.version_submit(actor=users["document_controller"], version=version)
    assert "file" in refused.value.fields
    documents.version_file_attach(
        actor=users["document_controller"], version=version, name="a.pdf", chunks=[pdf()]
    )
    advance(users, version, "effective")
    second = documents.version_draft(actor=users["document_controller"], document=document)
    documents.version_file_attach(
        actor=users["document_controller"], version=second, name="b.pdf", chunks=[pdf("2")]
    )
    with pytest.raises(Conflict) as refused:
        documents.version_submit(actor=users["document_controller"], version=second)
    assert "change_summary" in refused.value.fields


def test_a_returned_version_is_a_draft_again_and_its_review_no_longer_stands(users):
    version = advance(users, drafted(users, sop(users)), "reviewed")
    review = version.review_signature_id
    documents.version_return(actor=users["qa_manager"], version=version, reason="Step 4 is unclear")
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    assert version.review_signature_id is None
    assert Signature.objects.get(pk=review).superseded_at is not None


def test_a_draft_only_can_be_edited(users):
    version = advance(users, drafted(users, sop(users)), "in_review")
    with pytest.raises(Conflict):
        documents.version_edit(
            actor=users["document_controller"], version=version, change_summary="sneaky"
        )


def test_periodic_review_confirms_the_version_and_moves_its_next_review(users):
    version = advance(users, drafted(users, sop(users)), "effective")
    DocumentVersion.objects.filter(pk=version.pk).update(review_due=TODAY - datetime.timedelta(1))
    assert reviews_overdue(version.document.institution_id, today=TODAY) == [version]
    review = documents.version_periodic_review(
        actor=users["qa_manager"], version=version, password=PASSWORD, outcome="confirmed"
    )
    version.refresh_from_db()
    assert version.review_due == documents.add_months(TODAY, 24) == review.next_review_due
    assert reviews_overdue(version.document.institution_id, today=TODAY) == []
    (step,) = [s for s in version_signatures(version) if s.signature == review.signature]
    assert step.check.intact


def test_periodic_review_may_start_a_revision(users):
    version = advance(users, drafted(users, sop(users)), "effective")
    review = documents.version_periodic_review(
        actor=users["qa_manager"],
        version=version,
        password=PASSWORD,
        outcome=PeriodicReview.Outcome.REVISION,
        notes="New thaw medium",
    )
    assert review.revision is not None
    assert review.revision.number == 2
    assert review.revision.status == VersionStatus.DRAFT
    assert "New thaw medium" in review.revision.change_summary


def test_periodic_review_needs_qa(users):
    version = advance(users, drafted(users, sop(users)), "effective")
    with pytest.raises(Forbidden):
        documents.version_periodic_review(
            actor=users["document_controller"],
            version=version,
            password=PASSWORD,
            outcome="confirmed",
        )


def test_withdrawing_makes_the_version_in_force_obsolete_and_stops_new_versions(users):
    document = sop(users)
    version = advance(users, drafted(users, document), "effective")
    with pytest.raises(InvalidInput) as refused:
        documents.document_withdraw(actor=users["qa_manager"], document=document, reason=" ")
    assert "reason" in refused.value.fields
    documents.document_withdraw(
        actor=users["qa_manager"], document=document, reason="Process discontinued"
    )
    version.refresh_from_db()
    assert version.status == VersionStatus.OBSOLETE
    assert version.retired_reason == "Process discontinued"
    with pytest.raises(Conflict):
        documents.version_draft(actor=users["document_controller"], document=document)


def test_the_queues_show_reviews_to_others_and_approvals_to_qa(users):
    version = advance(users, drafted(users, sop(users)), "in_review")
    assert documents_awaiting(users["document_controller"]) == []  # its author
    assert documents_awaiting(users["qa_manager"]) == [version]
    documents.version_review(actor=users["qa_manager"], version=version, password=PASSWORD)
    assert documents_awaiting(users["qa_manager"]) == [version]
    assert documents_awaiting(users["bank_technician"]) == []


def test_creating_a_document_names_the_field_that_is_wrong(users):
    controller = users["document_controller"]
    with pytest.raises(InvalidInput) as refused:
        documents.document_create(actor=controller, number="sop 12", title="x", kind="sop")
    assert "number" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        documents.document_create(actor=controller, number="SOP-1", title="x", kind="memo")
    assert "kind" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        documents.document_create(actor=controller, number="SOP-1", title="", kind="sop")
    assert "title" in refused.value.fields
    documents.document_create(actor=controller, number="sop-1", title="x", kind="sop")
    with pytest.raises(Conflict) as refused:
        documents.document_create(actor=controller, number="SOP-1", title="y", kind="sop")
    assert "number" in refused.value.fields


def test_staff_without_qms_documents_may_not_create_or_draft(users):
    with pytest.raises(Forbidden):
        documents.document_create(
            actor=users["bank_technician"], number="SOP-1", title="x", kind="sop"
        )
    document = sop(users)
    for who in ("bank_technician", "trainer", "other_qa"):
        with pytest.raises(Forbidden):
            documents.version_draft(actor=users[who], document=document)
