"""Document control over the API: the whole workflow by its endpoints, and 4xx answers that
name the field, for the wrong person or the wrong institution."""

import base64
import datetime
import json

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.qms.documents_setup import PDF, advance, drafted, sop

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_the_whole_workflow_through_the_api(client_for):
    controller, qa = client_for("document_controller"), client_for("qa_manager")
    created = post(
        controller,
        "/api/v1/qms/documents",
        {"number": "SOP-QC-009", "title": "Endotoxin", "title_zh": "内毒素", "kind": "sop"},
    )
    assert created.status_code == 201, created.content
    doc = f"/api/v1/qms/documents/{created.json()['id']}"
    assert post(controller, f"{doc}/versions", {"change_summary": ""}).status_code == 201
    v1 = f"{doc}/versions/1"
    upload = {"name": "SOP-QC-009.pdf", "content_base64": base64.b64encode(PDF).decode()}
    attached = post(controller, f"{v1}/file", upload).json()
    assert attached["file"]["name"] == "SOP-QC-009.pdf" and len(attached["file"]["sha256"]) == 64
    assert post(controller, f"{v1}/submit").json()["status"] == "in_review"
    author_review = post(controller, f"{v1}/review", {"password": PASSWORD})
    assert author_review.status_code == 403
    assert post(qa, f"{v1}/review", {"password": PASSWORD}).json()["reviewed"] is True
    approved = post(
        qa,
        f"{v1}/approve",
        {"password": PASSWORD, "effective_from": TODAY.isoformat(), "retraining_required": True},
    ).json()
    assert approved["status"] == "effective" and approved["retraining_required"] is True
    detail = controller.get(doc).json()
    assert detail["in_force"] == 1 and detail["versions"][0]["review_due"]
    listed = client_for("bank_technician").get("/api/v1/qms/documents?q=内毒素").json()
    assert [d["number"] for d in listed] == ["SOP-QC-009"]
    assert client_for("bank_technician").get("/api/v1/qms/documents?kind=form").json() == []
    to_read = client_for("bank_technician").get("/api/v1/qms/documents/to-read").json()
    assert [v["label"] for v in to_read] == ["SOP-QC-009 v1"]


def test_a_future_effective_date_waits_and_a_past_one_is_a_400(users, client_for):
    version = advance(users, drafted(users, sop(users)), "reviewed")
    url = f"/api/v1/qms/documents/{version.document_id}/versions/1/approve"
    qa = client_for("qa_manager")
    past = post(
        qa,
        url,
        {"password": PASSWORD, "effective_from": "2020-01-01", "retraining_required": False},
    )
    assert past.status_code == 400
    assert "effective_from" in past.json()["error"]["fields"]
    later = (TODAY + datetime.timedelta(days=30)).isoformat()
    answer = post(
        qa, url, {"password": PASSWORD, "effective_from": later, "retraining_required": False}
    )
    assert answer.json()["status"] == "approved"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"number": "sop 1", "title": "x", "kind": "sop"}, "number"),
        ({"number": "SOP-1", "title": "x", "kind": "memo"}, "kind"),
        ({"number": "SOP-1", "title": "", "kind": "sop"}, "title"),
        ({"number": "SOP-1", "title": "x", "kind": "sop", "review_interval_months": 0},
         "review_interval_months"),
    ],
)  # fmt: skip
def test_a_bad_document_is_a_400_naming_the_field(client_for, body, field):
    answer = post(client_for("document_controller"), "/api/v1/qms/documents", body)
    assert answer.status_code == 400
    assert any(field in name for name in answer.json()["error"]["fields"]), answer.json()


def test_a_wrong_password_is_refused_naming_it(users, client_for):
    version = advance(users, drafted(users, sop(users)), "in_review")
    answer = post(
        client_for("qa_manager"),
        f"/api/v1/qms/documents/{version.document_id}/versions/1/review",
        {"password": "wrong"},
    )
    assert answer.status_code == 403
    assert "password" in answer.json()["error"]["fields"]


def test_drafts_are_hidden_from_readers_and_documents_from_other_institutions(users, client_for):
    version = drafted(users, sop(users))
    url = f"/api/v1/qms/documents/{version.document_id}"
    assert client_for("bank_technician").get(url).json()["versions"] == []
    assert client_for("bank_technician").get(f"{url}/versions/1/file").status_code == 404
    assert client_for("other_qa").get(url).status_code == 404
    assert client_for("researcher").get(url).status_code == 403
    assert client_for(None).get(url).status_code == 401
