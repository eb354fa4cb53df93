"""The audit programme's and management reviews' pages, the QA home-page panel, and the API's
answers to bad input and to state conflicts."""

import datetime
import json

import pytest
from django.utils import timezone

from stemhub.qms import audits as services
from stemhub.qms.models import Audit, ManagementReview
from tests.conftest import PASSWORD
from tests.qms.audit_setups import AUDIT, AUDIT_ID, in_progress, planned, report_submitted

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_the_programme_lists_this_years_audits_by_month_with_their_status(users, client_for):
    planned(users, planned_on=TODAY.replace(month=3, day=4), title="Storage audit")
    page = client_for("curator").get("/qms/audits/").content.decode()
    assert "Storage audit" in page and f"AUD-{TODAY.year}-{AUDIT_ID}" in page
    assert "badge audit-planned" in page
    assert f"No audit planned for {TODAY.year - 1}" in page


def test_the_audit_page_shows_the_checklist_findings_and_capa(users, client_for):
    audit = in_progress(users)
    finding = services.audit_finding_record(
        actor=users["qa_manager"], audit=audit, grade="major", clause_id="6.5",
        description="BSC-2 used past its certification",
    )  # fmt: skip
    page = client_for("curator").get(f"/qms/audits/{AUDIT_ID}/").content.decode()
    assert "Is every instrument calibrated?" in page
    assert "badge grade-major" in page and finding.capa.number in page
    assert 'id="finding-form"' not in page  # the curator does not run the audit
    runner = client_for("bank_technician").get(f"/qms/audits/{AUDIT_ID}/").content.decode()
    assert 'id="finding-form"' in runner


def test_the_plan_form_keeps_what_was_typed_and_marks_the_bad_field(users, client_for):
    answer = client_for("qa_manager").post(
        "/qms/audits/new/",
        {"kind": "internal", "title": "Storage", "planned_on": "2026-05-12", "clauses": ["7.7"]},
    )
    page = answer.content.decode()
    assert answer.status_code == 400
    assert 'value="Storage"' in page and 'id="c-7.7" name="clauses" value="7.7" checked' in page
    assert "An internal audit needs a lead auditor." in page
    assert 'name="lead_auditor" aria-invalid="true"' in page


def test_planning_from_the_page_opens_the_new_audit(users, client_for):
    answer = client_for("qa_manager").post(
        "/qms/audits/new/",
        {"kind": "external", "title": "CNAS surveillance", "planned_on": "2026-11-03",
         "clauses": ["8.8", "8.9"], "external_body": "CNAS"},
    )  # fmt: skip
    audit = Audit.objects.get()
    assert answer.status_code == 302 and answer["location"] == f"/qms/audits/{audit.pk}/"
    assert audit.checklist.count() == 4


def test_a_wrong_password_is_shown_on_the_approval_form(users, client_for):
    report_submitted(users)
    answer = client_for("qa_manager").post(f"/qms/audits/{AUDIT_ID}/approve/", {"password": "x"})
    page = answer.content.decode()
    assert answer.status_code == 403 and 'id="approve-form"' in page
    assert 'name="password" autocomplete="current-password" required aria-invalid="true"' in page
    assert Audit.objects.get().status == "in_progress"


def test_closing_with_open_capas_says_which(users, client_for):
    audit = in_progress(users)
    finding = services.audit_finding_record(
        actor=users["qa_manager"], audit=audit, grade="minor", clause_id="6.5", description="x"
    )
    services.audit_report_submit(actor=users["qa_manager"], audit=audit, summary="One minor.")
    services.audit_report_approve(actor=users["qa_manager"], audit=audit, password=PASSWORD)
    answer = client_for("qa_manager").post(f"/qms/audits/{AUDIT_ID}/close/", follow=True)
    assert answer.redirect_chain == [(f"/qms/audits/{AUDIT_ID}/", 302)]
    assert finding.label in answer.content.decode()


def test_the_review_form_shows_the_inputs_and_records_a_signed_review(users, client_for):
    in_progress(users)
    client = client_for("qa_manager")
    page = client.get("/qms/reviews/new/").content.decode()
    assert "Audit findings by grade" in page and "Observation" in page
    answer = client.post(
        "/qms/reviews/new/",
        {"period_start": f"{TODAY:%Y}-01-01", "period_end": f"{TODAY:%Y-%m-%d}",
         "held_on": f"{TODAY:%Y-%m-%d}", "attendees": "Director", "decisions": "Go on.",
         "password": PASSWORD},
    )  # fmt: skip
    review = ManagementReview.objects.get()
    assert answer.status_code == 302 and answer["location"] == f"/qms/reviews/{review.pk}/"
    detail = client.get(answer["location"]).content.decode()
    assert "Go on." in detail and review.signature.record_hash in detail


def test_the_review_form_keeps_what_was_typed_when_the_password_is_wrong(users, client_for):
    answer = client_for("qa_manager").post(
        "/qms/reviews/new/",
        {"held_on": f"{TODAY:%Y-%m-%d}", "attendees": "Director", "decisions": "Go on.",
         "password": "wrong"},
    )  # fmt: skip
    page = answer.content.decode()
    assert answer.status_code == 403 and ">Go on.</textarea>" in page
    assert not ManagementReview.objects.exists()


def test_qa_sees_audits_due_and_reports_awaiting_approval_on_the_home_page(users, client_for):
    planned(users, planned_on=TODAY + datetime.timedelta(days=5))
    page = client_for("qa_manager").get("/work/").content.decode()
    assert "Audits due and reports to approve" in page and "Due soon" in page
    assert (
        "Audits due and reports to approve"
        not in client_for("curator").get("/work/").content.decode()
    )


def test_the_home_panel_lists_a_report_awaiting_approval(users, client_for):
    report_submitted(users)
    page = client_for("qa_manager").get("/work/").content.decode()
    assert "Report awaiting approval" in page


def test_the_api_names_an_unknown_clause(users, client_for):
    answer = client_for("qa_manager").post(
        "/api/v1/qms/audits",
        json.dumps({"kind": "external", "title": "x", "clauses": ["10.1"],
                    "planned_on": "2026-11-03", "external_body": "CNAS"}),
        content_type="application/json",
    )  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"]["clauses.0"][0].startswith("one of 4.1, 4.2")


def test_the_api_refuses_an_unknown_lead_auditor(users, client_for):
    answer = client_for("qa_manager").post(
        "/api/v1/qms/audits",
        json.dumps({"kind": "internal", "title": "x", "clauses": ["7.7"],
                    "planned_on": "2026-11-03", "lead_auditor": "other_qa"}),
        content_type="application/json",
    )  # fmt: skip
    assert answer.status_code == 400 and "lead_auditor" in answer.json()["error"]["fields"]


def test_the_api_answers_409_when_an_audit_is_not_in_the_right_state(users, client_for):
    planned(users)
    answer = client_for("qa_manager").post(
        f"{AUDIT}/report", json.dumps({"summary": "x"}), content_type="application/json"
    )
    assert answer.status_code == 409


def test_the_api_gives_an_audit_with_its_checklist_and_findings(users, client_for):
    in_progress(users)
    body = client_for("curator").get(AUDIT).json()
    assert body["status"] == "in_progress" and body["clauses"] == ["6.5", "8.4"]
    assert body["checklist"][0]["clause"] == "6.5"
    assert body["findings"][0]["grade"] == "observation" and body["findings"][0]["capa"] is None
