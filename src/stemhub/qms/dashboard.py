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

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from stemhub.accounts.models import ApiToken
from stemhub.accounts.permissions import Perm, permissions_of
from stemhub.audit.models import AuditEvent
from stemhub.biobank.models import CellBank, Container, CustodyEvent, Vial
from stemhub.cordblood.models import Unit
from stemhub.distribution.models import DistributionRequest, RequestStatus, Shipment
from stemhub.equipment.models import Equipment, EquipmentStatus, Excursion
from stemhub.qms.capa_selectors import overdue_capas
from stemhub.qms.clauses import clause
from stemhub.qms.models import (
    ActionKind,
    Audit,
    AuditKind,
    AuditStatus,
    Authorisation,
    Capa,
    CapaAction,
    CapaStatus,
    Complaint,
    ComplaintStatus,
    ControlledDocument,
    ControlRun,
    DocumentKind,
    DocumentVersion,
    Grade,
    ManagementReview,
    ProficiencyRound,
    Task,
    TaskProcedure,
    VersionStatus,
)
from stemhub.quality.models import Certificate, Nonconformity, QcTest
from stemhub.quality.selectors import released_banks
from stemhub.registry.models import CellLine

Label = str | Promise
SOON = datetime.timedelta(days=30)
YEAR = datetime.timedelta(days=365)


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
    """A clause (its title comes from `qms.clauses`), its evidence pages and its state."""

    clause: str
    evidence: tuple[Evidence, ...]
    state: Callable[[int, datetime.date], ClauseState]

    @property
    def title(self) -> str:
        found = clause(self.clause)
        return found.title if found else self.clause


@dataclass(frozen=True)
class ClauseRow:
    clause: str
    title: Label
    state: ClauseState
    links: list[tuple[Label, str]]


def _tone(bad: int, warn: int = 0) -> str:
    return "bad" if bad else "warn" if warn else "good"


def personnel(institution_id: int, today: datetime.date) -> ClauseState:
    held = Authorisation.objects.filter(
        user__institution_id=institution_id, revoked_at__isnull=True, user__is_active=True
    )
    active = held.filter(valid_from__lte=today, expires_on__gte=today)
    expiring = active.filter(expires_on__lt=today + SOON).count()
    # Lapsed: expired in the last year and not renewed (no authorisation in force for the
    # same person and task).
    renewed = active.filter(user_id=OuterRef("user_id"), task=OuterRef("task"))
    lapsed = (
        held.filter(expires_on__lt=today, expires_on__gte=today - YEAR)
        .exclude(Exists(renewed))
        .values("user_id", "task")
        .distinct()
        .count()
    )
    governed = TaskProcedure.objects.filter(institution_id=institution_id).count()
    summary = _(
        "Authorisations in force: %(active)s, expiring within 30 days: %(expiring)s, lapsed "
        "without renewal: %(lapsed)s; regulated tasks governed by a procedure: %(governed)s of "
        "%(tasks)s"
    ) % {
        "active": active.count(),
        "expiring": expiring,
        "lapsed": lapsed,
        "governed": governed,
        "tasks": len(Task),
    }
    return ClauseState(summary, _tone(lapsed, expiring + len(Task) - governed))


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
    # As the home page's card counts them: past the CAPA's date or with an action past its own.
    overdue = overdue_capas(capas, today).count()
    closed = capas.filter(
        status=CapaStatus.CLOSED, closed_at__date__gte=today - datetime.timedelta(days=365)
    ).count()
    summary = _(
        "CAPAs open: %(open)s, overdue: %(overdue)s; closed in the last 12 months: %(closed)s"
    ) % {"open": open_capas.count(), "overdue": overdue, "closed": closed}
    return ClauseState(summary, _tone(overdue, open_capas.count()))


