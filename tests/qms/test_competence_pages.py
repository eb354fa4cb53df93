"""The competence pages and API: refusals shown as readable errors on the regulated forms, the
person page's forms (keeping what was typed), My training, the home-page panels, and what
each person may read through the API."""

import datetime

import pytest
from django.utils import timezone

from stemhub.qms.models import (
    Authorisation,
    ControlledDocument,
    DocumentVersion,
    Task,
    TrainingRecord,
)
from tests.biobank.permission_cases import BANK
from tests.conftest import PASSWORD
from tests.qms.competence_cases import DOC, competence_records
from tests.qms.competence_setups import acknowledge, govern
from tests.quality.permission_cases import ready, with_records
from tests.quality.setups import TESTED

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_the_qc_result_form_shows_the_competence_refusal_as_a_readable_error(users, client_for):
    with_records(users)
    version = govern(users["bank_technician"].institution, Task.QC_RESULT, users["qa_manager"])
    answer = client_for("bank_technician").post(
        f"/quality/banks/{BANK}/results/",
        {"test": "sterility", "value": "no growth", "tested_on": TESTED.isoformat()},
    )
    assert answer.status_code == 403
    page = answer.content.decode()
    assert "Entering QC results needs an authorisation" in page
    assert f"you have not acknowledged reading {version.label}" in page
    assert 'value="no growth"' in page  # the form keeps what was typed


def test_the_release_page_shows_the_competence_refusal_as_a_readable_error(users, client_for):
    ready(users)
    govern(users["qa_manager"].institution, Task.RELEASE, users["qa_manager"])
    answer = client_for("qa_manager").post(
        f"/quality/banks/{BANK}/release/", {"password": PASSWORD}
    )
    assert answer.status_code == 403
    assert "Signing bank releases needs an authorisation" in answer.content.decode()
    assert "you hold no authorisation for it" in answer.content.decode()


def test_recording_training_on_the_person_page_keeps_what_was_typed_on_an_error(users, client_for):
    competence_records(users)
    client = client_for("trainer")
    path = "/qms/competence/people/bank_technician/training/"
    answer = client.post(path, {"course": "Cryopreservation", "trained_on": TODAY.isoformat()})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'value="Cryopreservation"' in page and "a trainer or an external trainer" in page
    answer = client.post(
        path,
        {"course": "Cryopreservation", "trained_on": TODAY.isoformat(), "trainer": "qa_manager"},
    )
    assert answer.status_code == 302
    assert TrainingRecord.objects.filter(course="Cryopreservation", trainer=users["qa_manager"])


def test_the_person_page_shows_the_authorisation_and_its_expiry(users, client_for):
    competence_records(users)
    page = client_for("bank_technician").get("/qms/competence/people/bank_technician/")
    assert page.status_code == 200
    expiry = Authorisation.objects.get(user=users["bank_technician"]).expires_on
    assert f"{expiry:%Y-%m-%d}" in page.content.decode()
    assert "Grant an authorisation" not in page.content.decode()  # not a trainer
    # Another person of the bank does not see the technician's training.
    assert client_for("curator").get("/qms/competence/people/bank_technician/").status_code == 404


def test_a_trainer_grants_and_revokes_on_the_person_page(users, client_for):
    competence_records(users)
    client = client_for("trainer")
    expires = (TODAY + datetime.timedelta(days=200)).isoformat()
    answer = client.post(
        "/qms/competence/people/bank_technician/authorisations/",
        {"task": "vial_dispose", "expires_on": expires},
    )
    assert answer.status_code == 409  # no assessment for disposal
    assert "no competent assessment" in answer.content.decode()
    held = Authorisation.objects.get(user=users["bank_technician"])
    answer = client.post(f"/qms/competence/authorisations/{held.pk}/revoke/", {"reason": ""})
    assert answer.status_code == 400
    client.post(f"/qms/competence/authorisations/{held.pk}/revoke/", {"reason": "Absent"})
    assert Authorisation.objects.get(pk=held.pk).revoked_reason == "Absent"


def test_my_training_lists_what_is_missing_with_what_to_do(users, client_for):
    competence_records(users)
    client = client_for("bank_technician")
    page = client.get("/qms/competence/mine/").content.decode()
    assert "Retraining needed" in page and "not read: SOP-T-001 v1" in page
    # The authorisation is in force but cannot be used until the version in force is read.
    held_back = page.split("Your authorisations")[1]
    assert "Cannot be used yet" in held_back and "SOP-T-001 v1" in held_back
    acknowledge(users["bank_technician"], DocumentVersion.objects.get(document_id=DOC))
    page = client.get("/qms/competence/mine/").content.decode()
    assert "Cannot be used yet" not in page
    Authorisation.objects.filter(user=users["bank_technician"]).update(
        expires_on=TODAY + datetime.timedelta(days=10)
    )
    page = client.get("/qms/competence/mine/").content.decode()
    assert "Expiring within 30 days" in page and "Thawing vials" in page
    assert "ask an assessor to assess you again" in page


def test_the_home_page_panels(users, client_for):
    competence_records(users)
    Authorisation.objects.filter(user=users["bank_technician"]).update(
        expires_on=TODAY + datetime.timedelta(days=10)
    )
    mine = client_for("bank_technician").get("/work/").content.decode()
    assert "Your training and authorisations" in mine
    assert "Authorisations expiring or missing" not in mine
    keeper = client_for("trainer").get("/work/").content.decode()
    assert "Authorisations expiring or missing" in keeper
    assert "Bank Tester" in keeper and "not read: SOP-T-001 v1" in keeper


def test_the_api_shows_one_their_own_records_and_a_trainer_the_institutions(users, client_for):
    competence_records(users)
    own = client_for("curator").get("/api/v1/qms/competence/authorisations").json()
    assert own == []
    seen = client_for("trainer").get("/api/v1/qms/competence/authorisations").json()
    assert [a["username"] for a in seen] == ["bank_technician"]
    assert seen[0]["active"] is True
    other = client_for("other_qa").get("/api/v1/qms/competence/training-records").json()
    assert other == []
    procedures = client_for("curator").get("/api/v1/qms/competence/task-procedures").json()
    thaw = next(p for p in procedures if p["task"] == "vial_thaw")
    assert thaw["document"] == "SOP-T-001" and thaw["version_in_force"] == "SOP-T-001 v1"


def test_the_api_refuses_a_self_assessment_and_signs_another(users, client_for):
    competence_records(users)
    body = {
        "username": "trainer",
        "task": "vial_thaw",
        "assessed_on": TODAY.isoformat(),
        "method": "Observed",
        "outcome": "competent",
        "password": PASSWORD,
    }
    answer = client_for("trainer").post(
        "/api/v1/qms/competence/assessments", body, content_type="application/json"
    )
    assert answer.status_code == 403
    body["username"] = "bank_technician"
    answer = client_for("trainer").post(
        "/api/v1/qms/competence/assessments", body, content_type="application/json"
    )
    assert answer.status_code == 201
    assert answer.json()["meaning"] == "competence assessed"


def test_the_tasks_page_names_the_governing_document_in_the_reader_s_language(users, client_for):
    version = govern(users["bank_technician"].institution, Task.QC_RESULT, users["qa_manager"])
    ControlledDocument.objects.filter(pk=version.document_id).update(
        title="Recording QC results", title_zh="记录质控结果"
    )
    page = "/qms/competence/tasks/"
    english = client_for("qa_manager").get(page).content.decode()
    chinese = client_for("qa_manager").get(page, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "SOP-T-001 Recording QC results" in english and "记录质控结果" not in english
    assert "SOP-T-001 记录质控结果" in chinese
