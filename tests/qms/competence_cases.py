"""Who may open the competence pages and call its API (imported into permission_cases): the
matrix and everyone's records for trainers and QA managers (qms.train, qms.manage) of the
institution; one's own records for every qms.view holder; governing documents set by qms.manage.

The setup gives the bank a document (9801, SOP-T-001 v1 in force), a job role (9811) with a
requirement (9821) and the technician as member (9831), a training record with an evidence file
(9841), a competent assessment of the technician for thawing, and an authorisation (9861)."""

import datetime
from typing import Any

from django.utils import timezone

from stemhub.audit.context import audit_context
from stemhub.qms import competence
from stemhub.qms.models import (
    Authorisation,
    JobRole,
    JobRoleMembership,
    JobRoleRequirement,
    TaskProcedure,
    TrainingRecord,
)
from tests.conftest import PASSWORD
from tests.permissions import OTHERS, Case, Page
from tests.qms.competence_setups import assess, effective_document

DOC, ROLE, REQUIREMENT, MEMBER, TRAINING, AUTHORISATION = 9801, 9811, 9821, 9831, 9841, 9861
KEEPERS = {"qa_manager", "trainer", "platform_admin"}
TRAINERS = {"qa_manager", "trainer", "platform_admin"}
MANAGERS = {"qa_manager", "platform_admin"}
TODAY = timezone.localdate().isoformat()
NEXT_YEAR = (timezone.localdate() + datetime.timedelta(days=300)).isoformat()
PDF = b"%PDF-1.4\n% evidence\n"


def competence_records(users: dict[str, Any]) -> None:
    qa, tech, trainer = users["qa_manager"], users["bank_technician"], users["trainer"]
    effective_document(qa.institution, "SOP-T-001", qa, pk=DOC)
    with audit_context(actor=qa, reason="test setup"):
        TaskProcedure.objects.create(institution=qa.institution, task="vial_thaw", document_id=DOC)
        role = JobRole.objects.create(pk=ROLE, institution=qa.institution, name="Technician")
        JobRoleRequirement.objects.create(pk=REQUIREMENT, job_role=role, task="vial_thaw")
        JobRoleMembership.objects.create(pk=MEMBER, job_role=role, user=tech)
    record = competence.training_record_create(
        actor=trainer,
        user=tech,
        course="Aseptic technique",
        trainer=trainer,
        trained_on=timezone.localdate(),
        evidence_name="certificate.pdf",
        evidence_chunks=[PDF],
    )
    TrainingRecord.objects.filter(pk=record.pk).update(id=TRAINING)
    assess(tech, "vial_thaw", trainer)
    granted = competence.authorisation_grant(
        actor=trainer,
        user=tech,
        task="vial_thaw",
        expires_on=timezone.localdate() + datetime.timedelta(days=365),
    )
    Authorisation.objects.filter(pk=granted.pk).update(id=AUTHORISATION)


P = "/qms/competence"
TECH = f"{P}/people/bank_technician"

