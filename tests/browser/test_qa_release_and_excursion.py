"""The demo's QA manager, clicking only: from the release queue on the home page opens the bank
ready for release, signs it with the password and opens its certificate; then opens the
temperature excursion awaiting a decision and decides it, one vial otherwise than the rest.

Set STEMHUB_SCREENSHOTS=/some/dir to keep full-page screenshots of the pages passed through.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.demo_site import DEMO_PASSWORD

READY = "NSRBe001-A-WCB-01"


def screenshot(page: Page, name: str) -> None:
    if folder := os.environ.get("STEMHUB_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.browser
def test_qa_signs_a_release_sees_its_certificate_and_decides_an_excursion(signed_in):
    page = signed_in("qa")
    releases = page.locator("#queue-release")
    expect(releases.locator("li").first).to_contain_text("Ready to sign")
    releases.get_by_role("link", name=READY).click()

    expect(page.get_by_role("heading", name=f"Quality control of {READY}")).to_be_visible()
    expect(page.locator("#release-state")).to_contain_text("Ready for release")
    expect(page.locator("#results td.verdict")).not_to_contain_text(["Fail"])
    screenshot(page, "qa-ready")
    page.get_by_label("Your password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign and release").click()

    expect(page.locator(".messages")).to_contain_text(f"{READY} released")
    state = page.locator("#release-state")
    expect(state).to_contain_text("Released on")
    expect(state).to_contain_text("Peng Nie")
    page.locator("#certificate-link").click()
    expect(page.get_by_role("heading", name="Certificate of analysis")).to_contain_text("COA-")
    expect(page.locator("#certificate-state")).to_have_text("Valid")
    expect(page.get_by_role("main")).to_contain_text(READY)
    screenshot(page, "qa-certificate")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    expect(page.locator("#queue-release")).not_to_contain_text(READY)
    excursions = page.locator("#queue-excursions")
    expect(excursions).to_contain_text("80 vials quarantined")
    excursions.get_by_role("link", name="LN2 tank 2").click()

    expect(page.get_by_role("heading", name="Temperature excursion in LN2 tank 2")).to_be_visible()
    expect(page.locator("#excursion-state")).to_have_text("Awaiting decision")
    page.get_by_role("button", name="Sign the decision").click()  # nothing filled in yet
    error = page.locator("#decide-error")
    expect(error).to_contain_text("Write the impact assessment")
    expect(error).to_contain_text("80 without a valid decision")
    expect(page.locator("details.excursion-vials")).to_have_attribute("open", "")

    page.get_by_label("Impact assessment").fill(
        "Warmed to -121 °C for 2.5 h in the vapour phase, below the glass transition of the "
        "cryomedium throughout; the vials are fit. One vial by the lid is kept for a thaw test."
    )
    page.get_by_label("Decision for every vial in stock").select_option(
        label="Release from quarantine"
    )
    first = page.locator("#excursion-vials-table tbody tr").first
    kept = first.locator("td").first.inner_text()
    first.get_by_role("combobox").select_option(label="Keep quarantined")
    page.get_by_label("Your password").fill(DEMO_PASSWORD)
    screenshot(page, "qa-excursion-form")
    page.get_by_role("button", name="Sign the decision").click()

    expect(page.locator(".messages")).to_contain_text("signed by Peng Nie")
    expect(page.locator("#excursion-state")).to_have_text("Decided")
    expect(page.locator("#review")).to_contain_text("Excursion disposition approved")
    page.get_by_text("The 80 vials in the unit during the excursion").click()
    rows = page.locator("#excursion-vials-table tbody tr")
    expect(rows.filter(has_text=kept)).to_contain_text("Keep quarantined")
    expect(rows.filter(has_text="Release from quarantine")).to_have_count(79)
    expect(rows.filter(has_text=kept).locator(".badge")).to_have_text("Quarantined")
    screenshot(page, "qa-excursion-decided")
