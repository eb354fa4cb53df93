"""A transplant centre's search coordinator, on the demo as `make run` serves it, clicking only:
from the home page to a patient waiting for a unit, a search, the per-locus grid of the best
unit, its reservation, and the reservation on the Reservations page."""

import re

import pytest
from playwright.sync_api import expect

PATIENT = "UH-2406"  # primary immunodeficiency, 9 kg; the demo released its first reservation


@pytest.mark.browser
def test_a_coordinator_searches_reads_the_grid_and_reserves_a_unit(signed_in):
    page = signed_in("coordinator")
    waiting = page.locator("#queue-cord_patients")
    expect(waiting).to_contain_text("Patients waiting for a unit")
    waiting.get_by_role("link", name=PATIENT).click()

    expect(page.get_by_role("heading", name=f"Patient {PATIENT}")).to_be_visible()
    expect(page.locator("#patient-typing")).to_contain_text("HLA-DRB1")
    expect(page.locator("#patient-searches")).to_contain_text("8/8")
    page.get_by_label("At least this many matches").select_option("6")
    page.get_by_role("button", name="Search", exact=True).click()

    expect(page.get_by_role("heading", name=f"Search results for {PATIENT}")).to_be_visible()
    expect(page.locator("#legend")).to_contain_text("Potential or low-resolution match")
    best = page.locator("#results-cord tbody tr").first
    expect(best.locator(".match-total")).to_have_text("8/8")
    for locus in ("A", "B", "C", "DRB1"):
        cell = best.locator(f'td[data-locus="{locus}"] .hla')
        expect(cell).to_contain_text("2/2")
        expect(cell).to_have_attribute("title", re.compile(rf"HLA-{locus}: 2 of 2 positions"))
    expect(best.locator('td[data-locus="DPB1"]')).to_contain_text(
        re.compile("Match|Not typed|permissive|mismatch")
    )
    expect(best.locator(".dose:not(.odds)").first).to_contain_text("× 10⁷")
    expect(best.locator("td.odds")).to_contain_text("%")  # P(10/10) and P(8/8) beside it
    expect(best.locator(".flags-cell")).to_contain_text(re.compile(r"[ABO]+ Rh[+−]"))
    expect(best.locator(".flags-cell")).not_to_contain_text("_")  # no raw code

    unit = best.locator(".unit-cell a").inner_text()
    best.get_by_role("button", name=re.compile("^Reserve ")).click()
    expect(page.locator(".messages")).to_contain_text(f"is reserved for {PATIENT}")
    expect(page.locator("#patient-reservations")).to_contain_text(unit)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reservations").click()
    row = page.locator("#reservations tbody tr", has_text=unit)
    expect(row).to_contain_text(PATIENT)
    expect(row).to_contain_text("Active")
    expect(
        row.get_by_role("button", name=re.compile("Request confirmatory typing"))
    ).to_be_visible()
