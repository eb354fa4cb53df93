"""/api/v1/biobank: storage, banks, vials and custody over HTTP. Parse, call, shape.

Containers are named by id, positions by their label (`A1`), vials by barcode.
"""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from stemhub.accounts.models import Institution, User
from stemhub.accounts.permissions import Perm, require
from stemhub.biobank import grids, imports, selectors, services, tasks
from stemhub.biobank.labels import label_sheet
from stemhub.biobank.models import (
    BankTier,
    CellBank,
    Container,
    ContainerType,
    CustodyEvent,
    FillOrder,
    Labelling,
    PositionHold,
    TemperatureClass,
    Vial,
    VialStatus,
)
from stemhub.core.api import Percent, Words, file_answer, one_of
from stemhub.core.errors import InvalidInput, NotFound
from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.jobs.api import TaskOut, task_out
from stemhub.registry.models import DerivedProduct
from stemhub.registry.selectors import visible_lines

router = Router(tags=["biobank"])


# Shapes

# A name, label or barcode the service looks up: never empty.
Name = Annotated[str, Field(min_length=1)]
# Rows or columns of a grid: the largest racks and boxes have a few dozen.
LARGEST_GRID = 100


class ContainerTypeIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    rows: int | None = Field(None, ge=1, le=LARGEST_GRID)
    columns: int | None = Field(None, ge=1, le=LARGEST_GRID)
    row_labels: str = one_of(Labelling.values, "letters")
    column_labels: str = one_of(Labelling.values, "numbers")
    fill_order: str = one_of(FillOrder.values, "row_major")
    temperature_class: str = one_of(["", *TemperatureClass.values], "")
    holds_vials: StrictBool = False
    allowed_children: list[Name] = []


class ContainerIn(Schema):
    type: Name
    name: str = Field(min_length=1, max_length=100)
    parent: int | None = None
    position: str = ""
    barcode: str = ""
    reason: str = ""


class MoveIn(Schema):
    parent: int
    position: str = ""
    reason: str = ""


class BlockIn(Schema):
    blocked: bool
    reason: str = ""


class HoldIn(Schema):
    position: Name
    kind: str = one_of([*PositionHold.Kind.values, "free"], description="free releases it")
    note: str = ""


class PlaceIn(Schema):
    container: int
    position: Name


class BankIn(Schema):
    line: str | None = None
    product: int | None = None
    tier: str = one_of(BankTier.values)
    parent: str | None = None
    code: str = ""
    passage_number: int
    freeze_date: date
    cryo_medium: str = ""
    cells_per_vial: int | None = Field(None, ge=0)
    vial_count: int = Field(ge=1, le=services.MAX_VIALS_PER_BANK)
    operator: str | None = None
    sop: str = Field(
        "", description="The procedure followed: a controlled document's number (SOP-BB-010)"
    )
    post_thaw_viability: Percent | None = None
    notes: str = ""
    boxes: list[int] = []
    positions: list[PlaceIn] = []
    reason: str = ""


class VialMoveIn(Schema):
    container: int
    position: str = ""
    reason: str = ""


class VialReasonIn(Schema):
    reason: str = ""


class VialThawIn(Schema):
    purpose: Literal["qc", "culture"]
    reason: str = ""


class VialStatusIn(Schema):
    barcodes: list[Name] = Field(min_length=1)
    status: str = one_of(VialStatus.values)
    reason: Words


class FreeSpaceQuery(Schema):
    type: Name
    temperature: str = one_of(TemperatureClass.values)
    n: int = Field(1, ge=1, le=10_000)


# Answers


class ContainerTypeOut(Schema):
    name: str
    rows: int | None
    columns: int | None
    row_labels: str
    column_labels: str
    fill_order: str
    temperature_class: str
    holds_vials: bool
    allowed_children: list[str]


class ContainerOut(Schema):
    id: int
    name: str
    type: str
    path: str
    parent: int | None
    position: str
    barcode: str
    temperature_class: str
    blocked: bool


