"""Reads of the inventory that span relations, with the institution scoping applied."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from stemhub.accounts.permissions import Perm, is_platform_admin, permissions_of
from stemhub.biobank.barcodes import BODY_LENGTH, mod37_2
from stemhub.biobank.models import (
    CellBank,
    Container,
    ContainerEvent,
    ContainerType,
    CustodyEvent,
    PositionHold,
    Vial,
)
from stemhub.core.errors import NotFound

# Visibility


def _scoped(queryset: QuerySet[Any], user: Any, field: str) -> QuerySet[Any]:
    if is_platform_admin(user):
        return queryset
    if Perm.INVENTORY_VIEW in permissions_of(user) and user.institution_id:
        return queryset.filter(**{field: user.institution_id})
    return queryset.none()


def visible_containers(user: Any) -> QuerySet[Container]:
    return _scoped(Container.objects.all(), user, "institution_id")


def visible_banks(user: Any) -> QuerySet[CellBank]:
    return _scoped(CellBank.objects.all(), user, "institution_id")


def visible_vials(user: Any) -> QuerySet[Vial]:
    return _scoped(Vial.objects.all(), user, "bank__institution_id")


def container_for(user: Any, pk: int) -> Container:
    found = visible_containers(user).select_related("type", "parent__type").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No container %(id)s that you may see") % {"id": pk})
    return found


def bank_for(user: Any, pk: int) -> CellBank:
    found = (
        visible_banks(user)
        .select_related("line", "product__line", "parent", "operator", "institution")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("No cell bank %(id)s that you may see") % {"id": pk})
    return found


def vial_for(user: Any, barcode: str) -> Vial:
    found = (
        visible_vials(user)
        .select_related("bank__line", "bank__product__line", "container__type", "checked_out_to")
        .filter(barcode=barcode)
        .first()
    )
    if found is None:
        raise NotFound(_("No vial %(barcode)r that you may see") % {"barcode": barcode})
    return found


def vial_find(user: Any, text: str) -> Vial | None:
    """The vial a typed or scanned barcode names, among those `user` may see: as stored, in
    capitals, or a generated barcode typed without its check character."""
    code = text.strip()
    if not code:
        return None
    candidates = {code, code.upper()}
    body = code.upper()
    if len(body) == BODY_LENGTH + 1 and body.startswith("V"):
        candidates.add(body + mod37_2(body))
    return visible_vials(user).filter(barcode__in=sorted(candidates)).order_by("pk").first()


# Paths


def container_ancestors(container: Container) -> list[Container]:
    """The container and everything above it, the root first."""
    chain = [container]
    while chain[-1].parent_id is not None:
        parent = chain[-1].parent if "parent" in chain[-1]._state.fields_cache else None
        chain.append(parent or Container.objects.select_related("type").get(pk=chain[-1].parent_id))
    return chain[::-1]


def container_path(container: Container) -> str:
    """`Site A/Room 1/Tank 2/Rack 3/Box 7`: names from the root down."""
    return "/".join(c.name for c in container_ancestors(container))


def container_paths(container_ids: Iterable[int]) -> dict[int, str]:
    """The path of each of these containers, one query per level of the tree however many
    containers are asked for."""
    known: dict[int, tuple[str, int | None]] = {}
    wanted = set(container_ids)
    frontier = set(wanted)
    while frontier:
        rows = Container.objects.filter(pk__in=frontier).values_list("pk", "name", "parent_id")
        for pk, name, parent_id in rows:
            known[pk] = (name, parent_id)
        frontier = {p for _, p in known.values() if p is not None and p not in known}
    paths: dict[int, str] = {}

    def path_of(pk: int) -> str:
        if pk not in paths:
            name, parent_id = known[pk]
            paths[pk] = f"{path_of(parent_id)}/{name}" if parent_id in known else name
        return paths[pk]

    return {pk: path_of(pk) for pk in wanted if pk in known}


def place_choices(user: Any, *, boxes: bool) -> list[tuple[int, str, bool]]:
    """(id, path, has numbered positions) of the containers the user may see that hold vials
    (`boxes`) or that hold other containers, sorted by path: one query for the whole tree."""
    found_in = visible_containers(user)
    if not boxes:
        # Whatever holds containers stands only in containers that do: the boxes can stay out.
        found_in = found_in.filter(type__holds_vials=False)
    rows = list(found_in.values_list("pk", "name", "parent_id", "type__holds_vials", "type__rows"))
    known = {pk: (name, parent_id) for pk, name, parent_id, _, _ in rows}
    paths: dict[int, str] = {}

    def path_of(pk: int) -> str:
        if pk not in paths:
            name, parent_id = known[pk]
            paths[pk] = f"{path_of(parent_id)}/{name}" if parent_id in known else name
        return paths[pk]

    found = [
        (pk, path_of(pk), layout_rows is not None)
        for pk, _, _, holds_vials, layout_rows in rows
        if holds_vials == boxes
    ]
    return sorted(found, key=lambda item: item[1])


@dataclass(frozen=True)
class FreePlace:
    """A place something can be put: a container, and a free numbered position in it (`label`
    empty where the container has no numbered positions). `value` is what a form posts."""

    container_id: int
    path: str
    label: str

    @property
    def value(self) -> str:
        return f"{self.container_id}:{self.label}"


def free_places(user: Any, *, boxes: bool, exclude: int | None = None) -> list[FreePlace]:
    """Every free place the user may see: in boxes (`boxes`, for a vial) or in containers that
    hold containers (for a box or rack), excluding container `exclude` and what lies in it. A
    position is free when nothing stands in it and no hold blocks or reserves it. A fixed number
    of queries, however big the tree."""
    choices = [(pk, path) for pk, path, _numbered in place_choices(user, boxes=boxes)]
    own = next((path for pk, path in choices if pk == exclude), None)
    if own is not None:  # the container and what lies in it, by their paths
        choices = [(pk, p) for pk, p in choices if p != own and not p.startswith(f"{own}/")]
    ids = {pk for pk, _path in choices}
    taken: dict[int, set[tuple[int, int]]] = defaultdict(set)
    types = {}
    # One query for the places and, when they hold containers, the containers standing in them.
    wanted = Q(pk__in=ids) | (Q(parent_id__in=ids, row__isnull=False) if not boxes else Q())
    for c in Container.objects.filter(wanted).select_related("type"):
        if c.pk in ids and not c.blocked:
            types[c.pk] = c.type
        parent, row, column = c.parent_id, c.row, c.column
        if boxes or parent not in ids or parent is None or row is None or column is None:
            continue
        taken[parent].add((row, column))
    if boxes:
        vials = Vial.objects.filter(container_id__in=ids, row__isnull=False)
        for pk, row, column in vials.values_list("container_id", "row", "column"):
            if row is not None and column is not None:  # both or neither (the table's check)
                taken[pk].add((row, column))
    holds = PositionHold.objects.filter(container_id__in=ids)
    for pk, row, column in holds.values_list("container_id", "row", "column"):
        taken[pk].add((row, column))
    found = []
    for pk, path in choices:
        kind = types.get(pk)
        if kind is None:  # blocked: nothing goes in
            continue
        positions = kind.positions()
        if not positions:
            found.append(FreePlace(pk, path, ""))
            continue
        found += [
            FreePlace(pk, path, kind.label(row, column))
            for row, column in positions
            if (row, column) not in taken[pk]
        ]
    return found


def place_text(path: str, container: Container | None, row: int | None, column: int | None) -> str:
    if container is None:
        return ""
    label = container.type.label(row, column)
    return f"{path}/{label}" if label else path


def subtree_ids(container_ids: Iterable[int]) -> list[int]:
    """These containers and every container below them now, level by level."""
    found = list(container_ids)
    level = found
    while level:
        level = list(Container.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        found.extend(level)
    return found


# Histories


def vial_history(vial: Vial) -> list[CustodyEvent]:
    return list(
        CustodyEvent.objects.filter(vial=vial)
        .select_related("actor", "moved_container")
        .order_by("at", "id")
    )


def container_history(container: Container, *, limit: int = 500) -> dict[str, list[Any]]:
    """The container's own events and the latest custody events of vials in or out of it."""
    vial_events = (
        CustodyEvent.objects.filter(
            Q(to_container=container) | Q(from_container=container) | Q(moved_container=container)
        )
        .select_related("actor", "vial")
        .order_by("-at", "-id")[:limit]
    )
    own = (
        ContainerEvent.objects.filter(Q(container=container) | Q(to_parent=container))
        .select_related("actor", "container")
        .order_by("-at", "-id")[:limit]
    )
    return {"container_events": list(own), "vial_events": list(vial_events)}


