"""In a browser: the public preliminary search (htmx), and a coordinator recording an outcome."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from stemhub.cordblood import services
from stemhub.cordblood.models import Transplant, Unit
from tests.conftest import PASSWORD
from tests.cordblood.conftest import centre, cord_bank, cord_engine, people, unit_row, upload  # noqa: F401
from tests.cordblood.test_search import PATIENT_HLA, make_patient


@pytest.fixture(autouse=True)
def _engine(cord_engine, settings, tmp_path):  # noqa: F811
    settings.DATA_DIR = tmp_path


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_anyone_counts_potential_matches_from_a_typing(live_server, browser, people, cord_bank):  # noqa: F811
    upload(
        people["tech"],
        cord_bank,
        [unit_row("SAME", 1), unit_row("ONE", 2, hla_a="A*02:01+A*03:01")],
    )
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/cord/preliminary-search/")
    page.get_by_label("HLA typing (GL string)").fill("A*99:99+A*01:01^B*08:01+B*44:02")
    page.get_by_role("button", name="Count potential matches").click()
    expect(page.get_by_role("alert")).to_contain_text("A*99:99")

    page.get_by_label("HLA typing (GL string)").fill(PATIENT_HLA)
    page.get_by_role("button", name="Count potential matches").click()
    cord = page.locator("#prelim-cord")
    expect(cord.locator('[data-grade="8/8"]')).to_have_text("1")
    expect(cord.locator('[data-grade="7/8"]')).to_have_text("1")
    expect(cord.locator(".total")).to_have_text("2")
    expect(page.get_by_role("alert")).to_have_count(0)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_coordinator_records_an_outcome(live_server, browser, people, cord_bank):  # noqa: F811
    upload(people["tech"], cord_bank, [unit_row("U1", 1)])
    patient = make_patient(people, diagnosis="AML")
    unit = Unit.objects.get()
    reservation = services.unit_reserve(
        actor=people["coordinator"], unit_id=unit.pk, patient=patient
    )
    services.reservation_ship(actor=people["tech"], reservation=reservation)

    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/cord/reservations/")
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Record infusion").click()
    page.get_by_label("Infused on").fill("2024-01-02")
    page.get_by_role("button", name="Record infusion").click()

    expect(page.get_by_role("heading", name="Transplant of P1")).to_be_visible()
    page.get_by_label("Neutrophil engraftment (day after infusion)").fill("21")
    page.get_by_label("Acute GVHD grade").select_option("II")
    page.get_by_label("Survival at day 100").select_option("alive")
    page.get_by_label("Last follow-up (day after infusion)").fill("150")
    page.get_by_role("button", name="Save outcomes").click()
    expect(page.locator(".messages")).to_contain_text("Outcomes saved")
    transplant = Transplant.objects.get()
    assert transplant.infused_on == dt.date(2024, 1, 2)
    assert (transplant.neutrophil_engraftment_day, transplant.agvhd_grade) == (21, "II")
    assert (transplant.survival_day100, transplant.last_followup_day) == ("alive", 150)
