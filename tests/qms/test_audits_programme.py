"""The audit programme: planning, running an audit, grading findings and their CAPAs,
approving the report by signature, and closing only when every finding's CAPA is closed."""

import datetime

import pytest
from django.utils import timezone

from stemhub.core.errors import Conflict, Forbidden, InvalidInput
from stemhub.qms import audits as services
from stemhub.qms.models import Audit, AuditFinding, Capa
from stemhub.quality.models import Signature
from stemhub.quality.selectors import record_hash
from tests.conftest import PASSWORD
from tests.qms.audit_setups import in_progress, planned, report_submitted
from tests.qms.capa_setups import worked_to_closure

pytestmark = pytest.mark.django_db


def _plan(users, **values):
    data = {
        "actor": users["qa_manager"],
        "institution": users["qa_manager"].institution,
        "kind": "internal",
        "title": "Storage and traceability",
        "clauses": ["7.5", "7.7"],
        "planned_on": datetime.date(2026, 5, 12),
        "lead_auditor": users["bank_technician"],
    } | values
    return services.audit_plan(**data)


def test_planning_builds_the_checklist_from_the_clauses_questions(users):
    audit = _plan(users)
    questions = list(audit.checklist.order_by("position"))
    assert [q.clause for q in questions] == ["7.5", "7.5", "7.7", "7.7"]
    assert [q.position for q in questions] == [1, 2, 3, 4]
    assert all(q.question_zh and q.answer == "not_checked" for q in questions)


def test_planning_refuses_clauses_that_are_not_in_the_standard(users):
    with pytest.raises(InvalidInput) as refused:
        _plan(users, clauses=["7.5", "7.99"])
    assert "7.99" in refused.value.message and "clauses" in refused.value.fields
    with pytest.raises(InvalidInput):
        _plan(users, clauses=[])


def test_an_internal_audit_needs_a_lead_auditor_of_the_institution(users):
    with pytest.raises(InvalidInput) as refused:
        _plan(users, lead_auditor=None)
    assert "lead_auditor" in refused.value.fields
    with pytest.raises(InvalidInput):
        _plan(users, lead_auditor=users["other_qa"])


def test_an_external_assessment_is_led_by_the_body_named(users):
    audit = _plan(users, kind="external", lead_auditor=None, external_body="CNAS")
    assert audit.auditor_name == "CNAS"


def test_only_qms_manage_plans_audits_and_only_for_its_institution(users, other_bank):
    with pytest.raises(Forbidden):
        _plan(users, actor=users["bank_technician"])
    with pytest.raises(Forbidden):
        _plan(users, actor=users["other_qa"])


def test_the_lead_auditor_runs_the_audit_and_others_without_qms_manage_may_not(users):
    audit = planned(users)
    with pytest.raises(Forbidden):
        services.audit_start(actor=users["curator"], audit=audit)
    audit = services.audit_start(actor=users["bank_technician"], audit=audit)
    assert audit.status == "in_progress" and audit.started_on == timezone.localdate()
    item = audit.checklist.get()
    with pytest.raises(Forbidden):
        services.audit_checklist_answer(actor=users["curator"], item=item, answer="conform")


def test_the_checklist_is_answered_only_while_the_audit_is_in_progress(users):
    audit = planned(users)
    with pytest.raises(Conflict):
        services.audit_checklist_answer(
            actor=users["qa_manager"], item=audit.checklist.get(), answer="conform"
        )


def test_a_nonconforming_answer_needs_its_evidence(users):
    item = in_progress(users).checklist.get()
    with pytest.raises(InvalidInput) as refused:
        services.audit_checklist_answer(
            actor=users["bank_technician"], item=item, answer="nonconform"
        )
    assert "evidence" in refused.value.fields
    answered = services.audit_checklist_answer(
        actor=users["bank_technician"],
        item=item,
        answer="nonconform",
        evidence="BSC-2 certificate expired 2026-03-01",
    )
    assert answered.answered_by == users["bank_technician"] and answered.answered_at


def test_a_major_or_minor_finding_opens_its_capa_citing_the_finding(users):
    audit = in_progress(users)
    finding = services.audit_finding_record(
        actor=users["bank_technician"],
        audit=audit,
        grade="major",
        clause_id="6.5",
        description="The biosafety cabinet is used past its certification.",
    )
    capa = finding.capa
    assert capa is not None and capa.source == "audit_finding" and capa.source_id == finding.pk
    assert capa.source_label == finding.label == f"{audit.number}/F2"
    assert capa.owner == users["bank_technician"]


def test_an_observation_opens_no_capa_unless_one_is_raised(users):
    audit = in_progress(users)
    finding = services.audit_finding_record(
        actor=users["qa_manager"],
        audit=audit,
        grade="observation",
        clause_id="8.4",
        description="Logbook pages not numbered.",
    )
    assert finding.capa is None and not finding.needs_capa
    raised = services.audit_finding_capa_raise(actor=users["qa_manager"], finding=finding)
    assert raised.capa is not None
    with pytest.raises(Conflict):
        services.audit_finding_capa_raise(actor=users["qa_manager"], finding=finding)


