"""Writes to the inventory: storage, banks, vials and their custody.

Every function is atomic, checks the actor's permission in the record's institution, runs inside
`audit_context` so the audit triggers know who and why, and writes the custody or container
events of what it did. Anything that takes a position locks the containers involved (primary-key
order, `select_for_update`) before it reads what is free, and the vial being handled after
them; the unique constraints stay as the last guard.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stemhub.accounts.models import Institution, User
from stemhub.accounts.permissions import Perm, require, user_can
from stemhub.audit.context import audit_context
from stemhub.biobank import barcodes
from stemhub.biobank.dates import freeze_date_problem
from stemhub.biobank.models import (
    GONE,
    TIER_ORDER,
    BankTier,
    CellBank,
    Container,
    ContainerEvent,
    ContainerType,
    CustodyEvent,
    PositionHold,
    Vial,
    VialStatus,
)
from stemhub.biobank.selectors import container_path, free_positions_in, place_text, subtree_ids
from stemhub.core.errors import Conflict, Forbidden, InvalidInput, full_clean, is_unique_violation
from stemhub.core.validation import passage_problem
from stemhub.qms.documents import sop_in_force
from stemhub.qms.gating import require_authorised
from stemhub.qms.models import Task
from stemhub.registry.models import CellLine, DerivedProduct
from stemhub.registry.models import Status as LineStatus

Position = tuple[Container, int | None, int | None]  # (box, None, None): no position given
MAX_VIALS_PER_BANK = 10_000


def lock_containers(*containers: Container | None) -> dict[int, Container]:
    """Lock these containers' rows in primary-key order; fresh copies by pk."""
    ids = sorted({c.pk for c in containers if c is not None})
    rows = (
        Container.objects.select_for_update(of=("self",))
        .select_related("type")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    return {c.pk: c for c in rows}


def vials_locked(vials: Iterable[Vial | int]) -> list[Vial]:
    """Lock these vials' rows (vials or their pks) in primary-key order: the one way any app
    locks vials. No joins: on PostgreSQL a row re-read after waiting for a lock comes back
    fresh, but the joined rows would keep the old snapshot."""
    ids = sorted({v if isinstance(v, int) else v.pk for v in vials})
    return list(Vial.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def bank_locked(bank: CellBank | int, *related: str) -> CellBank:
    """The bank's row locked (FOR UPDATE of the bank only), with `related` joined for reading:
    the one way any app locks a bank before changing its QC, release or stock state."""
    pk = bank if isinstance(bank, int) else bank.pk
    return CellBank.objects.select_for_update(of=("self",)).select_related(*related).get(pk=pk)


def _check_slot(
    parent: Container, row: int | None, column: int | None, *, field: str = "position"
) -> None:
    kind = parent.type
    if kind.has_layout:
        if row is None or column is None:
            raise InvalidInput(
                _("%(name)s has numbered positions; say which one") % {"name": parent.name},
                fields={field: [_("required")]},
            )
        if not (1 <= row <= (kind.rows or 0) and 1 <= column <= (kind.columns or 0)):
            raise InvalidInput(
                _("%(name)s has no position at row %(row)s, column %(column)s")
                % {"name": parent.name, "row": row, "column": column},
                fields={field: [_("out of range")]},
            )
    elif row is not None or column is not None:
        raise InvalidInput(
            _("%(name)s has no numbered positions") % {"name": parent.name},
            fields={field: [_("not applicable")]},
        )


def resolve_position(
    container: Container, label: str, *, field: str = "position"
) -> tuple[int | None, int | None]:
    """(row, column) for a position label such as `A1`; (None, None) for an empty label."""
    if not label:
        return None, None
    try:
        return container.type.parse(label)
    except (ValueError, KeyError):
        raise InvalidInput(
            _("%(name)s has no position %(label)r") % {"name": container.name, "label": label},
            fields={field: [_("unknown position")]},
        ) from None


# Storage


@transaction.atomic
def container_type_create(
    *,
    actor: User,
    name: str,
    rows: int | None = None,
    columns: int | None = None,
    row_labels: str = "letters",
    column_labels: str = "numbers",
    fill_order: str = "row_major",
    temperature_class: str = "",
    holds_vials: bool = False,
    allowed_children: Sequence[ContainerType] = (),
) -> ContainerType:
    require(actor, Perm.STORAGE_MANAGE)
    if (rows is None) != (columns is None):
        raise InvalidInput(
            _("Give both rows and columns, or neither for a dimensionless container"),
            fields={"rows" if rows is None else "columns": [_("required with the other")]},
        )
    if holds_vials and allowed_children:
        raise InvalidInput(
            _("A container type holds either vials or other containers"),
            fields={"allowed_children": [_("must be empty when it holds vials")]},
        )
    if ContainerType.objects.filter(name=name.strip()).exists():
        raise Conflict(
            _("A container type %(name)r exists") % {"name": name}, fields={"name": [_("taken")]}
        )
    kind = ContainerType(
        name=name.strip(),
        rows=rows,
        columns=columns,
        row_labels=row_labels,
        column_labels=column_labels,
        fill_order=fill_order,
        temperature_class=temperature_class,
        holds_vials=holds_vials,
    )
    full_clean(kind, validate_constraints=False)
    kind.save()
    kind.allowed_children.set(allowed_children)
    return kind


def _check_fits(
    parent: Container, child_type: ContainerType, row: int | None, col: int | None
) -> None:
    if parent.type.holds_vials:
        raise InvalidInput(
            _("%(name)s holds vials; a container cannot take a vial position")
            % {"name": parent.name},
            fields={"parent": [_("holds vials only")]},
        )
    allowed = list(parent.type.allowed_children.all())
    if allowed and child_type not in allowed:
        raise InvalidInput(
            _("A %(parent_type)s holds %(allowed)s, not a %(type)s")
            % {
                "parent_type": parent.type.name,
                "allowed": ", ".join(t.name for t in allowed),
                "type": child_type.name,
            },
            fields={"type": [_("not allowed in this parent")]},
        )
    if parent.blocked:
        raise Conflict(
            _("%(name)s is blocked") % {"name": parent.name}, fields={"parent": [_("blocked")]}
        )
    _check_slot(parent, row, col)
    if row is not None and col is not None:
        taken = Container.objects.filter(parent=parent, row=row, column=col).first()
        if taken is not None:
            raise Conflict(
                _("Position %(label)s of %(parent)s holds %(name)s")
                % {"label": parent.type.label(row, col), "parent": parent.name, "name": taken.name},
                fields={"position": [_("taken")]},
            )
        blocked = PositionHold.objects.filter(
            container=parent, row=row, column=col, kind=PositionHold.Kind.BLOCKED
        ).exists()
        if blocked:
            raise Conflict(
                _("Position %(label)s of %(parent)s is blocked")
                % {"label": parent.type.label(row, col), "parent": parent.name},
                fields={"position": [_("blocked")]},
            )


def _temperature(kind: ContainerType, parent: Container | None) -> str:
    return kind.temperature_class or (parent.temperature_class if parent else "")


@transaction.atomic
def container_create(
    *,
    actor: User,
    type: ContainerType,
    name: str,
    parent: Container | None = None,
    row: int | None = None,
    column: int | None = None,
    barcode: str = "",
    institution: Institution | None = None,
    equipment: Any = None,
    reason: str = "",
) -> Container:
    institution_id: int | None
    if parent is not None:
        institution_id = parent.institution_id
    else:
        owner = institution or actor.institution
        institution_id = owner.pk if owner is not None else None
    if not institution_id:
        raise InvalidInput(_("Name the institution"), fields={"institution": [_("required")]})
    require(actor, Perm.STORAGE_MANAGE, institution_id)
    with audit_context(actor=actor, reason=reason):
        if parent is not None:
            parent = lock_containers(parent)[parent.pk]
            _check_fits(parent, type, row, column)
        container = Container(
            institution_id=institution_id,
            type=type,
            parent=parent,
            row=row,
            column=column,
            name=name.strip(),
            barcode=barcode.strip() or None,
            temperature_class=_temperature(type, parent),
            equipment=equipment,
        )
        full_clean(container, validate_constraints=False, exclude=["institution"])
        try:
            with transaction.atomic():
                container.save()
        except IntegrityError:
            message = (
                _("%(parent)s already holds a container named %(name)r or that barcode")
                % {"parent": parent.name, "name": name}
                if parent
                else _("The top level already holds a container named %(name)r or that barcode")
                % {"name": name}
            )
            raise Conflict(message, fields={"name": [_("taken")]}) from None
        ContainerEvent.objects.create(
            container=container,
            kind=ContainerEvent.Kind.CREATE,
            actor=actor,
            to_parent=parent,
            to_place=place_text(container_path(parent), parent, row, column) if parent else "",
            note=reason,
        )
    return container


def _refresh_temperatures(container: Container) -> None:
    level = [container]
    while level:
        children = list(
            Container.objects.filter(parent_id__in=[c.pk for c in level]).select_related("type")
        )
        by_id: dict[int | None, Container] = {c.pk: c for c in level}
        for child in children:
            child.temperature_class = _temperature(child.type, by_id[child.parent_id])
        Container.objects.bulk_update(children, ["temperature_class"])
        level = children


@transaction.atomic
def container_move(
    *,
    actor: User,
    container: Container,
    parent: Container,
    row: int | None = None,
    column: int | None = None,
    reason: str = "",
) -> Container:
    """Put a container (a box, a rack with its boxes) somewhere else; every vial inside gets a
    move event. Refused when the new parent lies inside the container itself."""
    locked = lock_containers(container, parent)
    container, parent = locked[container.pk], locked.get(parent.pk, container)
    require(actor, Perm.STORAGE_MANAGE, container.institution_id)
    if parent.institution_id != container.institution_id:
        raise InvalidInput(
            _("A container moves only within its institution's storage"),
            fields={"parent": [_("another institution's")]},
        )
    # Walk up from the new parent with each ancestor locked, so that no concurrent move can
    # slip the container under itself between this check and the update.
    ancestor: Container | None = parent
    while ancestor is not None:
        if ancestor.pk == container.pk:
            raise InvalidInput(
                _("%(parent)s lies inside %(name)s; a container cannot hold itself")
                % {"parent": parent.name, "name": container.name},
                fields={"parent": [_("inside the container")]},
            )
        ancestor = (
            Container.objects.select_for_update(of=("self",)).get(pk=ancestor.parent_id)
            if ancestor.parent_id
            else None
        )
    if container.parent_id == parent.pk and (container.row, container.column) == (row, column):
        raise InvalidInput(
            _("%(name)s is already there") % {"name": container.name},
            fields={"position": [_("unchanged")]},
        )
    _check_fits(parent, container.type, row, column)
    with audit_context(actor=actor, reason=reason):
        old_path = container_path(container)
        old_parent = container.parent
        old_place = (
            place_text(container_path(old_parent), old_parent, container.row, container.column)
            if old_parent
            else ""
        )
        container.parent, container.row, container.column = parent, row, column
        container.temperature_class = _temperature(container.type, parent)
        try:
            with transaction.atomic():
                container.save(update_fields=["parent", "row", "column", "temperature_class"])
        except IntegrityError:
            raise Conflict(
                _("%(parent)s already holds a container named %(name)r")
                % {"parent": parent.name, "name": container.name},
                fields={"parent": [_("name taken")]},
            ) from None
        _refresh_temperatures(container)
        parent_path = container_path(parent)
        new_path = f"{parent_path}/{container.name}"
        ContainerEvent.objects.create(
            container=container,
            kind=ContainerEvent.Kind.MOVE,
            actor=actor,
            from_parent=old_parent,
            to_parent=parent,
            from_place=old_place,
            to_place=place_text(parent_path, parent, row, column),
            note=reason,
        )
        _write_vial_moves(actor, container, old_path, new_path, reason)
    return container


def _write_vial_moves(
    actor: User, moved: Container, old_path: str, new_path: str, reason: str
) -> None:
    ids = subtree_ids([moved.pk])
    relative = {moved.pk: ""}
    boxes: dict[int | None, Container] = {
        c.pk: c for c in Container.objects.filter(pk__in=ids).select_related("type")
    }
    pending = [c for c in boxes.values() if c.pk != moved.pk]
    while pending:
        rest = []
        for c in pending:
            if c.parent_id in relative:
                relative[c.pk] = f"{relative[c.parent_id]}/{c.name}"
            else:
                rest.append(c)
        pending = rest
    now = timezone.now()
    events = []
    vials = Vial.objects.filter(container_id__in=ids).only("pk", "container_id", "row", "column")
    for vial in vials.iterator(chunk_size=2000):
        box = boxes[vial.container_id]
        label = box.type.label(vial.row, vial.column)
        tail = relative[box.pk] + (f"/{label}" if label else "")
        events.append(
            CustodyEvent(
                vial_id=vial.pk,
                kind=CustodyEvent.Kind.MOVE,
                at=now,
                actor=actor,
                from_container_id=box.pk,
                from_row=vial.row,
                from_column=vial.column,
                from_place=old_path + tail,
                to_container_id=box.pk,
                to_row=vial.row,
                to_column=vial.column,
                to_place=new_path + tail,
                moved_container=moved,
                note=reason,
            )
        )
    CustodyEvent.objects.bulk_create(events, batch_size=2000)


@transaction.atomic
def container_set_blocked(
    *, actor: User, container: Container, blocked: bool, reason: str = ""
) -> Container:
    container = lock_containers(container)[container.pk]
    require(actor, Perm.STORAGE_MANAGE, container.institution_id)
    if container.blocked == blocked:
        return container
    with audit_context(actor=actor, reason=reason):
        container.blocked = blocked
        container.save(update_fields=["blocked"])
        ContainerEvent.objects.create(
            container=container,
            kind=ContainerEvent.Kind.BLOCK if blocked else ContainerEvent.Kind.UNBLOCK,
            actor=actor,
            note=reason,
        )
    return container


@transaction.atomic
def position_hold(
    *, actor: User, container: Container, row: int, column: int, kind: str, note: str = ""
) -> PositionHold:
    """Block a position (out of use) or reserve it (auto-fill passes it by): a box's position
    or a rack's or tank's slot."""
    container = lock_containers(container)[container.pk]
    require(actor, Perm.STORAGE_MANAGE, container.institution_id)
    if not container.type.has_layout:
        raise InvalidInput(
            _("%(name)s has no numbered positions") % {"name": container.name},
            fields={"container": [_("no positions")]},
        )
    _check_slot(container, row, column)
    if kind not in PositionHold.Kind.values:
        raise InvalidInput(
            _("Unknown hold %(kind)r") % {"kind": kind},
            fields={"kind": [_("blocked or reserved")]},
        )
    label = container.type.label(row, column)
    if Vial.objects.filter(container=container, row=row, column=column).exists():
        raise Conflict(
            _("%(label)s holds a vial") % {"label": label}, fields={"position": [_("occupied")]}
        )
    child = Container.objects.filter(parent=container, row=row, column=column).first()
    if child is not None:
        raise Conflict(
            _("%(label)s holds %(name)s") % {"label": label, "name": child.name},
            fields={"position": [_("occupied")]},
        )
    hold, _created = PositionHold.objects.update_or_create(
        container=container,
        row=row,
        column=column,
        defaults={"kind": kind, "note": note, "actor": actor, "at": timezone.now()},
    )
    ContainerEvent.objects.create(
        container=container,
        kind=ContainerEvent.Kind.HOLD,
        actor=actor,
        # Kept as text in the language of the moment, like the other places of the history.
        to_place=f"{label}: {PositionHold.Kind(kind).label.lower()}",
        note=note,
    )
    return hold


@transaction.atomic
def position_release(
    *, actor: User, container: Container, row: int, column: int, reason: str = ""
) -> None:
    container = lock_containers(container)[container.pk]
    require(actor, Perm.STORAGE_MANAGE, container.institution_id)
    deleted, _counts = PositionHold.objects.filter(
        container=container, row=row, column=column
    ).delete()
    if deleted:
        ContainerEvent.objects.create(
            container=container,
            kind=ContainerEvent.Kind.RELEASE,
            actor=actor,
            from_place=container.type.label(row, column),
            note=reason,
        )


# Cell banks


def _check_box(box: Container, institution_id: int, *, field: str) -> None:
    if box.institution_id != institution_id:
        raise InvalidInput(
            _("%(name)s belongs to another institution") % {"name": box.name},
            fields={field: [_("not yours")]},
        )
    if not box.type.holds_vials:
        raise InvalidInput(
            _("%(name)s does not hold vials") % {"name": box.name},
            fields={field: [_("not a box")]},
        )
    if box.blocked:
        raise Conflict(
            _("%(name)s is blocked") % {"name": box.name}, fields={field: [_("blocked")]}
        )


def _allocate(
    boxes: Sequence[Container], positions: Sequence[Position], count: int, institution_id: int
) -> list[Position]:
    """Lock the boxes and choose `count` positions: the given ones, checked, or the first free
    ones of each box in its fill order, box after box."""
    if bool(boxes) == bool(positions):
        raise InvalidInput(
            _("Give either boxes to fill or the positions to use"),
            fields={"boxes": [_("boxes or positions")]},
        )
    locked = lock_containers(*boxes, *(p[0] for p in positions))
    if positions:
        if len(positions) != count:
            raise InvalidInput(
                ngettext(
                    "%(given)s positions given for %(count)s vial",
                    "%(given)s positions given for %(count)s vials",
                    count,
                )
                % {"given": len(positions), "count": count},
                fields={"positions": [_("give %(count)s") % {"count": count}]},
            )
        chosen: list[Position] = []
        seen: set[tuple[int, int | None, int | None]] = set()
        for index, (given, row, column) in enumerate(positions):
            box = locked[given.pk]
            field = f"positions[{index}]"
            _check_box(box, institution_id, field=field)
            _check_slot(box, row, column, field=field)
            free = set(free_positions_in(box, include_reserved=True))
            if (box.pk, row, column) in seen or (row, column) not in free:
                raise Conflict(
                    _("%(box)s %(label)s is not free")
                    % {"box": box.name, "label": box.type.label(row, column)},
                    fields={field: [_("taken")]},
                )
            seen.add((box.pk, row, column))
            chosen.append((box, row, column))
        return chosen
    chosen = []
    for index, given in enumerate(boxes):
        box = locked[given.pk]
        _check_box(box, institution_id, field=f"boxes[{index}]")
        for row, column in free_positions_in(box):
            if len(chosen) == count:
                break
            chosen.append((box, row, column))
    if len(chosen) < count:
        raise Conflict(
            _("The chosen boxes have %(free)s free positions; %(count)s vials need more boxes")
            % {"free": len(chosen), "count": count},
            fields={"boxes": [_("not enough free positions")]},
        )
    return chosen


def _bank_code(source: str, tier: str) -> str:
    prefix = f"{source}-{tier.upper()}-"
    taken = CellBank.objects.filter(code__startswith=prefix).count()
    return f"{prefix}{taken + 1:02d}"


def _check_source(
    line: CellLine | None, product: DerivedProduct | None, institution_id: int
) -> CellLine:
    if (line is None) == (product is None):
        raise InvalidInput(
            _("A bank is of one cell line or one differentiated product"),
            fields={"line": [_("give a line or a product")]},
        )
    source_line = line if line is not None else product.line  # type: ignore[union-attr]
    if source_line.institution_id != institution_id and source_line.status != LineStatus.PUBLISHED:
        raise InvalidInput(
            _("%(line)s is another institution's unpublished line") % {"line": source_line.name},
            fields={"line": [_("not visible to you")]},
        )
    return source_line


def _check_parent(parent: CellBank, tier: str, source_line: CellLine, institution_id: int) -> None:
    if parent.institution_id != institution_id:
        raise InvalidInput(
            _("The parent bank belongs to another institution"),
            fields={"parent": [_("not yours")]},
        )
    parent_line_id = parent.line_id or parent.product.line_id  # type: ignore[union-attr]
    if parent_line_id != source_line.pk:
        raise InvalidInput(
            _("The parent bank %(code)s is of another line") % {"code": parent.code},
            fields={"parent": [_("other line")]},
        )
    if TIER_ORDER.index(BankTier(parent.tier)) >= TIER_ORDER.index(BankTier(tier)):
        raise InvalidInput(
            _("A %(tier)s cannot come from a %(parent_tier)s")
            % {
                "tier": BankTier(tier).label.lower(),
                "parent_tier": BankTier(parent.tier).label.lower(),
            },
            fields={"tier": [_("must follow the parent's tier")]},
        )


def _new_barcodes(count: int) -> list[str]:
    while True:
        codes = {barcodes.new_barcode() for _index in range(count)}
        if len(codes) == count and not Vial.objects.filter(barcode__in=codes).exists():
            return sorted(codes)


def _paths(containers: Iterable[Container]) -> dict[int | None, str]:
    """Container id -> its path, for lookups by a vial's `container_id`."""
    return {c.pk: container_path(c) for c in {c.pk: c for c in containers}.values()}


@transaction.atomic
def cell_bank_create(
    *,
    actor: User,
    tier: str,
    passage_number: int,
    freeze_date: date,
    vial_count: int,
    line: CellLine | None = None,
    product: DerivedProduct | None = None,
    parent: CellBank | None = None,
    code: str = "",
    cryo_medium: str = "",
    cells_per_vial: int | None = None,
    operator: User | None = None,
    sop: str = "",
    post_thaw_viability: Decimal | None = None,
    notes: str = "",
    boxes: Sequence[Container] = (),
    positions: Sequence[Position] = (),
    reason: str = "",
) -> CellBank:
    """Register a bank, create its vials and place them, in one transaction: auto-fill the given
    boxes in their fill order, or use the given (box, row, column) positions. `sop`, the
    procedure followed, is a controlled document's number: the bank links to its version in
    force at the institution."""
    places = [*boxes, *(p[0] for p in positions)]
    institution_id = places[0].institution_id if places else actor.institution_id
    if not institution_id:
        raise InvalidInput(_("Say where the vials go"), fields={"boxes": [_("required")]})
    require(actor, Perm.INVENTORY_EDIT, institution_id)
    require_authorised(actor, Task.BANK_CREATE, institution_id)
    if tier not in BankTier.values:
        raise InvalidInput(
            _("Unknown tier %(tier)r") % {"tier": tier}, fields={"tier": [_("unknown tier")]}
        )
    if not 1 <= vial_count <= MAX_VIALS_PER_BANK:
        raise InvalidInput(
            _("A bank has 1 to %(max)s vials") % {"max": MAX_VIALS_PER_BANK},
            fields={"vial_count": [_("out of range")]},
        )
    if problem := passage_problem(passage_number):
        raise InvalidInput(
            _("Check the passage: %(problem)s") % {"problem": problem},
            fields={"passage_number": [problem]},
        )
    source_line = _check_source(line, product, institution_id)
    if parent is not None:
        _check_parent(parent, tier, source_line, institution_id)
    problem = freeze_date_problem(
        freeze_date, source_line, today=timezone.localdate(), parent=parent
    )
    if problem:
        raise InvalidInput(
            _("Check the freeze date: %(problem)s") % {"problem": problem},
            fields={"freeze_date": [problem]},
        )
    sop_version = (
        sop_in_force(institution_id=institution_id, cited=sop, field="sop") if sop.strip() else None
    )
    source = source_line.name if line is not None else f"{source_line.name}-{product.pk}"  # type: ignore[union-attr]
    code = code.strip() or _bank_code(source, tier)
    if CellBank.objects.filter(code=code).exists():
        raise Conflict(_("A bank %(code)r exists") % {"code": code}, fields={"code": [_("taken")]})
    bank = CellBank(
        institution_id=institution_id,
        code=code,
        tier=tier,
        parent=parent,
        line=line,
        product=product,
        passage_number=passage_number,
        freeze_date=freeze_date,
        cryo_medium=cryo_medium,
        cells_per_vial=cells_per_vial,
        vial_count=vial_count,
        operator=operator,
        sop_version=sop_version,
        post_thaw_viability=post_thaw_viability,
        notes=notes,
        created_by=actor,
    )
    full_clean(bank, validate_constraints=True, exclude=["institution", "created_by"])
    # The reasons written for the actor are kept in the actor's language, like typed ones.
    with audit_context(actor=actor, reason=reason or _("Bank %(code)s frozen") % {"code": code}):
        chosen = _allocate(boxes, positions, vial_count, institution_id)
        try:
            with transaction.atomic():
                bank.save()
                vials = Vial.objects.bulk_create(
                    Vial(bank=bank, barcode=barcode, container=box, row=row, column=column)
                    for barcode, (box, row, column) in zip(
                        _new_barcodes(vial_count), chosen, strict=True
                    )
                )
        except IntegrityError as error:
            if not is_unique_violation(error):
                raise
            raise Conflict(
                _("A position or barcode was taken meanwhile: %(error)s") % {"error": error}
            ) from None
        paths = _paths(place[0] for place in chosen)
        first_custody_events(
            [
                (vial, place_text(paths[vial.container_id], vial.container, vial.row, vial.column))
                for vial in vials
            ],
            kind=CustodyEvent.Kind.CREATE,
            actor=actor,
            reason=reason or _("Frozen in bank %(code)s") % {"code": code},
        )
    return bank


def first_custody_events(
    placed: Iterable[tuple[Vial, str]], *, kind: str, actor: User, reason: str
) -> None:
    """Each new vial's first custody event (frozen here, or imported): where it was put, as
    the place's text, and the status it starts in."""
    now = timezone.now()
    CustodyEvent.objects.bulk_create(
        CustodyEvent(
            vial=vial,
            kind=kind,
            at=now,
            actor=actor,
            to_container=vial.container,
            to_row=vial.row,
            to_column=vial.column,
            to_place=place,
            to_status=vial.status,
            note=reason,
        )
        for vial, place in placed
    )


# Vials and their custody


def _event(vial: Vial, kind: str, actor: User, reason: str, **values: Any) -> CustodyEvent:
    return CustodyEvent(vial=vial, kind=kind, actor=actor, note=reason, **values)


def _path(container: Container, cache: dict[int, str] | None) -> str:
    if cache is None:
        return container_path(container)
    if container.pk not in cache:
        cache[container.pk] = container_path(container)
    return cache[container.pk]


def _here(vial: Vial, cache: dict[int, str] | None = None) -> dict[str, Any]:
    if vial.container is None:
        return {}
    return {
        "from_container": vial.container,
        "from_row": vial.row,
        "from_column": vial.column,
        "from_place": place_text(
            _path(vial.container, cache), vial.container, vial.row, vial.column
        ),
    }


def _check_still_here(vial: Vial, *, taking: bool = True) -> None:
    if vial.status in GONE:
        status = vial.get_status_display().lower()
        raise Conflict(
            _("Vial %(barcode)s is %(status)s") % {"barcode": vial.barcode, "status": status},
            fields={"vial": [status]},
        )
    if taking and vial.checked_out_to is not None:
        who = vial.checked_out_to
        raise Conflict(
            _("Vial %(barcode)s is checked out to %(who)s since %(since)s")
            % {
                "barcode": vial.barcode,
                "who": who.display_name,
                "since": f"{vial.checked_out_at:%Y-%m-%d %H:%M}",
            },
            fields={"vial": [_("checked out")]},
        )


def _place(vial: Vial, box: Container, row: int | None, column: int | None, field: str) -> None:
    _check_box(box, vial.bank.institution_id, field=field)
    _check_slot(box, row, column, field=field)
    if row is not None and column is not None:
        if Vial.objects.filter(container=box, row=row, column=column).exclude(pk=vial.pk).exists():
            raise Conflict(
                _("%(box)s %(label)s holds another vial")
                % {"box": box.name, "label": box.type.label(row, column)},
                fields={field: [_("occupied")]},
            )
        hold = PositionHold.objects.filter(
            container=box, row=row, column=column, kind=PositionHold.Kind.BLOCKED
        ).exists()
        if hold:
            raise Conflict(
                _("%(box)s %(label)s is blocked")
                % {"box": box.name, "label": box.type.label(row, column)},
                fields={field: [_("blocked")]},
            )
    vial.container, vial.row, vial.column = box, row, column


def _save_placed(vial: Vial, fields: list[str]) -> None:
    try:
        with transaction.atomic():
            vial.save(update_fields=fields)
    except IntegrityError:
        raise Conflict(
            _("The position of vial %(barcode)s was taken meanwhile") % {"barcode": vial.barcode},
            fields={"position": [_("taken")]},
        ) from None


def _to(vial: Vial, cache: dict[int, str] | None = None) -> dict[str, Any]:
    return {
        "to_container": vial.container,
        "to_row": vial.row,
        "to_column": vial.column,
        "to_place": place_text(_path(vial.container, cache), vial.container, vial.row, vial.column)
        if vial.container
        else "",
    }


@transaction.atomic
def vial_move(
    *,
    actor: User,
    vial: Vial,
    container: Container,
    row: int | None = None,
    column: int | None = None,
    reason: str = "",
) -> Vial:
    box = lock_containers(container)[container.pk]
    (vial,) = vials_locked([vial])
    require(actor, Perm.INVENTORY_EDIT, vial.bank.institution_id)
    _check_still_here(vial)
    if vial.container_id is None:
        raise Conflict(
            _("Vial %(barcode)s is not in storage") % {"barcode": vial.barcode},
            fields={"vial": [_("not stored")]},
        )
    with audit_context(actor=actor, reason=reason):
        before = _here(vial)
        _place(vial, box, row, column, "position")
        _save_placed(vial, ["container", "row", "column"])
        _event(vial, CustodyEvent.Kind.MOVE, actor, reason, **before, **_to(vial)).save()
    return vial


@transaction.atomic
def vial_check_out(*, actor: User, vial: Vial, reason: str = "") -> Vial:
    """Take a vial out of storage. Only one person can hold it: a second check-out waits for
    the first one's row lock and then finds the vial taken."""
    (vial,) = vials_locked([vial])
    require(actor, Perm.INVENTORY_EDIT, vial.bank.institution_id)
    _check_still_here(vial)
    if vial.container_id is None:
        raise Conflict(
            _("Vial %(barcode)s is not in storage") % {"barcode": vial.barcode},
            fields={"vial": [_("not stored")]},
        )
    with audit_context(actor=actor, reason=reason):
        before = _here(vial)
        vial.container, vial.row, vial.column = None, None, None
        vial.checked_out_to, vial.checked_out_at = actor, timezone.now()
        vial.save(update_fields=["container", "row", "column", "checked_out_to", "checked_out_at"])
        _event(vial, CustodyEvent.Kind.CHECK_OUT, actor, reason, **before).save()
    return vial


@transaction.atomic
def vial_return(
    *,
    actor: User,
    vial: Vial,
    container: Container,
    row: int | None = None,
    column: int | None = None,
    reason: str = "",
) -> Vial:
    box = lock_containers(container)[container.pk]
    (vial,) = vials_locked([vial])
    require(actor, Perm.INVENTORY_EDIT, vial.bank.institution_id)
    _check_still_here(vial, taking=False)
    if vial.checked_out_to_id is None:
        raise Conflict(
            _("Vial %(barcode)s is not checked out") % {"barcode": vial.barcode},
            fields={"vial": [_("in storage")]},
        )
    with audit_context(actor=actor, reason=reason):
        _place(vial, box, row, column, "position")
        vial.checked_out_to, vial.checked_out_at = None, None
        _save_placed(vial, ["container", "row", "column", "checked_out_to", "checked_out_at"])
        _event(vial, CustodyEvent.Kind.RETURN, actor, reason, **_to(vial)).save()
    return vial


def _leave(
    vial: Vial,
    actor: User,
    kind: str,
    status: str,
    reason: str,
    cache: dict[int, str] | None = None,
) -> CustodyEvent:
    before = _here(vial, cache)
    event = _event(vial, kind, actor, reason, **before, from_status=vial.status, to_status=status)
    vial.container, vial.row, vial.column = None, None, None
    vial.checked_out_to, vial.checked_out_at = None, None
    vial.status = status
    return event


GATED_STATUSES = {
    VialStatus.THAWED: Task.VIAL_THAW,
    VialStatus.USED_FOR_QC: Task.VIAL_THAW,
    VialStatus.DESTROYED: Task.VIAL_DISPOSE,
}
LEAVE_FIELDS = ["container", "row", "column", "checked_out_to", "checked_out_at", "status"]


@transaction.atomic
def vial_thaw(
    *, actor: User, vial: Vial, purpose: Literal["qc", "culture"], reason: str = ""
) -> Vial:
    (vial,) = vials_locked([vial])
    require(actor, Perm.INVENTORY_EDIT, vial.bank.institution_id)
    require_authorised(actor, Task.VIAL_THAW, vial.bank.institution_id)
    _check_still_here(vial, taking=False)
    if purpose not in ("qc", "culture"):
        raise InvalidInput(
            _("Thaw for QC or for culture"), fields={"purpose": [_("QC or culture")]}
        )
    status = VialStatus.USED_FOR_QC if purpose == "qc" else VialStatus.THAWED
    with audit_context(actor=actor, reason=reason):
        event = _leave(vial, actor, CustodyEvent.Kind.THAW, status, reason)
        vial.save(update_fields=LEAVE_FIELDS)
        event.save()
    return vial


@transaction.atomic
def vial_dispose(*, actor: User, vial: Vial, reason: str) -> Vial:
    if not reason.strip():
        raise InvalidInput(_("Say why the vial is destroyed"), fields={"reason": [_("required")]})
    (vial,) = vials_locked([vial])
    require(actor, Perm.INVENTORY_EDIT, vial.bank.institution_id)
    require_authorised(actor, Task.VIAL_DISPOSE, vial.bank.institution_id)
    _check_still_here(vial, taking=False)
    with audit_context(actor=actor, reason=reason):
        event = _leave(vial, actor, CustodyEvent.Kind.DISPOSE, VialStatus.DESTROYED, reason)
        vial.save(update_fields=LEAVE_FIELDS)
        event.save()
    return vial


def _may_set(actor: User, vial: Vial, status: str) -> bool:
    institution_id = vial.bank.institution_id
    if vial.status == VialStatus.QUARANTINED and status != VialStatus.QUARANTINED:
        # Only quality assurance lifts a quarantine.
        return user_can(actor, Perm.QC_RELEASE, institution_id)
    if status == VialStatus.QUARANTINED:
        return any(
            user_can(actor, perm, institution_id)
            for perm in (Perm.INVENTORY_EDIT, Perm.QC_RELEASE, Perm.EQUIPMENT_MANAGE)
        )
    return user_can(actor, Perm.INVENTORY_EDIT, institution_id)


@transaction.atomic
def vials_set_status(*, actor: User, vials: Iterable[Vial], status: str, reason: str) -> list[Vial]:
    """Change the status of many vials at once (quarantine after an excursion, reservation for
    a request), one custody event each. Vials already in that status are left alone.

    Who may: inventory editors; a quarantine may also be imposed by QA or equipment managers,
    and lifted only by QA (quality.release). Distributed, used and destroyed vials leave their
    positions; no vial comes back from those states."""
    if status not in VialStatus.values:
        raise InvalidInput(
            _("Unknown vial status %(status)r") % {"status": status},
            fields={"status": [_("unknown")]},
        )
    if not reason.strip():
        raise InvalidInput(_("Say why the status changes"), fields={"reason": [_("required")]})
    locked = vials_locked(vials)
    # A vial leaving as thawed, used or destroyed is the gated work of a thaw or a disposal.
    task = GATED_STATUSES.get(VialStatus(status))
    cleared: set[int] = set()
    changed: list[Vial] = []
    events: list[CustodyEvent] = []
    paths: dict[int, str] = {}
    for vial in locked:
        if not _may_set(actor, vial, status):
            raise Forbidden(
                _("You may not set vial %(barcode)s from %(old)s to %(new)s")
                % {
                    "barcode": vial.barcode,
                    "old": vial.get_status_display().lower(),
                    "new": VialStatus(status).label.lower(),
                },
                fields={"status": [_("not permitted")]},
            )
        if task is not None and vial.bank.institution_id not in cleared:
            require_authorised(actor, task, vial.bank.institution_id)
            cleared.add(vial.bank.institution_id)
        if vial.status == status:
            continue
        _check_still_here(vial, taking=False)
        if status in GONE:
            events.append(_leave(vial, actor, CustodyEvent.Kind.STATUS, status, reason, paths))
        else:
            events.append(
                _event(
                    vial,
                    CustodyEvent.Kind.STATUS,
                    actor,
                    reason,
                    **_here(vial, paths),
                    **_to(vial, paths),
                    from_status=vial.status,
                    to_status=status,
                )
            )
            vial.status = status
        changed.append(vial)
    with audit_context(actor=actor, reason=reason):
        Vial.objects.bulk_update(changed, LEAVE_FIELDS, batch_size=500)
        CustodyEvent.objects.bulk_create(events, batch_size=500)
    return locked


def vial_set_status(*, actor: User, vial: Vial, status: str, reason: str) -> Vial:
    (changed,) = vials_set_status(actor=actor, vials=[vial], status=status, reason=reason)
    return changed
