"""The quality system's menu entries and home-page queues."""

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.permissions import Perm, is_platform_admin
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
from stemhub.qms.iqc import effective_runs
from stemhub.qms.models import ControlRun, ProficiencyRound

register_section(Section("qms", _("Quality system"), 33))
register_menu(
    MenuItem("qms", _("Overview"), "qms:home", (Perm.QMS_VIEW,), 10),
)


# --- internal QC and proficiency testing: rejected runs of the last 7 days, PT results due ---

SHOWN = 6
RECENT_DAYS = 7
DUE_WITHIN_DAYS = 14
BAD, SOON = "availability-withdrawn", "status-returned"

register_menu(
    MenuItem("qms", _("Internal QC"), "qms:iqc_overview", (Perm.QMS_VIEW,), 40),
    MenuItem("qms", _("Proficiency testing"), "qms:pt_list", (Perm.QMS_VIEW,), 41),
)


def _mine(user: Any, rows: Any, path: str) -> Any:
    if is_platform_admin(user):
        return rows
    return rows.filter(**{path: user.institution_id or 0})


def iqc_queue(user: Any) -> Queue:
    """Control runs rejected in the last 7 days (newest first), then proficiency results due
    within 14 days or overdue (soonest first)."""
    today = timezone.localdate()
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    rejected: list[ControlRun] = list(
        _mine(
            user,
            effective_runs().filter(accepted=False, run_at__gte=since),
            "material__institution_id",
        )
        .select_related("material")
        .order_by("-run_at")
    )
    due = list(
        _mine(
            user,
            ProficiencyRound.objects.filter(
                result__isnull=True, due_on__lte=today + datetime.timedelta(days=DUE_WITHIN_DAYS)
            ),
            "scheme__institution_id",
        )
        .select_related("scheme")
        .order_by("due_on")
    )
    rows = [
        QueueRow(
            label=f"{run.material.name} L{run.material.level}",
            url=reverse("qms:iqc_material", args=[run.material_id]) + f"#run-{run.pk}",
            detail=gettext("%(when)s: %(rules)s")
            % {
                "when": f"{timezone.localtime(run.run_at):%Y-%m-%d %H:%M}",
                "rules": ", ".join(run.rules_violated),
            },
            badge=gettext("Rejected"),
            badge_class=BAD,
        )
        for run in rejected
    ] + [
        QueueRow(
            label=f"{r.scheme.provider} {r.round_code}",
            url=reverse("qms:pt_list") + f"#result-{r.pk}",
            detail=gettext("Result due %(day)s") % {"day": f"{r.due_on:%Y-%m-%d}"},
            badge=gettext("Overdue") if r.due_on < today else gettext("Due soon"),
            badge_class=BAD if r.due_on < today else SOON,
        )
        for r in due
    ]
    return Queue(
        count=len(rows),
        rows=rows[:SHOWN],
        more_url=reverse("qms:iqc_overview"),
        empty=_("No control run rejected in the last 7 days and no proficiency result due."),
        tone="bad" if rejected or any(r.due_on < today for r in due) else "warn",
    )


register_panel(
    Panel(
        "qms-iqc",
        _("Internal QC and proficiency testing"),
        (Perm.QMS_RECORD, Perm.QMS_MANAGE),
        iqc_queue,
        45,
    ),
)
