"""Units and patients carry a population (its haplotype frequency set predicts their matches):
by code in an upload, the patient form and the API; blank means the default population."""

import pytest
from django.test import Client

from stemhub.cordblood.models import Patient, Unit
from stemhub.populations.models import Population
from tests.cordblood.conftest import unit_row, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def populations(db):
    return {
        code: Population.objects.create(code=code, name=name, is_default=code == "CHN")
        for code, name in (("CHN", "Han Chinese"), ("EUR", "European"))
    }


def test_an_upload_gives_each_unit_the_population_of_its_code(people, cord_bank, populations):
    report = upload(
        people["tech"],
        cord_bank,
        [unit_row("U1", 1, population="eur"), unit_row("U2", 2, population=""), unit_row("U3", 3)],
    )
    assert report["applied"] and report["errors"] == []
    found = dict(Unit.objects.values_list("local_id", "population__code"))
    assert found == {"U1": "EUR", "U2": None, "U3": None}
    changed = upload(people["tech"], cord_bank, [unit_row("U2", 2, population="CHN")], mode="delta")
    assert changed["updated"] == 1
    assert Unit.objects.get(local_id="U2").population == populations["CHN"]


def test_an_unknown_population_is_named_with_its_line_and_nothing_is_stored(
    people, cord_bank, populations
):
    report = upload(
        people["tech"],
        cord_bank,
        [unit_row("U1", 1, population="CHN"), unit_row("U2", 2, population="XYZ")],
    )
    assert not report["applied"] and not Unit.objects.exists()
    (problem,) = report["errors"]
    # line 2: the second row of the JSON list
    assert (problem["line"], problem["field"]) == (2, "population")
    assert "XYZ" in problem["reason"] and "CHN, EUR" in problem["reason"]


def test_a_patient_is_registered_with_a_population_by_form_and_api(people, populations):
    client = Client()
    client.force_login(people["coordinator"])
    form = client.get("/cord/patients/new/").content.decode()
    assert "Default population (CHN)" in form and "EUR: European" in form
    typing = "A*02:01+A*01:01^B*08:01+B*44:02^DRB1*03:01+DRB1*15:01"
    answer = client.post(
        "/cord/patients/new/",
        {"centre_patient_id": "P1", "weight_kg": "20", "hla": typing, "population": "EUR"},
    )
    assert answer.status_code == 302
    patient = Patient.objects.get(centre_patient_id="P1")
    assert patient.population == populations["EUR"]
    assert "EUR: European" in client.get(answer["location"]).content.decode()
    created = client.post(
        "/api/v1/cord/patients",
        {"centre_patient_id": "P2", "weight_kg": 20, "hla": typing},
        content_type="application/json",
    )
    assert created.status_code == 200 and created.json()["population"] is None
    refused = client.post(
        "/api/v1/cord/patients",
        {"centre_patient_id": "P3", "weight_kg": 20, "hla": typing, "population": "MARS"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "MARS" in refused.json()["error"]["fields"]["population"][0]
    assert not Patient.objects.filter(centre_patient_id="P3").exists()
