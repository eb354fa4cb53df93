"""The competence services: signed assessments (never one's own), authorisations only on a
recent competent assessment, revocation with a reason, training records with a trainer and
evidence, governing documents set by the QA manager, job roles of one institution."""

import datetime
import hashlib

import pytest
from django.utils import timezone

from stemhub.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from stemhub.qms import competence
from stemhub.qms.gating import authorisation_gaps
from stemhub.qms.models import CompetenceAssessment, Task, TaskProcedure
from stemhub.quality.models import Signature
from stemhub.quality.selectors import record_hash
from tests.qms.competence_setups import acknowledge, assess, effective_document, govern, qualify

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
YEAR = datetime.timedelta(days=365)


def grant(users, who="bank_technician", task=Task.VIAL_THAW, **values):
    return competence.authorisation_grant(
        actor=users["trainer"],
        user=users[who],
        task=task,
        expires_on=values.pop("expires_on", TODAY + YEAR),
        **values,
    )


def test_an_assessment_is_signed_competence_assessed_over_what_was_judged(users):
    done = assess(users["bank_technician"], Task.VIAL_THAW, users["trainer"], notes="Clean")
    signature = Signature.objects.get(pk=done.signature_id)
    assert signature.meaning == Signature.Meaning.COMPETENCE_ASSESSED
    assert signature.signer == users["trainer"]
    import json

    record = json.loads(signature.record)
    assert record["person"] == "bank_technician"
    assert record["task"] == "vial_thaw"
    assert record["outcome"] == "competent"
    assert signature.record_hash == record_hash(record)


def test_nobody_assesses_their_own_competence(users):
    with pytest.raises(Forbidden, match="your own competence"):
        assess(users["trainer"], Task.VIAL_THAW, users["trainer"])
    assert not CompetenceAssessment.objects.exists()


def test_an_assessment_needs_the_assessors_password_and_qms_train(users):
    with pytest.raises(Forbidden, match="password"):
        competence.competence_assessment_sign(
            actor=users["trainer"],
            user=users["bank_technician"],
            task=Task.VIAL_THAW,
            assessed_on=TODAY,
            method="Observed",
            outcome="competent",
            password="wrong",
        )
    with pytest.raises(Forbidden):
        assess(users["bank_technician"], Task.VIAL_THAW, users["curator"])
    with pytest.raises(Forbidden):  # another institution's trainer
        assess(users["bank_technician"], Task.VIAL_THAW, users["other_qa"])
    assert not Signature.objects.exists()


def test_a_grant_needs_a_competent_assessment_of_the_last_twelve_months(users):
    tech, trainer = users["bank_technician"], users["trainer"]
    with pytest.raises(Conflict, match="no competent assessment"):
        grant(users)
    assess(tech, Task.VIAL_THAW, trainer, outcome="not_yet")
    with pytest.raises(Conflict):
        grant(users)
    assess(tech, Task.VIAL_THAW, trainer, assessed_on=TODAY - datetime.timedelta(days=400))
    with pytest.raises(Conflict):
        grant(users)
    assess(tech, Task.VIAL_DISPOSE, trainer)  # another task does not count
    with pytest.raises(Conflict):
        grant(users)
    fresh = assess(tech, Task.VIAL_THAW, trainer, assessed_on=TODAY - datetime.timedelta(days=300))
    granted = grant(users)
    assert granted.assessment == fresh
    assert granted.valid_from == TODAY


def test_a_grant_expires_after_it_starts_and_not_by_oneself(users):
    assess(users["bank_technician"], Task.VIAL_THAW, users["trainer"])
    with pytest.raises(InvalidInput) as error:
        grant(users, expires_on=TODAY)
    assert "expires_on" in error.value.fields
    with pytest.raises(InvalidInput):
        grant(users, expires_on=TODAY + 4 * YEAR)
    assess(users["trainer"], Task.VIAL_THAW, users["qa_manager"])
    with pytest.raises(Forbidden, match="authorise yourself"):
        grant(users, who="trainer")


def test_a_revoked_authorisation_gates_with_its_date_and_needs_a_reason(users):
    tech = users["bank_technician"]
    version = govern(tech.institution, Task.VIAL_THAW, users["qa_manager"], retraining=False)
    qualify(tech, Task.VIAL_THAW, version, users["trainer"])
    assert authorisation_gaps(tech, Task.VIAL_THAW, tech.institution_id) == []
    held = tech.authorisations.get()
    with pytest.raises(InvalidInput):
        competence.authorisation_revoke(actor=users["trainer"], authorisation=held, reason=" ")
    competence.authorisation_revoke(actor=users["trainer"], authorisation=held, reason="Absent")
    gaps = authorisation_gaps(tech, Task.VIAL_THAW, tech.institution_id)
    assert gaps == [f"your authorisation was revoked on {TODAY:%Y-%m-%d}"]
    with pytest.raises(Conflict):
        competence.authorisation_revoke(actor=users["trainer"], authorisation=held, reason="x")


def test_an_expired_authorisation_and_a_new_version_are_named_gaps(users):
    tech, qa = users["bank_technician"], users["qa_manager"]
    version = govern(tech.institution, Task.VIAL_THAW, qa, retraining=False)
    qualify(tech, Task.VIAL_THAW, version, users["trainer"])
    later = TODAY + 2 * YEAR
    gaps = authorisation_gaps(tech, Task.VIAL_THAW, tech.institution_id, today=later)
    assert gaps == [f"your authorisation expired on {TODAY + YEAR:%Y-%m-%d}"]


