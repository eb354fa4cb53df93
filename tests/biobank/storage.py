"""Storage trees and banks for the biobank tests, built through the services."""

from datetime import date
from typing import Any

from stemhub.biobank import services
from stemhub.biobank.models import CellBank, Container, ContainerType
from stemhub.registry import services as registry
from stemhub.registry.models import CellLine
from tests.registry.lines import publishable


def container_types(actor: Any) -> dict[str, ContainerType]:
    found = {t.name: t for t in ContainerType.objects.all()}
    if found:
        return found
    box = services.container_type_create(
        actor=actor, name="Box 9×9", rows=9, columns=9, holds_vials=True
    )
    rack = services.container_type_create(
        actor=actor,
        name="Rack",
        rows=10,
        columns=1,
        row_labels="numbers",
        allowed_children=[box],
    )
    tank = services.container_type_create(
        actor=actor, name="LN2 tank", temperature_class="LN_vapour", allowed_children=[rack]
    )
    freezer = services.container_type_create(
        actor=actor, name="−80 freezer", temperature_class="-60to-85"
    )
    site = services.container_type_create(actor=actor, name="Site")
    room = services.container_type_create(actor=actor, name="Room")
    return {t.name: t for t in (box, rack, tank, freezer, site, room)}


def storage_tree(actor: Any, *, boxes: int = 2, prefix: str = "") -> dict[str, Container]:
    """Site A/Room 1/Tank 2/Rack 3 holding Box 1..n, and Rack 4 (empty) in the same tank."""
    kinds = container_types(actor)
    make = services.container_create
    site = make(actor=actor, type=kinds["Site"], name=f"{prefix}Site A")
    room = make(actor=actor, type=kinds["Room"], name="Room 1", parent=site)
    tank = make(actor=actor, type=kinds["LN2 tank"], name="Tank 2", parent=room)
    rack = make(actor=actor, type=kinds["Rack"], name="Rack 3", parent=tank)
    other_rack = make(actor=actor, type=kinds["Rack"], name="Rack 4", parent=tank)
    tree = {"site": site, "room": room, "tank": tank, "rack": rack, "rack4": other_rack}
    for n in range(1, boxes + 1):
        tree[f"box{n}"] = make(
            actor=actor, type=kinds["Box 9×9"], name=f"Box {n}", parent=rack, row=n, column=1
        )
    return tree


def published_line(users: dict[str, Any], name: str = "NSCBi001-A") -> CellLine:
    curator = users["curator"]
    line = registry.cell_line_create(actor=curator, data=publishable(name))
    registry.cell_line_submit(actor=curator, line=line)
    registry.cell_line_start_review(actor=curator, line=line)
    return registry.cell_line_publish(actor=curator, line=line)


def bank_of(
    actor: Any, line: CellLine, boxes: list[Container], count: int = 10, **extra: Any
) -> CellBank:
    return services.cell_bank_create(
        actor=actor,
        line=line,
        tier=extra.pop("tier", "mcb"),
        passage_number=extra.pop("passage_number", 12),
        freeze_date=extra.pop("freeze_date", date(2025, 3, 14)),
        vial_count=count,
        boxes=boxes,
        **extra,
    )
