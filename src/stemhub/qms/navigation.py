"""The quality system's menu entries and home-page queues."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
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
from stemhub.qms.documents import document_versions_bring_into_force
from stemhub.qms.documents_selectors import documents_awaiting, documents_to_read, reviews_overdue

register_section(Section("qms", _("Quality system"), 33))
register_menu(
    MenuItem("qms", _("Overview"), "qms:home", (Perm.QMS_VIEW,), 10),
)


# Document control

SHOWN = 6
# Badge classes of the shared stylesheet (the home page loads no app's CSS).
BAD, WAIT = "availability-withdrawn", "status-in_review"

register_menu(
    MenuItem("qms", _("Controlled documents"), "qms:documents_list", (Perm.QMS_VIEW,), 20),
    MenuItem("qms", _("Documents to read"), "qms:documents_to_read", (Perm.QMS_VIEW,), 21),
)


def documents_to_read_queue(user: Any) -> Queue:
    """The versions in force at the user's institution they have not acknowledged."""
    if user.institution_id:
        document_versions_bring_into_force(institution_id=user.institution_id)
    versions = documents_to_read(user)
    return Queue(
        count=len(versions),
        rows=[
            QueueRow(
                label=version.label,
                url=reverse("qms:documents_detail", args=[version.document_id])
                + f"?version={version.number}",
                detail=version.document.title_zh
                if get_language() == "zh-hans" and version.document.title_zh
                else version.document.title,
                badge=gettext("Retraining required") if version.retraining_required else "",
                badge_class=BAD if version.retraining_required else "",
            )
            for version in versions[:SHOWN]
        ],
        more_url=reverse("qms:documents_to_read"),
        empty=_("You have read every document in force."),
        tone="warn",
    )


def documents_awaiting_queue(user: Any) -> Queue:
    """Versions waiting for the user's review or approval signature, and documents overdue
    for their periodic review (for QA)."""
    waiting = documents_awaiting(user)
    rows = [
        QueueRow(
            label=version.label,
            url=reverse("qms:documents_detail", args=[version.document_id])
            + f"?version={version.number}#steps",
            detail=version.document.title,
            badge=gettext("To approve") if version.review_signature_id else gettext("To review"),
            badge_class=WAIT,
        )
        for version in waiting
    ]
    if Perm.QMS_MANAGE in permissions_of(user) and user.institution_id:
        rows += [
            QueueRow(
                label=version.label,
                url=reverse("qms:documents_detail", args=[version.document_id]) + "#steps",
                detail=gettext("Periodic review was due %(day)s")
                % {"day": f"{version.review_due:%Y-%m-%d}"},
                badge=gettext("Review overdue"),
                badge_class=BAD,
            )
            for version in reviews_overdue(user.institution_id, today=timezone.localdate())
        ]
    return Queue(
        count=len(rows),
        rows=rows[:SHOWN],
        more_url=reverse("qms:documents_list"),
        empty=_("No document waits for your signature."),
        tone="warn",
    )


register_panel(
    Panel(
        "qms-documents-to-read",
        _("Documents to read"),
        (Perm.QMS_VIEW,),
        documents_to_read_queue,
        40,
        when=lambda user: bool(user.institution_id),
    ),
    Panel(
        "qms-documents-awaiting",
        _("Documents awaiting review or approval"),
        (Perm.QMS_DOCUMENTS, Perm.QMS_MANAGE),
        documents_awaiting_queue,
        35,
    ),
)
