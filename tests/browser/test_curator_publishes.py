"""A curator registers and publishes a line in a real browser; an anonymous visitor then sees it.

Set STEMHUB_SCREENSHOTS=/some/dir to keep full-page screenshots of the staff and public pages.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from stemhub.registry.models import CellLine
from tests.conftest import PASSWORD

NAME = "NSCBi001-A"


def screenshot(page: Page, name: str) -> None:
    if folder := os.environ.get("STEMHUB_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_curator_publishes_a_line_that_an_anonymous_visitor_then_sees(
    live_server, browser, users
):
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/staff/lines/new/")

    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Register a cell line")).to_be_visible()
    page.get_by_label("Standard name").fill(NAME)
    page.get_by_role("combobox", name="Type", exact=True).select_option("hiPSC")
    page.get_by_label("Synonyms").fill("AD-iPS-1")
    page.get_by_label("Consent obtained").select_option(label="Yes")
    page.get_by_label("Ethics approval reference").fill("EC-2024-17")
    page.get_by_label("Pluripotency markers").fill("OCT4 | flow cytometry | positive | 97.5")
    page.get_by_label("Germ-layer differentiation").fill(
        "endoderm | in vitro directed | hepatocytes | AFP\n"
        "mesoderm | in vitro directed | cardiomyocytes | TNNT2\n"
        "ectoderm | in vitro directed | neurons | TUBB3"
    )
    page.get_by_role("button", name="Register line").click()

    expect(page).to_have_url(f"{live_server.url}/staff/lines/{NAME}/")
    status = page.locator("#line-status")
    expect(status).to_have_text("Draft")
    steps = [
        ("Submit for review", "Submitted"),
        ("Start review", "In review"),
        ("Publish", "Published"),
    ]
    for button, state in steps:
        if button == "Publish":
            page.get_by_label("I confirm: make this record public").check()
        page.get_by_role("button", name=button, exact=True).click()
        expect(status).to_have_text(state)
        # htmx swapped the panel in place: its notice, not a page reload's message, says so.
        expect(page.locator("#curation .notice")).to_contain_text(f"is now {state.lower()}")
    expect(page.locator("#history")).to_contain_text("In review → Published")
    assert CellLine.objects.get(name=NAME).status == "published"
    page.goto(f"{live_server.url}/staff/lines/{NAME}/")
    screenshot(page, "staff-line")

    visitor = browser.new_context().new_page()
    visitor.goto(f"{live_server.url}/lines/AD-iPS-1/")
    expect(visitor).to_have_url(f"{live_server.url}/lines/{NAME}/")
    expect(visitor.get_by_role("heading", name=NAME, exact=True)).to_be_visible()
    expect(visitor.locator("#characterisation")).to_contain_text("OCT4")
    expect(visitor.locator("#characterisation")).to_contain_text("Ectoderm")
    expect(visitor.locator("#ethics")).to_contain_text("EC-2024-17")
    expect(visitor.get_by_role("link", name=re.compile("Log in"))).to_be_visible()
    screenshot(visitor, "public-line")
