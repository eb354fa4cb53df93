"""Closing a nonconformity from the bank's QC page: signed with the password re-entered, and
the page then shows who closed it, when, and what the signature means."""

import pytest

from stemhub.quality.models import Nonconformity
from tests.conftest import PASSWORD
from tests.quality.setups import qc_bank, record


@pytest.fixture
def nonconformity(users):
    bank = qc_bank(users)
    record(users["bank_technician"], bank, "mycoplasma", "positive")
    return Nonconformity.objects.get(bank=bank)


def test_a_wrong_password_keeps_the_nonconformity_open_and_what_was_typed(
    nonconformity, client_for
):
    answer = client_for("qa_manager").post(
        f"/quality/nonconformities/{nonconformity.pk}/close/",
        {"closure_reason": "Retest negative", "capa": "Retrain", "password": "guess"},
    )
    assert answer.status_code == 403
    page = answer.content.decode()
    assert "password does not match" in page
    assert ">Retest negative</textarea>" in page and ">Retrain</textarea>" in page
    nonconformity.refresh_from_db()
    assert nonconformity.status == "open"


def test_the_closed_nonconformity_shows_its_signature(nonconformity, client_for):
    client = client_for("qa_manager")
    bank_page = client.get(f"/quality/banks/{nonconformity.bank_id}/").content.decode()
    assert f'id="nc-password-{nonconformity.pk}"' in bank_page
    answer = client.post(
        f"/quality/nonconformities/{nonconformity.pk}/close/",
        {"closure_reason": "Retest negative", "password": PASSWORD},
    )
    assert answer.status_code == 302
    page = client.get(answer["location"]).content.decode()
    nonconformity.refresh_from_db()
    when = nonconformity.closed_at.strftime("%Y-%m-%d %H:%M")
    assert f"Closed and signed by Qa Tester on {when}" in page
    assert "Nonconformity closure approved" in page
    listing = client.get("/quality/nonconformities/?status=closed").content.decode()
    assert f"{when}, signed by Qa Tester" in listing
