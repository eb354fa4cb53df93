"""What stands in each slot of a container, for the grid a technician reads: reads only.

A box's slot holds a vial (shown with its line, bank, passage and status, coloured by bank) or
is free, blocked or reserved. A rack's or a tank's slot holds a container (shown with how full
it is) or is free, blocked or reserved. A grid never shows an occupied slot as free: every
vial, child container and hold of the container is read, whatever kind of container it is.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from stemhub.biobank import layout
from stemhub.biobank.models import CellBank, Container, PositionHold, Vial

# Colours of the banks in one box: as many as fit apart by eye; a box with more banks reuses
# them, and the legend (codes and lines) still tells them apart.
PALETTE_SIZE = 8


@dataclass(frozen=True)
class Fill:
    """How full a container is: vials stored in it and below it, of the vial positions there."""

    used: int = 0
    capacity: int = 0
    boxes: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.used / self.capacity) if self.capacity else 0


@dataclass
class Slot:
    row: int
    column: int
    label: str
    vial: Vial | None = None
    child: Container | None = None
    fill: Fill | None = None
    hold: str = ""
    hold_note: str = ""
    colour: int = 0

    @property
    def free(self) -> bool:
        return self.vial is None and self.child is None and not self.hold


@dataclass
class BankKey:
    """One line of a box's legend: the colour, the bank and how many of its vials are here."""

    colour: int
    bank: CellBank
    count: int


@dataclass
class Grid:
    columns: list[str]
    rows: list[tuple[str, list[Slot]]]
    legend: list[BankKey] = field(default_factory=list)

    @property
    def slots(self) -> list[Slot]:
        return [slot for _, row in self.rows for slot in row]

    @property
    def used(self) -> int:
        return sum(1 for s in self.slots if s.vial is not None or s.child is not None)

    @property
    def held(self) -> int:
        return sum(1 for s in self.slots if s.hold)

    @property
    def free(self) -> int:
        return sum(1 for s in self.slots if s.free)


def fills(containers: Iterable[Container]) -> dict[int, Fill]:
    """Per container, the vials stored in it and below it and the vial positions there: one
    query per level of the tree below them, and one for the vials, however many are asked."""
    top = {c.pk: c.pk for c in containers}
    owner: dict[int, int] = dict(top)  # box id → the asked container it lies under
    capacity: Counter[int] = Counter()
    boxes: Counter[int] = Counter()
    level = list(top)
    first = True
    while level:
        found_in = Container.objects.filter(**{"pk__in" if first else "parent_id__in": level})
        found = list(
            found_in.values_list(
                "pk", "parent_id", "type__holds_vials", "type__rows", "type__columns"
            )
        )
        for pk, parent_id, holds_vials, rows_, columns in found:
            if not first:
                owner[pk] = owner[parent_id]
            if holds_vials and rows_ and columns:
                capacity[owner[pk]] += rows_ * columns
                boxes[owner[pk]] += 1
        level = [pk for pk, _, holds_vials, _, _ in found if not holds_vials]
        first = False
    used: Counter[int] = Counter()
    stored = (
        Vial.objects.filter(container_id__in=list(owner), row__isnull=False)
        .values_list("container_id", flat=True)
        .iterator(chunk_size=5000)
    )
    for container_id in stored:
        used[owner[container_id]] += 1
    return {pk: Fill(used[pk], capacity[pk], boxes[pk]) for pk in top}


def container_grid(container: Container) -> Grid | None:
    """The container's slots row by row, each with what stands in it; None for a container
    without numbered slots (a site, a room, a freezer shelf)."""
    kind = container.type
    if not kind.rows or not kind.columns:
        return None
    grid = [
        [Slot(r, c, kind.label(r, c)) for c in range(1, kind.columns + 1)]
        for r in range(1, kind.rows + 1)
    ]
    legend: list[BankKey] = []
    if kind.holds_vials:
        legend = _place_vials(container, grid)
    else:
        _place_children(container, grid)
    for hold in PositionHold.objects.filter(container=container):
        slot = grid[hold.row - 1][hold.column - 1]
        slot.hold, slot.hold_note = hold.kind, hold.note
    return Grid(
        columns=[layout.label_part(n, kind.column_labels) for n in range(1, kind.columns + 1)],
        rows=[(layout.label_part(n, kind.row_labels), row) for n, row in enumerate(grid, start=1)],
        legend=legend,
    )


def _place_vials(box: Container, grid: list[list[Slot]]) -> list[BankKey]:
    vials = list(
        Vial.objects.filter(container=box, row__isnull=False).select_related(
            "bank__line", "bank__product__line"
        )
    )
    counts = Counter(v.bank_id for v in vials)
    banks = sorted({v.bank_id: v.bank for v in vials}.values(), key=lambda b: b.code)
    colour = {bank.pk: n % PALETTE_SIZE for n, bank in enumerate(banks)}
    for vial in vials:
        if vial.row is None or vial.column is None:  # never: the query takes placed vials only
            continue
        slot = grid[vial.row - 1][vial.column - 1]
        slot.vial, slot.colour = vial, colour[vial.bank_id]
    return [BankKey(colour[b.pk], b, counts[b.pk]) for b in banks]


def _place_children(container: Container, grid: list[list[Slot]]) -> None:
    children = list(container.children.select_related("type"))
    filled = fills(children)
    by_slot: dict[tuple[int, int], Container] = {}
    for child in children:
        if child.row is not None and child.column is not None:
            by_slot[(child.row, child.column)] = child
    for (row, column), child in by_slot.items():
        slot = grid[row - 1][column - 1]
        slot.child, slot.fill = child, filled[child.pk]


def children_with_fill(container: Container) -> list[tuple[Container, Fill]]:
    """The containers directly inside, by name, each with how full it is."""
    children = list(container.children.select_related("type").order_by("name", "pk"))
    filled = fills(children)
    return [(child, filled[child.pk]) for child in children]


def roots_with_fill(containers: Iterable[Container]) -> list[tuple[Container, Fill]]:
    listed = list(containers)
    filled = fills(listed)
    return [(c, filled[c.pk]) for c in listed]
