"""Writes to the equipment register. Each function is atomic, checks the actor's permission
(equipment.manage for the equipment's institution), validates with full_clean(), and runs
inside an audit context so that the audit trail records who changed what and why."""

import hashlib
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stemhub.accounts.models import Institution, User
from stemhub.accounts.permissions import Perm, user_can
from stemhub.audit.context import audit_context
from stemhub.core.columns import concrete_field
from stemhub.core.errors import Conflict, Forbidden, InvalidInput, full_clean
from stemhub.equipment.models import (
    Calibration,
    CalibrationResult,
    Equipment,
    EquipmentStatus,
    Excursion,
    ExcursionVial,
    Maintenance,
    TemperatureLog,
    TemperatureReading,
)
from stemhub.equipment.temperature import find_excursions, parse_temperature_csv

EDITABLE_FIELDS = (
    "kind",
    "name",
    "serial_number",
    "location",
    "manufacturer",
    "model_name",
    "calibration_required",
    "calibration_interval_days",
    "maintenance_interval_days",
    "next_calibration_due",
    "next_maintenance_due",
    "min_temperature_c",
    "max_temperature_c",
    "notes",
)


def equipment_locked(equipment: Equipment) -> Equipment:
    """The unit's row locked (FOR UPDATE): the one way a service locks equipment before
    changing its calibration, status or logs."""
    return Equipment.objects.select_for_update().get(pk=equipment.pk)


def _require(actor: User, institution_id: int) -> None:
    if not user_can(actor, Perm.EQUIPMENT_MANAGE, institution_id):
        raise Forbidden(
            _("You need the permission %(perm)s for this institution's equipment.")
            % {"perm": Perm.EQUIPMENT_MANAGE}
        )


def _not_in_future(day: date, field: str, message: str) -> None:
    """`message` names the record and takes the day and today: "The calibration is dated ..."."""
    today = timezone.localdate()
    if day > today:
        raise InvalidInput(
            message % {"day": day, "today": today}, fields={field: [_("in the future")]}
        )


def _apply(equipment: Equipment, data: Mapping[str, Any]) -> None:
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(
            _("Unknown field(s): %(fields)s") % {"fields": ", ".join(unknown)},
            fields={key: [_("unknown field")] for key in unknown},
        )
    for key, value in data.items():
        field = concrete_field(Equipment, key)
        if value is None and not field.null:
            value = field.get_default()
        setattr(equipment, key, value)
    full_clean(equipment, validate_constraints=True, exclude=("institution",))
    try:
        with transaction.atomic():
            equipment.save()
    except IntegrityError as error:
        raise Conflict(
            _("%(name)r clashes with other equipment of the institution: %(error)s")
            % {"name": equipment.name, "error": error},
            fields={"name": [_("taken, or the serial number is")]},
        ) from None


@transaction.atomic
def equipment_create(
    *, actor: User, data: Mapping[str, Any], institution: Institution | None = None
) -> Equipment:
    institution = institution or actor.institution
    if institution is None:
        raise InvalidInput(_("You belong to no institution; name one to register equipment for."))
    _require(actor, institution.pk)
    with audit_context(actor=actor, reason="Registered"):
        equipment = Equipment(institution=institution)
        _apply(equipment, data)
    return equipment


@transaction.atomic
def equipment_update(
    *, actor: User, equipment: Equipment, data: Mapping[str, Any], reason: str = ""
) -> Equipment:
    equipment = equipment_locked(equipment)
    _require(actor, equipment.institution_id)
    with audit_context(actor=actor, reason=reason):
        _apply(equipment, data)
    return equipment


@transaction.atomic
def equipment_set_status(
    *, actor: User, equipment: Equipment, status: str, reason: str
) -> Equipment:
    """Take a unit out of service, quarantine it, or return it to service; a reason is due."""
    equipment = equipment_locked(equipment)
    _require(actor, equipment.institution_id)
    if status not in EquipmentStatus.values:
        raise InvalidInput(
            _("Unknown status %(value)r; use one of %(allowed)s")
            % {"value": status, "allowed": ", ".join(EquipmentStatus.values)},
            fields={"status": [_("unknown value")]},
        )
    if not reason.strip():
        raise InvalidInput(_("Say why the status changes"), fields={"reason": [_("required")]})
    with audit_context(actor=actor, reason=reason):
        equipment.status = status
        equipment.save(update_fields=["status", "updated_at"])
    return equipment


