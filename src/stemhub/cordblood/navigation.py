"""Cord blood's menu entries, and the home-page queues of search coordinators (patients,
searches under way, reservations) and of cord blood bank operators (units by status,
reservations to ship, recent uploads)."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Max, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from stemhub.accounts.models import Institution
from stemhub.accounts.permissions import Perm, is_platform_admin, permissions_of
from stemhub.cordblood.models import (
    READY_TO_SHIP,
    Patient,
    Reservation,
    ReservationState,
    SavedSearch,
    UnitStatus,
    UnitUpload,
)
from stemhub.cordblood.selectors import units_by_status
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

SHOWN = 6
SEARCH = (Perm.CORD_SEARCH,)
MANAGE = (Perm.CORD_MANAGE,)
EXPIRES_SOON = dt.timedelta(days=3)
# The home page loads only the site's stylesheet: its badge tones (blue, amber, green, red).
HOME_BADGES = {
    "active": "status-submitted",
    "typing": "status-returned",
    "shipped": "status-published",
    "applied": "status-published",
    "rejected": "availability-withdrawn",
}


def runs_a_cord_bank(user: Any) -> bool:
    """Staff of a cord blood bank (and platform admins) see the bank's own pages."""
    institution = getattr(user, "institution", None)
    return is_platform_admin(user) or (
        institution is not None and institution.kind == Institution.Kind.CORD_BLOOD_BANK
    )


def _own_bank(user: Any) -> dict[str, Any] | None:
    institution = getattr(user, "institution", None)
    if institution is None or institution.kind != Institution.Kind.CORD_BLOOD_BANK:
        return None
    return {"code": institution.provider_code}


def _coordinator_or_bank(user: Any) -> bool:
    return Perm.CORD_SEARCH in permissions_of(user) or runs_a_cord_bank(user)


register_section(Section("cordblood", gettext_lazy("Cord blood"), 70))
register_menu(
    MenuItem("cordblood", gettext_lazy("Cord blood network"), "cordblood:network", ANYONE, 10),
    MenuItem("cordblood", gettext_lazy("Preliminary search"), "cordblood:preliminary", ANYONE, 20),
    MenuItem(
        "cordblood",
        gettext_lazy("Patients and searches"),
        "cordblood:patients",
        SEARCH,
        30,
        also=("cordblood:unit", "cordblood:unit_reserve", "haplobank:patient"),
    ),
    MenuItem(
        "cordblood",
        gettext_lazy("Reservations"),
        "cordblood:reservations",
        (Perm.CORD_SEARCH, Perm.CORD_MANAGE),
        order=40,
        when=_coordinator_or_bank,
    ),
    MenuItem(
        "cordblood", gettext_lazy("Our units"), "cordblood:units", MANAGE, 50, when=runs_a_cord_bank
    ),
    MenuItem(
        "cordblood", gettext_lazy("Upload units"), "cordblood:upload", MANAGE, 60, kwargs=_own_bank
    ),
    MenuItem(
        "cordblood",
        gettext_lazy("Bank dashboard"),
        "cordblood:dashboard",
        MANAGE,
        70,
        when=runs_a_cord_bank,
    ),
    MenuItem("cordblood", gettext_lazy("Centre settings"), "cordblood:centre_settings", SEARCH, 80),
)


# ---- search coordinators ------------------------------------------------------------------------


def _centre_patients(user: Any) -> QuerySet[Patient]:
    found = Patient.objects.all()
    if not is_platform_admin(user):
        found = found.filter(centre_id=user.institution_id)
    return found


def _search_words(search: SavedSearch | None) -> str:
    if search is None:
        return _("No search yet: open the patient and search the network.")
    best = search.best_match()
    day = f"{timezone.localtime(search.last_run_at):%Y-%m-%d}"
    if best is None:
        return _("Searched %(day)s: no potential match.") % {"day": day}
    grade, n = best
    return ngettext(
        "Searched %(day)s: best %(grade)s (%(n)s unit).",
        "Searched %(day)s: best %(grade)s (%(n)s units).",
        n,
    ) % {"day": day, "grade": grade, "n": n}


def _latest_searches(patients: Sequence[Patient]) -> dict[int, SavedSearch]:
    latest: dict[int, SavedSearch] = {}
    for search in SavedSearch.objects.filter(patient__in=patients).order_by("last_run_at", "pk"):
        latest[search.patient_id] = search
    return latest


