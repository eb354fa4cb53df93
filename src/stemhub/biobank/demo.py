"""Demo storage, equipment and banks for NSRB, written through the services like hand-entered
data.

Runs on top of the registry demo (`stemhub demo`), which creates NSRB, its technician and QA manager
and its published lines. It registers NSRB's equipment (`stemhub.equipment.demo`), builds a site
with a −80 °C freezer and two LN2 tanks (each linked to its equipment) of two racks of four
9 × 9 boxes, blocks a rack slot and a box position and reserves another, and banks four
published lines: a master bank (40 vials) and a working bank (60) each. Tank 1 holds the
working banks and the first two master banks, two or three banks to a box; tank 2 holds the
other two master banks. One vial per working bank is thawed for QC, one is quarantined.

The inventory has a past: once built, the containers' and vials' creation events are dated to
when the demo says they happened (containers commissioned on COMMISSIONED, each vial frozen on
its bank's freeze date), so that tank 2's temperature log of the last three days, uploaded at
the end, finds the vials stored there during its excursion and quarantines them, awaiting
QA's decision. All or nothing; a second run finds the demo storage and does nothing.
"""

from datetime import date, datetime, time, timedelta
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from stemhub.accounts.models import Institution, User
from stemhub.audit.triggers import history_rewritable
from stemhub.biobank import services
from stemhub.biobank.models import CellBank, Container, ContainerEvent, ContainerType, CustodyEvent
from stemhub.equipment import demo as equipment_demo
from stemhub.registry.models import CellLine, Status

SITE = "Biobank"
COMMISSIONED = date(2023, 11, 2)
# Position holds: (box, row, column, kind, note); rack slots: (tank, rack, row, kind, note).
BOX_HOLDS = [
    ("Box 1101", 9, 9, "blocked", "Cracked cell in the box grid"),
    ("Box 1102", 1, 1, "reserved", "Kept for the retained samples of the next master bank"),
]
RACK_HOLDS = [("Tank 1", "Rack 1", 13, "blocked", "Bent rail: a box would jam")]


@transaction.atomic
@history_rewritable()  # the demo back-dates the events of the past it makes up
def load(*, stdout: TextIO | None = None) -> None:
    nsrb = Institution.objects.filter(provider_code="NSRB").first()
    if nsrb is None or not User.objects.filter(username="technician").exists():
        raise RuntimeError("Load the registry demo first (`stemhub demo`): NSRB and its staff")
    if Container.objects.filter(institution=nsrb, parent=None, name=SITE).exists():
        if stdout is not None:
            stdout.write("Biobank demo already loaded; nothing to do\n")
        return
    tech = User.objects.get(username="technician")
    qa = User.objects.get(username="qa")
    units = equipment_demo.register(institution=nsrb, actor=tech)
    tanks, boxes = _storage(tech, nsrb, units)
    lines = CellLine.objects.filter(institution=nsrb, status=Status.PUBLISHED).order_by("name")[:4]
    banks = _banks(tech, list(lines), tank1=boxes[:8], tank2=boxes[8:])
    _date_the_past(nsrb, banks)
    for n, working in enumerate(b for b in banks if b.tier == "wcb"):
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
    log = equipment_demo.excursion(units=units, actor=tech)
    if stdout is not None:
        stdout.write(
            f"Biobank: {len(units)} units of equipment, {len(tanks)} tanks with {len(boxes)} "
            f"boxes, {len(banks)} banks at NSRB; {log.excursions.count()} temperature "
            f"excursion in {equipment_demo.EXCURSION_TANK} awaiting QA's decision\n"
        )


def _storage(
    tech: User, nsrb: Institution, units: dict[str, Any]
) -> tuple[list[Container], list[Container]]:
    kinds = _container_types(tech)
    make = services.container_create
    site = make(actor=tech, type=kinds["Site or room"], name=SITE, institution=nsrb)
    room = make(actor=tech, type=kinds["Site or room"], name="Cryo room B2", parent=site)
    make(
        actor=tech,
        type=kinds["−80 °C freezer"],
        name="Freezer F1",
        parent=room,
        equipment=units["Freezer F1"],
    )
    tanks, boxes = [], []
    for t in (1, 2):
        tank = make(
            actor=tech,
            type=kinds["LN2 tank (vapour)"],
            name=f"Tank {t}",
            parent=room,
            equipment=units[f"LN2 tank {t}"],
            reason="Commissioned",
        )
        tanks.append(tank)
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
    by_name = {b.name: b for b in boxes}
    for name, row, column, kind, note in BOX_HOLDS:
        services.position_hold(
            actor=tech, container=by_name[name], row=row, column=column, kind=kind, note=note
        )
    for tank_name, rack_name, row, kind, note in RACK_HOLDS:
        rack = Container.objects.get(parent__name=tank_name, parent__parent=room, name=rack_name)
        services.position_hold(actor=tech, container=rack, row=row, column=1, kind=kind, note=note)
    return tanks, boxes


def _banks(
    tech: User, lines: list[CellLine], *, tank1: list[Container], tank2: list[Container]
) -> list[CellBank]:
    """A master and a working bank per line, filling tank 1's first rack box after box (two or
    three banks to a box), but for the last two master banks, in tank 2."""

    def bank(line: CellLine, n: int, tier: str, parent: CellBank | None) -> CellBank:
        master = tier == "mcb"
        frozen = date(2024, 2, 1) + timedelta(days=40 * n + (0 if master else 30))
        return services.cell_bank_create(
            actor=tech,
            line=line,
            tier=tier,
            parent=parent,
            passage_number=(8 if master else 12) + n,
            freeze_date=frozen,
            vial_count=40 if master else 60,
            cryo_medium="CryoStor CS10",
            cells_per_vial=1_000_000,
            operator=tech,
            sop="SOP-BB-010",
            boxes=tank2[:1] if master and n >= 2 else tank1[:4],
        )

    banks = []
    for n, line in enumerate(lines):
        master = bank(line, n, "mcb", None)
        banks += [master, bank(line, n, "wcb", master)]
    return banks


def _date_the_past(nsrb: Institution, banks: list[CellBank]) -> None:
    """Date the creation events as the demo tells it (see the module's docstring)."""
    zone = timezone.get_current_timezone()
    ContainerEvent.objects.filter(
        container__institution=nsrb, kind=ContainerEvent.Kind.CREATE
    ).update(at=datetime.combine(COMMISSIONED, time(9), zone))
    for bank in banks:
        CustodyEvent.objects.filter(vial__bank=bank, kind=CustodyEvent.Kind.CREATE).update(
            at=datetime.combine(bank.freeze_date, time(16), zone)
        )


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