# Free space


@dataclass(frozen=True)
class FreePosition:
    box: Container
    row: int
    column: int

    @property
    def label(self) -> str:
        return self.box.type.label(self.row, self.column)


def free_positions_in(box: Container, *, include_reserved: bool = False) -> list[tuple[int, int]]:
    """The box's empty positions in its fill order (reserved ones only when asked for)."""
    taken = set(Vial.objects.filter(container=box, row__isnull=False).values_list("row", "column"))
    holds = PositionHold.objects.filter(container=box)
    if include_reserved:
        holds = holds.filter(kind=PositionHold.Kind.BLOCKED)
    taken |= set(holds.values_list("row", "column"))
    return [p for p in box.type.positions() if p not in taken]


def free_space(
    *, institution_id: int, box_type: ContainerType, temperature_class: str, n: int
) -> list[FreePosition]:
    """The first n free positions in unblocked boxes of that type at that temperature, filling
    the fullest boxes first so that partly used boxes are completed before new ones start."""
    capacity = box_type.capacity or 0
    boxes = (
        Container.objects.filter(
            institution_id=institution_id,
            type=box_type,
            temperature_class=temperature_class,
            blocked=False,
        )
        .select_related("type")
        .annotate(used=Count("vials", filter=Q(vials__row__isnull=False)))
        .filter(used__lt=capacity)
        .order_by("-used", "pk")
    )
    found: list[FreePosition] = []
    for box in boxes.iterator(chunk_size=50):
        for row, column in free_positions_in(box):
            found.append(FreePosition(box, row, column))
            if len(found) == n:
                return found
    return found