def patients_queue(user: Any) -> Queue:
    """The centre's patients still waiting for a graft, the most recently searched or registered
    first, each with their latest search and its best match."""
    found = (
        _centre_patients(user)
        .filter(transplants__isnull=True)
        .annotate(active_at=Coalesce(Max("searches__last_run_at"), "created_at"))
    )
    shown = list(found.order_by("-active_at", "-pk")[:SHOWN])
    latest = _latest_searches(shown)
    return Queue(
        count=found.count(),
        rows=[
            QueueRow(
                label=p.centre_patient_id,
                url=reverse("cordblood:patient", args=[p.pk]),
                detail=f"{p.diagnosis_text or _('Diagnosis not recorded')} · "
                f"{p.weight_kg:g} kg · {_search_words(latest.get(p.pk))}",
            )
            for p in shown
        ],
        more_url=reverse("cordblood:patients") + "?show=waiting",
        empty=gettext_lazy(
            "No patient waits for a unit. Open Patients and searches and press New patient to "
            "search the network."
        ),
    )


def _counts_words(search: SavedSearch) -> str:
    parts = []
    for kind, label in (("cord", _("cord units")), ("adult", _("adult donors"))):
        counts = {grade: n for grade, n in (search.counts.get(kind) or {}).items() if n}
        if counts:
            grades = sorted(counts, key=lambda g: -int(g.split("/")[0]))
            listed = ", ".join(f"{grade}: {counts[grade]}" for grade in grades)
            parts.append(f"{label} {listed}")
    return " · ".join(parts) or _("no potential match")


def searches_queue(user: Any) -> Queue:
    """Searches under way: the latest search of each patient not yet transplanted."""
    waiting = _centre_patients(user).filter(searches__isnull=False, transplants__isnull=True)
    waiting = waiting.distinct().annotate(latest=Max("searches__last_run_at"))
    shown = list(waiting.order_by("-latest", "-pk")[:SHOWN])
    latest = _latest_searches(shown)
    rows = []
    for patient in shown:
        search = latest[patient.pk]
        rows.append(
            QueueRow(
                label=_("%(patient)s, searched %(day)s")
                % {
                    "patient": patient.centre_patient_id,
                    "day": f"{timezone.localtime(search.last_run_at):%Y-%m-%d}",
                },
                url=reverse("cordblood:search", args=[search.pk]),
                detail=_counts_words(search),
            )
        )
    return Queue(
        count=waiting.count(),
        rows=rows,
        more_url=reverse("cordblood:patients"),
        empty=gettext_lazy("No search under way. Open a patient and press Search the network."),
    )


def _reservation_row(reservation: Reservation, now: dt.datetime, *, bank: bool) -> QueueRow:
    if reservation.state == ReservationState.SHIPPED:
        detail = _("Shipped %(day)s: record the infusion on the patient's page.") % {
            "day": f"{timezone.localtime(reservation.ended_at):%Y-%m-%d}"
        }
    else:
        days = max((reservation.expires_at - now).days, 0)
        detail = ngettext(
            "Reserved until %(day)s (%(n)s day left).",
            "Reserved until %(day)s (%(n)s days left).",
            days,
        ) % {"day": f"{timezone.localtime(reservation.expires_at):%Y-%m-%d}", "n": days}
    typing = reservation.confirmatory_typing_requested_at is not None
    badge = (
        _("Typing requested")
        if typing and reservation.state == ReservationState.ACTIVE
        else str(reservation.get_state_display())
    )
    patient = reservation.patient
    label = (
        _("%(unit)s for %(centre)s/%(patient)s")
        % {
            "unit": reservation.unit,
            "centre": patient.centre.provider_code,
            "patient": patient.centre_patient_id,
        }
        if bank
        else _("%(unit)s for %(patient)s")
        % {"unit": reservation.unit, "patient": patient.centre_patient_id}
    )
    url = (
        reverse("cordblood:unit", args=[reservation.unit_id])
        if bank
        else reverse("cordblood:patient", args=[reservation.patient_id]) + "#reservations"
    )
    return QueueRow(
        label=label,
        url=url,
        detail=detail,
        badge=badge,
        badge_class=HOME_BADGES["typing" if typing else reservation.state],
    )


def reservations_queue(user: Any) -> Queue:
    """Reservations of the centre's patients: active (typing requested or not) and shipped units
    waiting for their infusion record."""
    found = (
        Reservation.objects.filter(state__in=[ReservationState.ACTIVE, ReservationState.SHIPPED])
        .exclude(state=ReservationState.SHIPPED, unit__status=UnitStatus.INFUSED)
        .select_related("unit", "unit__bank", "patient", "patient__centre")
        .order_by("expires_at", "pk")
    )
    if not is_platform_admin(user):
        found = found.filter(patient__centre_id=user.institution_id)
    now = timezone.now()
    soon = found.filter(state=ReservationState.ACTIVE, expires_at__lte=now + EXPIRES_SOON)
    return Queue(
        count=found.count(),
        rows=[_reservation_row(r, now, bank=False) for r in found[:SHOWN]],
        more_url=reverse("cordblood:reservations"),
        empty=gettext_lazy("No reservation. Reserve a unit from a patient's search results."),
        tone="warn" if soon.exists() else "",
    )