PAGE_CASES = [
    Page("qms:competence_matrix", f"{P}/", KEEPERS | {"other_qa"}, setup=competence_records),
    Page(
        "qms:competence_matrix_csv",
        f"{P}/matrix.csv",
        KEEPERS | {"other_qa"},
        setup=competence_records,
    ),
    Page(
        "qms:competence_person", f"{TECH}/", KEEPERS | {"bank_technician"}, setup=competence_records
    ),
    Page(
        "qms:competence_training_add",
        f"{TECH}/training/",
        TRAINERS,
        method="POST",
        data={"course": "Cryopreservation", "trained_on": TODAY, "external_trainer": "Acme"},
        setup=competence_records,
    ),
    Page(
        "qms:competence_assessment_add",
        f"{TECH}/assessments/",
        TRAINERS,
        method="POST",
        data={
            "task": "vial_dispose",
            "assessed_on": TODAY,
            "method": "Observed practice",
            "outcome": "competent",
            "password": PASSWORD,
        },
        setup=competence_records,
    ),
    Page(
        "qms:competence_authorisation_grant",
        f"{TECH}/authorisations/",
        TRAINERS,
        method="POST",
        data={"task": "vial_thaw", "expires_on": NEXT_YEAR},
        setup=competence_records,
    ),
    Page(
        "qms:competence_authorisation_revoke",
        f"{P}/authorisations/{AUTHORISATION}/revoke/",
        TRAINERS,
        method="POST",
        data={"reason": "Long absence"},
        setup=competence_records,
    ),
    Page(
        "qms:competence_evidence",
        f"{P}/training/{TRAINING}/evidence/",
        KEEPERS | {"bank_technician"},
        setup=competence_records,
    ),
    Page(
        "qms:competence_job_roles",
        f"{P}/job-roles/",
        KEEPERS | {"other_qa"},
        setup=competence_records,
    ),
    Page("qms:competence_job_role", f"{P}/job-roles/{ROLE}/", KEEPERS, setup=competence_records),
    Page(
        "qms:competence_requirement_add",
        f"{P}/job-roles/{ROLE}/requirements/",
        KEEPERS,
        method="POST",
        data={"skill": "Cryopreservation"},
        setup=competence_records,
    ),
    Page(
        "qms:competence_requirement_remove",
        f"{P}/requirements/{REQUIREMENT}/remove/",
        KEEPERS,
        method="POST",
        setup=competence_records,
    ),
    Page(
        "qms:competence_member_add",
        f"{P}/job-roles/{ROLE}/members/",
        KEEPERS,
        method="POST",
        data={"user": "curator"},
        setup=competence_records,
    ),
    Page(
        "qms:competence_member_remove",
        f"{P}/members/{MEMBER}/remove/",
        KEEPERS,
        method="POST",
        setup=competence_records,
    ),
    Page(
        "qms:competence_task_set",
        f"{P}/tasks/set/",
        MANAGERS,
        method="POST",
        data={"task": "vial_dispose", "document": DOC},
        setup=competence_records,
    ),
    Page(
        "qms:competence_task_clear",
        f"{P}/tasks/clear/",
        MANAGERS,
        method="POST",
        data={"task": "vial_thaw", "reason": "Procedure withdrawn"},
        setup=competence_records,
    ),
]


def page_cases(viewers: set[Any]) -> list[Page]:
    """The pages every qms.view holder opens."""
    return [
        Page("qms:competence_mine", f"{P}/mine/", viewers, setup=competence_records),
        Page("qms:competence_tasks", f"{P}/tasks/", viewers, setup=competence_records),
    ]


A = "/api/v1/qms/competence"


def api_cases(viewers: set[Any]) -> list[Case]:
    return [
        Case("GET", f"{A}/matrix", KEEPERS | {"other_qa"}, setup=competence_records),
        Case("GET", f"{A}/training-records", viewers, setup=competence_records),
        Case(
            "POST",
            f"{A}/training-records",
            TRAINERS,
            body={
                "username": "bank_technician",
                "course": "Cryopreservation",
                "external_trainer": "Acme",
                "trained_on": TODAY,
            },
            setup=competence_records,
        ),
        Case("GET", f"{A}/assessments", viewers, setup=competence_records),
        Case(
            "POST",
            f"{A}/assessments",
            TRAINERS,
            body={
                "username": "bank_technician",
                "task": "vial_dispose",
                "assessed_on": TODAY,
                "method": "Observed practice",
                "outcome": "competent",
                "password": PASSWORD,
            },
            setup=competence_records,
        ),
        Case("GET", f"{A}/authorisations", viewers, setup=competence_records),
        Case(
            "POST",
            f"{A}/authorisations",
            TRAINERS,
            body={"username": "bank_technician", "task": "vial_thaw", "expires_on": NEXT_YEAR},
            setup=competence_records,
        ),
        Case(
            "POST",
            f"{A}/authorisations/{{authorisation_id}}/revoke",
            TRAINERS,
            path=f"{A}/authorisations/{AUTHORISATION}/revoke",
            body={"reason": "Long absence"},
            setup=competence_records,
        ),
        Case("GET", f"{A}/task-procedures", viewers, setup=competence_records),
        Case(
            "PUT",
            f"{A}/task-procedures/{{task}}",
            MANAGERS,
            path=f"{A}/task-procedures/vial_dispose",
            body={"document": "SOP-T-001"},
            setup=competence_records,
        ),
        Case(
            "POST",
            f"{A}/task-procedures/{{task}}/clear",
            MANAGERS,
            path=f"{A}/task-procedures/vial_thaw/clear",
            body={"reason": "Procedure withdrawn"},
            setup=competence_records,
        ),
    ]


__all__ = ["OTHERS", "PAGE_CASES", "api_cases", "page_cases"]