@transaction.atomic
def calibration_record(
    *,
    actor: User,
    equipment: Equipment,
    performed_on: date,
    performed_by: str,
    result: str,
    valid_until: date | None = None,
    certificate: str = "",
    notes: str = "",
) -> Calibration:
    """Record a calibration. A passed one sets the next due date (given, or the interval after
    it); a failed one makes the unit due at once, so it is out of calibration until the next."""
    equipment = equipment_locked(equipment)
    _require(actor, equipment.institution_id)
    if result not in CalibrationResult.values:
        raise InvalidInput(
            _("Unknown calibration result %(value)r; use one of %(allowed)s")
            % {"value": result, "allowed": ", ".join(CalibrationResult.values)},
            fields={"result": [_("unknown value")]},
        )
    _not_in_future(
        performed_on, "performed_on", _("The calibration is dated %(day)s, after today (%(today)s)")
    )
    if not performed_by.strip():
        raise InvalidInput(
            _("Say who calibrated the unit (a person or a service company)"),
            fields={"performed_by": [_("required")]},
        )
    failed = result == CalibrationResult.FAILED
    if not failed and valid_until is not None and valid_until <= performed_on:
        raise InvalidInput(
            _(
                "A calibration performed on %(performed)s is valid until a later date, not "
                "%(valid_until)s"
            )
            % {"performed": performed_on, "valid_until": valid_until},
            fields={"valid_until": [_("after %(day)s") % {"day": performed_on}]},
        )
    if result != CalibrationResult.FAILED and valid_until is None:
        if equipment.calibration_interval_days is None:
            raise InvalidInput(
                _("Give the date the calibration is valid until (the unit has no interval)"),
                fields={"valid_until": [_("required")]},
            )
        valid_until = performed_on + timedelta(days=equipment.calibration_interval_days)
    if result == CalibrationResult.FAILED:
        valid_until = None
    calibration = Calibration(
        equipment=equipment,
        performed_on=performed_on,
        performed_by=performed_by,
        result=result,
        valid_until=valid_until,
        certificate=certificate,
        notes=notes,
        recorded_by=actor,
    )
    full_clean(calibration, validate_constraints=True)
    with audit_context(actor=actor, reason=f"Calibration {result} on {performed_on}"):
        calibration.save()
        latest = equipment.calibrations.order_by("-performed_on", "-id").first()
        if latest is not None and latest.pk == calibration.pk:
            equipment.next_calibration_due = valid_until or performed_on
            equipment.save(update_fields=["next_calibration_due", "updated_at"])
    return calibration


@transaction.atomic
def maintenance_record(
    *,
    actor: User,
    equipment: Equipment,
    performed_on: date,
    performed_by: str,
    description: str,
    next_due: date | None = None,
) -> Maintenance:
    equipment = equipment_locked(equipment)
    _require(actor, equipment.institution_id)
    _not_in_future(
        performed_on, "performed_on", _("The maintenance is dated %(day)s, after today (%(today)s)")
    )
    if next_due is not None and next_due <= performed_on:
        raise InvalidInput(
            _("The next maintenance falls after this one (%(performed)s), not on %(next_due)s")
            % {"performed": performed_on, "next_due": next_due},
            fields={"next_due": [_("after %(day)s") % {"day": performed_on}]},
        )
    if next_due is None and equipment.maintenance_interval_days is not None:
        next_due = performed_on + timedelta(days=equipment.maintenance_interval_days)
    maintenance = Maintenance(
        equipment=equipment,
        performed_on=performed_on,
        performed_by=performed_by,
        description=description,
        next_due=next_due,
        recorded_by=actor,
    )
    full_clean(maintenance, validate_constraints=True)
    with audit_context(actor=actor, reason=f"Maintenance on {performed_on}"):
        maintenance.save()
        if next_due is not None:
            equipment.next_maintenance_due = next_due
            equipment.save(update_fields=["next_maintenance_due", "updated_at"])
    return maintenance


