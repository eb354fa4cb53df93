"""The demo's technician, clicking only: from the home page to a bank waiting for QC, records a
result there, then walks the storage grids from the site down to a vial and back up by the
breadcrumbs, finding every occupied slot shown with what stands in it.

Set STEMHUB_SCREENSHOTS=/some/dir to keep full-page screenshots of the pages passed through.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect


def screenshot(page: Page, name: str) -> None:
    if folder := os.environ.get("STEMHUB_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.browser
def test_a_technician_records_a_result_from_the_home_page_and_walks_down_to_a_vial(signed_in):
    page = signed_in("technician")
    queue = page.locator("#queue-qc")
    expect(queue.get_by_role("heading", name="Banks to test")).to_be_visible()
    queue.get_by_role("link", name="NSRBe001-A-MCB-01").click()

    expect(page.get_by_role("heading", name="Quality control of NSRBe001-A-MCB-01")).to_be_visible()
    expect(page.locator("#release-state")).to_contain_text("Not releasable")
    expect(page.locator("#pending-karyotype")).to_contain_text("Pending")
    expect(page.get_by_label("Test", exact=True)).to_have_value("karyotype")  # chosen for us
    page.get_by_label("Result", exact=True).fill("normal")
    page.get_by_role("button", name="Record result").click()

    expect(page.locator(".messages")).to_contain_text("Karyotype: normal meets the specification")
    karyotype = page.locator("#results tr", has_text="Karyotype")
    expect(karyotype.locator("td.verdict")).to_have_text("Pass")
    expect(page.locator("#pending-karyotype")).to_have_count(0)
    screenshot(page, "technician-qc")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Storage").click()
    page.get_by_role("link", name="Biobank", exact=True).click()
    page.get_by_role("link", name="Cryo room B2").click()
    page.locator("#contents").get_by_role("link", name="Tank 1").click()

    tank_slot = page.locator('#grid td[data-position="1-1"]')
    expect(tank_slot).to_contain_text("Rack 1")
    expect(tank_slot).not_to_contain_text("free")
    tank_slot.get_by_role("link", name="Rack 1").click()

    rack_slot = page.locator('#grid td[data-position="1-1"]')
    expect(rack_slot).to_contain_text("Box 1101")
    expect(rack_slot).to_contain_text("/81 vials")
    expect(page.locator('#grid td[data-position="13-1"]')).to_contain_text("Blocked")
    screenshot(page, "technician-rack")
    rack_slot.get_by_role("link", name="Box 1101").click()

    expect(page.locator("#bank-legend li")).to_have_count(2)  # two banks share the box
    expect(page.locator('#grid td[data-position="I9"]')).to_contain_text("Blocked")
    first = page.locator('#grid td[data-position="A1"]')
    expect(first).to_contain_text("NSRBe001-A")
    expect(first).to_contain_text("MCB · p8")
    barcode = first.locator("a.code").inner_text()
    screenshot(page, "technician-box")
    first.get_by_role("link", name=barcode).click()

    expect(page.get_by_role("heading", name=barcode)).to_be_visible()
    trail = page.get_by_role("navigation", name="Breadcrumb")
    expect(trail.locator("li")).to_have_text(
        ["Storage", "Biobank", "Cryo room B2", "Tank 1", "Rack 1", "Box 1101", barcode]
    )
    expect(page.locator("#vial-place")).to_have_text(
        "Biobank/Cryo room B2/Tank 1/Rack 1/Box 1101/A1"
    )
    screenshot(page, "technician-vial")
    trail.get_by_role("link", name="Tank 1").click()
    expect(page.get_by_role("heading", name="Tank 1", exact=True)).to_be_visible()
    expect(page.locator('#grid td[data-position="2-1"]')).to_contain_text("Rack 2")
