"""The bank QC page and the API: what a QA manager sees and signs, and the error shape."""

import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from stemhub.quality.models import QcResult, Release
from tests.conftest import PASSWORD
from tests.quality.setups import GOOD, TESTED, pass_everything, qc_bank


@pytest.fixture
def cell_bank(users):
    return qc_bank(users)


def test_a_result_is_recorded_from_the_page_with_its_raw_file(users, cell_bank, client_for):
    client = client_for("bank_technician")
    answer = client.post(
        f"/quality/banks/{cell_bank.pk}/results/",
        {
            "test": "endotoxin",
            "value": "6.2",
            "tested_on": TESTED.isoformat(),
            "raw_file": SimpleUploadedFile("lal.csv", b"well,EU\nA1,6.2\n"),
            "confirm_fail": "1",
        },
    )
    assert answer.status_code == 302
    result = QcResult.objects.get(bank=cell_bank)
    assert not result.passed
    assert result.raw_sha256 == hashlib.sha256(b"well,EU\nA1,6.2\n").hexdigest()
    page = client.get(answer["location"]).content.decode()
    assert "6.2 EU/mL" in page and "≤ 5 EU/mL" in page and "Fail" in page
    assert "Out of specification: Endotoxin" in page


def test_an_out_of_specification_result_asks_for_confirmation_first(users, cell_bank, client_for):
    client = client_for("bank_technician")
    typed = {"test": "endotoxin", "value": "6.2", "tested_on": TESTED.isoformat()}
    asked = client.post(f"/quality/banks/{cell_bank.pk}/results/", typed)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert 'id="confirm-fail"' in page and "6.2 EU/mL is outside the specification" in page
    assert 'name="confirm_fail" value="1"' in page and 'value="6.2"' in page
    assert "Record the failing result" in page
    assert not QcResult.objects.exists()
    confirmed = client.post(
        f"/quality/banks/{cell_bank.pk}/results/", {**typed, "confirm_fail": "1"}
    )
    assert confirmed.status_code == 302
    assert not QcResult.objects.get(bank=cell_bank).passed


def test_a_passing_result_is_recorded_without_a_question(users, cell_bank, client_for):
    answer = client_for("bank_technician").post(
        f"/quality/banks/{cell_bank.pk}/results/",
        {"test": "endotoxin", "value": "0.4", "tested_on": TESTED.isoformat()},
    )
    assert answer.status_code == 302 and QcResult.objects.get(bank=cell_bank).passed


@pytest.mark.parametrize(
    ("test", "value", "said", "problem"),
    [
        ("viability", "150", "150 % is impossible", "between 0 and 100 %"),
        ("endotoxin", "-1", "-1 EU/mL is impossible", "not negative"),
    ],
)
def test_an_impossible_value_is_refused_naming_the_field(
    users, cell_bank, client_for, test, value, said, problem
):
    answer = client_for("bank_technician").post(
        f"/quality/banks/{cell_bank.pk}/results/",
        {"test": test, "value": value, "tested_on": TESTED.isoformat(), "confirm_fail": "1"},
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert said in page and f"<strong>Result</strong>: {problem}" in page
    assert f'value="{value}"' in page
    assert not QcResult.objects.exists()


def test_a_refused_result_shows_why_and_keeps_the_input(users, cell_bank, client_for):
    answer = client_for("bank_technician").post(
        f"/quality/banks/{cell_bank.pk}/results/",
        {"test": "mycoplasma", "value": "maybe", "tested_on": TESTED.isoformat()},
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "the result is one of negative, positive" in page and 'value="maybe"' in page


def test_the_release_form_signs_and_the_page_shows_the_signature(users, cell_bank, client_for):
    pass_everything(users["bank_technician"], cell_bank)
    client = client_for("qa_manager")
    wrong = client.post(f"/quality/banks/{cell_bank.pk}/release/", {"password": "guess"})
    assert wrong.status_code == 403 and "password does not match" in wrong.content.decode()
    answer = client.post(f"/quality/banks/{cell_bank.pk}/release/", {"password": PASSWORD})
    assert answer.status_code == 302
    signature = Release.objects.get(bank=cell_bank).signature
    page = client.get(answer["location"]).content.decode()
    for shown in ("Qa Tester", "approved for release", signature.record_hash, "Valid"):
        assert shown in page
    assert 'id="release-form"' not in page


def test_the_api_refuses_a_release_with_the_error_shape(users, cell_bank, client_for):
    answer = client_for("qa_manager").post(
        f"/api/v1/quality/banks/{cell_bank.pk}/release",
        json.dumps({"password": PASSWORD}),
        content_type="application/json",
    )
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "conflict" and "no result for" in error["message"]
    assert error["fields"]["sterility"] == ["no result"]


def test_the_api_records_a_result_and_reports_the_bank(users, cell_bank, client_for):
    client = client_for("bank_technician")
    answer = client.post(
        f"/api/v1/quality/banks/{cell_bank.pk}/results",
        {"test": "str-identity", "value": GOOD["str-identity"], "tested_on": TESTED.isoformat()},
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["str_score"] == "100.00"
    report = client.get(f"/api/v1/quality/banks/{cell_bank.pk}").json()
    assert report["released"] is False
    assert "str-identity" not in report["missing"] and "sterility" in report["missing"]


def test_the_bank_page_lists_results_in_few_queries(
    users, cell_bank, client_for, django_assert_max_num_queries
):
    pass_everything(users["bank_technician"], cell_bank)
    client = client_for("qa_manager")
    with django_assert_max_num_queries(40):
        assert client.get(f"/quality/banks/{cell_bank.pk}/").status_code == 200
