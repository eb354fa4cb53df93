"""Registering a patient: the typing per locus or as a GL string (each bad token named by its
field), the date of birth and age, the disease group and status; and the pages that show it."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from stemhub.cordblood import services
from stemhub.cordblood.models import Patient
from stemhub.core.errors import InvalidInput
from tests.cordblood.test_search import PATIENT_HLA

pytestmark = pytest.mark.django_db

PER_LOCUS = {
    "hla_a": "A*02:01+A*01:01",
    "hla_b": "B*08:01+B*44:02",
    "hla_c": "C*07:01+C*05:01",
    "hla_drb1": "DRB1*03:01+DRB1*15:01",
    "hla_dqb1": "DQB1*02:01+DQB1*06:02",
    "hla_dpb1": "DPB1*04:01+DPB1*02:01",
}


def create(people, **data):
    values = {"centre_patient_id": "P1", "weight_kg": 20, **data}
    return services.patient_create(actor=people["coordinator"], data=values)


def refused(people, field: str, words: str, **data) -> None:
    before = Patient.objects.count()
    with pytest.raises(InvalidInput) as caught:
        create(people, **data)
    assert field in caught.value.fields, caught.value.fields
    assert words in " ".join(caught.value.fields[field])
    assert Patient.objects.count() == before


def test_the_typing_per_locus_becomes_one_gl_string(people):
    patient = create(people, **PER_LOCUS)
    assert patient.hla_gl == "^".join(PER_LOCUS.values())


def test_a_gl_string_and_a_locus_given_apart_are_joined(people):
    patient = create(people, hla=PATIENT_HLA, hla_dpb1="DPB1*04:01+DPB1*02:01")
    assert patient.hla_gl == f"{PATIENT_HLA}^DPB1*04:01+DPB1*02:01"


def test_a_bad_allele_is_named_with_its_field(people):
    refused(people, "hla_b", "'B*99:99'", **{**PER_LOCUS, "hla_b": "B*99:99+B*44:02"})
    refused(people, "hla", "A*99:99", hla="A*99:99+A*01:01^B*08:01+B*44:02^DRB1*03:01")


def test_a_typing_of_the_wrong_locus_is_refused(people):
    refused(people, "hla_a", "expected HLA-A", **{**PER_LOCUS, "hla_a": "B*08:01+B*44:02"})


def test_a_locus_given_twice_differently_is_refused(people):
    refused(people, "hla_a", "also in the GL string", hla=PATIENT_HLA, hla_a="A*03:01+A*01:01")


def test_a_typing_without_drb1_cannot_be_searched(people):
    refused(people, "hla_drb1", "HLA-DRB1", hla_a="A*02:01+A*01:01", hla_b="B*08:01+B*44:02")
    refused(people, "hla", "required", centre_patient_id="P2")


def test_a_date_of_birth_in_the_future_is_refused(people):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    refused(people, "date_of_birth", "is in the future", hla=PATIENT_HLA, date_of_birth=tomorrow)
    refused(people, "date_of_birth", "not a date", hla=PATIENT_HLA, date_of_birth="2020-02-30")


def test_an_age_that_contradicts_the_date_of_birth_is_refused(people):
    today = timezone.localdate()
    born = today.replace(year=today.year - 10) - dt.timedelta(days=1)  # ten years and a day
    refused(
        people, "age", "does not fit the date of birth", hla=PATIENT_HLA, date_of_birth=born, age=9
    )
    patient = create(people, hla=PATIENT_HLA, date_of_birth=born, age=10)
    assert (patient.birth_year, patient.age_on(today)) == (born.year, 10)


def test_an_age_alone_gives_the_year_of_birth(people):
    patient = create(people, hla=PATIENT_HLA, age=7)
    assert patient.date_of_birth is None
    assert patient.birth_year == timezone.localdate().year - 7
    refused(people, "age", "0 to 120", hla=PATIENT_HLA, centre_patient_id="P2", age=130)


def test_the_disease_group_says_whether_the_disease_is_malignant(people):
    thalassaemia = create(people, hla=PATIENT_HLA, diagnosis="thalassaemia", malignant=True)
    assert thalassaemia.malignant is False
    aml = create(people, hla=PATIENT_HLA, centre_patient_id="P2", diagnosis="AML", malignant=False)
    assert (aml.diagnosis, aml.malignant) == ("aml", True)
    other = create(
        people,
        hla=PATIENT_HLA,
        centre_patient_id="P3",
        diagnosis="other",
        diagnosis_detail="Fanconi anaemia",
        malignant=False,
    )
    assert (other.diagnosis_text, other.malignant) == ("Fanconi anaemia", False)


def test_unknown_groups_and_contradicting_status_are_refused(people):
    refused(people, "diagnosis", "one of", hla=PATIENT_HLA, diagnosis="leukaemia")
    refused(people, "diagnosis_detail", "required", hla=PATIENT_HLA, diagnosis="other")
    refused(
        people,
        "disease_status",
        "non-malignant",
        hla=PATIENT_HLA,
        diagnosis="aml",
        disease_status="na",
    )
    refused(people, "weight_kg", "more than 0", hla=PATIENT_HLA, weight_kg=0)


def test_the_database_keeps_a_malignant_group_malignant(people):
    patient = create(people, hla=PATIENT_HLA, diagnosis="aml")
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.filter(pk=patient.pk).update(malignant=False)


# ---- the pages ----------------------------------------------------------------------------------


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_form_registers_a_patient_typed_per_locus(people):
    answer = client_of(people["coordinator"]).post(
        "/cord/patients/new/",
        {
            "centre_patient_id": "P-7",
            "sex": "F",
            "date_of_birth": "2019-04-02",
            "weight_kg": "18.5",
            "abo": "B",
            "rh": "+",
            "diagnosis": "thalassaemia",
            "disease_status": "na",
            **PER_LOCUS,
        },
    )
    patient = Patient.objects.get()
    assert answer.status_code == 302 and answer["location"] == f"/cord/patients/{patient.pk}/"
    assert (patient.sex, patient.weight_kg, patient.abo, patient.rh) == ("F", 18.5, "B", "+")
    page = client_of(people["coordinator"]).get(answer["location"]).content.decode()
    assert "B Rh+" in page and "Thalassaemia major" in page
    assert "DPB1*04:01" in page and "High resolution" in page


def test_the_form_shows_the_bad_token_beside_its_field_and_keeps_the_values(people):
    answer = client_of(people["coordinator"]).post(
        "/cord/patients/new/",
        {"centre_patient_id": "P-8", "weight_kg": "20", **PER_LOCUS, "hla_c": "C*99:99+C*05:01"},
    )
    body = answer.content.decode()
    assert answer.status_code == 400 and not Patient.objects.exists()
    assert "&#x27;C*99:99&#x27;" in body or "'C*99:99'" in body
    assert 'value="P-8"' in body and 'value="DRB1*03:01+DRB1*15:01"' in body


def test_the_patient_page_lists_searches_with_their_dates_and_best_match(people, cord_bank):
    from tests.cordblood.conftest import unit_row, upload

    upload(people["tech"], cord_bank, [unit_row("SAME", 1)])
    patient = create(people, hla=PATIENT_HLA)
    coordinator = client_of(people["coordinator"])
    answer = coordinator.post(f"/cord/patients/{patient.pk}/searches/", {"cord_min_matches": "6"})
    search = patient.searches.get()
    assert answer["location"] == f"/cord/patients/searches/{search.pk}/"
    page = coordinator.get(f"/cord/patients/{patient.pk}/").content.decode()
    assert f"{search.last_run_at:%Y-%m-%d}" in page and "8/8 (1 unit)" in page
    assert "Cord blood, at least 6/8 (A, B, C, DRB1)" in page


def test_a_search_with_criteria_out_of_their_choices_is_named_with_400(people):
    patient = create(people, hla=PATIENT_HLA)
    answer = client_of(people["coordinator"]).post(
        f"/cord/patients/{patient.pk}/searches/", {"donor_type": "horse", "cord_min_matches": "x"}
    )
    assert answer.status_code == 400 and not patient.searches.exists()
    body = answer.content.decode()
    assert "donor_type" in body and "cord_min_matches" in body


def test_every_problem_of_the_typing_is_named_at_once(people):
    with pytest.raises(InvalidInput) as caught:
        create(people, hla_a="A*02:01+A*99:99", hla_b="B*40:01+B*46:01")
    assert set(caught.value.fields) == {"hla_a", "hla_drb1"}
    assert "'A*99:99'" in caught.value.fields["hla_a"][0]
    assert "HLA-DRB1" in caught.value.fields["hla_drb1"][0]


def test_a_reservation_for_a_patient_that_is_not_a_number_is_a_400(people, cord_bank):
    from tests.cordblood.conftest import unit_row, upload

    upload(people["tech"], cord_bank, [unit_row("U1", 1)])
    unit = cord_bank.cord_units.get()
    answer = client_of(people["coordinator"]).post(
        f"/cord/units/{unit.pk}/reserve/", {"patient": "x"}
    )
    assert answer.status_code == 400 and "patient" in answer.content.decode()


@pytest.mark.parametrize("year", [-5, 0, 1899, 99999, timezone.localdate().year + 1])
def test_an_impossible_year_of_birth_is_a_400_naming_it(people, year):
    client = Client()
    client.force_login(people["coordinator"])
    answer = client.post(
        "/api/v1/cord/patients",
        {"centre_patient_id": "P9", "weight_kg": 20, "hla": PATIENT_HLA, "birth_year": year},
        content_type="application/json",
    )
    assert answer.status_code == 400, answer.content
    assert "birth_year" in str(answer.json()["error"]["fields"])
    assert not Patient.objects.exists()


def test_a_control_character_in_a_patient_text_field_is_refused(people):
    refused(people, "ethnicity", "U+202E", hla=PATIENT_HLA, ethnicity="Han\u202e")