def impartiality(institution_id: int, today: datetime.date) -> ClauseState:
    changes = AuditEvent.objects.filter(
        institution_id=institution_id, model="accounts.rolegrant", at__date__gte=today - YEAR
    ).count()
    summary = _(
        "Who may do what is set by roles; role changes in the last 12 months: %(n)s, each in "
        "the audit trail with who made it"
    ) % {"n": changes}
    return ClauseState(summary)


def confidentiality(institution_id: int, today: datetime.date) -> ClauseState:
    tokens = ApiToken.objects.filter(
        user__institution_id=institution_id, revoked_at__isnull=True
    ).count()
    summary = _(
        "Records are shown only to the institution's staff; API tokens in use: %(tokens)s"
    ) % {"tokens": tokens}
    return ClauseState(summary)


def collection(institution_id: int, today: datetime.date) -> ClauseState:
    lines = CellLine.objects.filter(institution_id=institution_id)
    summary = _(
        "Cell lines registered: %(lines)s, with a donor record: %(donors)s; cord blood units "
        "held: %(units)s"
    ) % {
        "lines": lines.count(),
        "donors": lines.filter(donor__isnull=False).count(),
        "units": Unit.objects.filter(bank_id=institution_id).count(),
    }
    return ClauseState(summary)


def transport(institution_id: int, today: datetime.date) -> ClauseState:
    shipped = Shipment.objects.filter(
        request__provider_id=institution_id, shipped_on__gte=today - YEAR
    )
    summary = _(
        "Shipments in the last 12 months: %(shipped)s, with a temperature logger: %(logged)s"
    ) % {"shipped": shipped.count(), "logged": shipped.exclude(temperature_logger="").count()}
    return ClauseState(summary)


def preparation(institution_id: int, today: datetime.date) -> ClauseState:
    banks = CellBank.objects.filter(institution_id=institution_id)
    summary = _("Cell banks frozen in the last 12 months: %(recent)s of %(banks)s") % {
        "recent": banks.filter(freeze_date__gte=today - YEAR).count(),
        "banks": banks.count(),
    }
    return ClauseState(summary)


def storage(institution_id: int, today: datetime.date) -> ClauseState:
    summary = _("Storage units and boxes: %(containers)s; vials in place: %(vials)s") % {
        "containers": Container.objects.filter(institution_id=institution_id).count(),
        "vials": Vial.objects.filter(
            bank__institution_id=institution_id, container__isnull=False
        ).count(),
    }
    return ClauseState(summary)


def quality_control(institution_id: int, today: datetime.date) -> ClauseState:
    banks = CellBank.objects.filter(institution_id=institution_id)
    runs = ControlRun.objects.filter(
        material__institution_id=institution_id, run_at__date__gte=today - SOON
    )
    rejected = runs.filter(accepted=False).count()
    rounds = ProficiencyRound.objects.filter(
        scheme__institution_id=institution_id, received_on__gte=today - YEAR
    )
    failed = rounds.filter(grade=Grade.UNSATISFACTORY).count()
    summary = _(
        "Cell banks released under a signed QC record: %(released)s of %(banks)s; control runs "
        "in the last 30 days: %(runs)s, rejected: %(rejected)s; proficiency rounds in the last "
        "12 months: %(rounds)s, unsatisfactory: %(failed)s"
    ) % {
        "released": released_banks().filter(institution_id=institution_id).count(),
        "banks": banks.count(),
        "runs": runs.count(),
        "rejected": rejected,
        "rounds": rounds.count(),
        "failed": failed,
    }
    return ClauseState(summary, _tone(0, rejected + failed))


def methods(institution_id: int, today: datetime.date) -> ClauseState:
    summary = _(
        "QC tests with a specification in force: %(tests)s; specifications revised in the last "
        "12 months: %(changed)s, each with its reason"
    ) % {
        "tests": QcTest.objects.filter(current=True).count(),
        "changed": QcTest.objects.filter(created_at__date__gte=today - YEAR, version__gt=1).count(),
    }
    return ClauseState(summary)


