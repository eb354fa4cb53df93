"""Read and understood: staff holding qms.view at the document's institution acknowledge an
effective version once; the list per version says who has and who has not; each person's
documents to read are the versions in force they have not acknowledged."""

import datetime

import pytest
from django.utils import timezone

from stemhub.audit.context import audit_context
from stemhub.core.errors import Conflict, Forbidden
from stemhub.qms import documents
from stemhub.qms.documents_selectors import (
    acknowledgement_list,
    documents_to_read,
    untrained_on,
)
from stemhub.qms.models import (
    Acknowledgement,
    JobRole,
    JobRoleMembership,
    JobRoleRequirement,
    TrainingRecord,
)
from tests.qms.competence_setups import acknowledge, effective_document
from tests.qms.documents_setup import advance, drafted, sop

pytestmark = pytest.mark.django_db
READERS = {
    "curator",
    "bank_technician",
    "qa_manager",
    "search_coordinator",
    "institution_admin",
    "document_controller",
    "trainer",
    "platform_admin",
}


@pytest.fixture
def effective(users):
    return advance(users, drafted(users, sop(users)), "effective")


def test_a_reader_acknowledges_an_effective_version_once(users, effective):
    documents.acknowledgement_record(actor=users["bank_technician"], version=effective)
    with pytest.raises(Conflict):
        documents.acknowledgement_record(actor=users["bank_technician"], version=effective)
    assert Acknowledgement.objects.filter(version=effective).count() == 1


def test_only_an_effective_version_is_acknowledged(users):
    document = sop(users)
    first = advance(users, drafted(users, document, "1"), "effective")
    later = timezone.localdate() + datetime.timedelta(days=5)
    pending = advance(users, drafted(users, document, "2"), "effective", effective_from=later)
    with pytest.raises(Conflict):
        documents.acknowledgement_record(actor=users["curator"], version=pending)
    in_review = advance(users, drafted(users, sop(users, "SOP-QC-001", pk=9102)), "in_review")
    with pytest.raises(Conflict):
        documents.acknowledgement_record(actor=users["curator"], version=in_review)
    documents.acknowledgement_record(actor=users["curator"], version=first)


def test_a_superseded_version_is_no_longer_acknowledged(users):
    document = sop(users)
    first = advance(users, drafted(users, document, "1"), "effective")
    advance(users, drafted(users, document, "2"), "effective")
    first.refresh_from_db()
    with pytest.raises(Conflict):
        documents.acknowledgement_record(actor=users["curator"], version=first)


@pytest.mark.parametrize("who", ["other_qa", "other_technician", "researcher", "access_committee"])
def test_others_may_not_acknowledge(users, effective, who):
    with pytest.raises(Forbidden):
        documents.acknowledgement_record(actor=users[who], version=effective)


def test_the_list_names_who_has_and_who_has_not_among_the_staff_who_read(users, effective):
    documents.acknowledgement_record(actor=users["bank_technician"], version=effective)
    documents.acknowledgement_record(actor=users["curator"], version=effective)
    found = acknowledgement_list(effective)
    assert {a.user.username for a in found.acknowledged} == {"bank_technician", "curator"}
    assert {p.username for p in found.missing} == READERS - {"bank_technician", "curator"}


def test_documents_to_read_are_the_effective_versions_not_yet_acknowledged(users, effective):
    technician = users["bank_technician"]
    advance(users, drafted(users, sop(users, "SOP-QC-001", pk=9102)), "in_review")
    assert documents_to_read(technician) == [effective]
    assert documents_to_read(users["other_technician"]) == []
    documents.acknowledgement_record(actor=technician, version=effective)
    assert documents_to_read(technician) == []


def test_a_new_version_in_force_is_to_read_again(users, effective):
    technician = users["bank_technician"]
    documents.acknowledgement_record(actor=technician, version=effective)
    second = advance(users, drafted(users, effective.document, "2"), "effective")
    assert documents_to_read(technician) == [second]


def test_the_to_read_page_acknowledges_and_comes_back(users, effective, client_for):
    client = client_for("bank_technician")
    page = client.get("/qms/documents/to-read/").content.decode()
    assert "SOP-BB-012 v1" in page
    answer = client.post(
        f"/qms/documents/{effective.document_id}/versions/1/acknowledge/", {"next": "to_read"}
    )
    assert answer.status_code == 302 and answer["location"] == "/qms/documents/to-read/"
    page = client.get("/qms/documents/to-read/").content.decode()
    assert 'id="nothing-to-read"' in page


def test_the_home_page_shows_documents_to_read_and_to_sign(users, client_for):
    document = sop(users)
    advance(users, drafted(users, document, "1"), "effective")
    advance(users, drafted(users, document, "2"), "in_review")
    technician = client_for("bank_technician").get("/work/").content.decode()
    assert "Documents to read" in technician and "SOP-BB-012 v1" in technician
    assert "Documents awaiting review or approval" not in technician
    qa = client_for("qa_manager").get("/work/").content.decode()
    assert "Documents awaiting review or approval" in qa and "SOP-BB-012 v2" in qa
    controller = client_for("document_controller").get("/work/").content.decode()
    assert "No document waits for your signature." in controller  # they drafted it


def test_the_api_acknowledges_once_and_lists_who_has_not(users, effective, client_for):
    url = f"/api/v1/qms/documents/{effective.document_id}/versions/1"
    client = client_for("trainer")
    assert client.post(f"{url}/acknowledge").status_code == 201
    again = client.post(f"{url}/acknowledge")
    assert again.status_code == 409
    listed = client.get(f"{url}/acknowledgements").json()
    assert [a["username"] for a in listed["acknowledged"]] == ["trainer"]
    assert "bank_technician" in listed["not_yet"] and "trainer" not in listed["not_yet"]


def test_the_document_page_names_who_must_still_be_trained_on_a_version_in_force(users, client_for):
    """Reading a version that requires retraining is not enough: the page lists those the
    version is required of who have no training on it, until they have."""
    qa, tech = users["qa_manager"], users["bank_technician"]
    version = effective_document(qa.institution, "SOP-T-009", qa, retraining=True)
    with audit_context(actor=qa, reason="test setup"):
        role = JobRole.objects.create(institution=qa.institution, name="Technician")
        JobRoleRequirement.objects.create(job_role=role, document=version.document)
        JobRoleMembership.objects.create(job_role=role, user=tech)
    acknowledge(tech, version)
    assert untrained_on(version) == [tech]
    page = client_for("qa_manager").get(f"/qms/documents/{version.document_id}/").content.decode()
    assert 'id="untrained-list"' in page and tech.display_name in page.split("untrained-list")[1]
    with audit_context(actor=qa, reason="test setup"):
        TrainingRecord.objects.create(
            user=tech, document_version=version, course="SOP-T-009 v1", trainer=qa,
            trained_on=timezone.localdate(), recorded_by=qa,
        )  # fmt: skip
    assert untrained_on(version) == []
