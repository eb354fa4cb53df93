"""The quality system's menu entries and home-page queues."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
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
from stemhub.qms.audit_selectors import audits_due, reports_awaiting_approval, visible_audits

register_section(Section("qms", _("Quality system"), 33))
register_menu(
    MenuItem("qms", _("Overview"), "qms:home", (Perm.QMS_VIEW,), 10),
    MenuItem(
        "qms",
        _("Audit programme"),
        "qms:audits_programme",
        (Perm.QMS_VIEW,),
        60,
        also=("qms:audits_new", "qms:audits_detail"),
    ),
    MenuItem(
        "qms",
        _("Management reviews"),
        "qms:audits_reviews",
        (Perm.QMS_VIEW,),
        65,
        also=("qms:audits_review_new", "qms:audits_review_detail"),
    ),
)

SHOWN = 6
# Badge classes of the shared stylesheet (the home page loads no app's CSS).
BAD, SOON = "availability-withdrawn", "status-returned"


def audits_queue(user: Any) -> Queue:
    """For QA: reports awaiting approval first, then audits due to start within 30 days (or
    overdue to start), soonest first; each opens the audit."""
    today = timezone.localdate()
    audits = visible_audits(user)
    awaiting = reports_awaiting_approval(audits)
    due = audits_due(audits, today=today)
    rows = [
        QueueRow(
            label=f"{audit.number} {audit.display_title}",
            url=reverse("qms:audits_detail", args=[audit.pk]) + "#report",
            detail=audit.get_kind_display(),
            badge=gettext("Report awaiting approval"),
            badge_class=SOON,
        )
        for audit in awaiting
    ] + [
        QueueRow(
            label=f"{audit.number} {audit.display_title}",
            url=reverse("qms:audits_detail", args=[audit.pk]),
            detail=gettext("%(kind)s planned for %(day)s")
            % {"kind": audit.get_kind_display(), "day": f"{audit.planned_on:%Y-%m-%d}"},
            badge=gettext("Overdue") if audit.planned_on < today else gettext("Due soon"),
            badge_class=BAD if audit.planned_on < today else SOON,
        )
        for audit in due
    ]
    return Queue(
        count=len(rows),
        rows=rows[:SHOWN],
        more_url=reverse("qms:audits_programme"),
        empty=_("No audit is due in the next 30 days and no report awaits approval."),
        tone="bad" if any(a.planned_on < today for a in due) else "warn",
    )


register_panel(
    Panel(
        "qms-audits", _("Audits due and reports to approve"), (Perm.QMS_MANAGE,), audits_queue, 40
    ),
)
