"""The institution admin of the demo, by clicks alone after logging in: the members page, a new
member added (who is mailed a link to set their password), and a role granted."""

import pytest
from playwright.sync_api import expect


@pytest.mark.browser
def test_an_institution_admin_adds_a_member_and_grants_a_role(signed_in):
    page = signed_in("instadmin")
    expect(page.locator("#queue-members")).to_contain_text("Siyu Chen")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()

    expect(page.get_by_role("heading", name="Members of National Stem Cell Resource Bank"))
    expect(page.locator("tr", has_text="Yuan Gao")).to_contain_text("Deactivated")
    page.get_by_role("link", name="Add a member").click()
    page.get_by_label("First name").fill("Linnea")
    page.get_by_label("Last name").fill("Ek")
    page.get_by_label("E-mail").fill("linnea.ek@nsrb.example.org")
    page.get_by_label("Username").fill("linnea")
    page.get_by_label("Bank technician", exact=False).check()
    page.get_by_role("button", name="Create the account and send the e-mail").click()

    expect(page.get_by_role("heading", name="Linnea Ek")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("the link went to linnea.ek@nsrb")
    expect(page.locator("#roles")).to_contain_text("Bank technician")
    page.get_by_label("Role to grant").select_option(label="QA manager")
    page.get_by_role("button", name="Grant role").click()
    expect(page.locator(".messages")).to_contain_text("QA manager granted.")
    expect(page.locator("#roles")).to_contain_text("QA manager")
