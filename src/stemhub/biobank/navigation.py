"""The biobank's menu entries and the storage managers' queue of held positions."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.permissions import Perm
from stemhub.biobank.models import PositionHold
from stemhub.biobank.selectors import container_paths
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

SHOWN = 6
VIEW = (Perm.INVENTORY_VIEW,)

register_section(Section("biobank", _("Biobank"), 30))
register_menu(
    MenuItem("biobank", _("Storage"), "biobank:storage", VIEW, order=10),
    MenuItem(
        "biobank",
        _("Cell banks"),
        "biobank:banks",
        VIEW,
        order=20,
        also=(
            "quality:bank",
            "quality:result_add",
            "quality:result_correct",
            "quality:nonconformity_open",
            "quality:release",
        ),
    ),
    MenuItem("biobank", _("Free space"), "biobank:free_space", VIEW, order=30),
    MenuItem("biobank", _("Reports"), "biobank:reports", VIEW, order=40),
    MenuItem("biobank", _("Import inventory"), "biobank:import", (Perm.INVENTORY_EDIT,), 50),
)


def _hold_row(hold: PositionHold, paths: dict[int, str]) -> QueueRow:
    label = hold.container.type.label(hold.row, hold.column)
    return QueueRow(
        label=f"{paths.get(hold.container_id, hold.container.name)} · {label}",
        url=reverse("biobank:container", args=[hold.container_id]) + f"?position={label}",
        detail=hold.note,
        badge=hold.get_kind_display(),
        # Badge classes of the shared stylesheet (the home page loads no app's CSS).
        badge_class="availability-withdrawn"
        if hold.kind == PositionHold.Kind.BLOCKED
        else "status-submitted",
    )


def position_holds(user: Any) -> Queue:
    """Positions reserved or blocked in the user's institution's storage, newest first; each
    opens its container at the hold form for that position."""
    holds = PositionHold.objects.filter(container__institution_id=user.institution_id)
    holds = holds.select_related("container__type").order_by("-at")
    shown = list(holds[:SHOWN])
    paths = container_paths(h.container_id for h in shown)
    return Queue(
        count=holds.count(),
        rows=[_hold_row(h, paths) for h in shown],
        more_url=reverse("biobank:storage"),
        empty=_("No position is reserved or blocked. Hold one from its box's or rack's grid."),
    )


register_panel(
    Panel("holds", _("Reserved and blocked positions"), (Perm.STORAGE_MANAGE,), position_holds, 40),
)
