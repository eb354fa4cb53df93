"""The access committee member of the demo, by clicks alone after logging in: a pending
managed-access decision from their home page, approved with a reason."""

import pytest
from playwright.sync_api import expect


@pytest.mark.browser
def test_a_committee_member_approves_a_pending_managed_access_request(signed_in):
    page = signed_in("committee")
    queue = page.locator("#queue-committee")
    first = queue.locator("li").first
    expect(first).to_contain_text("Retinal organoids")
    expect(first).to_contain_text("waiting")
    reference = first.get_by_role("link").inner_text()
    first.get_by_role("link").click()

    expect(page.get_by_role("heading", name=reference.replace(" · ", ": "))).to_be_visible()
    expect(page.locator("#next-step")).to_contain_text("The access committee approves or rejects")
    page.get_by_label("Reason").fill("Within the consent; the project fits the line's use")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#request-status")).to_have_text("Approved")
    expect(page.locator("#timeline")).to_contain_text("Approved by the access committee")