def test_training_needs_a_trainer_other_than_the_trainee_and_keeps_its_evidence(users):
    tech, trainer = users["bank_technician"], users["trainer"]
    with pytest.raises(InvalidInput) as error:
        competence.training_record_create(
            actor=trainer, user=tech, course="Aseptic", trained_on=TODAY
        )
    assert "trainer" in error.value.fields
    with pytest.raises(InvalidInput):
        competence.training_record_create(
            actor=trainer, user=tech, course="Aseptic", trained_on=TODAY, trainer=tech
        )
    with pytest.raises(InvalidInput) as error:
        competence.training_record_create(
            actor=trainer,
            user=tech,
            course="Aseptic",
            trained_on=TODAY,
            trainer=trainer,
            evidence_name="sheet.pdf",
            evidence_chunks=[b"not a pdf"],
        )
    assert "evidence_file" in error.value.fields
    pdf = b"%PDF-1.4 attendance"
    record = competence.training_record_create(
        actor=trainer,
        user=tech,
        course="Aseptic",
        trained_on=TODAY,
        external_trainer="Biosafety Centre",
        evidence_name="sheet.pdf",
        evidence_chunks=[pdf],
    )
    assert record.evidence_file.sha256 == hashlib.sha256(pdf).hexdigest()
    assert record.recorded_by == trainer
    with pytest.raises(Forbidden):  # a technician does not record training
        competence.training_record_create(
            actor=tech, user=tech, course="x", trained_on=TODAY, external_trainer="y"
        )


def test_training_on_a_version_defaults_the_course_and_satisfies_retraining(users):
    tech, qa = users["bank_technician"], users["qa_manager"]
    version = govern(tech.institution, Task.VIAL_THAW, qa, retraining=True)
    acknowledge(tech, version)
    gaps = authorisation_gaps(tech, Task.VIAL_THAW, tech.institution_id)
    assert f"you have no training record on {version.label}" in gaps
    record = competence.training_record_create(
        actor=users["trainer"],
        user=tech,
        course="",
        document_version=version,
        trainer=users["trainer"],
        trained_on=TODAY,
    )
    assert record.course == version.label
    gaps = authorisation_gaps(tech, Task.VIAL_THAW, tech.institution_id)
    assert gaps == ["you hold no authorisation for it"]


def test_only_the_qa_manager_names_a_tasks_document_of_their_institution(users, other_bank):
    qa = users["qa_manager"]
    version = effective_document(qa.institution, "SOP-BB-012", qa)
    foreign = effective_document(other_bank, "SOP-BB-012", users["other_qa"])
    with pytest.raises(Forbidden):
        competence.task_procedure_set(
            actor=users["trainer"],
            institution_id=qa.institution_id,
            task=Task.VIAL_THAW,
            document=version.document,
        )
    with pytest.raises(InvalidInput):
        competence.task_procedure_set(
            actor=qa,
            institution_id=qa.institution_id,
            task=Task.VIAL_THAW,
            document=foreign.document,
        )
    competence.task_procedure_set(
        actor=qa, institution_id=qa.institution_id, task=Task.VIAL_THAW, document=version.document
    )
    tech = users["bank_technician"]
    assert authorisation_gaps(tech, Task.VIAL_THAW, tech.institution_id)
    with pytest.raises(InvalidInput):
        competence.task_procedure_clear(
            actor=qa, institution_id=qa.institution_id, task=Task.VIAL_THAW, reason=""
        )
    competence.task_procedure_clear(
        actor=qa, institution_id=qa.institution_id, task=Task.VIAL_THAW, reason="Withdrawn"
    )
    assert not TaskProcedure.objects.exists()
    assert authorisation_gaps(tech, Task.VIAL_THAW, tech.institution_id) == []
    with pytest.raises(NotFound):
        competence.task_procedure_clear(
            actor=qa, institution_id=qa.institution_id, task=Task.VIAL_THAW, reason="Again"
        )


def test_no_version_in_force_stops_everyone(users):
    qa = users["qa_manager"]
    version = govern(qa.institution, Task.VIAL_THAW, qa)
    from stemhub.qms.models import DocumentVersion

    DocumentVersion.objects.filter(pk=version.pk).update(
        status="obsolete", retired_at=timezone.now(), retired_reason="withdrawn"
    )
    tech = users["bank_technician"]
    assert authorisation_gaps(tech, Task.VIAL_THAW, tech.institution_id) == [
        "no version of its procedure is in force"
    ]


def test_a_job_role_requires_exactly_one_thing_and_takes_members_of_its_institution(users):
    trainer = users["trainer"]
    role = competence.job_role_create(
        actor=trainer, institution_id=trainer.institution_id, name="Cell bank technician"
    )
    with pytest.raises(Conflict):
        competence.job_role_create(
            actor=users["qa_manager"],
            institution_id=trainer.institution_id,
            name="cell bank technician",
        )
    with pytest.raises(InvalidInput):
        competence.job_role_requirement_add(actor=trainer, job_role=role)
    with pytest.raises(InvalidInput):
        competence.job_role_requirement_add(
            actor=trainer, job_role=role, task=Task.VIAL_THAW, skill="Aseptic technique"
        )
    competence.job_role_requirement_add(actor=trainer, job_role=role, task=Task.VIAL_THAW)
    with pytest.raises(Conflict):
        competence.job_role_requirement_add(actor=trainer, job_role=role, task=Task.VIAL_THAW)
    with pytest.raises(InvalidInput):
        competence.job_role_member_add(actor=trainer, job_role=role, user=users["other_curator"])
    competence.job_role_member_add(actor=trainer, job_role=role, user=users["bank_technician"])
    with pytest.raises(Forbidden):  # a curator keeps no job roles
        competence.job_role_create(
            actor=users["curator"], institution_id=trainer.institution_id, name="Curator"
        )
    with pytest.raises(Forbidden):  # nor does another institution's trainer
        competence.job_role_requirement_add(actor=users["other_qa"], job_role=role, skill="x")