def reports(institution_id: int, today: datetime.date) -> ClauseState:
    issued = Certificate.objects.filter(
        release__bank__institution_id=institution_id, issued_at__date__gte=today - YEAR
    ).count()
    summary = _(
        "Certificates of analysis issued in the last 12 months: %(n)s, each verifiable by its "
        "QR code"
    ) % {"n": issued}
    return ClauseState(summary)


def complaints(institution_id: int, today: datetime.date) -> ClauseState:
    received = Complaint.objects.filter(institution_id=institution_id)
    open_ones = received.exclude(status=ComplaintStatus.CLOSED)
    stale = open_ones.filter(received_on__lt=today - SOON).count()
    summary = _(
        "Complaints received in the last 12 months: %(year)s; open: %(open)s, of them received "
        "more than 30 days ago: %(stale)s"
    ) % {
        "year": received.filter(received_on__gte=today - YEAR).count(),
        "open": open_ones.count(),
        "stale": stale,
    }
    return ClauseState(summary, _tone(stale, open_ones.count()))


def documentation(institution_id: int, today: datetime.date) -> ClauseState:
    manual = (
        DocumentVersion.objects.filter(
            document__institution_id=institution_id,
            document__kind=DocumentKind.MANUAL,
            status=VersionStatus.EFFECTIVE,
        )
        .select_related("document")
        .first()
    )
    if manual is None:
        return ClauseState(_("No quality manual is in force"), "bad")
    return ClauseState(_("Quality manual in force: %(version)s") % {"version": manual.label})


def improvement(institution_id: int, today: datetime.date) -> ClauseState:
    preventive = CapaAction.objects.filter(
        capa__institution_id=institution_id,
        kind=ActionKind.PREVENTIVE,
        done_at__date__gte=today - YEAR,
    ).count()
    summary = _("Preventive actions completed in the last 12 months: %(n)s") % {"n": preventive}
    return ClauseState(summary)


def internal_audits(institution_id: int, today: datetime.date) -> ClauseState:
    audits = Audit.objects.filter(institution_id=institution_id, kind=AuditKind.INTERNAL)
    done = audits.filter(ended_on__gte=today - YEAR).count()
    late = audits.filter(status=AuditStatus.PLANNED, planned_on__lt=today).count()
    summary = _(
        "Internal audits done in the last 12 months: %(done)s; planned but not started by "
        "their date: %(late)s"
    ) % {"done": done, "late": late}
    return ClauseState(summary, _tone(late + (0 if done else 1)))


def management_review(institution_id: int, today: datetime.date) -> ClauseState:
    last = ManagementReview.objects.filter(institution_id=institution_id).order_by("-held_on")
    latest = last.first()
    if latest is None:
        return ClauseState(_("No management review recorded"), "bad")
    overdue = latest.held_on < today - datetime.timedelta(days=395)
    summary = _("Last management review held on %(day)s") % {"day": f"{latest.held_on:%Y-%m-%d}"}
    return ClauseState(summary, _tone(int(overdue)))


def not_covered(institution_id: int, today: datetime.date) -> ClauseState:
    return ClauseState(_("Not covered by the platform: kept outside it"), "none")


VIEW = Perm.QMS_VIEW
STOCK = Perm.INVENTORY_VIEW
AUDIT_TRAIL = Evidence(gettext_lazy("Audit trail"), "audit:index", (Perm.AUDIT_VIEW,))
BANKS = Evidence(gettext_lazy("Cell banks"), "biobank:banks", (Perm.INVENTORY_VIEW,))
QC_CATALOGUE = Evidence(gettext_lazy("QC catalogue"), "quality:catalogue", (Perm.INVENTORY_VIEW,))
REQUESTS = Evidence(
    gettext_lazy("Distribution requests"),
    "distribution:requests",
    (Perm.DISTRIBUTION_REVIEW, Perm.DISTRIBUTION_SHIP),
)
CAPAS = Evidence(gettext_lazy("CAPA"), "qms:capa_list", (Perm.QMS_VIEW,))
DOCUMENTS = Evidence(gettext_lazy("Controlled documents"), "qms:documents_list", (Perm.QMS_VIEW,))

