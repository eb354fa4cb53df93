"""The QA dashboard: each clause of ISO 20387:2018 that the platform evidences, the pages that
hold the evidence, and the live state of the records behind it, for one institution.

`CLAUSE_MAP` is the one statement of which clause is evidenced where; `docs/qms.md` prints the
same map for an assessor. A clause's `state` reads the records and answers in one sentence with
numbers and a tone ("bad" when something is overdue or open past its date, "warn" when something
needs attention soon).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from stemhub.accounts.permissions import Perm, permissions_of
from stemhub.audit.models import AuditEvent
from stemhub.biobank.models import CellBank, CustodyEvent, Vial
from stemhub.distribution.models import DistributionRequest, RequestStatus
from stemhub.equipment.models import Equipment, EquipmentStatus, Excursion
from stemhub.qms.models import (
    Authorisation,
    Capa,
    CapaStatus,
    ControlledDocument,
    DocumentVersion,
    Task,
    TaskProcedure,
    VersionStatus,
)
from stemhub.quality.models import Nonconformity
from stemhub.quality.selectors import released_banks

Label = str | Promise
SOON = datetime.timedelta(days=30)


@dataclass(frozen=True)
class ClauseState:
    summary: str
    tone: str = "good"  # good, warn or bad


@dataclass(frozen=True)
class Evidence:
    """A page that evidences a clause, and who may open it."""

    label: Label
    url_name: str
    perms: tuple[Perm, ...]


@dataclass(frozen=True)
class ClauseEntry:
    clause: str
    title: Label
    evidence: tuple[Evidence, ...]
    state: Callable[[int, datetime.date], ClauseState]


@dataclass(frozen=True)
class ClauseRow:
    clause: str
    title: Label
    state: ClauseState
    links: list[tuple[Label, str]]


def _tone(bad: int, warn: int = 0) -> str:
    return "bad" if bad else "warn" if warn else "good"


def personnel(institution_id: int, today: datetime.date) -> ClauseState:

    active = Authorisation.objects.filter(
        user__institution_id=institution_id,
        revoked_at__isnull=True,
        valid_from__lte=today,
        expires_on__gte=today,
    )
    expiring = active.filter(expires_on__lt=today + SOON).count()
    governed = TaskProcedure.objects.filter(institution_id=institution_id).count()
    ungoverned = len(Task) - governed
    summary = _(
        "Authorisations in force: %(active)s, expiring within 30 days: %(expiring)s; "
        "regulated tasks governed by a procedure: %(governed)s of %(tasks)s"
    ) % {"active": active.count(), "expiring": expiring, "governed": governed, "tasks": len(Task)}
    return ClauseState(summary, _tone(0, expiring + ungoverned))


def facilities(institution_id: int, today: datetime.date) -> ClauseState:

    awaiting = Excursion.objects.filter(
        equipment__institution_id=institution_id, review__isnull=True
    ).count()
    summary = ngettext(
        "%(n)s temperature excursion awaits QA's decision",
        "%(n)s temperature excursions await QA's decision",
        awaiting,
    ) % {"n": awaiting}
    return ClauseState(summary, _tone(awaiting))


def equipment(institution_id: int, today: datetime.date) -> ClauseState:

    units = Equipment.objects.filter(institution_id=institution_id)
    quarantined = units.filter(status=EquipmentStatus.QUARANTINED).count()
    overdue = units.filter(
        status=EquipmentStatus.IN_SERVICE,
        calibration_required=True,
        next_calibration_due__lt=today,
    ).count()
    summary = _(
        "Units registered: %(units)s; quarantined: %(quarantined)s; calibration overdue: "
        "%(overdue)s"
    ) % {"units": units.count(), "quarantined": quarantined, "overdue": overdue}
    return ClauseState(summary, _tone(quarantined + overdue))


def distribution(institution_id: int, today: datetime.date) -> ClauseState:

    requests = DistributionRequest.objects.filter(provider_id=institution_id)
    waiting = requests.filter(status=RequestStatus.SUBMITTED).count()
    shipped = requests.filter(
        events__to_status=RequestStatus.SHIPPED,
        events__at__date__gte=today - datetime.timedelta(days=365),
    ).distinct()
    summary = _(
        "Requests awaiting review: %(waiting)s; shipped in the last 12 months: %(shipped)s"
    ) % {
        "waiting": waiting,
        "shipped": shipped.count(),
    }
    return ClauseState(summary, _tone(0, waiting))


def traceability(institution_id: int, today: datetime.date) -> ClauseState:

    vials = Vial.objects.filter(bank__institution_id=institution_id).count()
    events = CustodyEvent.objects.filter(
        vial__bank__institution_id=institution_id,
        at__date__gte=today - datetime.timedelta(days=30),
    ).count()
    summary = _(
        "Vials tracked: %(vials)s; custody events in the last 30 days: %(events)s, each with "
        "who, when, where from and where to"
    ) % {"vials": vials, "events": events}
    return ClauseState(summary)


def quality_control(institution_id: int, today: datetime.date) -> ClauseState:

    banks = CellBank.objects.filter(institution_id=institution_id)
    released = released_banks().filter(institution_id=institution_id).count()
    summary = _("Cell banks released under a signed QC record: %(released)s of %(banks)s") % {
        "released": released,
        "banks": banks.count(),
    }
    return ClauseState(summary)


def nonconforming_output(institution_id: int, today: datetime.date) -> ClauseState:

    open_ncs = Nonconformity.objects.filter(
        bank__institution_id=institution_id, status=Nonconformity.Status.OPEN
    )
    stale = open_ncs.filter(opened_at__date__lt=today - SOON).count()
    summary = _("Nonconformities open: %(open)s, of them open for more than 30 days: %(stale)s") % {
        "open": open_ncs.count(),
        "stale": stale,
    }
    return ClauseState(summary, _tone(stale, open_ncs.count()))


def documents(institution_id: int, today: datetime.date) -> ClauseState:

    docs = ControlledDocument.objects.filter(institution_id=institution_id)
    versions = DocumentVersion.objects.filter(document__institution_id=institution_id)
    effective = versions.filter(status=VersionStatus.EFFECTIVE)
    overdue = effective.filter(review_due__lt=today).count()
    pending = versions.filter(status=VersionStatus.IN_REVIEW).count()
    summary = _(
        "Controlled documents: %(docs)s, in force: %(effective)s; periodic reviews overdue: "
        "%(overdue)s; versions in review: %(pending)s"
    ) % {
        "docs": docs.count(),
        "effective": effective.count(),
        "overdue": overdue,
        "pending": pending,
    }
    return ClauseState(summary, _tone(overdue, pending))


def records(institution_id: int, today: datetime.date) -> ClauseState:

    month = AuditEvent.objects.filter(
        institution_id=institution_id, at__date__gte=today - SOON
    ).count()
    summary = _(
        "Every change to a regulated record is in the audit trail (%(n)s entries in the last "
        "30 days); history rows cannot be changed or deleted"
    ) % {"n": month}
    return ClauseState(summary)


def corrective_action(institution_id: int, today: datetime.date) -> ClauseState:

    capas = Capa.objects.filter(institution_id=institution_id)
    open_capas = capas.filter(~Q(status=CapaStatus.CLOSED))
    overdue = open_capas.filter(due_on__lt=today).count()
    closed = capas.filter(
        status=CapaStatus.CLOSED, closed_at__date__gte=today - datetime.timedelta(days=365)
    ).count()
    summary = _(
        "CAPAs open: %(open)s, overdue: %(overdue)s; closed in the last 12 months: %(closed)s"
    ) % {"open": open_capas.count(), "overdue": overdue, "closed": closed}
    return ClauseState(summary, _tone(overdue, open_capas.count()))


CLAUSE_MAP: tuple[ClauseEntry, ...] = (
    ClauseEntry(
        "6.2",
        gettext_lazy("Personnel: competence, training and authorisation"),
        (),
        personnel,
    ),
    ClauseEntry(
        "6.3",
        gettext_lazy("Facilities and environmental conditions"),
        (
            Evidence(
                gettext_lazy("Temperature excursions"), "quality:excursions", (Perm.INVENTORY_VIEW,)
            ),
        ),
        facilities,
    ),
    ClauseEntry(
        "6.5",
        gettext_lazy("Equipment: calibration, maintenance and status"),
        (Evidence(gettext_lazy("Equipment register"), "equipment:list", (Perm.INVENTORY_VIEW,)),),
        equipment,
    ),
    ClauseEntry(
        "7.3",
        gettext_lazy("Reception and distribution of material and data"),
        (
            Evidence(
                gettext_lazy("Distribution requests"),
                "distribution:requests",
                (Perm.DISTRIBUTION_REVIEW, Perm.DISTRIBUTION_SHIP),
            ),
        ),
        distribution,
    ),
    ClauseEntry(
        "7.5",
        gettext_lazy("Traceability of material and data"),
        (Evidence(gettext_lazy("Cell banks"), "biobank:banks", (Perm.INVENTORY_VIEW,)),),
        traceability,
    ),
    ClauseEntry(
        "7.8",
        gettext_lazy("Quality control of material and data"),
        (Evidence(gettext_lazy("QC catalogue"), "quality:catalogue", (Perm.INVENTORY_VIEW,)),),
        quality_control,
    ),
    ClauseEntry(
        "7.11",
        gettext_lazy("Nonconforming output"),
        (
            Evidence(
                gettext_lazy("Nonconformities"), "quality:nonconformities", (Perm.INVENTORY_VIEW,)
            ),
        ),
        nonconforming_output,
    ),
    ClauseEntry(
        "8.3",
        gettext_lazy("Control of management system documents"),
        (),
        documents,
    ),
    ClauseEntry(
        "8.4",
        gettext_lazy("Control of records"),
        (Evidence(gettext_lazy("Audit trail"), "audit:index", (Perm.AUDIT_VIEW,)),),
        records,
    ),
    ClauseEntry(
        "8.7",
        gettext_lazy("Nonconformities and corrective actions"),
        (),
        corrective_action,
    ),
)


def clause_rows(
    user: Any, institution_id: int, *, today: datetime.date | None = None
) -> list[ClauseRow]:
    """Every mapped clause with its live state and the evidence pages this user may open."""
    today = today or timezone.localdate()
    held = permissions_of(user)
    return [
        ClauseRow(
            clause=entry.clause,
            title=entry.title,
            state=entry.state(institution_id, today),
            links=[
                (evidence.label, reverse(evidence.url_name))
                for evidence in entry.evidence
                if set(evidence.perms) & held
            ],
        )
        for entry in CLAUSE_MAP
    ]
