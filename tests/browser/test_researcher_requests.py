"""A researcher of the demo, by clicks alone after logging in: finds a line in the catalogue,
requests it and signs the licence, then finds the request under My requests; and reports the
post-thaw results of vials that arrived, from the reports due on their home page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.demo_site import DEMO_PASSWORD

LINE = "NSRBe010-A"  # requestable, with no request yet in the demo
RECEIVED = "DR-00002 · NSRBe004-A"  # received by the researcher, no thaw report yet


def menu(page):
    return page.get_by_role("navigation", name="Main")


@pytest.mark.browser
def test_a_researcher_requests_a_line_from_the_catalogue_and_finds_it_in_my_requests(
    signed_in,
):
    page = signed_in("researcher")
    menu(page).get_by_role("link", name="Cell lines").click()
    page.get_by_label("Name, synonym, disease or gene").fill(LINE)
    page.get_by_role("button", name="Search").click()  # an exact name opens the line
    expect(page.get_by_role("heading", name=LINE, exact=True)).to_be_visible()
    page.get_by_role("link", name="Request this line").click()

    expect(page.get_by_role("heading", name=f"Request {LINE}")).to_be_visible()
    page.get_by_label("Project title").fill("Astrocyte reactivity in co-culture")
    page.get_by_label("Project summary").fill("Astrocytes from the line, with neurons.")
    page.get_by_label("Ethics approval reference").fill("EPM 2026-00077")
    page.get_by_label("Number of vials").fill("1")
    page.get_by_label("I accept the licence terms").check()
    expect(page.get_by_label("Signed as")).to_have_value("Na Li (李娜)")
    page.get_by_label("Your password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign and submit request").click()
    expect(page.locator("#request-status")).to_have_text("Submitted")
    expect(page.locator("#next-step")).to_contain_text("Wait for the provider's curator")

    menu(page).get_by_role("link", name="My requests").click()
    row = page.locator("tr", has_text="Astrocyte reactivity in co-culture")
    expect(row).to_contain_text(LINE)
    expect(row).to_contain_text("Submitted")
    expect(row).to_contain_text("Wait for the provider's curator to review it.")
    tab = page.get_by_role("link", name=re.compile(r"^Submitted \d+$"))
    tab.click()
    expect(page.locator("tbody tr")).not_to_have_count(0)
    for status in page.locator("tbody .badge").all_inner_texts():
        assert status == "Submitted"


@pytest.mark.browser
def test_a_researcher_reports_the_post_thaw_results_of_received_vials(signed_in):
    page = signed_in("researcher")
    due = page.locator("#queue-reports-due")
    expect(due).to_contain_text("Report the post-thaw results")
    due.get_by_role("link", name=RECEIVED).click()

    expect(page.locator("#request-status")).to_have_text("Received")
    expect(page.locator("#next-step")).to_contain_text("report the post-thaw results")
    page.get_by_label("Thawed on").fill("2025-09-30")
    page.get_by_label("Viability (%)").fill("88.5")
    page.get_by_label("Recovery (% of promised cells)").fill("71")
    page.get_by_label("Attachment").select_option("good")
    page.get_by_role("button", name="Report results").click()
    expect(page.locator("#request-status")).to_have_text("Post-thaw results reported")
    expect(page.locator("#thaw")).to_contain_text("88.50 %")
