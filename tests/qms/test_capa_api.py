"""CAPA over the API: the whole workflow, refusals out of order (409 naming the state), the
closure signature bound to the hash of the whole CAPA, and other institutions kept out."""

import json

import pytest
from django.utils import timezone

from stemhub.qms.capa_selectors import capa_record, capa_signature_verify
from stemhub.qms.models import Capa, CapaAction
from stemhub.quality.selectors import record_hash
from tests.conftest import PASSWORD
from tests.qms.capa_setups import (
    CAPA_ID,
    action_with_evidence,
    fixed_capa,
    found_effective,
    in_effectiveness,
    soon,
    with_action,
)

pytestmark = pytest.mark.django_db
CAPAS = "/api/v1/qms/capas"


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_the_workflow_runs_through_the_api(users, client_for):
    tech, qa = client_for("bank_technician"), client_for("qa_manager")
    opened = post(
        tech, CAPAS, {"source": "deviation", "title": "Late thaw", "description": "A day late"}
    )
    assert opened.status_code == 201, opened.content
    capa = opened.json()
    assert capa["status"] == "open" and capa["owner"] == "bank_technician"
    url = f"{CAPAS}/{capa['id']}"
    answer = post(
        tech,
        f"{url}/investigation",
        {
            "problem_statement": "Thaw entered a day late",
            "root_cause": "No reminder on the checklist",
            "five_whys": ["Late", "Forgot", "No reminder"],
            "fishbone": {"method": ["Checklist lacks the step"], "man": ["New starter"]},
        },
    )
    assert answer.status_code == 200 and answer.json()["status"] == "investigation"
    assert answer.json()["fishbone"] == {
        "man": ["New starter"],
        "method": ["Checklist lacks the step"],
    }
    action = post(
        tech,
        f"{url}/actions",
        {"kind": "corrective", "description": "Checklist", "owner": "bank_technician",
         "due_on": soon().isoformat()},
    )  # fmt: skip
    assert action.status_code == 201
    done = post(
        tech, f"/api/v1/qms/capa-actions/{action.json()['id']}/done", {"done_note": "SOP-017 v4"}
    )
    assert done.status_code == 200 and done.json()["done_by"] == "bank_technician"
    planned = post(
        tech,
        f"{url}/effectiveness-plan",
        {"criteria": "20 on time", "due_on": soon(60).isoformat()},
    )
    assert planned.json()["status"] == "effectiveness"
    verdict = post(qa, f"{url}/effectiveness", {"result": "effective", "note": "20 of 20"})
    assert verdict.json()["effectiveness"]["verified_by"] == "qa_manager"
    closed = post(qa, f"{url}/close", {"password": PASSWORD, "summary": "Checklist works"})
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert body["status"] == "closed"
    assert body["closure"]["meaning"] == "CAPA closure approved"
    assert body["closure"]["intact"] is True
    assert [e["kind"] for e in body["events"]][-1] == "closed"


def test_a_step_out_of_order_is_409_naming_the_state(users, client_for):
    fixed_capa(users)
    answer = post(client_for("qa_manager"), f"{CAPAS}/{CAPA_ID}/close", {"password": PASSWORD})
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "conflict"
    assert "“Open”" in error["message"] and error["fields"] == {"status": ["open"]}


def test_an_effectiveness_plan_with_actions_pending_is_409(users, client_for):
    with_action(users)
    answer = post(
        client_for("bank_technician"),
        f"{CAPAS}/{CAPA_ID}/effectiveness-plan",
        {"criteria": "c", "due_on": soon().isoformat()},
    )
    assert answer.status_code == 409
    assert "not done" in answer.json()["error"]["message"]


def test_closing_a_closed_capa_again_is_409_saying_it_is_final(users, client_for):
    found_effective(users)
    qa = client_for("qa_manager")
    assert post(qa, f"{CAPAS}/{CAPA_ID}/close", {"password": PASSWORD}).status_code == 200
    again = post(qa, f"{CAPAS}/{CAPA_ID}/close", {"password": PASSWORD})
    assert again.status_code == 409
    assert "reopened" in again.json()["error"]["message"]


def test_a_wrong_password_does_not_close(users, client_for):
    found_effective(users)
    answer = post(client_for("qa_manager"), f"{CAPAS}/{CAPA_ID}/close", {"password": "wrong"})
    assert answer.status_code == 403
    assert "password" in answer.json()["error"]["fields"]
    assert Capa.objects.get(pk=CAPA_ID).status == "effectiveness"


