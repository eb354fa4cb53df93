"""Competence gating in every regulated service: under a governing document, a person with no
authorisation, no acknowledgement and no training on the version in force is refused (403,
code not_authorised, each gap named); once acknowledged, trained and authorised they succeed.
Without a governing document nothing is gated."""

import json
from typing import Any

import pytest
from django.test import Client

from stemhub.biobank import services as biobank
from stemhub.biobank.models import CellBank, Vial
from stemhub.qms.gating import NotAuthorised, authorisation_gaps
from stemhub.qms.models import Task
from tests.biobank.permission_cases import BANK, stocked
from tests.conftest import PASSWORD
from tests.cordblood.permission_cases import PK as RESERVATION
from tests.cordblood.permission_cases import reservation
from tests.distribution.permission_cases import REQ, request_in
from tests.qms.competence_setups import govern, qualify
from tests.quality.permission_cases import RESULT, ready, with_records
from tests.quality.setups import TESTED

pytestmark = pytest.mark.django_db


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(user: Any, path: str, body: dict[str, Any], *, multipart: bool = False) -> Any:
    if multipart:
        return client(user).post(path, body)
    return client(user).post(path, json.dumps(body), content_type="application/json")


def assert_refused(answer: Any, version: Any) -> None:
    """403 not_authorised, naming the three gaps of a newcomer."""
    assert answer.status_code == 403, answer.content[:300]
    error = answer.json()["error"]
    assert error["code"] == "not_authorised"
    message = error["message"]
    assert "you hold no authorisation for it" in message
    assert f"you have not acknowledged reading {version.label}" in message
    assert f"you have no training record on {version.label}" in message
    assert len(error["fields"]["competence"]) == 3


def gated(
    users: dict[str, Any],
    task: str,
    who: str,
    path: str,
    body: dict[str, Any],
    *,
    multipart: bool = False,
    ok: int = 200,
) -> None:
    """Refused under the governing document, then allowed once qualified."""
    actor = users[who]
    version = govern(actor.institution, task, users["qa_manager"])
    assert_refused(post(actor, path, body, multipart=multipart), version)
    trainer = users["trainer"] if who != "trainer" else users["qa_manager"]
    qualify(actor, task, version, trainer)
    answer = post(actor, path, body, multipart=multipart)
    assert answer.status_code == ok, answer.content[:500]


def test_recording_a_qc_result_is_gated(users):
    with_records(users)
    body = {"test": "sterility", "value": "no growth", "tested_on": TESTED.isoformat()}
    path = f"/api/v1/quality/banks/{BANK}/results"
    gated(users, Task.QC_RESULT, "bank_technician", path, body, multipart=True, ok=201)


def test_correcting_a_qc_result_is_gated(users):
    with_records(users)
    body = {"value": "0.9", "reason": "Transcription error"}
    gated(
        users, Task.QC_RESULT, "bank_technician", f"/api/v1/quality/results/{RESULT}/correct", body
    )


def test_signing_a_release_is_gated(users):
    ready(users)
    path = f"/api/v1/quality/banks/{BANK}/release"
    gated(users, Task.RELEASE, "qa_manager", path, {"password": PASSWORD}, ok=201)


def test_creating_a_cell_bank_is_gated(users):
    stocked(users)
    body = {
        "line": "NSCBi001-A",
        "tier": "wcb",
        "parent": "NSCBi001-A-MCB-01",
        "passage_number": 15,
        "freeze_date": "2025-04-01",
        "vial_count": 2,
        "boxes": [9006],
    }
    gated(users, Task.BANK_CREATE, "bank_technician", "/api/v1/biobank/banks", body, ok=201)
    assert CellBank.objects.filter(tier="wcb", parent__code="NSCBi001-A-MCB-01").exists()


def test_thawing_a_vial_is_gated(users):
    stocked(users)
    path = "/api/v1/biobank/vials/LEGACY-0001/thaw"
    gated(users, Task.VIAL_THAW, "bank_technician", path, {"purpose": "qc"})
    assert Vial.objects.get(barcode="LEGACY-0001").status == "used_for_qc"


def test_disposing_of_a_vial_is_gated(users):
    stocked(users)
    path = "/api/v1/biobank/vials/LEGACY-0001/dispose"
    gated(users, Task.VIAL_DISPOSE, "bank_technician", path, {"reason": "cracked"})
    assert Vial.objects.get(barcode="LEGACY-0001").status == "destroyed"


def test_destroying_vials_by_status_is_gated_as_a_disposal(users):
    """The status setter is no back door round the disposal's gate."""
    stocked(users)
    tech = users["bank_technician"]
    version = govern(tech.institution, Task.VIAL_DISPOSE, users["qa_manager"])
    vial = Vial.objects.get(barcode="LEGACY-0001")
    with pytest.raises(NotAuthorised):
        biobank.vial_set_status(actor=tech, vial=vial, status="destroyed", reason="cracked")
    biobank.vial_set_status(actor=tech, vial=vial, status="quarantined", reason="label smudged")
    qualify(tech, Task.VIAL_DISPOSE, version, users["trainer"])
    biobank.vial_set_status(
        actor=users["qa_manager"], vial=vial, status="available", reason="label read"
    )
    biobank.vial_set_status(actor=tech, vial=vial, status="destroyed", reason="cracked")
    assert Vial.objects.get(pk=vial.pk).status == "destroyed"


def test_reviewing_a_distribution_request_is_gated(users):
    request_in("submitted")(users)
    path = f"/api/v1/distribution/requests/{REQ}/review"
    gated(users, Task.REQUEST_REVIEW, "curator", path, {"decision": "approve", "reason": "ok"})


def test_the_banks_confirmation_of_a_cord_reservation_is_gated(users):
    """The bank confirms a reservation by releasing its unit for shipment."""
    reservation(typing="match")(users)
    path = f"/api/v1/cord/reservations/{RESERVATION}/ship"
    gated(users, Task.CORD_RESERVATION, "bank_technician", path, {})


def test_a_task_without_a_governing_document_is_not_gated(users, other_bank):
    """Governed at another institution only: nothing stops the work here."""
    govern(other_bank, Task.VIAL_THAW, users["other_qa"])
    tech = users["bank_technician"]
    assert authorisation_gaps(tech, Task.VIAL_THAW, tech.institution_id) == []
    stocked(users)
    answer = post(tech, "/api/v1/biobank/vials/LEGACY-0001/thaw", {"purpose": "qc"})
    assert answer.status_code == 200, answer.content[:300]
