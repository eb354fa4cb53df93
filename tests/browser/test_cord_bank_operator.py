"""A cord blood bank operator, on the demo as `make run` serves it, clicking only: the units
page, a filter, a reserved unit, its release for shipment; the upload page, a file that is
refused, its report and the report of an earlier upload. And the operators of the banks the
cord blood demo adds open every link of their menu."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.demo_site import Visitor, menu_links

BAD_CSV = (
    "local_id,din,din_check,tnc,collection_date,processing_date,hla_a,hla_b,hla_drb1\n"
    "NEW-1,G123498654321,H,150,2024-05-02,2024-05-01,A*02:01+A*01:01,B*08:01,DRB1*03:01\n"
)


@pytest.mark.browser
def test_an_operator_filters_units_ships_a_reservation_and_reads_upload_reports(signed_in):
    page = signed_in("cord-tech")
    expect(page.locator("#queue-cord_to_ship")).to_contain_text("Reservations to ship")
    menu = page.get_by_role("navigation", name="Main")
    menu.get_by_role("link", name="Our units").click()

    expect(page.get_by_role("heading", name="Units of North China Cord Blood Bank")).to_be_visible()
    page.get_by_label("Status", exact=True).select_option(label="Reserved")
    page.get_by_role("button", name="Filter").click()
    reserved = page.locator("#units tbody tr")
    expect(reserved.first).to_contain_text("Reserved")

    # A unit ships only once the centre recorded a confirmatory typing that confirms the match.
    menu.get_by_role("link", name="Reservations").click()
    rows = page.locator("#reservations tbody tr")
    expect(rows.filter(has_text="result awaited").first.locator(".ship-blocked")).to_contain_text(
        "confirmatory typing result is not recorded"
    )
    shippable = rows.filter(has=page.get_by_role("button", name=re.compile("for shipment"))).first
    shippable.get_by_role("link").first.click()

    expect(page.get_by_role("heading", name="Reservations", exact=True)).to_be_visible()
    page.get_by_role("button", name=re.compile("for shipment")).first.click()
    expect(page.locator(".messages")).to_contain_text("is released for shipment")
    expect(page.locator(".page-head .badge")).to_have_text("Shipped")
    expect(page.locator("#unit-reservations")).to_contain_text("Shipped")

    menu.get_by_role("link", name="Upload units").click()
    expect(page.get_by_role("heading", name="Upload units")).to_be_visible()
    page.get_by_label("Units file (CSV or JSON)").set_input_files(
        files=[{"name": "new-units.csv", "mimeType": "text/csv", "buffer": BAD_CSV.encode()}]
    )
    page.get_by_role("button", name="Validate and import").click()
    report = page.locator("#upload-report")
    # queued, then run by the worker while the page polls the task's progress
    expect(report).to_contain_text("Not imported", timeout=60_000)
    expect(report.locator("#upload-errors")).to_contain_text(
        "2024-05-01 is before the collection on 2024-05-02"
    )
    report.get_by_role("link", name="This report stays under Recent uploads").click()

    expect(page.get_by_role("heading", name="Upload new-units.csv")).to_be_visible()
    expect(page.locator("#upload-problems")).to_have_text("1")
    page.get_by_role("link", name="Upload units").first.click()
    page.locator("#uploads").get_by_role("link", name="ncbb-corrections.json").click()
    expect(page.get_by_role("heading", name="Upload ncbb-corrections.json")).to_be_visible()
    expect(page.locator("#upload-errors")).to_contain_text("no such allele")


@pytest.mark.browser
@pytest.mark.parametrize("username", ["epcb-tech", "wrcb-tech"])
def test_the_added_bank_operators_open_every_link_of_their_menu(demo, username):
    assert username in demo.usernames, "`stemhub demo` no longer prints this login"
    visitor = Visitor(demo, username)
    status, home = visitor.get("/work/")
    assert status == 200 and "Our units by status" in home
    links = menu_links(home)
    assert ("Our units", "/cord/units/") in links
    failing = {href: status for _label, href in links if (status := visitor.get(href)[0]) != 200}
    assert not failing, failing