def _flag_vials(actor: User, excursion: Excursion, *, quarantine: bool) -> None:
    """Link every vial stored in the unit during the excursion; quarantine those still here."""
    try:
        container = excursion.equipment.container
    except ObjectDoesNotExist:
        return
    from stemhub.biobank.models import VialStatus
    from stemhub.biobank.selectors import vials_in_container_during
    from stemhub.biobank.services import vials_set_status

    vials = list(
        vials_in_container_during(container=container, start=excursion.start, end=excursion.end)
        .select_related("bank")
        .order_by("pk")
    )
    held = {VialStatus.AVAILABLE, VialStatus.RESERVED}
    to_quarantine = [v for v in vials if quarantine and v.status in held]
    ExcursionVial.objects.bulk_create(
        ExcursionVial(
            excursion=excursion,
            vial=vial,
            status_at_detection=vial.status,
            quarantined=vial in to_quarantine,
        )
        for vial in vials
    )
    if to_quarantine:
        vials_set_status(
            actor=actor,
            vials=to_quarantine,
            status=VialStatus.QUARANTINED,
            reason=f"Temperature excursion in {excursion.equipment.name}: "
            f"{excursion.start:%Y-%m-%d %H:%M} to {excursion.end:%Y-%m-%d %H:%M} UTC",
        )


@transaction.atomic
def temperature_log_upload(
    *,
    actor: User,
    equipment: Equipment,
    content: bytes,
    filename: str,
    quarantine: bool = True,
) -> TemperatureLog:
    """Store a CSV of readings (all rows or none), find the excursions outside the unit's
    acceptable range, and flag (and unless told otherwise quarantine) the vials stored there
    during each. Raises InvalidInput naming every bad line and field."""
    equipment = equipment_locked(equipment)
    _require(actor, equipment.institution_id)
    if not equipment.has_temperature_range:
        raise InvalidInput(
            _("Set the acceptable temperature range of %(unit)s before uploading logs")
            % {"unit": equipment.name},
            fields={"equipment": [_("no acceptable temperature range")]},
        )
    readings = parse_temperature_csv(content, now=timezone.now())
    clashes = set(
        TemperatureReading.objects.filter(
            equipment=equipment, at__in=[r.at for r in readings]
        ).values_list("at", flat=True)
    )
    if clashes:
        fields = {
            f"line {r.line}.timestamp": [_("a reading at this time is already stored")]
            for r in readings
            if r.at in clashes
        }
        lines = [_("line %(number)s") % {"number": r.line} for r in readings if r.at in clashes]
        raise InvalidInput(
            ngettext(
                "%(count)d reading repeats a time already uploaded for %(unit)s: %(lines)s",
                "%(count)d readings repeat times already uploaded for %(unit)s: %(lines)s",
                len(fields),
            )
            % {"count": len(fields), "unit": equipment.name, "lines": ", ".join(lines[:5])},
            fields=fields,
        )
    with audit_context(actor=actor, reason=f"Temperature log {filename}"):
        log = TemperatureLog.objects.create(
            equipment=equipment,
            filename=filename[:255],
            sha256=hashlib.sha256(content).hexdigest(),
            reading_count=len(readings),
            first_reading_at=readings[0].at,
            last_reading_at=readings[-1].at,
            uploaded_by=actor,
        )
        TemperatureReading.objects.bulk_create(
            (
                TemperatureReading(
                    log=log, equipment=equipment, at=r.at, temperature_c=r.temperature_c
                )
                for r in readings
            ),
            batch_size=1000,
        )
        for run in find_excursions(
            readings, low=equipment.min_temperature_c, high=equipment.max_temperature_c
        ):
            excursion = Excursion.objects.create(
                equipment=equipment,
                log=log,
                start=run.start,
                end=run.end,
                min_temperature_c=run.min_c,
                max_temperature_c=run.max_c,
                reading_count=run.count,
            )
            _flag_vials(actor, excursion, quarantine=quarantine)
    return log
