"""In a browser: the public preliminary search (htmx), and a coordinator recording an infusion
and its follow-up (a date before the reservation and a contradiction refused on the way)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from stemhub.cordblood import services
from stemhub.cordblood.models import Transplant, Unit
from tests.conftest import PASSWORD
from tests.cordblood.conftest import (  # noqa: F401
    centre,
    confirm_typing,
    cord_bank,
    cord_engine,
    people,
    unit_row,
    upload,
)
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
    expect(cord.locator(".total")).to_have_text("2 units")
    expect(page.get_by_role("alert")).to_have_count(0)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_coordinator_records_an_infusion_and_its_follow_up(
    live_server,
    browser,
    people,  # noqa: F811
    cord_bank,  # noqa: F811
):
    upload(people["tech"], cord_bank, [unit_row("U1", 1)])
    patient = make_patient(people, diagnosis="aml")
    unit = Unit.objects.get()
    reservation = services.unit_reserve(
        actor=people["coordinator"], unit_id=unit.pk, patient=patient
    )
    confirm_typing(people, reservation)
    services.reservation_ship(actor=people["tech"], reservation=reservation)
    today = timezone.localdate()

    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/cord/reservations/")
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Record infusion").click()
    page.get_by_label("Infused on").fill("2024-01-02")
    page.get_by_role("button", name="Record infusion").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"infused_on: 2024-01-02 is before unit NCBB/U1 was reserved on {today}"
    )
    page.get_by_label("Infused on").fill(today.isoformat())
    page.get_by_role("button", name="Record infusion").click()

    expect(page.get_by_role("heading", name="Transplant of P1")).to_be_visible()
    page.get_by_label("Acute GVHD grade").select_option("II")
    page.get_by_label("Status at last follow-up").select_option("alive")
    page.get_by_label("Date of death").fill(today.isoformat())
    page.get_by_role("button", name="Save follow-up").click()
    expect(page.get_by_role("alert")).to_contain_text("Correct the fields marked below")
    expect(page.locator(".field.has-error")).to_contain_text(["contradicts the death"])

    page.get_by_label("Date of death").fill("")
    page.get_by_label("Last follow-up", exact=True).fill(today.isoformat())
    page.get_by_role("button", name="Save follow-up").click()
    expect(page.locator(".messages")).to_contain_text("Follow-up saved")
    transplant = Transplant.objects.get()
    assert transplant.infused_on == today
    assert (transplant.agvhd_grade, transplant.vital_status) == ("II", "alive")
    assert transplant.last_followup_on == today
