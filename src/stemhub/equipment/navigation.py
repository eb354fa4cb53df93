"""The equipment register's menu entry and the queues of calibrations due and excursions."""

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.permissions import Perm
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
from stemhub.equipment.models import Excursion
from stemhub.equipment.selectors import equipment_due, visible_equipment

SHOWN = 6
RECENT_EXCURSION_DAYS = 30

register_section(Section("equipment", _("Equipment"), 35))
register_menu(
    MenuItem("equipment", _("Equipment register"), "equipment:list", (Perm.INVENTORY_VIEW,), 10),
)


def due_queue(user: Any) -> Queue:
    """Calibrations and maintenance overdue or due within 30 days."""
    due = equipment_due(visible_equipment(user), today=timezone.localdate())
    return Queue(
        count=len(due),
        rows=[
            QueueRow(
                label=item.equipment.name,
                url=reverse("equipment:detail", args=[item.equipment.pk]),
                detail=f"{item.what} {item.due:%Y-%m-%d}",
                badge=_("overdue") if item.overdue else _("due soon"),
                badge_class="qc-fail" if item.overdue else "qc-warn",
            )
            for item in due[:SHOWN]
        ],
        more_url=reverse("equipment:list"),
        empty=_("No calibration or maintenance is due in the next 30 days."),
        tone="bad" if any(item.overdue for item in due) else "warn",
    )


def excursion_queue(user: Any) -> Queue:
    """Temperature excursions detected in the last 30 days, newest first."""
    since = timezone.now() - timedelta(days=RECENT_EXCURSION_DAYS)
    recent = Excursion.objects.filter(
        equipment__in=visible_equipment(user), detected_at__gte=since
    ).select_related("equipment")
    return Queue(
        count=recent.count(),
        rows=[
            QueueRow(
                label=e.equipment.name,
                url=reverse("equipment:detail", args=[e.equipment_id]),
                detail=f"{e.start:%Y-%m-%d %H:%M} – {e.end:%H:%M}, "
                f"{e.min_temperature_c} °C to {e.max_temperature_c} °C",
            )
            for e in recent[:SHOWN]
        ],
        more_url=reverse("equipment:list"),
        empty=_("No temperature excursion in the last 30 days."),
        tone="bad",
    )


register_panel(
    Panel(
        "equipment-due",
        _("Calibration and maintenance due"),
        (Perm.EQUIPMENT_MANAGE,),
        due_queue,
        50,
    ),
    Panel("excursions", _("Temperature excursions"), (Perm.EQUIPMENT_MANAGE,), excursion_queue, 45),
)