def test_the_signature_binds_the_hash_of_the_whole_capa_and_its_actions(users):
    from stemhub.qms import capa as services

    capa = found_effective(users)
    capa = services.capa_close(actor=users["qa_manager"], capa=capa, password=PASSWORD)
    signature = capa.closure_signature
    record = capa_record(capa)
    assert signature.record_hash == record_hash(record)
    assert json.loads(signature.record)["actions"][0]["done_note"] == "Checklist SOP-017 v4"
    assert capa_signature_verify(capa).intact
    # An action changed behind the services' back no longer matches what was signed.
    CapaAction.objects.filter(capa=capa).update(done_note="Something else")
    check = capa_signature_verify(Capa.objects.get(pk=capa.pk))
    assert not check.intact and "actions" in check.changes


def test_the_evidence_file_hash_is_part_of_the_record(users):
    capa = action_with_evidence(users)
    record = capa_record(Capa.objects.get(pk=capa.pk))
    assert len(record["actions"][0]["evidence_file_sha256"]) == 64


def test_a_non_effective_verdict_needs_its_new_action_named(users, client_for):
    in_effectiveness(users)
    answer = post(
        client_for("qa_manager"),
        f"{CAPAS}/{CAPA_ID}/effectiveness",
        {"result": "not_effective", "note": "Two late entries"},
    )
    assert answer.status_code == 400
    assert "new_action.description" in answer.json()["error"]["fields"]


def test_another_institution_neither_sees_nor_acts_on_the_capa(users, client_for):
    fixed_capa(users)
    other = client_for("other_qa")
    assert other.get(f"{CAPAS}/{CAPA_ID}").status_code == 404
    assert post(other, f"{CAPAS}/{CAPA_ID}/reassign", {"reason": "x"}).status_code == 404
    assert other.get(CAPAS).json() == []


def test_a_technician_who_does_not_own_the_capa_may_not_investigate_it(users, client_for):
    from tests.conftest import make_user

    fixed_capa(users)
    second = make_user("second_tech", users["bank_technician"].institution, "bank_technician")
    client = client_for("curator")
    client.force_login(second)
    answer = post(client, f"{CAPAS}/{CAPA_ID}/investigation", {"problem_statement": "p"})
    assert answer.status_code == 403
    assert "owner" in answer.json()["error"]["message"]


def test_the_list_filters_and_puts_overdue_first(users, client_for):
    from stemhub.qms.capa import capa_open

    tech = users["bank_technician"]
    later = capa_open(actor=tech, institution_id=tech.institution_id, source="deviation",
                      title="Later", description="d", due_on=soon(20))  # fmt: skip
    late = capa_open(actor=tech, institution_id=tech.institution_id, source="other",
                     title="Late", description="d")  # fmt: skip
    Capa.objects.filter(pk=late.pk).update(
        due_on=timezone.localdate() - __import__("datetime").timedelta(days=3)
    )
    listed = client_for("curator").get(CAPAS).json()
    assert [c["title"] for c in listed] == ["Late", "Later"]
    assert listed[0]["overdue"] is True
    assert [c["title"] for c in client_for("curator").get(f"{CAPAS}?overdue=true").json()] == [
        "Late"
    ]
    assert [c["id"] for c in client_for("curator").get(f"{CAPAS}?source=deviation").json()] == [
        later.pk
    ]
    assert client_for("curator").get(f"{CAPAS}?status=bogus").status_code == 400


def test_a_hand_raised_capa_cannot_claim_a_nonconformity(users, client_for):
    answer = post(
        client_for("bank_technician"),
        CAPAS,
        {"source": "nonconformity", "title": "t", "description": "d"},
    )
    assert answer.status_code == 400
    assert "source" in answer.json()["error"]["fields"]


@pytest.mark.parametrize(
    "path", [CAPAS, "/api/v1/qms/complaints", "/qms/capa/", "/qms/complaints/"]
)
def test_the_lists_take_as_many_queries_for_many_records_as_for_few(users, client_for, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stemhub.qms import complaints
    from stemhub.qms.capa import capa_open

    tech = users["bank_technician"]

    def add(n: int) -> None:
        for i in range(n):
            capa = capa_open(actor=tech, institution_id=tech.institution_id, source="other",
                             title=f"CAPA {i}", description="d")  # fmt: skip
            complaint = complaints.complaint_record(
                actor=tech, institution_id=tech.institution_id, complainant_kind="hospital",
                channel="email", received_on=timezone.localdate(), description="Warm unit",
            )  # fmt: skip
            complaints.complaint_capa_open(actor=tech, complaint=complaint)
            assert capa.pk

    client = client_for("qa_manager")
    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    add(5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(path).status_code == 200
    assert len(many) == len(few)