class PositionOut(Schema):
    position: str
    vial: str | None
    bank: str | None
    status: str | None
    container: int | None
    container_name: str | None
    used: int | None
    capacity: int | None
    hold: str | None
    free: bool


class ContainerDetailOut(ContainerOut):
    children: list[ContainerOut]
    positions: list[PositionOut]


class HoldOut(Schema):
    position: str
    kind: str


class ContainerEventOut(Schema):
    at: str
    kind: str
    actor: str
    container: str
    from_place: str = Field(alias="from")
    to: str
    reason: str


class CustodyEventOut(Schema):
    at: str
    kind: str
    actor: str
    vial: str | None
    from_place: str = Field(alias="from")
    to: str
    from_status: str
    to_status: str
    reason: str


class ContainerHistoryOut(Schema):
    container: ContainerOut
    container_events: list[ContainerEventOut]
    vial_events: list[CustodyEventOut]


class FreePositionOut(Schema):
    container: int
    box: str
    position: str


class VialOut(Schema):
    barcode: str
    bank: str
    status: str
    container: int | None
    position: str
    location: str
    checked_out_to: str | None


class VialStatusOut(Schema):
    barcode: str
    status: str


class BankOut(Schema):
    id: int
    code: str
    tier: str
    line: str
    product: str | None
    parent: str | None
    passage_number: int
    freeze_date: str
    cryo_medium: str
    cells_per_vial: int | None
    vial_count: int
    operator: str | None
    sop_version: str | None = Field(
        description="The controlled document version followed (SOP-BB-010 v3)"
    )
    sop_reference: str = Field(description="An older record's SOP, as text, where not linked")
    post_thaw_viability: Decimal | None


class BankDetailOut(BankOut):
    vials: list[VialOut]


class ImportRowOut(Schema):
    row: int
    barcode: str
    location: str
    errors: dict[str, list[str]]


class InventoryImportOut(Schema):
    ok: bool
    dry_run: bool
    applied: bool
    rows: int
    errors: int
    new_banks: list[str]
    report: list[ImportRowOut]


class VialCountOut(Schema):
    line: str
    product: str
    bank: str
    tier: str
    status: str
    count: int


class OccupancyOut(Schema):
    id: int
    path: str
    depth: int
    type: str
    boxes: int
    capacity: int
    used: int
    held: int
    free: int
    percent: float


# Helpers


def _container(request: HttpRequest, container_id: int) -> Container:
    require(request.user, Perm.INVENTORY_VIEW)
    return selectors.container_for(request.user, container_id)


def _container_type(name: str, field: str = "type") -> ContainerType:
    found = ContainerType.objects.filter(name=name).first()
    if found is None:
        raise NotFound(
            _("No container type %(name)r") % {"name": name}, fields={field: [_("unknown type")]}
        )
    return found


def _vial(request: HttpRequest, barcode: str) -> Vial:
    require(request.user, Perm.INVENTORY_VIEW)
    return selectors.vial_for(request.user, barcode)


def _where(
    request: HttpRequest, container_id: int, position: str, field: str
) -> tuple[Container, int | None, int | None]:
    try:
        container = selectors.container_for(request.user, container_id)
    except NotFound:
        raise NotFound(
            _("No container %(id)s that you may use") % {"id": container_id},
            fields={field: [_("unknown")]},
        ) from None
    return (container, *services.resolve_position(container, position, field=field))


def container_type_out(kind: ContainerType) -> dict[str, Any]:
    return {
        "name": kind.name,
        "rows": kind.rows,
        "columns": kind.columns,
        "row_labels": kind.row_labels,
        "column_labels": kind.column_labels,
        "fill_order": kind.fill_order,
        "temperature_class": kind.temperature_class,
        "holds_vials": kind.holds_vials,
        "allowed_children": [t.name for t in kind.allowed_children.all()],
    }