# Excursions


def _intervals_under(
    container: Container, start: datetime, end: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Per container id, the stretches of [start, end] during which it stood under `container`
    (the container itself all along), from the containers' create and move events."""
    inside: dict[int, list[tuple[datetime, datetime]]] = {container.pk: [(start, end)]}
    frontier = [container.pk]
    seen = {container.pk}
    while frontier:
        events = ContainerEvent.objects.filter(
            container_id__in=ContainerEvent.objects.filter(
                to_parent_id__in=frontier, at__lte=end
            ).values("container_id"),
            kind__in=[ContainerEvent.Kind.CREATE, ContainerEvent.Kind.MOVE],
            at__lte=end,
        ).order_by("container_id", "at", "id")
        placements: dict[int, list[tuple[datetime, int | None]]] = defaultdict(list)
        for event in events:
            placements[event.container_id].append((event.at, event.to_parent_id))
        frontier = []
        for child_id, steps in placements.items():
            stretches: list[tuple[datetime, datetime]] = []
            for index, (since, parent_id) in enumerate(steps):
                until = steps[index + 1][0] if index + 1 < len(steps) else end
                for low, high in inside.get(parent_id, []) if parent_id is not None else []:
                    a, b = max(since, low), min(until, high)
                    if a <= b:
                        stretches.append((a, b))
            if stretches and child_id not in seen:
                inside[child_id] = stretches
                seen.add(child_id)
                frontier.append(child_id)
    return inside


def vials_in_container_during(
    *, container: Container, start: datetime, end: datetime
) -> QuerySet[Vial]:
    """Every vial that was anywhere under `container` at some moment in [start, end], from the
    custody events of the vials and the create/move events of the containers around them."""
    inside = _intervals_under(container, start, end)
    events = (
        CustodyEvent.objects.filter(
            vial_id__in=CustodyEvent.objects.filter(
                to_container_id__in=list(inside), at__lte=end
            ).values("vial_id"),
            at__lte=end,
        )
        .order_by("vial_id", "at", "id")
        .values_list("vial_id", "at", "to_container_id")
    )
    by_vial: dict[int, list[tuple[datetime, int | None]]] = defaultdict(list)
    for vial_id, at, to_container_id in events:
        by_vial[vial_id].append((at, to_container_id))
    hit: set[int] = set()
    for vial_id, steps in by_vial.items():
        for index, (since, where) in enumerate(steps):
            until = steps[index + 1][0] if index + 1 < len(steps) else end
            if where is None or where not in inside:
                continue
            if any(max(since, low) <= min(until, high) for low, high in inside[where]):
                hit.add(vial_id)
                break
    return Vial.objects.filter(pk__in=hit)


# Reports


def vial_counts(user: Any) -> list[dict[str, Any]]:
    """Vials per line (or product), bank and status."""
    rows = (
        visible_vials(user)
        .values(
            "bank__line__name",
            "bank__product__line__name",
            "bank__product__name",
            "bank__code",
            "bank__tier",
            "status",
        )
        .annotate(count=Count("id"))
        .order_by("bank__line__name", "bank__product__name", "bank__code", "status")
    )
    return [
        {
            "line": row["bank__line__name"] or row["bank__product__line__name"],
            "product": row["bank__product__name"] or "",
            "bank": row["bank__code"],
            "tier": row["bank__tier"],
            "status": row["status"],
            "count": row["count"],
        }
        for row in rows
    ]


def occupancy(user: Any) -> list[dict[str, Any]]:
    """Per container: vial positions, used, held and free, summed up the tree; in tree order."""
    containers = list(visible_containers(user).select_related("type").order_by("pk"))
    by_id = {c.pk: c for c in containers}
    used = Counter(
        dict(
            Vial.objects.filter(container_id__in=by_id, row__isnull=False)
            .values_list("container_id")
            .annotate(n=Count("id"))
        )
    )
    held = Counter(
        dict(
            PositionHold.objects.filter(container_id__in=by_id)
            .values_list("container_id")
            .annotate(n=Count("id"))
        )
    )
    totals: dict[int, Counter[str]] = defaultdict(Counter)
    for c in containers:
        if c.type.holds_vials and c.type.capacity:
            own = Counter(capacity=c.type.capacity, used=used[c.pk], held=held[c.pk], boxes=1)
            node: Container | None = c
            while node is not None:
                totals[node.pk].update(own)
                node = by_id.get(node.parent_id) if node.parent_id else None
    children: dict[int | None, list[Container]] = defaultdict(list)
    for c in containers:
        children[c.parent_id if c.parent_id in by_id else None].append(c)
    rows: list[dict[str, Any]] = []

    def walk(parent_id: int | None, path: str, depth: int) -> None:
        for c in sorted(children[parent_id], key=lambda x: (x.name, x.pk)):
            here = f"{path}/{c.name}" if path else c.name
            t = totals[c.pk]
            rows.append(
                {
                    "container": c,
                    "id": c.pk,
                    "path": here,
                    "depth": depth,
                    "type": c.type.name,
                    "boxes": t["boxes"],
                    "capacity": t["capacity"],
                    "used": t["used"],
                    "held": t["held"],
                    "free": t["capacity"] - t["used"] - t["held"],
                    "percent": round(100 * t["used"] / t["capacity"], 1) if t["capacity"] else 0,
                }
            )
            walk(c.pk, here, depth + 1)

    walk(None, "", 0)
    return rows
