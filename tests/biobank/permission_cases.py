"""Who may call each biobank endpoint and open each biobank page.

The setup builds the bank's storage with fixed primary keys (the paths name them), a published
line, a bank and a few vials; another institution (OSB) gets a tree of the same names.
"""

from datetime import date
from typing import Any

from stemhub.accounts.models import Institution
from stemhub.biobank.models import CellBank, Container, CustodyEvent, Vial
from tests.biobank.storage import container_types, published_line
from tests.permissions import OTHERS, Case, Page

VIEWERS = {"curator", "bank_technician", "qa_manager", "institution_admin", "platform_admin"}
EDITORS = {"bank_technician", "platform_admin"}
STORAGE = {"bank_technician", "institution_admin", "platform_admin"}
QUARANTINE = EDITORS | {"qa_manager", "institution_admin"}
SITE, ROOM, TANK, RACK, BOX, BOX2, RACK4 = 9001, 9002, 9003, 9004, 9005, 9006, 9007
BANK = 9101
IMPORT_CSV = (
    "line,bank,barcode,location,tier,passage,freeze_date\n"
    "NSCBi001-A,NSCBi001-A-WCB-09,LEGACY-0100,Site A/Room 1/Tank 2/Rack 3/Box 1/E5,wcb,14,"
    "2025-01-02\n"
)


def _tree(institution: Institution, first_pk: int | None, kinds: dict[str, Any]) -> None:
    def make(n: int, kind: str, name: str, parent: Container | None, row=None) -> Container:
        return Container.objects.create(
            pk=first_pk + n if first_pk else None,
            institution=institution,
            type=kinds[kind],
            name=name,
            parent=parent,
            row=row,
            column=1 if row else None,
            temperature_class=kinds[kind].temperature_class
            or (parent and parent.temperature_class)
            or "",
        )

    site = make(0, "Site", "Site A", None)
    room = make(1, "Room", "Room 1", site)
    tank = make(2, "LN2 tank", "Tank 2", room)
    rack = make(3, "Rack", "Rack 3", tank, row=1)
    make(4, "Box 9×9", "Box 1", rack, row=1)
    make(5, "Box 9×9", "Box 2", rack, row=2)
    make(6, "Rack", "Rack 4", tank, row=2)


def stocked(users: dict[str, Any]) -> None:
    tech = users["bank_technician"]
    kinds = container_types(tech)
    _tree(tech.institution, SITE, kinds)
    _tree(users["other_technician"].institution, None, kinds)
    line = published_line(users)
    bank = CellBank.objects.create(
        pk=BANK,
        institution=tech.institution,
        code="NSCBi001-A-MCB-01",
        tier="mcb",
        line=line,
        passage_number=12,
        freeze_date=date(2025, 3, 14),
        vial_count=3,
        created_by=tech,
    )
    box = Container.objects.get(pk=BOX)
    for n in (1, 2):
        vial = Vial.objects.create(
            barcode=f"LEGACY-000{n}", bank=bank, container=box, row=1, column=n
        )
        CustodyEvent.objects.create(vial=vial, kind="create", actor=tech, to_container=box)
    Vial.objects.create(barcode="LEGACY-0003", bank=bank, checked_out_to=tech)


