"""The whole distribution path in a real browser: a researcher requests a line from its
catalogue page, the curator approves, the technician allocates and ships, the researcher
confirms receipt and reports post-thaw results."""

import pytest
from playwright.sync_api import Browser, Page, expect

from stemhub.distribution.models import DistributionRequest, RequestStatus
from tests.conftest import PASSWORD
from tests.distribution.setups import available_line, distribution_lot, qc_release

NAME = "NSCBi001-A"


def log_in(browser: Browser, url: str, username: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_request_approve_ship_receive_and_report(live_server, browser, users, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    line = available_line(users, NAME)
    lot = distribution_lot(users, line, count=3, passage_number=18, released=False)
    qc_release(users, lot)  # the results, the signed release and its certificate, for real
    url = live_server.url

    researcher = log_in(browser, url, "researcher")
    researcher.goto(f"{url}/lines/{NAME}/")
    researcher.get_by_role("link", name="Request this line").click()
    expect(researcher.get_by_role("heading", name=f"Request {NAME}")).to_be_visible()
    researcher.get_by_label("Project title").fill("Cortical neurons from AD iPSC")
    researcher.get_by_label("Project summary").fill("Differentiate and record.")
    researcher.get_by_label("Principal investigator").fill("Dr Ada Lovelace")
    researcher.get_by_label("Institution").fill("University of Somewhere")
    researcher.get_by_label("Country (two-letter code)").fill("DE")
    researcher.get_by_label("Ethics approval reference").fill("EK-2025-001")
    researcher.get_by_label("Number of vials").fill("2")
    researcher.get_by_label("I accept the licence terms").check()
    expect(researcher.get_by_label("Signed as")).to_have_value("Researcher Tester")
    researcher.get_by_label("Your password").fill(PASSWORD)
    researcher.get_by_role("button", name="Sign and submit request").click()
    expect(researcher.locator("#request-status")).to_have_text("Submitted")
    request = DistributionRequest.objects.get()
    detail = f"{url}/distribution/requests/{request.pk}/"

    curator = log_in(browser, url, "curator")
    curator.goto(detail)
    curator.get_by_label("Reason").fill("Consent and ethics fit")
    curator.get_by_role("button", name="Approve").click()
    expect(curator.locator("#request-status")).to_have_text("Approved")

    technician = log_in(browser, url, "bank_technician")
    technician.goto(detail)
    technician.get_by_role("button", name="Allocate vials").click()
    expect(technician.locator("#pick-list tbody tr")).to_have_count(2)
    technician.get_by_label("Courier").fill("World Courier")
    technician.get_by_label("Tracking number").fill("WC-123")
    technician.get_by_label("Dry shipper").fill("DS-7")
    technician.get_by_label("Temperature logger").fill("TL-42")
    technician.get_by_label("Shipped on").fill("2025-06-02")
    technician.get_by_role("button", name="Record shipment").click()
    expect(technician.locator("#request-status")).to_have_text("Shipped")

    researcher.goto(detail)
    researcher.get_by_role("link", name="Shipment pack").click()
    expect(researcher.locator("#pack")).to_contain_text("18")
    expect(researcher.locator("#pack")).to_contain_text("COA-")
    researcher.goto(detail)
    researcher.get_by_label("Received on").fill("2025-06-03")
    researcher.get_by_role("button", name="Confirm receipt").click()
    expect(researcher.locator("#request-status")).to_have_text("Received")
    researcher.get_by_label("Thawed on").fill("2025-06-04")
    researcher.get_by_label("Viability (%)").fill("91")
    researcher.get_by_label("Recovery (% of promised cells)").fill("75")
    researcher.get_by_label("Attachment").select_option("good")
    researcher.get_by_role("button", name="Report results").click()
    expect(researcher.locator("#request-status")).to_have_text("Post-thaw results reported")
    expect(researcher.locator("#timeline")).to_contain_text("Post-thaw results reported")

    request.refresh_from_db()
    assert request.status == RequestStatus.REPORTED
    assert request.thaw_report.viability == 91