def container_out(container: Container, *, path: str = "") -> dict[str, Any]:
    return {
        "id": container.pk,
        "name": container.name,
        "type": container.type.name,
        "path": path or selectors.container_path(container),
        "parent": container.parent_id,
        "position": container.position_label if container.parent_id else "",
        "barcode": container.barcode or "",
        "temperature_class": container.temperature_class,
        "blocked": container.blocked,
    }


def vial_out(vial: Vial, *, path: str | None = None) -> dict[str, Any]:
    where = ""
    if vial.container is not None:
        where = selectors.place_text(
            path if path is not None else selectors.container_path(vial.container),
            vial.container,
            vial.row,
            vial.column,
        )
    return {
        "barcode": vial.barcode,
        "bank": vial.bank.code,
        "status": vial.status,
        "container": vial.container_id,
        "position": vial.container.type.label(vial.row, vial.column) if vial.container else "",
        "location": where,
        "checked_out_to": vial.checked_out_to.username if vial.checked_out_to else None,
    }


def event_out(event: CustodyEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "kind": event.kind,
        "actor": event.actor.username,
        "vial": event.vial.barcode if "vial" in event._state.fields_cache else None,
        "from": event.from_place,
        "to": event.to_place,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "reason": event.note,
    }


def bank_out(bank: CellBank, *, vials: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": bank.pk,
        "code": bank.code,
        "tier": bank.tier,
        "line": bank.source_line.name,
        "product": bank.product.name if bank.product else None,
        "parent": bank.parent.code if bank.parent else None,
        "passage_number": bank.passage_number,
        "freeze_date": bank.freeze_date.isoformat(),
        "cryo_medium": bank.cryo_medium,
        "cells_per_vial": bank.cells_per_vial,
        "vial_count": bank.vial_count,
        "operator": bank.operator.username if bank.operator else None,
        "sop_version": bank.sop_version.label if bank.sop_version else None,
        "sop_reference": bank.sop_reference,
        "post_thaw_viability": bank.post_thaw_viability,
    }
    if vials:
        rows = bank.vials.select_related("container__type", "checked_out_to", "bank")
        paths: dict[int, str] = {}
        out["vials"] = []
        for vial in rows:
            if vial.container and vial.container.pk not in paths:
                paths[vial.container.pk] = selectors.container_path(vial.container)
            out["vials"].append(vial_out(vial, path=paths.get(vial.container_id or 0, "")))
    return out


# Storage


