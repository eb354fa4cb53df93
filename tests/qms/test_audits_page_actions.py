"""The audit page offers approving and closing only when the service would accept them, says
what is missing otherwise, and a refused action comes back to the audit page with its message
once."""

import datetime as dt

import pytest

from stemhub.audit.context import audit_context
from stemhub.qms import audits as services
from stemhub.qms.models import Audit, AuditFinding
from tests.conftest import PASSWORD
from tests.qms.audit_setups import AUDIT_ID, in_progress, report_submitted, reported

pytestmark = pytest.mark.django_db
PAGE = f"/qms/audits/{AUDIT_ID}/"


def _reported_with_an_open_capa(users):
    qa = users["qa_manager"]
    audit = in_progress(users)
    finding = services.audit_finding_record(
        actor=qa, audit=audit, grade="minor", clause_id="6.5", description="Logbook gap"
    )
    services.audit_report_submit(actor=qa, audit=audit, summary="One minor.")
    services.audit_report_approve(actor=qa, audit=audit, password=PASSWORD)
    return AuditFinding.objects.select_related("capa").get(pk=finding.pk)


def test_closing_is_not_offered_while_a_capa_is_open_and_the_open_capa_is_linked(users, client_for):
    finding = _reported_with_an_open_capa(users)
    page = client_for("qa_manager").get(PAGE).content.decode()
    assert 'id="close-form"' not in page and "Close the audit</button>" not in page
    assert 'id="close-blocked"' in page
    assert f'<a href="/qms/capa/{finding.capa.pk}/">{finding.capa.number}</a>' in page


def test_a_close_posted_anyway_comes_back_to_the_audit_with_the_message_once(users, client_for):
    finding = _reported_with_an_open_capa(users)
    client = client_for("qa_manager")
    answer = client.post(f"{PAGE}close/")
    assert answer.status_code == 302 and answer["location"] == PAGE
    page = client.get(PAGE).content.decode()
    assert page.count("CAPAs are still open") == 1 and finding.capa.number in page
    assert Audit.objects.get().status == "reported"


def test_closing_is_offered_once_no_capa_is_open(users, client_for):
    reported(users)  # its only finding is an observation, without CAPA
    page = client_for("qa_manager").get(PAGE).content.decode()
    assert 'id="close-form"' in page and 'id="close-blocked"' not in page


def _submitted_with_a_minor_finding_without_capa(users):
    audit = report_submitted(users)
    with audit_context(actor=users["qa_manager"], reason="test setup"):
        return AuditFinding.objects.create(
            audit=audit, number=2, grade="minor", clause="6.5", description="No log",
            recorded_by=users["bank_technician"],
        )  # fmt: skip


def test_approving_is_not_offered_while_a_finding_lacks_its_capa(users, client_for):
    finding = _submitted_with_a_minor_finding_without_capa(users)
    page = client_for("qa_manager").get(PAGE).content.decode()
    assert 'id="approve-form"' not in page and "Sign the approval" not in page
    assert 'id="approve-blocked"' in page
    assert f'<a href="#f-{finding.pk}">{finding.label}</a>' in page


def test_an_approval_posted_anyway_comes_back_to_the_audit_with_the_message(users, client_for):
    finding = _submitted_with_a_minor_finding_without_capa(users)
    client = client_for("qa_manager")
    answer = client.post(f"{PAGE}approve/", {"password": PASSWORD})
    assert answer.status_code == 302 and answer["location"] == PAGE
    page = client.get(PAGE).content.decode()
    assert page.count("Raise the CAPA of every major and minor finding first") == 1
    assert finding.label in page
    assert Audit.objects.get().report_signature is None


def test_a_report_cannot_end_the_audit_before_it_started(users, client_for):
    audit = in_progress(users)
    day_before = audit.started_on - dt.timedelta(days=1)
    answer = client_for("bank_technician").post(
        f"/api/v1/qms/audits/{audit.pk}/report",
        {"summary": "One observation.", "ended_on": day_before.isoformat()},
        content_type="application/json",
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert "before it started on" in error["message"] and "ended_on" in error["fields"]
    audit.refresh_from_db()
    assert audit.report_submitted_at is None and audit.ended_on is None
