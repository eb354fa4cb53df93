"""The quality system's menu entries and home-page queues."""

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.permissions import Perm, is_platform_admin, permissions_of
from stemhub.core.navigation import (
    ANYONE,
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
from stemhub.qms.capa_selectors import (
    actions_waiting_for,
    capas_waiting_for,
    overdue_capas,
    visible_capas,
)
from stemhub.qms.competence_matrix import matrix_for
from stemhub.qms.documents import document_versions_bring_into_force
from stemhub.qms.documents_selectors import (
    documents_awaiting,
    documents_to_read,
    drafts_waiting_for,
    reviews_overdue,
)
from stemhub.qms.iqc import effective_runs
from stemhub.qms.models import Capa, CapaAction, CapaStatus, ControlRun, ProficiencyRound

SHOWN = 6
# Badge classes of the shared stylesheet (the home page loads no app's CSS).
BAD, SOON = "availability-withdrawn", "status-returned"
# An action (or a CAPA waiting for its owner) due within this many days is "due soon".
CAPA_SOON_DAYS = 14

register_section(Section("qms", _("Quality system"), 33))
register_menu(
    MenuItem("qms", _("QA dashboard"), "qms:home", (Perm.QMS_VIEW,), 10),
    MenuItem("qms", _("CAPA"), "qms:capa_list", (Perm.QMS_VIEW,), 50),
    MenuItem("qms", _("Complaints"), "qms:complaint_list", (Perm.QMS_VIEW,), 55),
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
    # Where an outsider finds the complaint form (also in every page's footer).
    MenuItem("catalogue", _("Feedback and complaints"), "qms_public:complaint_form", ANYONE, 90),
)


def _capa_next_step(capa: Capa) -> tuple[str, str]:
    """What the owner does next on their CAPA, in words, and the part of its page for it."""
    day = f"{capa.due_on:%Y-%m-%d}"
    if capa.status == CapaStatus.OPEN:
        return (
            gettext("Open: record the investigation, due %(day)s") % {"day": day},
            "investigation",
        )
    if capa.status == CapaStatus.INVESTIGATION:
        return (
            gettext("Investigation: find the root cause and add actions, due %(day)s")
            % {"day": day},
            "investigation",
        )
    if capa.status == CapaStatus.ACTIONS:
        return (
            gettext("Every action done: plan the effectiveness check, due %(day)s") % {"day": day},
            "effectiveness",
        )
    check = capa.effectiveness_due_on or capa.due_on
    return (
        gettext("Awaiting the effectiveness check of %(day)s") % {"day": f"{check:%Y-%m-%d}"},
        "effectiveness",
    )


def my_capa_work(user: Any) -> Queue:
    """The CAPAs the user owns that wait for them (to investigate, to plan the effectiveness
    check, awaiting it) and the actions not done that the user owns or that belong to a CAPA
    the user owns, overdue or due within 14 days; soonest due first, each linked."""
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=CAPA_SOON_DAYS)
    work: list[tuple[datetime.date, int, QueueRow]] = []
    for capa in capas_waiting_for(user):
        detail, part = _capa_next_step(capa)
        late = capa.due_on < today
        badge = (
            gettext("Overdue") if late else gettext("Due soon") if capa.due_on <= horizon else ""
        )
        work.append(
            (
                capa.due_on,
                0,
                QueueRow(
                    label=f"{capa.number} · {Truncator(capa.display_title).chars(70)}",
                    url=reverse("qms:capa_detail", args=[capa.pk]) + f"#{part}",
                    detail=detail,
                    badge=badge,
                    badge_class=BAD if late else SOON if badge else "",
                ),
            )
        )
    for action in actions_waiting_for(user, today, CAPA_SOON_DAYS):
        work.append(
            (
                action.due_on,
                1,
                QueueRow(
                    label=f"{action.capa.number} · {Truncator(action.description).chars(70)}",
                    url=reverse("qms:capa_detail", args=[action.capa_id]) + f"#action-{action.pk}",
                    detail=gettext("Action due %(day)s, owner %(who)s")
                    % {"day": f"{action.due_on:%Y-%m-%d}", "who": action.owner.display_name},
                    badge=gettext("Overdue") if action.due_on < today else gettext("Due soon"),
                    badge_class=BAD if action.due_on < today else SOON,
                ),
            )
        )
    work.sort(key=lambda item: (item[0], item[1]))
    return Queue(
        count=len(work),
        rows=[row for _day, _kind, row in work[:SHOWN]],
        more_url=reverse("qms:capa_list") + f"?owner={user.pk}&status=open",
        empty=_(
            "No CAPA of yours waits for you and no action is due in the next 14 days. "
            "The CAPA list shows all of yours."
        ),
        tone="bad" if any(due < today for due, _kind, _row in work) else "warn",
    )


