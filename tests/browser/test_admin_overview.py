"""The platform admin of the demo, by clicks alone after logging in: the overview of the
network on their home page, a search of the audit trail, and one record's history."""

import pytest
from playwright.sync_api import expect


@pytest.mark.browser
def test_a_platform_admin_reads_the_overview_searches_the_audit_trail_and_opens_a_history(
    signed_in,
):
    page = signed_in("admin")
    expect(page.locator("#queue-institutions")).to_contain_text("National Stem Cell Resource Bank")
    expect(page.locator("#queue-lines-by-status")).to_contain_text("Published")
    expect(page.locator("#queue-requests-by-status")).to_contain_text(
        "Awaiting the access committee"
    )

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit trail").click()
    page.get_by_label("Record type").select_option(label="Institutions and people: role grant")
    page.get_by_label("User").fill("instadmin")
    page.get_by_label("Operation").select_option(label="Deleted")
    page.get_by_role("button", name="Search").click()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("The QA manager is back")
    expect(row).to_contain_text("Yuan Gao")
    row.get_by_role("link", name="Yuan Gao").click()

    expect(page.get_by_role("heading", name="Yuan Gao")).to_be_visible()
    page.get_by_role("link", name="History / audit trail").click()
    expect(page.get_by_role("heading", name="History of Yuan Gao")).to_be_visible()
    expect(page.locator(".audit-timeline")).to_contain_text("Covers QA during parental leave")
    expect(page.locator(".audit-timeline")).to_contain_text("Left NSRB for a position abroad")
