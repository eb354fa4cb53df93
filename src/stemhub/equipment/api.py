"""The equipment register over HTTP. Reading needs biobank.view, writing equipment.manage,
both for the equipment's institution."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.params import functions as param

from stemhub.accounts.permissions import Perm, user_can
from stemhub.core.api import AUTHENTICATED, Celsius, Day, Words, one_of
from stemhub.core.errors import Forbidden
from stemhub.core.pages import AuthenticatedHttpRequest
from stemhub.equipment import services
from stemhub.equipment.models import (
    CalibrationResult,
    Equipment,
    EquipmentStatus,
    Excursion,
    Kind,
)
from stemhub.equipment.selectors import (
    equipment_due,
    equipment_or_404,
    equipment_usable,
    visible_equipment,
)

router = Router(tags=["equipment"])


class EquipmentIn(Schema):
    kind: str = one_of(Kind.values)
    name: str = Field(min_length=1)
    serial_number: str = ""
    location: str = ""
    manufacturer: str = ""
    model_name: str = ""
    calibration_required: bool = True
    calibration_interval_days: int | None = Field(None, ge=1, le=3650)
    maintenance_interval_days: int | None = Field(None, ge=1, le=3650)
    next_calibration_due: Day | None = None
    next_maintenance_due: Day | None = None
    min_temperature_c: Celsius | None = None
    max_temperature_c: Celsius | None = None
    notes: str = ""


class EquipmentPatch(Schema):
    kind: str | None = one_of(Kind.values, None)
    name: str | None = None
    serial_number: str | None = None
    location: str | None = None
    manufacturer: str | None = None
    model_name: str | None = None
    calibration_required: bool | None = None
    calibration_interval_days: int | None = Field(None, ge=1, le=3650)
    maintenance_interval_days: int | None = Field(None, ge=1, le=3650)
    next_calibration_due: Day | None = None
    next_maintenance_due: Day | None = None
    min_temperature_c: Celsius | None = None
    max_temperature_c: Celsius | None = None
    notes: str | None = None
    reason: str = ""


class EquipmentOut(Schema):
    id: int
    institution: str
    kind: str
    name: str
    serial_number: str
    location: str
    manufacturer: str
    model_name: str
    status: str
    calibration_required: bool
    next_calibration_due: date | None
    next_maintenance_due: date | None
    min_temperature_c: Decimal | None
    max_temperature_c: Decimal | None
    usable: bool
    usable_reason: str


class EquipmentStatusIn(Schema):
    status: str = one_of(EquipmentStatus.values)
    reason: Words


class CalibrationIn(Schema):
    performed_on: Day
    performed_by: str = Field(min_length=1)
    result: str = one_of(CalibrationResult.values)
    valid_until: Day | None = None
    certificate: str = ""
    notes: str = ""


class MaintenanceIn(Schema):
    performed_on: Day
    performed_by: str = Field(min_length=1)
    description: str = Field(min_length=1)
    next_due: Day | None = None


class DueOut(Schema):
    equipment_id: int
    equipment: str
    what: str
    due: date
    overdue: bool


class ExcursionOut(Schema):
    id: int
    start: datetime
    end: datetime
    min_temperature_c: Decimal
    max_temperature_c: Decimal
    reading_count: int
    flagged_vials: list[str]
    quarantined_vials: list[str]


class LogOut(Schema):
    id: int
    filename: str
    reading_count: int
    first_reading_at: datetime
    last_reading_at: datetime
    excursions: list[ExcursionOut]


def _viewer(request: HttpRequest) -> None:
    if not user_can(request.user, Perm.INVENTORY_VIEW):
        raise Forbidden(_("The equipment register needs the permission biobank.view."))


def _out(unit: Equipment) -> dict[str, Any]:
    usable = equipment_usable(unit)
    return {
        **{
            field: getattr(unit, field)
            for field in EquipmentOut.model_fields
            if hasattr(unit, field)
        },
        "institution": unit.institution.provider_code,
        "usable": usable.usable,
        "usable_reason": usable.reason,
    }


def _excursion(excursion: Excursion) -> dict[str, Any]:
    flagged = list(excursion.flagged.select_related("vial").order_by("vial__barcode"))
    return {
        "id": excursion.pk,
        "start": excursion.start,
        "end": excursion.end,
        "min_temperature_c": excursion.min_temperature_c,
        "max_temperature_c": excursion.max_temperature_c,
        "reading_count": excursion.reading_count,
        "flagged_vials": [f.vial.barcode for f in flagged],
        "quarantined_vials": [f.vial.barcode for f in flagged if f.quarantined],
    }


@router.get("/equipment", response=list[EquipmentOut], auth=AUTHENTICATED)
def equipment_list(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """Needs biobank.view: your institution's equipment (every institution's for platform
    admins), with whether each may be used now."""
    _viewer(request)
    return [_out(unit) for unit in visible_equipment(request.user)]


@router.post("/equipment", response={201: EquipmentOut}, auth=AUTHENTICATED)
def equipment_create(
    request: AuthenticatedHttpRequest, payload: EquipmentIn
) -> Status[dict[str, Any]]:
    """Needs equipment.manage in your institution: register a unit."""
    unit = services.equipment_create(actor=request.user, data=payload.dict())
    return Status(201, _out(unit))


@router.get("/equipment/due", response=list[DueOut], auth=AUTHENTICATED)
def equipment_due_list(
    request: AuthenticatedHttpRequest,
    within_days: int = param.Query(30, ge=1, le=3650, description="Look ahead this many days"),
) -> list[dict[str, Any]]:
    """Needs biobank.view: calibrations and maintenance overdue or due within `within_days`."""
    _viewer(request)
    items = equipment_due(
        visible_equipment(request.user), today=timezone.localdate(), within_days=within_days
    )
    return [
        {
            "equipment_id": item.equipment.pk,
            "equipment": item.equipment.name,
            "what": item.what,
            "due": item.due,
            "overdue": item.overdue,
        }
        for item in items
    ]


@router.get("/equipment/{equipment_id}", response=EquipmentOut, auth=AUTHENTICATED)
def equipment_detail(request: AuthenticatedHttpRequest, equipment_id: int) -> dict[str, Any]:
    """Needs biobank.view for the unit's institution."""
    return _out(equipment_or_404(request.user, equipment_id))


