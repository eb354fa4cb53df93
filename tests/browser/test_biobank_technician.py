"""A bank technician, in a real browser, freezes a bank of 20 vials into a box, prints their
labels, moves the box to another rack and reads the history of a vial and of the box.

Set STEMHUB_SCREENSHOTS=/some/dir to keep full-page screenshots of the box and vial pages.
"""

import io
import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from stemhub.biobank.models import CellBank, Vial
from tests.biobank.storage import published_line, storage_tree
from tests.conftest import PASSWORD

LINE = "NSCBi001-A"
OLD_BOX = "Site A/Room 1/Tank 2/Rack 3/Box 1"
NEW_BOX = "Site A/Room 1/Tank 2/Rack 4/Box 1"


def screenshot(page: Page, name: str) -> None:
    if folder := os.environ.get("STEMHUB_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def labels_in(pdf: bytes, barcodes: list[str]) -> int:
    """How many of these barcodes the PDF prints (its text, through pypdf when installed);
    without pypdf, a PDF of the right kind is all that can be checked here."""
    assert pdf.startswith(b"%PDF-")
    try:
        from pypdf import PdfReader
    except ImportError:
        pytest.skip("pypdf is not installed: the labels' text cannot be read")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return sum(1 for code in barcodes if code in text)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_technician_banks_labels_moves_a_box_and_reads_the_history(
    live_server, browser, users, tmp_path
):
    published_line(users)
    tree = storage_tree(users["bank_technician"])
    page = browser.new_context(accept_downloads=True).new_page()
    page.goto(f"{live_server.url}/biobank/banks/new/")

    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Username").fill("bank_technician")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="New cell bank")).to_be_visible()
    page.get_by_label("Cell line").select_option(LINE)
    page.get_by_label("Tier").select_option(label="Master cell bank")
    page.get_by_label("Passage number").fill("12")
    page.get_by_label("Freeze date").fill("2025-03-14")
    page.get_by_label("Number of vials").fill("20")
    page.get_by_label("Cryo medium").fill("CryoStor CS10")
    page.get_by_label("First box").select_option(label=OLD_BOX)
    page.get_by_role("button", name="Create bank and vials").click()

    bank = CellBank.objects.get(line__name=LINE)
    expect(page).to_have_url(f"{live_server.url}/biobank/banks/{bank.pk}/")
    expect(page.locator(".messages")).to_contain_text("created with 20 vials")
    rows = page.locator("#vials tbody tr")
    expect(rows).to_have_count(20)
    # Auto-placement filled the 9 × 9 box row by row: A1…A9, B1…B9, C1, C2.
    expect(page.locator("#vials")).to_contain_text(f"{OLD_BOX}/A1")
    expect(page.locator("#vials")).to_contain_text(f"{OLD_BOX}/C2")
    expect(page.locator("#vials")).not_to_contain_text(f"{OLD_BOX}/C3")
    barcodes = [row.locator("td").first.inner_text().strip() for row in rows.all()]
    assert sorted(barcodes) == sorted(
        Vial.objects.filter(bank=bank).values_list("barcode", flat=True)
    )

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Print labels (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"labels-{bank.code}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert labels_in(saved.read_bytes(), barcodes) == 20

    first = Vial.objects.get(bank=bank, row=1, column=1)
    page.goto(f"{live_server.url}/biobank/containers/{tree['box1'].pk}/")
    expect(page.locator("#occupancy")).to_have_text("20 of 81 used · 0 held · 61 free")
    # Only free slots are offered: 2-1 of Rack 4, chosen from the list, not typed.
    page.get_by_label("New place").select_option(label="Site A/Room 1/Tank 2/Rack 4 · slot 2-1")
    page.locator("#move-reason").fill("Rack 3 to be defrosted")
    page.get_by_role("button", name="Move", exact=True).click()

    expect(page.locator(".messages")).to_contain_text("Box 1 moved to Site A/Room 1/Tank 2/Rack 4")
    expect(page.locator("#container-path")).to_contain_text(f"{NEW_BOX} · position 2-1")
    screenshot(page, "biobank-box")

    page.get_by_role("link", name=first.barcode).click()
    expect(page).to_have_url(f"{live_server.url}/biobank/vials/{first.barcode}/")
    expect(page.locator("#vial-place")).to_have_text(f"{NEW_BOX}/A1")
    history = page.locator("#history tbody tr")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("Created")
    expect(history.nth(0)).to_contain_text(f"{OLD_BOX}/A1")
    expect(history.nth(1)).to_contain_text("Moved (with Box 1)")
    expect(history.nth(1).locator("td").nth(2)).to_have_text(f"{OLD_BOX}/A1")
    expect(history.nth(1).locator("td").nth(3)).to_have_text(f"{NEW_BOX}/A1")
    expect(history.nth(1)).to_contain_text("Rack 3 to be defrosted")
    screenshot(page, "biobank-vial")

    page.goto(f"{live_server.url}/biobank/containers/{tree['box1'].pk}/")
    page.get_by_role("link", name="History").click()
    box_events = page.locator("#container-events tbody tr")
    expect(box_events).to_have_count(2)  # newest first: the move, then the creation
    expect(box_events.nth(0)).to_contain_text("Moved")
    expect(box_events.nth(0)).to_contain_text("Site A/Room 1/Tank 2/Rack 3/1-1")
    expect(box_events.nth(0)).to_contain_text("Site A/Room 1/Tank 2/Rack 4/2-1")
    expect(box_events.nth(1)).to_contain_text("Created")
    vial_events = page.locator("#vial-events tbody tr")
    expect(vial_events).to_have_count(40)  # 20 creations and 20 moves
    expect(page.locator("#vial-events")).to_contain_text(f"{NEW_BOX}/C2")
