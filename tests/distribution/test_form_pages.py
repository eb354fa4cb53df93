"""The request form and the action forms on a request's page: availability said plainly, every
problem shown at once on its field, and what was typed kept."""

import pytest

from stemhub.distribution.models import DistributionRequest, RequestStatus
from stemhub.registry import services as registry
from tests.conftest import PASSWORD
from tests.distribution.setups import approved, distribution_lot, make_request, shipped

pytestmark = pytest.mark.django_db


def test_a_line_without_released_stock_says_the_request_will_wait(users, line, client_for):
    for page in (f"/lines/{line.name}/", f"/distribution/lines/{line.name}/request/"):
        text = client_for("researcher").get(page).content.decode()
        assert "No released stock" in text and "your request will wait" in text


def test_a_line_with_released_stock_says_how_many_vials(users, line, client_for):
    distribution_lot(users, line, count=4)
    distribution_lot(users, line, count=3, released=False)
    text = client_for("researcher").get(f"/lines/{line.name}/").content.decode()
    assert "In stock: 4 vials released for distribution." in text
    assert "No released stock" not in text


def test_a_line_not_yet_available_says_why_and_offers_no_form(users, line, client_for):
    registry.cell_line_set_availability(
        actor=users["curator"], line=line, availability="not_available"
    )
    client = client_for("researcher")
    text = client.get(f"/lines/{line.name}/").content.decode()
    assert "is not available for distribution yet" in text
    assert "/request/" not in text
    form = client.get(f"/distribution/lines/{line.name}/request/").content.decode()
    assert 'name="project_title"' not in form
    answer = client.post(
        f"/distribution/lines/{line.name}/request/",
        {"project_title": "x", "password": PASSWORD, "accept_licence": "yes"},
    )
    assert answer.status_code in (400, 409)
    assert not DistributionRequest.objects.exists()


def test_the_request_form_names_every_problem_at_once_and_keeps_the_input(line, client_for):
    answer = client_for("researcher").post(
        f"/distribution/lines/{line.name}/request/",
        {
            "project_title": "Cortical neurons",
            "project_summary": "",
            "principal_investigator": "Dr Ada Lovelace",
            "recipient_institution": "University of Somewhere",
            "recipient_country": "Germany",
            "intended_use": "basic_research",
            "ethics_reference": "",
            "vials_requested": "99",
            "licence_number": "2",
            "accept_licence": "yes",
            "printed_name": "Researcher Tester",
            "password": PASSWORD,
        },
    )
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "4 fields need correcting" in text
    for problem in (
        "Fill in the project summary.",
        "Fill in the ethics approval reference.",
        "The number of vials must be from 1 to",
        "Give the country as its two-letter code",
    ):
        assert problem in text
    assert 'value="Cortical neurons"' in text and 'value="Dr Ada Lovelace"' in text
    assert 'name="accept_licence" value="yes" required checked' in text
    assert PASSWORD not in text
    assert not DistributionRequest.objects.exists()


def test_a_use_the_consent_forbids_is_named_on_the_intended_use(users, client_for):
    from tests.distribution.setups import available_line

    line = available_line(users, "NSCBi002-A", use_commercial=False)
    answer = client_for("researcher").post(
        f"/distribution/lines/{line.name}/request/",
        {"intended_use": "commercial", "vials_requested": "1", "licence_number": "2"},
    )
    text = answer.content.decode()
    assert "does not allow commercial use" in text
    assert "Tick the box to accept the licence terms." in text
    assert "Type your password to sign." in text


def test_a_shipment_with_gaps_names_each_field_and_keeps_what_was_typed(users, line, client_for):
    distribution_lot(users, line, count=2)
    found = approved(users, line)
    client = client_for("bank_technician")
    client.post(f"/distribution/requests/{found.pk}/allocate/")
    answer = client.post(
        f"/distribution/requests/{found.pk}/ship/",
        {"courier": "World Courier", "tracking_number": "", "shipped_on": "2 June"},
    )
    assert answer.status_code == 400
    text = answer.content.decode()
    for problem in (
        "Fill in the tracking number.",
        "Fill in the dry shipper.",
        "Fill in the temperature logger.",
        "Give the shipping date as a date (YYYY-MM-DD).",
    ):
        assert problem in text
    assert 'value="World Courier"' in text and 'value="2 June"' in text
    found.refresh_from_db()
    assert found.status == RequestStatus.ALLOCATED


def test_allocating_without_released_lots_says_what_must_happen_first(users, line, client_for):
    found = approved(users, line)
    answer = client_for("bank_technician").post(f"/distribution/requests/{found.pk}/allocate/")
    assert answer.status_code == 409
    text = answer.content.decode()
    assert "has no distribution lot released by quality assurance" in text
    assert "Quality assurance must release a distribution lot" in text
    assert 'id="next-step"' in text


def test_a_thaw_report_out_of_range_stays_on_the_page_with_its_values(users, line, client_for):
    distribution_lot(users, line, count=2)
    found = shipped(users, approved(users, line))
    client = client_for("researcher")
    client.post(f"/distribution/requests/{found.pk}/receipt/", {"received_on": "2025-06-03"})
    answer = client.post(
        f"/distribution/requests/{found.pk}/thaw/",
        {
            "thawed_on": "2025-06-04",
            "viability": "180",
            "recovery": "70",
            "attachment": "partial",
            "problems": "Slow",
        },
    )
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Viability is a percentage" in text
    assert 'value="180"' in text and '<option value="partial" selected>' in text


def test_a_review_without_reason_keeps_the_page(users, line, client_for):
    found = make_request(users, line)
    answer = client_for("curator").post(
        f"/distribution/requests/{found.pk}/review/", {"decision": "approve", "reason": " "}
    )
    assert answer.status_code == 400
    assert "Give a reason for the approval" in answer.content.decode()
    found.refresh_from_db()
    assert found.status == RequestStatus.SUBMITTED


def test_the_allocation_card_says_how_many_vials_are_released(users, line, client_for):
    distribution_lot(users, line, count=1)
    found = approved(users, line, vials_requested=2)
    page = client_for("bank_technician").get(f"/distribution/requests/{found.pk}/")
    text = page.content.decode()
    assert "1 vial is in released distribution lots now." in text
    assert "Not enough: quality assurance must release another distribution lot first." in text
    assert "2 vials" in text


def test_statistics_show_the_intended_use_in_words(users, line, client_for):
    distribution_lot(users, line, count=2)
    shipped(users, approved(users, line))
    text = client_for("curator").get("/distribution/statistics/").content.decode()
    assert "<td>Basic research</td>" in text
    assert "basic_research" not in text
