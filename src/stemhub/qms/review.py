"""Management review (ISO 20387 8.9): the inputs gathered from the platform's records for a
period, and the review recorded once, with those inputs frozen and its approval signed.

Inputs are gathered as of a day (`Period.today`: today for a draft, the day held for a review
being recorded): a record raised after that day is not counted, and "open" means not yet
closed on that day, so a review recorded days after it was held shows what it saw.

Each input is one small function registered as an `InputSource`: it counts from the records
and returns rows of plain numbers keyed by a code (a grade, a CAPA source, a month); the page
turns codes into words in the reader's language. Adding a source (complaints, proficiency
testing) is one more function and one more entry in `INPUT_SOURCES`; a snapshot recorded
before a source existed simply lacks it.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stemhub.accounts.models import Institution, User
from stemhub.accounts.permissions import Perm, require
from stemhub.audit.context import audit_context
from stemhub.core.errors import Conflict, InvalidInput, full_clean
from stemhub.equipment.models import Equipment, EquipmentStatus
from stemhub.qms.iqc import proficiency_inputs
from stemhub.qms.models import (
    Audit,
    AuditFinding,
    AuditKind,
    AuditStatus,
    Authorisation,
    Capa,
    CapaSource,
    CapaStatus,
    ComplainantKind,
    Complaint,
    ComplaintStatus,
    FindingGrade,
    Grade,
    ManagementReview,
)
from stemhub.qms.signing import signature_write, signing_password_check
from stemhub.quality.models import Nonconformity, Signature

EXPIRING_WITHIN_DAYS = 60
Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Period:
    institution_id: int
    start: datetime.date
    end: datetime.date
    # The day the inputs are gathered as of: nothing later is counted.
    today: datetime.date

    @property
    def until(self) -> tuple[datetime.date, datetime.date]:
        """The part of the period up to the day gathered (empty when that is before it)."""
        return self.start, min(self.end, self.today)


def _not_closed_on(day: datetime.date, closed: str) -> Q:
    """Not closed on `day`: still open now, or closed only after it."""
    return ~Q(status=closed) | Q(closed_at__date__gt=day)


@dataclass(frozen=True)
class InputSource:
    key: str
    title: Promise
    # (the row's value key, the column heading with its unit)
    columns: tuple[tuple[str, Promise], ...]
    gather: Callable[[Period], Rows]
    row_label: Callable[[str], str]
    note: Promise | str = ""


def _choice_label(choices: Any) -> Callable[[str], str]:
    labels = dict(choices.choices)
    return lambda code: str(labels.get(code, code))


def _audits(period: Period) -> Rows:
    audits = Audit.objects.filter(
        institution_id=period.institution_id, created_at__date__lte=period.today
    )
    rows = []
    for kind in AuditKind.values:
        of_kind = audits.filter(kind=kind)
        planned = of_kind.filter(planned_on__range=(period.start, period.end)).count()
        performed = of_kind.filter(
            ended_on__range=period.until, report_submitted_at__date__lte=period.today
        ).count()
        unclosed = of_kind.filter(
            (Q(planned_on__lte=period.end) | Q(started_on__lte=period.end))
            & _not_closed_on(period.today, AuditStatus.CLOSED)
        ).count()
        if planned or performed or unclosed:
            rows.append(
                {"row": kind, "planned": planned, "performed": performed, "unclosed": unclosed}
            )
    return rows


def _findings(period: Period) -> Rows:
    findings = AuditFinding.objects.filter(
        audit__institution_id=period.institution_id,
        recorded_at__date__range=period.until,
    )
    counted = findings.values("grade").annotate(
        total=Count("id"),
        with_capa=Count("id", filter=Q(capa__raised_at__date__lte=period.today)),
        capa_closed=Count(
            "id",
            filter=Q(capa__status=CapaStatus.CLOSED, capa__closed_at__date__lte=period.today),
        ),
    )
    none = {"total": 0, "with_capa": 0, "capa_closed": 0}
    by_grade: dict[str, dict[str, Any]] = {row["grade"]: dict(row) for row in counted}
    return [
        {
            "row": grade,
            "findings": by_grade.get(grade, none)["total"],
            "with_capa": by_grade.get(grade, none)["with_capa"],
            "capa_closed": by_grade.get(grade, none)["capa_closed"],
        }
        for grade in FindingGrade.values
    ]


def _capas(period: Period) -> Rows:
    capas = Capa.objects.filter(
        institution_id=period.institution_id, raised_at__date__lte=period.today
    )
    rows = []
    for source in CapaSource.values:
        of_source = capas.filter(source=source)
        raised = of_source.filter(raised_at__date__range=period.until).count()
        still_open = of_source.filter(_not_closed_on(period.today, CapaStatus.CLOSED))
        overdue = still_open.filter(due_on__lt=period.today).count()
        closed = of_source.filter(closed_at__date__range=period.until).count()
        open_now = still_open.count()
        if raised or open_now or closed:
            rows.append(
                {
                    "row": source,
                    "raised": raised,
                    "open": open_now,
                    "overdue": overdue,
                    "closed": closed,
                }
            )
    return rows


def _months(start: datetime.date, end: datetime.date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _nonconformities(period: Period) -> Rows:
    ncs = Nonconformity.objects.filter(bank__institution_id=period.institution_id)
    rows = []
    in_period = ncs.filter(opened_at__date__range=period.until)
    closed_in_period = ncs.filter(closed_at__date__range=period.until)
    opened: dict[str, int] = {}
    for when in in_period.values_list("opened_at", flat=True):
        key = f"{timezone.localtime(when):%Y-%m}"
        opened[key] = opened.get(key, 0) + 1
    closed: dict[str, int] = {}
    for closed_at in closed_in_period.values_list("closed_at", flat=True):
        if closed_at is None:
            continue
        key = f"{timezone.localtime(closed_at):%Y-%m}"
        closed[key] = closed.get(key, 0) + 1
    for month in _months(period.start, period.end):
        rows.append({"row": month, "opened": opened.get(month, 0), "closed": closed.get(month, 0)})
    return rows


def _equipment(period: Period) -> Rows:
    units = Equipment.objects.filter(institution_id=period.institution_id)
    overdue = units.filter(
        status=EquipmentStatus.IN_SERVICE,
        calibration_required=True,
        next_calibration_due__lt=period.today,
    ).count()
    rows = [
        {"row": status, "units": units.filter(status=status).count()}
        for status in EquipmentStatus.values
    ]
    return [*rows, {"row": "calibration_overdue", "units": overdue}]


def _training(period: Period) -> Rows:
    held = Authorisation.objects.filter(
        user__institution_id=period.institution_id, granted_at__date__lte=period.today
    )
    today, soon = period.today, period.today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
    unrevoked = held.filter(Q(revoked_at__isnull=True) | Q(revoked_at__date__gt=today))
    return [
        {
            "row": "in_force",
            "authorisations": unrevoked.filter(
                valid_from__lte=today, expires_on__gte=today
            ).count(),
        },
        {
            "row": "expiring",
            "authorisations": unrevoked.filter(expires_on__gte=today, expires_on__lte=soon).count(),
        },
        {
            "row": "expired_in_period",
            "authorisations": unrevoked.filter(expires_on__range=period.until).count(),
        },
        {
            "row": "revoked_in_period",
            "authorisations": held.filter(revoked_at__date__range=period.until).count(),
        },
    ]


TRAINING_ROWS: dict[str, Promise] = {
    "in_force": gettext_lazy("In force today"),
    "expiring": gettext_lazy("Expiring within 60 days"),
    "expired_in_period": gettext_lazy("Expired in the period, not revoked"),
    "revoked_in_period": gettext_lazy("Revoked in the period"),
}


def _equipment_row(code: str) -> str:
    if code == "calibration_overdue":
        return _("In service, calibration overdue")
    return _choice_label(EquipmentStatus)(code)


def _complaints(period: Period) -> Rows:
    complaints = Complaint.objects.filter(
        institution_id=period.institution_id, recorded_at__date__lte=period.today
    )
    rows = []
    for kind in ComplainantKind.values:
        of_kind = complaints.filter(complainant_kind=kind)
        received = of_kind.filter(received_on__range=period.until)
        rows.append(
            {
                "row": kind,
                "received": received.count(),
                "open": of_kind.filter(
                    _not_closed_on(period.today, ComplaintStatus.CLOSED)
                ).count(),
                "with_capa": received.filter(capa__raised_at__date__lte=period.today).count(),
            }
        )
    return rows


def _proficiency(period: Period) -> Rows:
    institution = Institution(pk=period.institution_id)
    counts = proficiency_inputs(institution, *period.until)["counts"]
    return [{"row": grade, "rounds": counts[grade]} for grade in [*Grade.values, "pending"]]


def _grade_label(code: str) -> str:
    return _("Not yet scored") if code == "pending" else _choice_label(Grade)(code)


INPUT_SOURCES: tuple[InputSource, ...] = (
    InputSource(
        "audits",
        gettext_lazy("Audits"),
        (
            ("planned", gettext_lazy("Planned in the period (audits)")),
            ("performed", gettext_lazy("Performed in the period (audits)")),
            ("unclosed", gettext_lazy("Not yet closed (audits)")),
        ),
        _audits,
        _choice_label(AuditKind),
    ),
    InputSource(
        "findings",
        gettext_lazy("Audit findings by grade"),
        (
            ("findings", gettext_lazy("Recorded in the period (findings)")),
            ("with_capa", gettext_lazy("With a CAPA (findings)")),
            ("capa_closed", gettext_lazy("CAPA closed (findings)")),
        ),
        _findings,
        _choice_label(FindingGrade),
    ),
    InputSource(
        "capa",
        gettext_lazy("CAPAs by source"),
        (
            ("raised", gettext_lazy("Raised in the period (CAPAs)")),
            ("open", gettext_lazy("Open now (CAPAs)")),
            ("overdue", gettext_lazy("Overdue now (CAPAs)")),
            ("closed", gettext_lazy("Closed in the period (CAPAs)")),
        ),
        _capas,
        _choice_label(CapaSource),
    ),
    InputSource(
        "nonconformities",
        gettext_lazy("Nonconformities per month"),
        (
            ("opened", gettext_lazy("Opened (nonconformities)")),
            ("closed", gettext_lazy("Closed (nonconformities)")),
        ),
        _nonconformities,
        str,
    ),
    InputSource(
        "equipment",
        gettext_lazy("Equipment status"),
        (("units", gettext_lazy("Units")),),
        _equipment,
        _equipment_row,
        gettext_lazy("As on the day the inputs were gathered."),
    ),
    InputSource(
        "training",
        gettext_lazy("Authorisations to perform regulated tasks"),
        (("authorisations", gettext_lazy("Authorisations")),),
        _training,
        lambda code: str(TRAINING_ROWS.get(code, code)),
        gettext_lazy("In force and expiring as on the day the inputs were gathered."),
    ),
    InputSource(
        "complaints",
        gettext_lazy("Complaints by complainant"),
        (
            ("received", gettext_lazy("Received in the period (complaints)")),
            ("open", gettext_lazy("Open now (complaints)")),
            ("with_capa", gettext_lazy("With a CAPA (complaints)")),
        ),
        _complaints,
        _choice_label(ComplainantKind),
    ),
    InputSource(
        "proficiency",
        gettext_lazy("Proficiency testing by grade"),
        (("rounds", gettext_lazy("Rounds received in the period")),),
        _proficiency,
        _grade_label,
    ),
)


def management_review_inputs(
    institution: Institution,
    start: datetime.date,
    end: datetime.date,
    *,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """The inputs to a review of `start`–`end` (both included) as they stood on `today` (by
    default today), as JSON-ready data:
    `{"period": {...}, "sources": {key: [{"row": code, column: number, ...}]}}`."""
    if end < start:
        raise InvalidInput(
            _("The period ends before it starts."), fields={"period_end": [_("before the start")]}
        )
    today = today or timezone.localdate()
    period = Period(institution.pk, start, end, today)
    return {
        "period": {
            "start": f"{start:%Y-%m-%d}",
            "end": f"{end:%Y-%m-%d}",
            "gathered_on": f"{today:%Y-%m-%d}",
        },
        "sources": {source.key: source.gather(period) for source in INPUT_SOURCES},
    }


@dataclass(frozen=True)
class InputTable:
    key: str
    title: str
    headings: list[str]
    rows: list[tuple[str, list[Any]]]
    note: str


def input_tables(inputs: dict[str, Any]) -> list[InputTable]:
    """A snapshot's sources as tables with headings in the reader's language; a source the
    snapshot has but this code no longer knows is shown by its codes."""
    sources: dict[str, Rows] = inputs.get("sources", {})
    known = {source.key: source for source in INPUT_SOURCES}
    tables = []
    for key, rows in sources.items():
        source = known.get(key)
        if source is None:
            columns = [c for c in (rows[0] if rows else {}) if c != "row"]
            tables.append(
                InputTable(
                    key,
                    key,
                    columns,
                    [(str(r.get("row", "")), [r.get(c) for c in columns]) for r in rows],
                    "",
                )
            )
            continue
        tables.append(
            InputTable(
                key,
                str(source.title),
                [str(heading) for _key, heading in source.columns],
                [
                    (
                        source.row_label(str(r.get("row", ""))),
                        [r.get(c) for c, _h in source.columns],
                    )
                    for r in rows
                ],
                str(source.note),
            )
        )
    return tables


def management_review_signed_record(review: ManagementReview) -> dict[str, Any]:
    """What the review's signature binds: the period, who attended, the inputs as gathered,
    the decisions and actions."""
    return {
        "institution": review.institution.provider_code,
        "period_start": f"{review.period_start:%Y-%m-%d}",
        "period_end": f"{review.period_end:%Y-%m-%d}",
        "held_on": f"{review.held_on:%Y-%m-%d}",
        "attendees": review.attendees,
        "inputs": review.inputs,
        "decisions": review.decisions,
        "actions": review.actions,
    }


def management_review_record(
    *,
    actor: User,
    institution: Institution,
    period_start: datetime.date,
    period_end: datetime.date,
    held_on: datetime.date,
    attendees: str,
    decisions: str,
    actions: str = "",
    password: str,
) -> ManagementReview:
    """Record a management review (qms.manage): its inputs are gathered as they stood on the
    day it was held and frozen, and the record is signed ("management review approved").
    One review per period."""
    require(actor, Perm.QMS_MANAGE, institution.pk)
    signing_password_check(actor, password)
    inputs = management_review_inputs(institution, period_start, period_end, today=held_on)
    review = ManagementReview(
        institution=institution,
        period_start=period_start,
        period_end=period_end,
        held_on=held_on,
        attendees=attendees.strip(),
        decisions=decisions.strip(),
        actions=actions.strip(),
        inputs=inputs,
        recorded_by=actor,
    )
    full_clean(review, validate_constraints=False, exclude=("signature",))
    if held_on > timezone.localdate():
        raise InvalidInput(
            _("A review is recorded once it has been held."),
            fields={"held_on": [_("in the future")]},
        )
    if held_on < period_start:
        raise InvalidInput(
            _("The review is held after its period starts."),
            fields={"held_on": [_("before the period")]},
        )
    try:
        with transaction.atomic(), audit_context(actor=actor, reason="Management review recorded"):
            review.signature = signature_write(
                actor=actor,
                meaning=Signature.Meaning.MANAGEMENT_REVIEW,
                record=management_review_signed_record(review),
            )
            review.save()
    except IntegrityError:
        raise Conflict(
            _("A management review of %(start)s – %(end)s is already recorded.")
            % {"start": inputs["period"]["start"], "end": inputs["period"]["end"]},
            fields={"period_start": [_("already reviewed")]},
        ) from None
    return review