def capas_overdue(user: Any) -> Queue:
    """For QA: open CAPAs past their due date or with an action past its due date, most
    overdue first."""
    today = timezone.localdate()
    late = list(overdue_capas(visible_capas(user), today).order_by("due_on", "pk"))
    rows = [
        QueueRow(
            label=f"{capa.number} · {Truncator(capa.display_title).chars(70)}",
            url=reverse("qms:capa_detail", args=[capa.pk]),
            detail=gettext("%(status)s, owner %(who)s, due %(day)s")
            % {
                "status": capa.get_status_display(),
                "who": capa.owner.display_name,
                "day": f"{capa.due_on:%Y-%m-%d}",
            },
            badge=gettext("Overdue") if capa.due_on < today else gettext("Action overdue"),
            badge_class=BAD,
        )
        for capa in late[:SHOWN]
    ]
    return Queue(
        count=len(late),
        rows=rows,
        more_url=reverse("qms:capa_list") + "?overdue=1",
        empty=_("No CAPA is overdue."),
        tone="bad",
    )


def _has_capa_work(user: Any) -> bool:
    """Owns a CAPA not closed or an action not done of one: the queue is theirs to watch."""
    return (
        Capa.objects.exclude(status=CapaStatus.CLOSED)
        .filter(
            Q(owner_id=user.pk)
            | Exists(
                CapaAction.objects.filter(
                    capa=OuterRef("pk"), owner_id=user.pk, done_at__isnull=True
                )
            )
        )
        .exists()
    )


register_panel(
    Panel(
        "qms-capa-actions",
        _("Your CAPAs and actions"),
        (Perm.QMS_VIEW,),
        my_capa_work,
        25,
        when=_has_capa_work,
    ),
    Panel("qms-capa-overdue", _("CAPAs overdue"), (Perm.QMS_MANAGE,), capas_overdue, 26),
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
                detail=version.document.display_title,
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
            detail=version.document.display_title,
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


def my_drafts_queue(user: Any) -> Queue:
    """The drafts the user started or whose document they own, waiting to be submitted for
    review: those returned from review first, with why."""
    waiting = drafts_waiting_for(user)
    rows = []
    for draft in waiting:
        version, returned = draft.version, draft.returned
        if returned is not None:
            detail = gettext("Returned %(day)s by %(who)s: %(reason)s") % {
                "day": f"{timezone.localtime(returned.at):%Y-%m-%d}",
                "who": returned.actor.display_name if returned.actor else returned.actor_label,
                "reason": Truncator(returned.reason).chars(90),
            }
        elif version.file_id is None:
            detail = gettext("%(title)s: attach the file, then submit it for review") % {
                "title": version.document.display_title
            }
        else:
            detail = gettext("%(title)s: submit it for review") % {
                "title": version.document.display_title
            }
        rows.append(
            QueueRow(
                label=version.label,
                url=reverse("qms:documents_detail", args=[version.document_id])
                + f"?version={version.number}#steps",
                detail=detail,
                badge=gettext("Returned") if returned is not None else gettext("To submit"),
                badge_class=SOON if returned is not None else WAIT,
            )
        )
    return Queue(
        count=len(rows),
        rows=rows[:SHOWN],
        more_url=reverse("qms:documents_list") + "?status=draft",
        empty=_(
            "No draft of yours waits to be submitted. To revise a document, open it and start "
            "a new version."
        ),
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
    Panel(
        "qms-documents-drafts",
        _("Your drafts to submit"),
        (Perm.QMS_DOCUMENTS, Perm.QMS_MANAGE),
        my_drafts_queue,
        36,
    ),
)


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


def _keeper(user: Any) -> bool:
    return bool({Perm.QMS_TRAIN, Perm.QMS_MANAGE} & permissions_of(user))


def _institution_matrix(user: Any) -> Any:
    """The user's institution's training matrix, built once for both panels of a page."""
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


# --- internal QC and proficiency testing: rejected runs of the last 7 days, PT results due ---

RECENT_DAYS = 7
DUE_WITHIN_DAYS = 14

register_menu(
    MenuItem("qms", _("Internal QC"), "qms:iqc_overview", (Perm.QMS_VIEW,), 56),
    MenuItem("qms", _("Proficiency testing"), "qms:pt_list", (Perm.QMS_VIEW,), 57),
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
