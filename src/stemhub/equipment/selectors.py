"""Reads of the equipment register: what a user may see, what is due, and whether a unit may
be used for a measurement at a given time."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from stemhub.accounts.permissions import Perm, is_platform_admin, user_can
from stemhub.core.errors import NotFound
from stemhub.equipment.models import Calibration, Equipment, EquipmentStatus

DUE_SOON_DAYS = 30


def visible_equipment(user: Any) -> QuerySet[Equipment]:
    """Equipment of the user's institution (every institution's for platform admins), if the
    user may view inventory at all."""
    if not user_can(user, Perm.INVENTORY_VIEW):
        return Equipment.objects.none()
    equipment = Equipment.objects.select_related("institution")
    if is_platform_admin(user):
        return equipment
    return equipment.filter(institution_id=user.institution_id)


def equipment_or_404(user: Any, pk: int) -> Equipment:
    found = visible_equipment(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No equipment #%(pk)s that you may see") % {"pk": pk})
    return found


@dataclass(frozen=True)
class DueItem:
    equipment: Equipment
    what: str  # "calibration" or "maintenance"
    due: date
    overdue: bool


def equipment_due(
    equipment: QuerySet[Equipment], *, today: date, within_days: int = DUE_SOON_DAYS
) -> list[DueItem]:
    """Calibrations and maintenance overdue (due before today) or due within `within_days`,
    soonest first. Units out of service are left out."""
    horizon = today + timedelta(days=within_days)
    candidates = equipment.exclude(status=EquipmentStatus.OUT_OF_SERVICE).filter(
        Q(calibration_required=True, next_calibration_due__lte=horizon)
        | Q(next_maintenance_due__lte=horizon)
    )
    items = []
    for unit in candidates:
        for what, due in (
            ("calibration", unit.next_calibration_due if unit.calibration_required else None),
            ("maintenance", unit.next_maintenance_due),
        ):
            if due is not None and due <= horizon:
                items.append(DueItem(unit, what, due, due < today))
    return sorted(items, key=lambda item: (item.due, item.equipment.name, item.what))


@dataclass(frozen=True)
class Usability:
    usable: bool
    reason: str

    def __bool__(self) -> bool:
        return self.usable


def equipment_usable(equipment: Equipment, *, at: datetime | date | None = None) -> Usability:
    """Whether a measurement made on `equipment` at `at` (default: now) can be trusted: the unit
    is in service and, if it needs calibration, the last calibration on or before that day
    passed and was still valid. A unit with no calibration records at all counts as
    calibrated until its registered due date.
    The status is the current one (status changes are in the audit trail, not modelled)."""
    if at is None:
        day = timezone.localdate()
    elif isinstance(at, datetime):
        day = timezone.localtime(at).date() if timezone.is_aware(at) else at.date()
    else:
        day = at
    if equipment.status != EquipmentStatus.IN_SERVICE:
        return Usability(
            False,
            _("%(unit)s is %(status)s")
            % {"unit": equipment.name, "status": equipment.get_status_display().lower()},
        )
    if not equipment.calibration_required:
        return Usability(
            True, _("%(unit)s is in service and needs no calibration") % {"unit": equipment.name}
        )
    last = (
        Calibration.objects.filter(equipment=equipment, performed_on__lte=day)
        .order_by("-performed_on", "-id")
        .first()
    )
    if last is None:
        # Without any calibration record, the due date registered with the unit counts.
        due = None if equipment.calibrations.exists() else equipment.next_calibration_due
        if due is None or day > due:
            return Usability(
                False,
                _("%(unit)s had no valid calibration on %(day)s")
                % {"unit": equipment.name, "day": day},
            )
        return _calibrated(equipment, due)
    if not last.passed:
        return Usability(
            False,
            _("%(unit)s failed its calibration on %(day)s")
            % {"unit": equipment.name, "day": last.performed_on},
        )
    if last.valid_until is None or day > last.valid_until:
        return Usability(
            False,
            _("%(unit)s's calibration expired on %(expired)s (before %(day)s)")
            % {"unit": equipment.name, "expired": last.valid_until, "day": day},
        )
    return _calibrated(equipment, last.valid_until)


def _calibrated(equipment: Equipment, until: date) -> Usability:
    return Usability(
        True, _("%(unit)s is calibrated until %(day)s") % {"unit": equipment.name, "day": until}
    )