V = "/api/v1/biobank"
API_CASES = [
    Case("GET", f"{V}/container-types", VIEWERS | OTHERS, setup=stocked),
    Case(
        "POST",
        f"{V}/container-types",
        STORAGE | {"other_technician"},
        body={"name": "Box 10×10", "rows": 10, "columns": 10, "holds_vials": True},
    ),
    Case("GET", f"{V}/containers", VIEWERS | OTHERS, setup=stocked),
    Case(
        "POST",
        f"{V}/containers",
        STORAGE,
        body={"type": "Box 9×9", "name": "Box 5", "parent": RACK, "position": "5-1"},
        setup=stocked,
    ),
    Case(
        "GET",
        f"{V}/containers/{{container_id}}",
        VIEWERS,
        path=f"{V}/containers/{BOX}",
        setup=stocked,
    ),
    Case(
        "POST",
        f"{V}/containers/{{container_id}}/move",
        STORAGE,
        path=f"{V}/containers/{BOX}/move",
        body={"parent": RACK4, "position": "1-1"},
        setup=stocked,
    ),
    Case(
        "POST",
        f"{V}/containers/{{container_id}}/block",
        STORAGE,
        path=f"{V}/containers/{BOX}/block",
        body={"blocked": True, "reason": "cracked"},
        setup=stocked,
    ),
    Case(
        "POST",
        f"{V}/containers/{{container_id}}/holds",
        STORAGE,
        path=f"{V}/containers/{BOX}/holds",
        body={"position": "I9", "kind": "blocked"},
        setup=stocked,
    ),
    Case(
        "GET",
        f"{V}/containers/{{container_id}}/history",
        VIEWERS,
        path=f"{V}/containers/{BOX}/history",
        setup=stocked,
    ),
    Case(
        "GET",
        f"{V}/free-space",
        VIEWERS | OTHERS,
        path=f"{V}/free-space?type=Box 9×9&temperature=LN_vapour&n=2",
        setup=stocked,
    ),
    Case("GET", f"{V}/banks", VIEWERS | OTHERS, setup=stocked),
    Case(
        "POST",
        f"{V}/banks",
        EDITORS,
        body={
            "line": "NSCBi001-A",
            "tier": "wcb",
            "parent": "NSCBi001-A-MCB-01",
            "passage_number": 15,
            "freeze_date": "2025-04-01",
            "vial_count": 2,
            "boxes": [BOX2],
        },
        setup=stocked,
    ),
    Case("GET", f"{V}/banks/{{bank_id}}", VIEWERS, path=f"{V}/banks/{BANK}", setup=stocked),
    Case(
        "GET",
        f"{V}/banks/{{bank_id}}/labels.pdf",
        VIEWERS,
        path=f"{V}/banks/{BANK}/labels.pdf",
        setup=stocked,
    ),
    Case("GET", f"{V}/vials/{{barcode}}", VIEWERS, path=f"{V}/vials/LEGACY-0001", setup=stocked),
    Case(
        "GET",
        f"{V}/vials/{{barcode}}/history",
        VIEWERS,
        path=f"{V}/vials/LEGACY-0001/history",
        setup=stocked,
    ),
    Case(
        "POST",
        f"{V}/vials/{{barcode}}/move",
        EDITORS,
        path=f"{V}/vials/LEGACY-0001/move",
        body={"container": BOX, "position": "C3"},
        setup=stocked,
    ),
    Case(
        "POST",
        f"{V}/vials/{{barcode}}/check-out",
        EDITORS,
        path=f"{V}/vials/LEGACY-0001/check-out",
        body={},
        setup=stocked,
    ),
    Case(
        "POST",
        f"{V}/vials/{{barcode}}/return",
        EDITORS,
        path=f"{V}/vials/LEGACY-0003/return",
        body={"container": BOX, "position": "B1"},
        setup=stocked,
    ),
    Case(
        "POST",
        f"{V}/vials/{{barcode}}/thaw",
        EDITORS,
        path=f"{V}/vials/LEGACY-0001/thaw",
        body={"purpose": "qc"},
        setup=stocked,
    ),
    Case(
        "POST",
        f"{V}/vials/{{barcode}}/dispose",
        EDITORS,
        path=f"{V}/vials/LEGACY-0001/dispose",
        body={"reason": "cracked"},
        setup=stocked,
    ),
    Case(
        "POST",
        f"{V}/vial-status",
        QUARANTINE,
        body={"barcodes": ["LEGACY-0001"], "status": "quarantined", "reason": "excursion"},
        setup=stocked,
    ),
    Case(
        "POST",
        f"{V}/imports/inventory",
        EDITORS,
        body={"csv": IMPORT_CSV, "institution": "NSCB"},
        setup=stocked,
    ),
    Case(  # applying is queued as a task: 202 for the editors, refused before queuing otherwise
        "POST",
        f"{V}/imports/inventory",
        EDITORS,
        body={"csv": IMPORT_CSV, "institution": "NSCB", "dry_run": False},
        setup=stocked,
    ),
    Case("GET", f"{V}/reports/vials", VIEWERS | OTHERS, setup=stocked),
    Case("GET", f"{V}/reports/occupancy", VIEWERS | OTHERS, setup=stocked),
]