def test_a_finding_must_cite_a_clause_of_the_standard(users):
    with pytest.raises(InvalidInput) as refused:
        services.audit_finding_record(
            actor=users["qa_manager"],
            audit=in_progress(users),
            grade="minor",
            clause_id="9.4",
            description="x",
        )
    assert "clause" in refused.value.fields
    assert not AuditFinding.objects.filter(clause="9.4").exists()


def test_raising_an_observation_to_minor_opens_its_capa_and_needs_a_reason(users):
    in_progress(users)
    finding = AuditFinding.objects.get()
    with pytest.raises(InvalidInput):
        services.audit_finding_grade(
            actor=users["qa_manager"], finding=finding, grade="minor", reason=" "
        )
    with pytest.raises(Forbidden):
        services.audit_finding_grade(
            actor=users["bank_technician"], finding=finding, grade="minor", reason="Recurs"
        )
    graded = services.audit_finding_grade(
        actor=users["qa_manager"], finding=finding, grade="minor", reason="Recurs"
    )
    assert graded.grade == "minor" and graded.capa is not None


def test_the_report_is_not_approved_while_a_major_finding_has_no_capa(users):
    # A lead auditor who may not raise CAPAs (a curator: qms.view only) records a major
    # finding: it waits for its CAPA, and the report waits for it.
    curator = users["curator"]
    audit = planned(users, lead_auditor=curator)
    audit = services.audit_start(actor=curator, audit=audit)
    finding = services.audit_finding_record(
        actor=curator, audit=audit, grade="major", clause_id="7.7", description="Tank 2 differs"
    )
    assert finding.capa is None and finding.needs_capa
    with pytest.raises(Forbidden):
        services.audit_finding_capa_raise(actor=curator, finding=finding)
    audit = services.audit_report_submit(actor=curator, audit=audit, summary="One major.")
    with pytest.raises(Conflict) as refused:
        services.audit_report_approve(actor=users["qa_manager"], audit=audit, password=PASSWORD)
    assert finding.label in refused.value.message
    assert Audit.objects.get(pk=audit.pk).status == "in_progress"
    services.audit_finding_capa_raise(actor=users["qa_manager"], finding=finding)
    approved = services.audit_report_approve(
        actor=users["qa_manager"], audit=audit, password=PASSWORD
    )
    assert approved.status == "reported"


def test_the_report_approval_signs_the_report_its_checklist_and_its_findings(users):
    audit = report_submitted(users)
    approved = services.audit_report_approve(
        actor=users["qa_manager"], audit=audit, password=PASSWORD
    )
    signature = approved.report_signature
    assert signature.meaning == Signature.Meaning.AUDIT_REPORT
    assert signature.signer == users["qa_manager"]
    assert signature.record_hash == record_hash(services.audit_report_record(approved))
    assert "Two logbooks kept side by side" in signature.record


def test_a_wrong_password_signs_nothing(users):
    audit = report_submitted(users)
    with pytest.raises(Forbidden) as refused:
        services.audit_report_approve(actor=users["qa_manager"], audit=audit, password="wrong")
    assert "password" in refused.value.fields
    assert Audit.objects.get(pk=audit.pk).report_signature is None


def test_a_report_not_yet_submitted_cannot_be_approved(users):
    audit = in_progress(users)
    with pytest.raises(Conflict):
        services.audit_report_approve(actor=users["qa_manager"], audit=audit, password=PASSWORD)


def test_no_finding_is_added_once_the_report_is_approved(users):
    audit = services.audit_report_approve(
        actor=users["qa_manager"], audit=report_submitted(users), password=PASSWORD
    )
    with pytest.raises(Conflict):
        services.audit_finding_record(
            actor=users["qa_manager"], audit=audit, grade="minor", clause_id="6.5", description="x"
        )


def test_closing_waits_for_every_findings_capa_and_names_those_open(users):
    audit = in_progress(users)
    qa = users["qa_manager"]
    minor = services.audit_finding_record(
        actor=qa, audit=audit, grade="minor", clause_id="6.5", description="Centrifuge overdue"
    )
    audit = services.audit_report_submit(actor=qa, audit=audit, summary="One minor finding.")
    audit = services.audit_report_approve(actor=qa, audit=audit, password=PASSWORD)
    with pytest.raises(Conflict) as refused:
        services.audit_close(actor=qa, audit=audit)
    assert minor.label in refused.value.message and minor.capa.number in refused.value.message
    worked_to_closure(Capa.objects.get(pk=minor.capa_id), qa)
    closed = services.audit_close(actor=qa, audit=audit)
    assert closed.status == "closed" and closed.closed_at is not None


def test_only_a_reported_audit_closes(users):
    with pytest.raises(Conflict):
        services.audit_close(actor=users["qa_manager"], audit=in_progress(users))