@router.get("/biobank/container-types", response=list[ContainerTypeOut])
def container_type_list(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """Needs biobank.view: the container types and their layouts."""
    require(request.user, Perm.INVENTORY_VIEW)
    kinds = ContainerType.objects.prefetch_related("allowed_children")
    return [container_type_out(kind) for kind in kinds]


@router.post("/biobank/container-types", response={201: ContainerTypeOut})
def container_type_create(
    request: AuthenticatedHttpRequest, payload: ContainerTypeIn
) -> Status[dict[str, Any]]:
    """Needs biobank.manage_storage: a new kind of container."""
    data = payload.dict()
    children = [_container_type(n, "allowed_children") for n in data.pop("allowed_children")]
    kind = services.container_type_create(actor=request.user, allowed_children=children, **data)
    return Status(201, container_type_out(kind))


@router.get("/biobank/containers", response=list[ContainerOut])
def container_list(
    request: AuthenticatedHttpRequest, parent: int | None = None
) -> list[dict[str, Any]]:
    """Needs biobank.view: the top of your institution's storage, or one container's children."""
    require(request.user, Perm.INVENTORY_VIEW)
    found = selectors.visible_containers(request.user).select_related("type", "parent__type")
    if parent is None:
        return [container_out(c, path=c.name) for c in found.filter(parent__isnull=True)]
    above = _container(request, parent)
    path = selectors.container_path(above)
    return [container_out(c, path=f"{path}/{c.name}") for c in found.filter(parent=above)]


@router.post("/biobank/containers", response={201: ContainerOut})
def container_create(
    request: AuthenticatedHttpRequest, payload: ContainerIn
) -> Status[dict[str, Any]]:
    """Needs biobank.manage_storage in the institution of the parent (or your own)."""
    kind = _container_type(payload.type)
    parent, row, column = None, None, None
    if payload.parent is not None:
        require(request.user, Perm.STORAGE_MANAGE)
        parent, row, column = _where(request, payload.parent, payload.position, "position")
    container = services.container_create(
        actor=request.user,
        type=kind,
        name=payload.name,
        parent=parent,
        row=row,
        column=column,
        barcode=payload.barcode,
        reason=payload.reason,
    )
    return Status(201, container_out(container))


@router.get("/biobank/containers/{container_id}", response=ContainerDetailOut)
def container_detail(request: AuthenticatedHttpRequest, container_id: int) -> dict[str, Any]:
    """Needs biobank.view in the container's institution: the container, its children, and
    what stands in each of its numbered positions (a vial, a container, or a hold)."""
    container = _container(request, container_id)
    out = container_out(container)
    out["children"] = [
        container_out(c, path=f"{out['path']}/{c.name}")
        for c in container.children.select_related("type", "parent__type")
    ]
    grid = grids.container_grid(container)
    out["positions"] = [
        {
            "position": slot.label,
            "vial": slot.vial.barcode if slot.vial else None,
            "bank": slot.vial.bank.code if slot.vial else None,
            "status": slot.vial.status if slot.vial else None,
            "container": slot.child.pk if slot.child else None,
            "container_name": slot.child.name if slot.child else None,
            "used": slot.fill.used if slot.fill else None,
            "capacity": slot.fill.capacity if slot.fill else None,
            "hold": slot.hold or None,
            "free": slot.free,
        }
        for slot in (grid.slots if grid else [])
    ]
    return out


@router.post("/biobank/containers/{container_id}/move", response=ContainerOut)
def container_move(
    request: AuthenticatedHttpRequest, container_id: int, payload: MoveIn
) -> dict[str, Any]:
    """Needs biobank.manage_storage: move a container and everything in it; one custody event
    per vial inside."""
    container = _container(request, container_id)
    parent, row, column = _where(request, payload.parent, payload.position, "position")
    moved = services.container_move(
        actor=request.user,
        container=container,
        parent=parent,
        row=row,
        column=column,
        reason=payload.reason,
    )
    return container_out(moved)


@router.post("/biobank/containers/{container_id}/block", response=ContainerOut)
def container_block(
    request: AuthenticatedHttpRequest, container_id: int, payload: BlockIn
) -> dict[str, Any]:
    """Needs biobank.manage_storage: block a container (no new contents) or unblock it."""
    container = _container(request, container_id)
    changed = services.container_set_blocked(
        actor=request.user, container=container, blocked=payload.blocked, reason=payload.reason
    )
    return container_out(changed)


@router.post("/biobank/containers/{container_id}/holds", response=HoldOut)
def container_hold(
    request: AuthenticatedHttpRequest, container_id: int, payload: HoldIn
) -> dict[str, Any]:
    """Needs biobank.manage_storage: block or reserve a box position, or free it (`free`)."""
    container = _container(request, container_id)
    row, column = services.resolve_position(container, payload.position)
    if row is None or column is None:
        raise InvalidInput(_("Say which position"), fields={"position": [_("required")]})
    if payload.kind == "free":
        services.position_release(
            actor=request.user, container=container, row=row, column=column, reason=payload.note
        )
    else:
        services.position_hold(
            actor=request.user,
            container=container,
            row=row,
            column=column,
            kind=payload.kind,
            note=payload.note,
        )
    return {"position": payload.position.upper(), "kind": payload.kind}


@router.get(
    "/biobank/containers/{container_id}/history", response=ContainerHistoryOut, by_alias=True
)
def container_history(request: AuthenticatedHttpRequest, container_id: int) -> dict[str, Any]:
    """Needs biobank.view: the container's own events and its vials' custody events, newest
    first."""
    container = _container(request, container_id)
    history = selectors.container_history(container)
    return {
        "container": container_out(container),
        "container_events": [
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "actor": e.actor.username,
                "container": e.container.name,
                "from": e.from_place,
                "to": e.to_place,
                "reason": e.note,
            }
            for e in history["container_events"]
        ],
        "vial_events": [event_out(e) for e in history["vial_events"]],
    }


