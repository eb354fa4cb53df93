"""Inventory import (row report, all or nothing, dry run) and the inventory reports."""

import json

import pytest

from stemhub.biobank.imports import inventory_import
from stemhub.biobank.models import CellBank, CustodyEvent, Vial
from stemhub.biobank.selectors import occupancy, vial_counts

pytestmark = pytest.mark.django_db

HEADER = "line,bank,barcode,location,tier,passage,freeze_date\n"
GOOD = (
    "NSCBi001-A,OLD-MCB,LEGACY-1,Site A/Room 1/Tank 2/Rack 3/Box 1/A1,mcb,9,2019-05-02\n"
    "NSCBi001-A,OLD-MCB,LEGACY-2,Site A/Room 1/Tank 2/Rack 3/Box 1/A2,mcb,9,2019-05-02\n"
)


def test_a_dry_run_reports_and_writes_nothing(users, tree, line):
    report = inventory_import(actor=users["bank_technician"], text=HEADER + GOOD)
    assert report.ok and not report.applied and report.new_banks == ["OLD-MCB"]
    assert not Vial.objects.exists() and not CellBank.objects.exists()


def test_one_bad_row_stops_the_whole_file_and_is_named(users, tree, line):
    bad = "NSCBi001-A,OLD-MCB,LEGACY-3,Site A/Room 1/Tank 2/Rack 3/Box 1/A1,mcb,9,2019-05-02\n"
    report = inventory_import(
        actor=users["bank_technician"], text=HEADER + GOOD + bad, dry_run=False
    )
    assert not report.ok and not report.applied
    assert report.rows[2].number == 4
    assert report.rows[2].errors == {"location": ["the same position as row 2"]}
    assert not Vial.objects.exists()


def test_an_applied_import_places_vials_with_events(users, tree, line):
    report = inventory_import(actor=users["bank_technician"], text=HEADER + GOOD, dry_run=False)
    assert report.applied
    assert Vial.objects.filter(container=tree["box1"]).count() == 2
    assert CustodyEvent.objects.filter(kind="import").count() == 2


def test_the_api_check_names_failed_rows(users, tree, line, client_for):
    # Applying is queued (tests/biobank/test_import_task.py); a check answers at once.
    answer = client_for("bank_technician").post(
        "/api/v1/biobank/imports/inventory",
        json.dumps({"csv": HEADER + GOOD.replace("Box 1/A2", "Box 9/A2"), "dry_run": True}),
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {
        "rows[3].location": ["no container at 'Site A/Room 1/Tank 2/Rack 3/Box 9'"]
    }


def test_reports_count_vials_and_occupancy(users, tree, line):
    inventory_import(actor=users["bank_technician"], text=HEADER + GOOD, dry_run=False)
    counts = vial_counts(users["bank_technician"])
    assert counts == [
        {
            "line": "NSCBi001-A",
            "product": "",
            "bank": "OLD-MCB",
            "tier": "mcb",
            "status": "available",
            "count": 2,
        }
    ]
    rows = {row["path"]: row for row in occupancy(users["bank_technician"])}
    assert rows["Site A/Room 1/Tank 2"]["capacity"] == 162
    assert rows["Site A/Room 1/Tank 2"]["used"] == 2
    assert vial_counts(users["other_technician"]) == []


def test_the_box_page_shows_its_grid(users, tree, line, client_for):
    inventory_import(actor=users["bank_technician"], text=HEADER + GOOD, dry_run=False)
    page = client_for("bank_technician").get(f"/biobank/containers/{tree['box1'].pk}/")
    assert page.status_code == 200
    assert b"LEGACY-1" in page.content and b"2 of 81 used" in page.content
