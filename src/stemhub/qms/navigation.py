"""The quality system's menu entries and home-page queues."""

from typing import Any

from django.urls import reverse
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

register_section(Section("qms", _("Quality system"), 33))
register_menu(
    MenuItem("qms", _("Overview"), "qms:home", (Perm.QMS_VIEW,), 10),
    MenuItem(
        "qms",
        _("Training matrix"),
        "qms:competence_matrix",
        (Perm.QMS_TRAIN, Perm.QMS_MANAGE),
        40,
        also=(
            "qms:competence_person",
            "qms:competence_job_roles",
            "qms:competence_job_role",
        ),
    ),
    MenuItem("qms", _("My training"), "qms:competence_mine", (Perm.QMS_VIEW,), 41),
    MenuItem(
        "qms", _("Tasks and governing documents"), "qms:competence_tasks", (Perm.QMS_VIEW,), 42
    ),
)

SHOWN = 6
# Badge classes of the shared stylesheet (the home page loads no app's CSS).
BAD, SOON = "availability-withdrawn", "status-returned"


def _keeper(user: Any) -> bool:
    return bool({Perm.QMS_TRAIN, Perm.QMS_MANAGE} & permissions_of(user))


def _institution_matrix(user: Any) -> Any:
    """The user's institution's training matrix, built once for both panels of a page."""
    from stemhub.qms.competence_matrix import matrix_for

    cached = getattr(user, "_qms_competence_matrix", None)
    if cached is None:
        cached = matrix_for(user.institution_id)
        user._qms_competence_matrix = cached
    return cached


def my_training_queue(user: Any) -> Queue:
    """What the signed-in person still needs: overdue items first, then what expires within
    30 days."""
    from stemhub.qms.competence_matrix import needs_of

    needs = needs_of(user, matrix=_institution_matrix(user) if _keeper(user) else None)
    url = reverse("qms:competence_mine")
    return Queue(
        count=len(needs),
        rows=[
            QueueRow(
                label=column.label,
                url=url,
                detail=cell.detail,
                badge=cell.word,
                badge_class=BAD if cell.overdue else SOON,
            )
            for column, cell in needs[:SHOWN]
        ],
        more_url=url,
        empty=_("Your training and authorisations are up to date."),
        tone="bad" if any(cell.overdue for _c, cell in needs) else "warn",
    )


def authorisations_queue(user: Any) -> Queue:
    """The institution's people whose authorisations are missing, expired, blocked by a new
    version, or expiring within 30 days; overdue first."""
    from stemhub.qms.competence_matrix import EXPIRING

    if user.institution_id is None:
        return Queue(count=0, rows=[], empty=_("You belong to no institution."))
    matrix = _institution_matrix(user)
    found = []
    for row in matrix.rows:
        for column, cell in zip(matrix.columns, row.cells, strict=True):
            if column.kind == "task" and (cell.overdue or cell.status == EXPIRING):
                found.append((row, column, cell))
    found.sort(key=lambda item: not item[2].overdue)
    return Queue(
        count=len(found),
        rows=[
            QueueRow(
                label=row.person.display_name,
                url=reverse("qms:competence_person", args=[row.person.username])
                + "#authorisations",
                detail=f"{column.label}"
                + (f" · {cell.detail}" if cell.detail else "")
                + (gettext(" (not required by a job role)") if not cell.required else ""),
                badge=cell.word,
                badge_class=BAD if cell.overdue else SOON,
            )
            for row, column, cell in found[:SHOWN]
        ],
        more_url=reverse("qms:competence_matrix"),
        empty=_("Every authorisation required here is held and none expires within 30 days."),
        tone="bad" if any(cell.overdue for _r, _c, cell in found) else "warn",
    )


register_panel(
    Panel(
        "qms-my-training",
        _("Your training and authorisations"),
        (Perm.QMS_VIEW,),
        my_training_queue,
        60,
        when=lambda user: getattr(user, "institution_id", None) is not None,
    ),
    Panel(
        "qms-authorisations",
        _("Authorisations expiring or missing"),
        (Perm.QMS_TRAIN, Perm.QMS_MANAGE),
        authorisations_queue,
        45,
    ),
)