# ---- cord blood bank operators ------------------------------------------------------------------


def _bank_of(user: Any) -> Institution | None:
    return None if is_platform_admin(user) else user.institution


def units_queue(user: Any) -> Queue:
    """The bank's units by status, each a link to the units page filtered to it."""
    counts = units_by_status(_bank_of(user))
    units_url = reverse("cordblood:units")
    rows = [
        QueueRow(
            label=str(status.label),
            url=f"{units_url}?status={status.value}",
            detail=ngettext("%(n)s unit", "%(n)s units", counts[status.value])
            % {"n": counts[status.value]},
        )
        for status in UnitStatus
        if counts.get(status.value)
    ]
    return Queue(
        count=sum(counts.values()),
        rows=rows,
        more_url=units_url,
        empty=gettext_lazy("No units yet. Upload your inventory from Upload units."),
    )


def to_ship_queue(user: Any) -> Queue:
    """Active reservations of the bank's units whose confirmatory typing confirmed the match:
    the bank releases them for shipment (the others wait for the centre's typing)."""
    found = (
        Reservation.objects.filter(READY_TO_SHIP)
        .select_related("unit", "unit__bank", "patient", "patient__centre")
        .order_by("created_at", "pk")
    )
    bank = _bank_of(user)
    if bank is not None:
        found = found.filter(unit__bank=bank)
    now = timezone.now()
    return Queue(
        count=found.count(),
        rows=[_reservation_row(r, now, bank=True) for r in found[:SHOWN]],
        more_url=reverse("cordblood:reservations") + "?show=to_ship",
        empty=gettext_lazy(
            "No reservation is ready to ship: a unit ships once the transplant centre has "
            "confirmed the match by typing."
        ),
        tone="warn" if found.exists() else "",
    )


def _upload_words(upload: UnitUpload) -> str:
    day = f"{timezone.localtime(upload.at):%Y-%m-%d %H:%M}"
    if upload.applied:
        return ngettext(
            "%(day)s · %(rows)s row: %(created)s created, %(updated)s updated, "
            "%(withdrawn)s withdrawn.",
            "%(day)s · %(rows)s rows: %(created)s created, %(updated)s updated, "
            "%(withdrawn)s withdrawn.",
            upload.rows,
        ) % {
            "day": day,
            "rows": upload.rows,
            "created": upload.created,
            "updated": upload.updated,
            "withdrawn": upload.withdrawn,
        }
    return ngettext(
        "%(day)s · %(n)s problem; nothing was applied.",
        "%(day)s · %(n)s problems; nothing was applied.",
        upload.problem_count,
    ) % {"day": day, "n": upload.problem_count}


def uploads_queue(user: Any) -> Queue:
    """The bank's latest uploads, each opening its row report."""
    found = UnitUpload.objects.all()
    bank = _bank_of(user)
    if bank is not None:
        found = found.filter(bank=bank)
    own = _own_bank(user)
    return Queue(
        count=found.count(),
        rows=[
            QueueRow(
                label=upload.filename,
                url=reverse("cordblood:upload_report", args=[upload.bank.provider_code, upload.pk]),
                detail=_upload_words(upload),
                badge=_("Applied") if upload.applied else _("Not applied"),
                badge_class=HOME_BADGES["applied" if upload.applied else "rejected"],
            )
            for upload in found.select_related("bank")[:SHOWN]
        ],
        more_url=reverse("cordblood:upload", kwargs=own) if own else "",
        empty=gettext_lazy("No upload yet. Upload your units as CSV or JSON from Upload units."),
    )


register_panel(
    Panel(
        "cord_patients",
        gettext_lazy("Patients waiting for a unit"),
        SEARCH,
        patients_queue,
        order=10,
    ),
    Panel("cord_searches", gettext_lazy("Searches under way"), SEARCH, searches_queue, order=11),
    Panel("cord_reservations", gettext_lazy("Reservations"), SEARCH, reservations_queue, order=12),
    Panel(
        "cord_units",
        gettext_lazy("Our units by status"),
        MANAGE,
        units_queue,
        order=13,
        when=runs_a_cord_bank,
    ),
    Panel(
        "cord_to_ship",
        gettext_lazy("Reservations to ship"),
        MANAGE,
        to_ship_queue,
        order=14,
        when=runs_a_cord_bank,
    ),
    Panel(
        "cord_uploads",
        gettext_lazy("Recent uploads"),
        MANAGE,
        uploads_queue,
        order=15,
        when=runs_a_cord_bank,
    ),
)
