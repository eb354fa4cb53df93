"""A licence signature carries the signing account's name: nobody signs as someone else."""

import pytest

from stemhub.distribution.models import LicenceSignature
from stemhub.distribution.selectors import current_licence
from tests.distribution.setups import request_data

pytestmark = pytest.mark.django_db


def _form(line, **overrides):
    data = request_data(licence_number=current_licence().number, **overrides)
    data["accept_licence"] = "yes"
    return data


def test_the_request_form_shows_the_name_the_signature_will_carry(line, client_for):
    page = client_for("researcher").get(f"/distribution/lines/{line.name}/request/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'value="Researcher Tester" readonly' in text
    assert 'name="printed_name"' not in text


def test_a_name_typed_into_the_form_is_not_the_signature_name(line, client_for):
    answer = client_for("researcher").post(
        f"/distribution/lines/{line.name}/request/", _form(line, printed_name="Rita Levi")
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    signature = LicenceSignature.objects.get()
    assert signature.printed_name == "Researcher Tester"


def test_a_name_sent_to_the_api_is_not_the_signature_name(users, line, client_for):
    payload = request_data(
        line=line.name, licence_number=current_licence().number, printed_name="Rita Levi"
    )
    answer = client_for("researcher").post(
        "/api/v1/distribution/requests", payload, content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    signature = LicenceSignature.objects.get()
    assert (signature.signer, signature.printed_name) == (users["researcher"], "Researcher Tester")
    assert answer.json()["signature"]["printed_name"] == "Researcher Tester"


def test_an_account_without_a_full_name_signs_with_its_username(users, line, client_for):
    researcher = users["researcher"]
    researcher.first_name = researcher.last_name = ""
    researcher.save(update_fields=["first_name", "last_name"])
    client_for("researcher").post(
        f"/distribution/lines/{line.name}/request/", _form(line, printed_name="Rita Levi")
    )
    assert LicenceSignature.objects.get().printed_name == researcher.get_username()
