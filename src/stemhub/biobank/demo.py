"""Demo storage and banks for NSRB, written through the services like hand-entered data.

Runs on top of the core demo (`stemhub demo`), which creates NSRB, its technician and QA manager
and its published lines. All or nothing; a second run finds the demo storage and does nothing.
"""

from datetime import date, timedelta
from typing import Any, TextIO

from django.db import transaction

from stemhub.accounts.models import Institution, User
from stemhub.biobank import services
from stemhub.biobank.models import Container, ContainerType
from stemhub.registry.models import CellLine, Status

SITE = "Biobank"


@transaction.atomic
def load(*, stdout: TextIO | None = None) -> None:
    nsrb = Institution.objects.filter(provider_code="NSRB").first()
    if nsrb is None or not User.objects.filter(username="technician").exists():
        raise RuntimeError("Load the core demo first (`stemhub demo`): NSRB and its staff")
    if Container.objects.filter(institution=nsrb, parent=None, name=SITE).exists():
        if stdout is not None:
            stdout.write("Biobank demo already loaded; nothing to do\n")
        return
    tech = User.objects.get(username="technician")
    qa = User.objects.get(username="qa")
    kinds = _container_types(tech)
    make = services.container_create
    site = make(actor=tech, type=kinds["Site or room"], name=SITE, institution=nsrb)
    room = make(actor=tech, type=kinds["Site or room"], name="Cryo room B2", parent=site)
    make(actor=tech, type=kinds["−80 °C freezer"], name="Freezer F1", parent=room)
    boxes = []
    for t in (1, 2):
        tank = make(
            actor=tech,
            type=kinds["LN2 tank (vapour)"],
            name=f"Tank {t}",
            parent=room,
            reason="Commissioned",
        )
        for r in (1, 2):
            rack = make(
                actor=tech,
                type=kinds["Tank rack (13 boxes)"],
                name=f"Rack {r}",
                parent=tank,
                row=r,
                column=1,
            )
            for b in range(1, 5):
                boxes.append(
                    make(
                        actor=tech,
                        type=kinds["Cryobox 9×9"],
                        name=f"Box {t}{r}{b:02d}",
                        parent=rack,
                        row=b,
                        column=1,
                    )
                )
    lines = CellLine.objects.filter(institution=nsrb, status=Status.PUBLISHED).order_by("name")[:4]
    for n, line in enumerate(lines):
        frozen = date(2024, 2, 1) + timedelta(days=40 * n)
        master = services.cell_bank_create(
            actor=tech,
            line=line,
            tier="mcb",
            passage_number=8 + n,
            freeze_date=frozen,
            vial_count=40,
            cryo_medium="CryoStor CS10",
            cells_per_vial=1_000_000,
            operator=tech,
            sop_reference="SOP-BB-012 v3",
            boxes=boxes[n * 2 : n * 2 + 2],
        )
        working = services.cell_bank_create(
            actor=tech,
            line=line,
            tier="wcb",
            parent=master,
            passage_number=12 + n,
            freeze_date=frozen + timedelta(days=30),
            vial_count=60,
            cryo_medium="CryoStor CS10",
            cells_per_vial=1_000_000,
            operator=tech,
            sop_reference="SOP-BB-012 v3",
            boxes=boxes[8 + n * 2 : 8 + n * 2 + 2],
        )
        vials = list(working.vials.order_by("row", "column")[:2])
        services.vial_check_out(actor=tech, vial=vials[0], reason="Sterility testing")
        services.vial_thaw(actor=tech, vial=vials[0], purpose="qc", reason="Sterility testing")
        if n == 0:
            services.vial_set_status(
                actor=qa,
                vial=vials[1],
                status="quarantined",
                reason="Label smudged; identity to be confirmed",
            )
    if stdout is not None:
        stdout.write(f"Biobank: {len(boxes)} boxes, {2 * len(lines)} banks at NSRB\n")


def _container_types(tech: User) -> dict[str, ContainerType]:
    """The demo's container types, created where missing (a type is shared by all sites)."""

    def kind(name: str, **layout: Any) -> ContainerType:
        found = ContainerType.objects.filter(name=name).first()
        return found or services.container_type_create(actor=tech, name=name, **layout)

    box = kind("Cryobox 9×9", rows=9, columns=9, holds_vials=True)
    rack = kind(
        "Tank rack (13 boxes)", rows=13, columns=1, row_labels="numbers", allowed_children=[box]
    )
    tank = kind(
        "LN2 tank (vapour)",
        rows=6,
        columns=1,
        row_labels="numbers",
        temperature_class="LN_vapour",
        allowed_children=[rack],
    )
    freezer = kind("−80 °C freezer", temperature_class="-60to-85")
    plain = kind("Site or room")
    return {t.name: t for t in (box, rack, tank, freezer, plain)}
