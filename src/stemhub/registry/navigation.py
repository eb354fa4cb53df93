"""The registry's menu entries and the curator's and editor's queues."""

from datetime import timedelta
from typing import Any

from django.db.models import Case, Count, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.permissions import Perm, is_platform_admin, permissions_of
from stemhub.core.navigation import (
    SIGNED_IN,
    MenuItem,
    Panel,
    Queue,
    QueueRow,
    Section,
    register_menu,
    register_panel,
    register_section,
)
from stemhub.registry.models import CellLine, CurationEvent, Status
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


def _entered() -> Coalesce:
    """When the line entered its current status: its latest curation event into it."""
    latest = (
        CurationEvent.objects.filter(line=OuterRef("pk"), to_status=OuterRef("status"))
        .order_by("-at", "-id")
        .values("at")[:1]
    )
    return Coalesce(Subquery(latest), F("updated_at"))


def _last_comment() -> Subquery:
    """The comment of the curation event that put the line in its current status."""
    return Subquery(
        CurationEvent.objects.filter(line=OuterRef("pk"), to_status=OuterRef("status"))
        .order_by("-at", "-id")
        .values("note")[:1]
    )


def _waited(line: Any) -> str:
    if timezone.now() - line.entered_at < timedelta(days=1):
        return gettext("waiting less than a day")
    return gettext("waiting %(time)s") % {"time": timesince(line.entered_at, depth=1)}


def _row(line: Any, detail: str) -> QueueRow:
    return QueueRow(
        label=line.name,
        url=reverse("registry:staff_line", args=[line.name]),
        detail=detail,
        badge=str(line.get_status_display()),
        badge_class=f"status-{line.status}",
    )


def review_queue(user: Any) -> Queue:
    """Lines waiting for a curator: those in review first, then those submitted, each oldest
    first, with how long it has waited."""
    waiting = (
        _own(user)
        .filter(status__in=[Status.IN_REVIEW, Status.SUBMITTED])
        .annotate(
            rank=Case(
                When(status=Status.IN_REVIEW, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            entered_at=_entered(),
        )
        .order_by("rank", "entered_at", "name")
    )
    return Queue(
        count=waiting.count(),
        rows=[
            _row(line, f"{line.get_line_type_display()} · {_waited(line)}")
            for line in waiting[:SHOWN]
        ],
        more_url=reverse("registry:staff_lines") + "?status=in_review&status=submitted",
        empty=_("No line waits for review. Lines appear here once their editors submit them."),
    )


def returned_queue(user: Any) -> Queue:
    """Lines a curator returned: waiting for their editors, with the curator's comment."""
    returned = (
        _own(user)
        .filter(status=Status.RETURNED)
        .annotate(entered_at=_entered(), comment=_last_comment())
        .order_by("entered_at", "name")
    )
    return Queue(
        count=returned.count(),
        rows=[_row(line, f"{_waited(line)} · “{line.comment}”") for line in returned[:SHOWN]],
        more_url=reverse("registry:staff_lines") + "?status=returned",
        empty=_("No line is back with its editors."),
    )


def drafts_queue(user: Any, *, returned: bool = True) -> Queue:
    """Lines an editor still has to finish: returned by a curator first, with the curator's
    comment, then drafts, most recently changed first. A curator sees the returned ones in their
    own queue, and here only the drafts (`returned=False`)."""
    statuses = [Status.RETURNED, Status.DRAFT] if returned else [Status.DRAFT]
    open_lines = (
        _own(user)
        .filter(status__in=statuses)
        .annotate(
            rank=Case(
                When(status=Status.RETURNED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            comment=_last_comment(),
        )
        .order_by("rank", "-updated_at", "name")
    )

    def detail(line: Any) -> str:
        if line.status == Status.RETURNED and line.comment:
            return gettext("Curator: “%(comment)s”") % {"comment": line.comment}
        return gettext("%(type)s · changed %(when)s") % {
            "type": line.get_line_type_display(),
            "when": f"{line.updated_at:%Y-%m-%d}",
        }

    return Queue(
        count=open_lines.count(),
        rows=[_row(line, detail(line)) for line in open_lines[:SHOWN]],
        more_url=reverse("registry:staff_lines")
        + ("?status=returned&status=draft" if returned else "?status=draft"),
        empty=_("No draft or returned line. Register a new line from the menu.")
        if returned
        else _("No draft. Register a new line from the menu."),
    )


def _curates(user: Any) -> bool:
    return Perm.CURATE in permissions_of(user)


def lines_by_status(user: Any) -> Queue:
    """Platform admins: every line of the network, counted per status."""
    counted = dict(
        CellLine.objects.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    rows = [
        QueueRow(
            label=str(label),
            url=reverse("registry:staff_lines") + f"?status={status}",
            badge=ngettext("%(n)d line", "%(n)d lines", counted[status]) % {"n": counted[status]},
            badge_class=f"status-{status}",
        )
        for status, label in Status.choices
        if counted.get(status)
    ]
    return Queue(
        count=sum(counted.values()),
        rows=rows,
        more_url=reverse("registry:staff_lines"),
        empty=_("No line yet. Register one, or import lines from hPSCreg or a sheet."),
    )


register_panel(
    Panel("review", _("Lines to review"), (Perm.CURATE,), review_queue, order=10),
    Panel("returned", _("Returned to their editors"), (Perm.CURATE,), returned_queue, order=12),
    Panel(
        "drafts",
        _("Drafts and returned lines"),
        (Perm.EDIT_LINE,),
        drafts_queue,
        order=15,
        when=lambda user: not _curates(user),
    ),
    Panel(
        "own-drafts",
        _("Drafts"),
        (Perm.CURATE,),
        lambda user: drafts_queue(user, returned=False),
        order=15,
    ),
    Panel(
        "lines-by-status",
        _("Lines by status"),
        SIGNED_IN,
        lines_by_status,
        order=2,
        when=is_platform_admin,
    ),
)