CLAUSE_MAP: tuple[ClauseEntry, ...] = (
    ClauseEntry("4.2", (AUDIT_TRAIL,), impartiality),
    ClauseEntry("4.3", (AUDIT_TRAIL,), confidentiality),
    ClauseEntry(
        "6.2",
        (
            Evidence(
                gettext_lazy("Training matrix"),
                "qms:competence_matrix",
                (Perm.QMS_TRAIN, Perm.QMS_MANAGE),
            ),
            Evidence(gettext_lazy("My training"), "qms:competence_mine", (VIEW,)),
            Evidence(
                gettext_lazy("Tasks and governing documents"), "qms:competence_tasks", (VIEW,)
            ),
        ),
        personnel,
    ),
    ClauseEntry(
        "6.3",
        (Evidence(gettext_lazy("Temperature excursions"), "quality:excursions", (STOCK,)),),
        facilities,
    ),
    ClauseEntry("6.4", (), not_covered),
    ClauseEntry(
        "6.5",
        (Evidence(gettext_lazy("Equipment register"), "equipment:list", (STOCK,)),),
        equipment,
    ),
    ClauseEntry(
        "7.2",
        (Evidence(gettext_lazy("Cell lines"), "registry:staff_lines", (Perm.VIEW_INTERNAL,)),),
        collection,
    ),
    ClauseEntry(
        "7.3",
        (REQUESTS,),
        distribution,
    ),
    ClauseEntry(
        "7.4",
        (REQUESTS,),
        transport,
    ),
    ClauseEntry("7.5", (BANKS,), traceability),
    ClauseEntry("7.6", (BANKS,), preparation),
    ClauseEntry("7.7", (Evidence(gettext_lazy("Storage"), "biobank:storage", (STOCK,)),), storage),
    ClauseEntry(
        "7.8",
        (
            QC_CATALOGUE,
            Evidence(gettext_lazy("Internal QC"), "qms:iqc_overview", (VIEW,)),
            Evidence(gettext_lazy("Proficiency testing"), "qms:pt_list", (VIEW,)),
        ),
        quality_control,
    ),
    ClauseEntry("7.9", (QC_CATALOGUE,), methods),
    ClauseEntry("7.10", (AUDIT_TRAIL,), records),
    ClauseEntry(
        "7.11",
        (Evidence(gettext_lazy("Nonconformities"), "quality:nonconformities", (STOCK,)),),
        nonconforming_output,
    ),
    ClauseEntry("7.12", (BANKS,), reports),
    ClauseEntry(
        "7.13", (Evidence(gettext_lazy("Complaints"), "qms:complaint_list", (VIEW,)),), complaints
    ),
    ClauseEntry(
        "8.2",
        (DOCUMENTS,),
        documentation,
    ),
    ClauseEntry(
        "8.3",
        (
            DOCUMENTS,
            Evidence(gettext_lazy("Documents to read"), "qms:documents_to_read", (VIEW,)),
        ),
        documents,
    ),
    ClauseEntry("8.4", (AUDIT_TRAIL,), records),
    ClauseEntry("8.5", (), not_covered),
    ClauseEntry("8.6", (CAPAS,), improvement),
    ClauseEntry("8.7", (CAPAS,), corrective_action),
    ClauseEntry(
        "8.8",
        (Evidence(gettext_lazy("Audit programme"), "qms:audits_programme", (VIEW,)),),
        internal_audits,
    ),
    ClauseEntry(
        "8.9",
        (Evidence(gettext_lazy("Management reviews"), "qms:audits_reviews", (VIEW,)),),
        management_review,
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