class CsvUpload:
    """A file for the test client that reads the same content every time it is sent."""

    name = "inventory.csv"
    content_type = "text/csv"

    def read(self) -> bytes:
        return IMPORT_CSV.encode()


B = "/biobank"
PAGE_CASES = [
    Page("biobank:storage", f"{B}/", VIEWERS | OTHERS, setup=stocked),
    Page("biobank:container", f"{B}/containers/{BOX}/", VIEWERS, setup=stocked),
    Page(
        "biobank:container_create",
        f"{B}/containers/new/?parent={RACK}",
        STORAGE | {"other_technician"},
        setup=stocked,
    ),
    Page(
        "biobank:container_hold",
        f"{B}/containers/{BOX}/holds/",
        STORAGE,
        method="POST",
        data={"position": "I9", "kind": "blocked", "note": "cracked"},
        setup=stocked,
    ),
    Page(
        "biobank:container_move",
        f"{B}/containers/{BOX}/move/",
        STORAGE,
        method="POST",
        data={"parent": str(RACK4), "position": "1-1", "reason": "reorganised"},
        setup=stocked,
    ),
    Page("biobank:container_history", f"{B}/containers/{BOX}/history/", VIEWERS, setup=stocked),
    Page(
        "biobank:free_space",
        f"{B}/free-space/?type=Box 9×9&temperature=LN_vapour&n=3",
        VIEWERS | OTHERS,
        setup=stocked,
    ),
    Page("biobank:banks", f"{B}/banks/", VIEWERS | OTHERS, setup=stocked),
    Page("biobank:bank_create", f"{B}/banks/new/", EDITORS | {"other_technician"}, setup=stocked),
    Page("biobank:bank", f"{B}/banks/{BANK}/", VIEWERS, setup=stocked),
    Page("biobank:bank_labels", f"{B}/banks/{BANK}/labels.pdf", VIEWERS, setup=stocked),
    Page("biobank:vial", f"{B}/vials/LEGACY-0001/", VIEWERS, setup=stocked),
    Page(
        "biobank:vial_check_out",
        f"{B}/vials/LEGACY-0001/check-out/",
        EDITORS,
        method="POST",
        data={"reason": "sterility test"},
        setup=stocked,
    ),
    Page(
        "biobank:vial_return",
        f"{B}/vials/LEGACY-0003/return/",
        EDITORS,
        method="POST",
        data={"container": str(BOX), "position": "B1"},
        setup=stocked,
    ),
    Page(
        "biobank:vial_thaw",
        f"{B}/vials/LEGACY-0001/thaw/",
        EDITORS,
        method="POST",
        data={"purpose": "culture"},
        setup=stocked,
    ),
    Page(
        "biobank:vial_dispose",
        f"{B}/vials/LEGACY-0001/dispose/",
        EDITORS,
        method="POST",
        data={"reason": "cracked"},
        setup=stocked,
    ),
    Page(
        "biobank:vial_status",
        f"{B}/vials/LEGACY-0001/status/",
        QUARANTINE,
        method="POST",
        data={"status": "quarantined", "reason": "excursion"},
        setup=stocked,
    ),
    Page(
        "biobank:import",
        f"{B}/import/",
        EDITORS,
        method="POST",
        data={"file": CsvUpload(), "institution": "NSCB"},
        setup=stocked,
    ),
    Page(  # applying queues a task and redirects to its page
        "biobank:import",
        f"{B}/import/",
        EDITORS,
        method="POST",
        data={"file": CsvUpload(), "institution": "NSCB", "apply": "1"},
        setup=stocked,
    ),
    Page("biobank:reports", f"{B}/reports/", VIEWERS | OTHERS, setup=stocked),
    Page("biobank:report_vials_csv", f"{B}/reports/vials.csv", VIEWERS | OTHERS, setup=stocked),
    Page(
        "biobank:report_occupancy_csv",
        f"{B}/reports/occupancy.csv",
        VIEWERS | OTHERS,
        setup=stocked,
    ),
]