@router.patch("/equipment/{equipment_id}", response=EquipmentOut, auth=AUTHENTICATED)
def equipment_update(
    request: AuthenticatedHttpRequest, equipment_id: int, payload: EquipmentPatch
) -> dict[str, Any]:
    """Needs equipment.manage for the unit's institution: change the given fields."""
    unit = equipment_or_404(request.user, equipment_id)
    data = payload.dict(exclude_unset=True)
    reason = data.pop("reason", "")
    return _out(services.equipment_update(actor=request.user, equipment=unit, data=data,
                                          reason=reason))  # fmt: skip


@router.post("/equipment/{equipment_id}/status", response=EquipmentOut, auth=AUTHENTICATED)
def equipment_status(
    request: AuthenticatedHttpRequest, equipment_id: int, payload: EquipmentStatusIn
) -> dict[str, Any]:
    """Needs equipment.manage for the unit's institution: in service, out of service or
    quarantined, with a reason."""
    unit = equipment_or_404(request.user, equipment_id)
    return _out(
        services.equipment_set_status(
            actor=request.user, equipment=unit, status=payload.status, reason=payload.reason
        )
    )


@router.post("/equipment/{equipment_id}/calibrations", response={201: EquipmentOut},
             auth=AUTHENTICATED)  # fmt: skip
def equipment_calibration(
    request: AuthenticatedHttpRequest, equipment_id: int, payload: CalibrationIn
) -> Status[dict[str, Any]]:
    """Needs equipment.manage for the unit's institution: record a calibration."""
    unit = equipment_or_404(request.user, equipment_id)
    services.calibration_record(actor=request.user, equipment=unit, **payload.dict())
    unit.refresh_from_db()
    return Status(201, _out(unit))


@router.post("/equipment/{equipment_id}/maintenance", response={201: EquipmentOut},
             auth=AUTHENTICATED)  # fmt: skip
def equipment_maintenance(
    request: AuthenticatedHttpRequest, equipment_id: int, payload: MaintenanceIn
) -> Status[dict[str, Any]]:
    """Needs equipment.manage for the unit's institution: record maintenance."""
    unit = equipment_or_404(request.user, equipment_id)
    services.maintenance_record(actor=request.user, equipment=unit, **payload.dict())
    unit.refresh_from_db()
    return Status(201, _out(unit))


class LogIn(Schema):
    filename: str = "log.csv"
    content: str
    quarantine: bool = True


@router.post("/equipment/{equipment_id}/temperature-logs", response={201: LogOut},
             auth=AUTHENTICATED)  # fmt: skip
def temperature_log_upload(
    request: AuthenticatedHttpRequest, equipment_id: int, payload: LogIn
) -> Status[dict[str, Any]]:
    """Needs equipment.manage for the unit's institution: upload a temperature log, the CSV
    text (header timestamp,temperature_c) as `content`; all rows or none. Excursions flag,
    and unless `quarantine` is false quarantine, the vials stored there meanwhile."""
    unit = equipment_or_404(request.user, equipment_id)
    log = services.temperature_log_upload(
        actor=request.user,
        equipment=unit,
        content=payload.content.encode(),
        filename=payload.filename,
        quarantine=payload.quarantine,
    )
    return Status(
        201,
        {
            "id": log.pk,
            "filename": log.filename,
            "reading_count": log.reading_count,
            "first_reading_at": log.first_reading_at,
            "last_reading_at": log.last_reading_at,
            "excursions": [_excursion(e) for e in log.excursions.order_by("start")],
        },
    )


@router.get("/equipment/{equipment_id}/excursions", response=list[ExcursionOut],
            auth=AUTHENTICATED)  # fmt: skip
def equipment_excursions(
    request: AuthenticatedHttpRequest, equipment_id: int
) -> list[dict[str, Any]]:
    """Needs biobank.view for the unit's institution: its excursions, newest first."""
    unit = equipment_or_404(request.user, equipment_id)
    return [_excursion(e) for e in unit.excursions.all()]
