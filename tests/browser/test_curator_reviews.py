"""A curator of the demo, by clicks alone after logging in: the review queue on their home page,
a line in review, its publication, and the line in the public catalogue."""

import re

import pytest
from playwright.sync_api import expect

LINE = "NSRBe018-A"  # the demo's NSRB line in review, complete for publication


@pytest.mark.browser
def test_a_curator_publishes_a_line_from_the_review_queue_and_finds_it_in_the_catalogue(
    signed_in,
):
    page = signed_in("curator")
    queue = page.locator("#queue-review")
    expect(queue).to_contain_text("Lines to review")
    first = queue.locator("li").first
    expect(first).to_contain_text(LINE)
    expect(first).to_contain_text("In review")
    expect(first).to_contain_text("waiting")
    queue.get_by_role("link", name=LINE, exact=True).click()

    expect(page.get_by_role("heading", name=LINE, exact=True)).to_be_visible()
    page.get_by_label("I confirm: make this record public").check()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator("#line-status")).to_have_text("Published")
    expect(page.locator("#history")).to_contain_text("In review → Published")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cell lines").click()
    page.get_by_label("Name, synonym, disease or gene").fill(LINE)
    page.get_by_role("button", name="Search").click()  # an exact name opens the line
    expect(page).to_have_url(re.compile(f"/lines/{LINE}/$"))
    expect(page.get_by_role("heading", name=LINE, exact=True)).to_be_visible()