@router.get("/biobank/free-space", response=list[FreePositionOut])
def free_space(
    request: AuthenticatedHttpRequest, query: Query[FreeSpaceQuery]
) -> list[dict[str, Any]]:
    """Needs biobank.view: the first n free positions in boxes of a type at a temperature."""
    require(request.user, Perm.INVENTORY_VIEW)
    found = selectors.free_space(
        institution_id=request.user.institution_id or 0,
        box_type=_container_type(query.type),
        temperature_class=query.temperature,
        n=query.n,
    )
    return [{"container": p.box.pk, "box": p.box.name, "position": p.label} for p in found]


# Banks


@router.get("/biobank/banks", response=list[BankOut])
def bank_list(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """Needs biobank.view: your institution's cell banks."""
    require(request.user, Perm.INVENTORY_VIEW)
    banks = selectors.visible_banks(request.user).select_related(
        "line", "product__line", "parent", "operator"
    )
    return [bank_out(b) for b in banks]


def _user(username: str | None, field: str) -> User | None:
    if not username:
        return None
    found = User.objects.filter(username=username).first()
    if found is None:
        raise InvalidInput(
            _("No user %(username)r") % {"username": username},
            fields={field: [_("unknown user")]},
        )
    return found


@router.post("/biobank/banks", response={201: BankDetailOut})
def bank_create(request: AuthenticatedHttpRequest, payload: BankIn) -> Status[dict[str, Any]]:
    """Needs biobank.edit: register a bank and create and place its vials in one step (fill
    `boxes` in their fill order, or give one position per vial)."""
    require(request.user, Perm.INVENTORY_EDIT)
    line = None
    if payload.line:
        line = visible_lines(request.user).filter(name=payload.line).first()
        if line is None:
            raise NotFound(
                _("No cell line %(line)r") % {"line": payload.line},
                fields={"line": [_("unknown")]},
            )
    product = None
    if payload.product is not None:
        product = DerivedProduct.objects.filter(
            pk=payload.product, line__in=visible_lines(request.user)
        ).first()
        if product is None:
            raise NotFound(_("No such product"), fields={"product": [_("unknown")]})
    parent = None
    if payload.parent:
        parent = selectors.visible_banks(request.user).filter(code=payload.parent).first()
        if parent is None:
            raise NotFound(
                _("No bank %(code)r") % {"code": payload.parent}, fields={"parent": [_("unknown")]}
            )
    boxes = [
        _where(request, box_id, "", f"boxes[{i}]")[0] for i, box_id in enumerate(payload.boxes)
    ]
    positions = [
        _where(request, p.container, p.position, f"positions[{i}]")
        for i, p in enumerate(payload.positions)
    ]
    bank = services.cell_bank_create(
        actor=request.user,
        line=line,
        product=product,
        parent=parent,
        tier=payload.tier,
        code=payload.code,
        passage_number=payload.passage_number,
        freeze_date=payload.freeze_date,
        cryo_medium=payload.cryo_medium,
        cells_per_vial=payload.cells_per_vial,
        vial_count=payload.vial_count,
        operator=_user(payload.operator, "operator"),
        sop=payload.sop,
        post_thaw_viability=payload.post_thaw_viability,
        notes=payload.notes,
        boxes=boxes,
        positions=positions,
        reason=payload.reason,
    )
    return Status(201, bank_out(selectors.bank_for(request.user, bank.pk), vials=True))


@router.get("/biobank/banks/{bank_id}", response=BankDetailOut)
def bank_detail(request: AuthenticatedHttpRequest, bank_id: int) -> dict[str, Any]:
    """Needs biobank.view in the bank's institution: the bank and its vials."""
    require(request.user, Perm.INVENTORY_VIEW)
    return bank_out(selectors.bank_for(request.user, bank_id), vials=True)


@router.get("/biobank/banks/{bank_id}/labels.pdf", openapi_extra=file_answer("application/pdf"))
def bank_labels(request: AuthenticatedHttpRequest, bank_id: int, status: str = "") -> HttpResponse:
    """Needs biobank.view: a printable PDF sheet with a QR label per vial of the bank."""
    require(request.user, Perm.INVENTORY_VIEW)
    bank = selectors.bank_for(request.user, bank_id)
    vials = bank.vials.filter(status=status) if status else bank.vials.all()
    response = HttpResponse(label_sheet(bank, list(vials)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="labels-{bank.code}.pdf"'
    return response


# Vials


@router.get("/biobank/vials/{barcode}", response=VialOut)
def vial_detail(request: AuthenticatedHttpRequest, barcode: str) -> dict[str, Any]:
    """Needs biobank.view in the vial's institution."""
    return vial_out(_vial(request, barcode))


@router.get("/biobank/vials/{barcode}/history", response=list[CustodyEventOut], by_alias=True)
def vial_history(request: AuthenticatedHttpRequest, barcode: str) -> list[dict[str, Any]]:
    """Needs biobank.view: every custody event of the vial, oldest first."""
    return [event_out(e) for e in selectors.vial_history(_vial(request, barcode))]


@router.post("/biobank/vials/{barcode}/move", response=VialOut)
def vial_move(
    request: AuthenticatedHttpRequest, barcode: str, payload: VialMoveIn
) -> dict[str, Any]:
    """Needs biobank.edit: move a stored vial to another position."""
    vial = _vial(request, barcode)
    box, row, column = _where(request, payload.container, payload.position, "position")
    services.vial_move(
        actor=request.user, vial=vial, container=box, row=row, column=column, reason=payload.reason
    )
    return vial_out(selectors.vial_for(request.user, barcode))


@router.post("/biobank/vials/{barcode}/check-out", response=VialOut)
def vial_check_out(
    request: AuthenticatedHttpRequest, barcode: str, payload: VialReasonIn
) -> dict[str, Any]:
    """Needs biobank.edit: take the vial out of storage (409 when someone else has it)."""
    services.vial_check_out(actor=request.user, vial=_vial(request, barcode), reason=payload.reason)
    return vial_out(selectors.vial_for(request.user, barcode))


@router.post("/biobank/vials/{barcode}/return", response=VialOut)
def vial_return(
    request: AuthenticatedHttpRequest, barcode: str, payload: VialMoveIn
) -> dict[str, Any]:
    """Needs biobank.edit: put a checked-out vial back into a position."""
    vial = _vial(request, barcode)
    box, row, column = _where(request, payload.container, payload.position, "position")
    services.vial_return(
        actor=request.user, vial=vial, container=box, row=row, column=column, reason=payload.reason
    )
    return vial_out(selectors.vial_for(request.user, barcode))


@router.post("/biobank/vials/{barcode}/thaw", response=VialOut)
def vial_thaw(
    request: AuthenticatedHttpRequest, barcode: str, payload: VialThawIn
) -> dict[str, Any]:
    """Needs biobank.edit: thaw the vial for QC or culture; it leaves the inventory."""
    services.vial_thaw(
        actor=request.user,
        vial=_vial(request, barcode),
        purpose=payload.purpose,
        reason=payload.reason,
    )
    return vial_out(selectors.vial_for(request.user, barcode))


class DisposeIn(Schema):
    reason: Words


@router.post("/biobank/vials/{barcode}/dispose", response=VialOut)
def vial_dispose(
    request: AuthenticatedHttpRequest, barcode: str, payload: DisposeIn
) -> dict[str, Any]:
    """Needs biobank.edit: destroy the vial (a reason is required)."""
    services.vial_dispose(actor=request.user, vial=_vial(request, barcode), reason=payload.reason)
    return vial_out(selectors.vial_for(request.user, barcode))


@router.post("/biobank/vial-status", response=list[VialStatusOut])
def vials_status(request: AuthenticatedHttpRequest, payload: VialStatusIn) -> list[dict[str, Any]]:
    """Needs biobank.edit (a quarantine also quality.release or equipment.manage; lifting one
    quality.release): set the status of the listed vials, all or none."""
    require(request.user, Perm.INVENTORY_VIEW)
    found = {
        v.barcode: v
        for v in selectors.visible_vials(request.user).filter(barcode__in=payload.barcodes)
    }
    missing = [b for b in payload.barcodes if b not in found]
    if missing:
        raise NotFound(
            ngettext("Unknown vial: %(barcodes)s", "Unknown vials: %(barcodes)s", len(missing))
            % {"barcodes": ", ".join(missing[:20])},
            fields={"barcodes": [_("unknown: %(barcode)s") % {"barcode": b} for b in missing[:20]]},
        )
    changed = services.vials_set_status(
        actor=request.user, vials=found.values(), status=payload.status, reason=payload.reason
    )
    return [{"barcode": v.barcode, "status": v.status} for v in changed]


# Import and reports


class ImportIn(Schema):
    csv: str
    dry_run: bool = True
    filename: str = ""
    institution: str | None = None


@router.post("/biobank/imports/inventory", response={200: InventoryImportOut, 202: TaskOut})
def inventory_import(
    request: AuthenticatedHttpRequest, response: HttpResponse, payload: ImportIn
) -> Status[dict[str, Any]]:
    """Needs biobank.edit in the institution: check (dry run, the default) or apply an
    inventory CSV given as text. A check answers at once: 200 with the row report, or 400 naming
    each failed row and column. Applying (`dry_run` false) is queued: 202 with the task
    (Location: GET /api/v1/tasks/{id}, which gives its progress and, at the end, the same
    report; nothing is written unless every row passes). An empty file or one over the limit is
    refused at once (400)."""
    require(request.user, Perm.INVENTORY_EDIT)
    institution = _institution(payload.institution)
    if not payload.dry_run:
        job = tasks.inventory_import_start(
            actor=request.user,
            text=payload.csv,
            filename=payload.filename,
            institution=institution,
        )
        answer = task_out(job)
        response["Location"] = answer["links"]["self"]
        return Status(202, answer)
    report = imports.inventory_import(
        actor=request.user,
        text=payload.csv,
        dry_run=True,
        filename=payload.filename,
        institution=institution,
    )
    if not report.ok:
        raise report.as_error()
    return Status(200, import_report_out(report))


def _institution(code: str | None) -> Institution | None:
    if not code:
        return None
    found = Institution.objects.filter(provider_code=code).first()
    if found is None:
        raise InvalidInput(
            _("No institution %(code)r") % {"code": code}, fields={"institution": [_("unknown")]}
        )
    return found


def import_report_out(report: imports.ImportReport) -> dict[str, Any]:
    return report.as_dict()


@router.get("/biobank/reports/vials", response=list[VialCountOut])
def report_vials(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """Needs biobank.view: vials per line, bank and status."""
    require(request.user, Perm.INVENTORY_VIEW)
    return selectors.vial_counts(request.user)


@router.get("/biobank/reports/occupancy", response=list[OccupancyOut])
def report_occupancy(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """Needs biobank.view: vial positions used, held and free per container, summed up the
    tree."""
    require(request.user, Perm.INVENTORY_VIEW)
    return [
        {k: v for k, v in row.items() if k != "container"}
        for row in selectors.occupancy(request.user)
    ]
