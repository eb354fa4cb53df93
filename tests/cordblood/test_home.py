"""The home page (/work/) opens on each one's cord blood work: a coordinator's patients waiting
with their best match, searches under way and reservations; a bank operator's units by status,
reservations to ship and recent uploads. Empty queues say what to do next."""

import pytest
from django.test import Client

from stemhub.cordblood import services
from stemhub.cordblood.models import UnitUpload
from stemhub.cordblood.search import SearchRequest
from stemhub.core.navigation import panels_for
from tests.cordblood.conftest import unit_row, upload
from tests.cordblood.test_search import make_patient

pytestmark = pytest.mark.django_db


def queues(user) -> dict[str, object]:
    return {panel.key: panel.queue for panel in panels_for(user) if panel.key.startswith("cord_")}


def test_an_empty_coordinator_home_says_what_to_do(people, cord_bank):
    found = queues(people["coordinator"])
    assert set(found) == {"cord_patients", "cord_searches", "cord_reservations"}
    assert all(queue.count == 0 for queue in found.values())
    assert "press New patient" in str(found["cord_patients"].empty)
    assert "Search the network" in str(found["cord_searches"].empty)
    assert "Reserve a unit from a patient's search results" in str(found["cord_reservations"].empty)


def test_the_coordinator_sees_patients_with_their_best_match_and_reservations(people, cord_bank):
    upload(people["tech"], cord_bank, [unit_row("SAME", 1), unit_row("TWIN", 2)])
    searched = make_patient(people, centre_patient_id="P1", diagnosis="aml")
    make_patient(people, centre_patient_id="P2")
    saved, results = services.search_run(
        actor=people["coordinator"], patient=searched, request=SearchRequest()
    )
    reservation = services.unit_reserve(
        actor=people["coordinator"],
        unit_id=results["kinds"]["cord"]["results"][0]["unit_id"],
        patient=searched,
    )
    services.reservation_request_typing(actor=people["coordinator"], reservation=reservation)
    found = queues(people["coordinator"])
    patients = {row.label: row.detail for row in found["cord_patients"].rows}
    assert found["cord_patients"].count == 2
    assert "best 8/8 (2 units)" in patients["P1"] and "No search yet" in patients["P2"]
    assert "Acute myeloid leukaemia (AML) · 20 kg" in patients["P1"]
    searches = found["cord_searches"]
    assert searches.count == 1 and searches.rows[0].url == f"/cord/patients/searches/{saved.pk}/"
    assert searches.rows[0].detail == "cord units 8/8: 2"
    reserved = found["cord_reservations"].rows[0]
    assert (reserved.badge, found["cord_reservations"].count) == ("Typing requested", 1)
    assert reserved.label == "NCBB/SAME for P1"  # equal HLA and dose: the first unit


def test_an_operator_sees_units_by_status_reservations_to_ship_and_uploads(people, cord_bank):
    upload(people["tech"], cord_bank, [unit_row("U1", 1), unit_row("U2", 2, status="withdrawn")])
    upload(people["tech"], cord_bank, [unit_row("U3", 3, din_check="Q")])  # refused
    patient = make_patient(people)
    reservation = services.unit_reserve(
        actor=people["coordinator"], unit_id=cord_bank.cord_units.get(local_id="U1").pk,
        patient=patient,
    )  # fmt: skip
    coordinator = people["coordinator"]
    assert queues(people["tech"])["cord_to_ship"].count == 0  # its typing is not confirmed yet
    services.reservation_request_typing(actor=coordinator, reservation=reservation)
    assert queues(people["tech"])["cord_to_ship"].count == 0
    services.reservation_record_typing(actor=coordinator, reservation=reservation, result="match")
    found = queues(people["tech"])
    assert set(found) == {"cord_units", "cord_to_ship", "cord_uploads"}
    units = found["cord_units"]
    assert units.count == 2
    assert [(row.label, row.url, row.detail) for row in units.rows] == [
        ("Reserved", "/cord/units/?status=reserved", "1 unit"),
        ("Withdrawn", "/cord/units/?status=withdrawn", "1 unit"),
    ]
    to_ship = found["cord_to_ship"]
    assert to_ship.count == 1 and to_ship.tone == "warn"
    assert to_ship.rows[0].label == "NCBB/U1 for UHTC/P1"
    assert to_ship.rows[0].url == f"/cord/units/{reservation.unit_id}/"
    uploads = found["cord_uploads"]
    refused = UnitUpload.objects.get(applied=False)
    assert uploads.count == 2 and uploads.rows[0].badge == "Not applied"
    assert uploads.rows[0].url == f"/cord/banks/NCBB/upload/{refused.pk}/"
    assert "1 problem; nothing was applied." in uploads.rows[0].detail


def test_the_home_page_shows_the_queues(people, cord_bank):
    client = Client()
    client.force_login(people["tech"])
    body = client.get("/work/").content.decode()
    assert "Our units by status" in body and "Reservations to ship" in body
    assert "No units yet. Upload your inventory from Upload units." in body


def test_staff_of_a_stem_cell_bank_get_no_cord_queues(people, cord_bank):
    from stemhub.accounts.models import Institution, Role
    from tests.conftest import make_user

    stem_bank = Institution.objects.create(
        name="Stem Cell Bank", kind=Institution.Kind.STEM_CELL_BANK, provider_code="SCB"
    )
    assert queues(make_user("tech2", stem_bank, Role.BANK_TECHNICIAN)) == {}
