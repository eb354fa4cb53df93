"""The registry's menu entries and the curator's and editor's queues."""

from typing import Any

from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
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
from stemhub.registry.models import CellLine, Status
from stemhub.registry.selectors import visible_lines

SHOWN = 6

register_section(Section("registry", _("Registry"), 20))
register_menu(
    MenuItem("registry", _("Lines"), "registry:staff_lines", (Perm.VIEW_INTERNAL,), order=10),
    MenuItem("registry", _("New line"), "registry:staff_line_create", (Perm.EDIT_LINE,), 20),
    MenuItem(
        "registry",
        _("Import lines"),
        "exchange:lines_import",
        (Perm.EDIT_LINE,),
        order=30,
        when=lambda user: user.institution_id is not None,
    ),
)


def _own(user: Any) -> Any:
    return visible_lines(user).filter(institution_id=user.institution_id)


def _row(line: CellLine) -> QueueRow:
    return QueueRow(
        label=line.name,
        url=reverse("registry:staff_line", args=[line.name]),
        detail=f"{line.get_line_type_display()} · {line.updated_at:%Y-%m-%d}",
        badge=line.get_status_display(),
        badge_class=f"status-{line.status}",
    )


def review_queue(user: Any) -> Queue:
    """Lines waiting for a curator: those in review first, then those submitted, oldest first."""
    waiting = (
        _own(user)
        .filter(status__in=[Status.IN_REVIEW, Status.SUBMITTED])
        .annotate(
            rank=Case(
                When(status=Status.IN_REVIEW, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "updated_at")
    )
    return Queue(
        count=waiting.count(),
        rows=[_row(line) for line in waiting[:SHOWN]],
        more_url=reverse("registry:staff_lines") + "?status=in_review",
        empty=_("No line waits for review. Submitted lines appear here."),
    )


def drafts_queue(user: Any) -> Queue:
    """Lines an editor still has to finish: returned by a curator first, then drafts."""
    open_lines = (
        _own(user)
        .filter(status__in=[Status.RETURNED, Status.DRAFT])
        .annotate(
            rank=Case(
                When(status=Status.RETURNED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "-updated_at")
    )
    return Queue(
        count=open_lines.count(),
        rows=[_row(line) for line in open_lines[:SHOWN]],
        more_url=reverse("registry:staff_lines") + "?status=returned",
        empty=_("No draft or returned line. Register a new line from the menu."),
    )


register_panel(
    Panel("review", _("Lines to review"), (Perm.CURATE,), review_queue, order=10),
    Panel("drafts", _("Drafts and returned lines"), (Perm.EDIT_LINE,), drafts_queue, order=15),
)
