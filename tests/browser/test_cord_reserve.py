"""A search coordinator registers a patient, searches, and reserves the best unit in a browser."""

import pytest
from playwright.sync_api import expect

from stemhub.cordblood.models import Reservation, Unit
from tests.conftest import PASSWORD
from tests.cordblood.conftest import centre, cord_bank, cord_engine, people, unit_row, upload  # noqa: F401
from tests.cordblood.test_search import PATIENT_HLA


@pytest.fixture(autouse=True)
def _engine(cord_engine, settings, tmp_path):  # noqa: F811
    settings.DATA_DIR = tmp_path


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_coordinator_searches_and_reserves_a_unit(live_server, browser, people, cord_bank):  # noqa: F811
    upload(people["tech"], cord_bank, [unit_row("BEST", 1, tnc=200), unit_row("NEXT", 2, tnc=90)])
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/cord/patients/new/")
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_label("Centre patient id").fill("P-001")
    page.get_by_label("Weight (kg)").fill("20")
    page.get_by_label("or the whole typing as a GL string").fill(PATIENT_HLA)
    page.get_by_label("ABO group").select_option("A")
    page.get_by_role("button", name="Register patient").click()

    expect(page.get_by_role("heading", name="Patient P-001")).to_be_visible()
    page.get_by_role("button", name="Search", exact=True).click()
    results = page.locator("#results-cord")
    expect(results).to_contain_text("8/8")
    expect(results.locator("tbody tr").first).to_contain_text("BEST")
    page.get_by_role("button", name="Reserve NCBB/BEST").click()
    expect(page.locator(".messages")).to_contain_text("is reserved for P-001")
    expect(page.locator("#reservations")).to_contain_text("NCBB/BEST")
    assert Unit.objects.get(local_id="BEST").status == "reserved"
    assert Reservation.objects.get().patient.centre_patient_id == "P-001"
