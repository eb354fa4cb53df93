"""The equipment register's menu entry and its home-page queues: calibrations and maintenance
due (for the staff who keep the equipment), units quarantined or overdue (for QA). Excursions
awaiting a decision are quality's queue (`quality/navigation.py`)."""

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.permissions import Perm, permissions_of
from stemhub.core.navigation import (
    MenuItem,
    Panel,
    Queue,
    QueueRow,
    Section,
    register_menu,
    register_panel,
    register_section,
)
from stemhub.equipment.models import EquipmentStatus
from stemhub.equipment.selectors import DueItem, equipment_due, visible_equipment

SHOWN = 6
# Badge classes of the shared stylesheet (the home page loads no app's CSS).
BAD, SOON = "availability-withdrawn", "status-returned"

register_section(Section("equipment", _("Equipment"), 35))
register_menu(
    MenuItem("equipment", _("Equipment register"), "equipment:list", (Perm.INVENTORY_VIEW,), 10),
)


def _due_row(item: DueItem) -> QueueRow:
    what = gettext("Calibration") if item.what == "calibration" else gettext("Maintenance")
    return QueueRow(
        label=item.equipment.name,
        url=reverse("equipment:detail", args=[item.equipment.pk])
        + ("#calibration" if item.what == "calibration" else ""),
        detail=gettext("%(what)s due %(day)s") % {"what": what, "day": f"{item.due:%Y-%m-%d}"},
        badge=gettext("Overdue") if item.overdue else gettext("Due soon"),
        badge_class=BAD if item.overdue else SOON,
    )


def due_queue(user: Any) -> Queue:
    """Calibrations and maintenance overdue or due within 30 days, soonest first; each opens
    the unit's page at the form that records the calibration."""
    due = equipment_due(visible_equipment(user), today=timezone.localdate())
    return Queue(
        count=len(due),
        rows=[_due_row(item) for item in due[:SHOWN]],
        more_url=reverse("equipment:list"),
        empty=_("No calibration or maintenance is due in the next 30 days."),
        tone="bad" if any(item.overdue for item in due) else "warn",
    )


def attention_queue(user: Any) -> Queue:
    """Units QA must look at: quarantined ones, then those whose calibration is overdue."""
    today = timezone.localdate()
    units = list(
        visible_equipment(user)
        .filter(
            Q(status=EquipmentStatus.QUARANTINED)
            | Q(
                calibration_required=True,
                next_calibration_due__lt=today,
                status=EquipmentStatus.IN_SERVICE,
            )
        )
        .order_by("name")
    )
    units.sort(key=lambda u: (u.status != EquipmentStatus.QUARANTINED, u.name))
    rows = [
        QueueRow(
            label=unit.name,
            url=reverse("equipment:detail", args=[unit.pk])
            + ("" if unit.status == EquipmentStatus.QUARANTINED else "#calibration"),
            detail=unit.get_kind_display()
            + (
                ""
                if unit.status == EquipmentStatus.QUARANTINED
                else " · "
                + gettext("calibration due %(day)s")
                % {"day": f"{unit.next_calibration_due:%Y-%m-%d}"}
            ),
            badge=unit.get_status_display()
            if unit.status == EquipmentStatus.QUARANTINED
            else gettext("Calibration overdue"),
            badge_class=BAD,
        )
        for unit in units[:SHOWN]
    ]
    return Queue(
        count=len(units),
        rows=rows,
        more_url=reverse("equipment:list"),
        empty=_("No unit is quarantined and no calibration is overdue."),
        tone="bad",
    )


def _releases(user: Any) -> bool:
    return Perm.QC_RELEASE in permissions_of(user)


register_panel(
    Panel(
        "equipment-due",
        _("Calibration and maintenance due"),
        (Perm.EQUIPMENT_MANAGE,),
        due_queue,
        50,
        when=lambda user: not _releases(user),
    ),
    Panel(
        "equipment-attention",
        _("Equipment quarantined or overdue"),
        (Perm.QC_RELEASE,),
        attention_queue,
        30,
    ),
)
