"""The training matrix: each cell's status from the records (done, missing, expired,
retraining needed, expiring within 30 days), people with overdue items first, its CSV
formula-safe, and the JSON of the API."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from stemhub.audit.context import audit_context
from stemhub.qms import competence
from stemhub.qms.competence_matrix import matrix_for
from stemhub.qms.models import Authorisation, Task
from tests.qms.competence_setups import acknowledge, effective_document, govern, qualify

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def role_with(users, name="Technician", *, members=("bank_technician",), **requirement):
    trainer = users["trainer"]
    role = competence.job_role_create(
        actor=trainer, institution_id=trainer.institution_id, name=name
    )
    competence.job_role_requirement_add(actor=trainer, job_role=role, **requirement)
    for who in members:
        competence.job_role_member_add(actor=trainer, job_role=role, user=users[who])
    return role


def cells_of(users, who):
    matrix = matrix_for(users["trainer"].institution_id)
    row = next(r for r in matrix.rows if r.person.username == who)
    return {c.label: cell for c, cell in zip(matrix.columns, row.cells, strict=True)}, matrix


def test_a_document_cell_is_missing_then_done_then_retraining_on_a_new_version(users):
    qa, tech = users["qa_manager"], users["bank_technician"]
    v1 = effective_document(qa.institution, "SOP-BB-012", qa)
    role_with(users, document=v1.document)
    assert cells_of(users, "bank_technician")[0]["SOP-BB-012"].status == "missing"
    acknowledge(tech, v1)
    assert cells_of(users, "bank_technician")[0]["SOP-BB-012"].status == "done"
    # Version 2 needs retraining: reading it is not enough.
    from stemhub.qms.models import DocumentVersion, VersionStatus
    from stemhub.qms.signing import signature_write
    from stemhub.quality.models import Signature

    with audit_context(actor=qa, reason="new version"):
        DocumentVersion.objects.filter(pk=v1.pk).update(
            status=VersionStatus.SUPERSEDED, retired_at=timezone.now(), retired_reason="v2"
        )
        v2 = DocumentVersion.objects.create(
            document=v1.document,
            number=2,
            status=VersionStatus.EFFECTIVE,
            retraining_required=True,
            effective_from=TODAY,
            review_due=TODAY + datetime.timedelta(days=730),
            created_by=qa,
            approval_signature=signature_write(
                actor=qa, meaning=Signature.Meaning.DOCUMENT_APPROVED, record={"v": 2}
            ),
        )
    cell = cells_of(users, "bank_technician")[0]["SOP-BB-012"]
    assert (cell.status, cell.detail) == ("retraining", "not trained on SOP-BB-012 v2")
    acknowledge(tech, v2)
    competence.training_record_create(
        actor=users["trainer"],
        user=tech,
        course="",
        document_version=v2,
        trainer=users["trainer"],
        trained_on=TODAY,
    )
    assert cells_of(users, "bank_technician")[0]["SOP-BB-012"].status == "done"


def test_a_task_cell_is_missing_done_expiring_or_expired(users):
    tech = users["bank_technician"]
    version = govern(tech.institution, Task.VIAL_THAW, users["qa_manager"], retraining=False)
    role_with(users, task=Task.VIAL_THAW)
    label = str(Task.VIAL_THAW.label)
    assert cells_of(users, "bank_technician")[0][label].status == "missing"
    qualify(tech, Task.VIAL_THAW, version, users["trainer"])
    assert cells_of(users, "bank_technician")[0][label].status == "done"
    Authorisation.objects.filter(user=tech).update(expires_on=TODAY + datetime.timedelta(days=12))
    assert cells_of(users, "bank_technician")[0][label].status == "expiring"
    Authorisation.objects.filter(user=tech).update(
        valid_from=TODAY - datetime.timedelta(days=400),
        expires_on=TODAY - datetime.timedelta(days=1),
    )
    cell = cells_of(users, "bank_technician")[0][label]
    assert cell.status == "expired" and cell.overdue


def test_a_gated_task_shows_for_everyone_and_only_the_required_count_as_overdue(users):
    govern(users["qa_manager"].institution, Task.VIAL_THAW, users["qa_manager"])
    cells, _ = cells_of(users, "curator")
    cell = cells[str(Task.VIAL_THAW.label)]
    assert cell.status == "not_required" and not cell.overdue


def test_people_with_overdue_items_come_first(users):
    qa = users["qa_manager"]
    version = effective_document(qa.institution, "SOP-BB-012", qa)
    role_with(users, document=version.document, members=("bank_technician", "curator"))
    acknowledge(users["bank_technician"], version)
    matrix = matrix_for(qa.institution_id)
    order = [row.person.username for row in matrix.rows]
    assert order[0] == "curator"
    assert matrix.rows[0].overdue == 1


def test_a_skill_is_done_by_a_training_record_of_that_course(users):
    role_with(users, skill="Aseptic technique")
    assert cells_of(users, "bank_technician")[0]["Aseptic technique"].status == "missing"
    competence.training_record_create(
        actor=users["trainer"],
        user=users["bank_technician"],
        course="aseptic technique",
        external_trainer="Centre",
        trained_on=TODAY,
    )
    assert cells_of(users, "bank_technician")[0]["Aseptic technique"].status == "done"


def test_the_csv_is_formula_safe(users, client_for):
    role_with(users, skill="=HYPERLINK(1)")
    answer = client_for("trainer").get("/qms/competence/matrix.csv")
    assert answer.status_code == 200
    text = answer.content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert "'=HYPERLINK(1)" in header
    assert "=HYPERLINK(1)" not in header


def test_the_api_matrix_gives_each_cell_its_status(users, client_for):
    tech = users["bank_technician"]
    version = govern(tech.institution, Task.VIAL_THAW, users["qa_manager"], retraining=False)
    role_with(users, task=Task.VIAL_THAW)
    qualify(tech, Task.VIAL_THAW, version, users["trainer"])
    body = client_for("qa_manager").get("/api/v1/qms/competence/matrix").json()
    assert body["institution"] == "NSCB"
    row = next(p for p in body["people"] if p["username"] == "bank_technician")
    cell = next(c for c in row["cells"] if c["column"] == "task:vial_thaw")
    assert cell["status"] == "done" and cell["required"]
    assert client_for("bank_technician").get("/api/v1/qms/competence/matrix").status_code == 403
