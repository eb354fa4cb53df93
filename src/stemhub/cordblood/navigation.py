"""Cord blood's menu entries and the queues of search coordinators and bank operators."""

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stemhub.accounts.models import Institution
from stemhub.accounts.permissions import Perm, is_platform_admin, permissions_of
from stemhub.cordblood.models import Patient, Reservation, ReservationState
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


register_section(Section("cordblood", _("Cord blood"), 70))
register_menu(
    MenuItem("cordblood", _("Cord blood network"), "cordblood:network", ANYONE, order=10),
    MenuItem("cordblood", _("Preliminary search"), "cordblood:preliminary", ANYONE, order=20),
    MenuItem("cordblood", _("Patients and searches"), "cordblood:patients", SEARCH, order=30),
    MenuItem(
        "cordblood",
        _("Reservations"),
        "cordblood:reservations",
        (Perm.CORD_SEARCH, Perm.CORD_MANAGE),
        order=40,
        when=lambda user: Perm.CORD_SEARCH in permissions_of(user) or runs_a_cord_bank(user),
    ),
    MenuItem("cordblood", _("Our units"), "cordblood:bank", MANAGE, 50, kwargs=_own_bank),
    MenuItem("cordblood", _("Upload units"), "cordblood:upload", MANAGE, 60, kwargs=_own_bank),
    MenuItem(
        "cordblood", _("Bank dashboard"), "cordblood:dashboard", MANAGE, 70, when=runs_a_cord_bank
    ),
    MenuItem("cordblood", _("Centre settings"), "cordblood:centre_settings", SEARCH, order=80),
)


def patients_queue(user: Any) -> Queue:
    """The centre's patients, most recently changed first."""
    found = Patient.objects.all()
    if not is_platform_admin(user):
        found = found.filter(centre_id=user.institution_id)
    found = found.order_by("-id")
    return Queue(
        count=found.count(),
        rows=[
            QueueRow(
                label=p.centre_patient_id,
                url=reverse("cordblood:patient", args=[p.pk]),
            )
            for p in found[:SHOWN]
        ],
        more_url=reverse("cordblood:patients"),
        empty=_("No patient yet. Register a patient to search the network."),
    )


def reservations_queue(user: Any) -> Queue:
    """Active and shipped reservations of the centre's patients or the bank's units."""
    found = Reservation.objects.filter(
        state__in=[ReservationState.ACTIVE, ReservationState.SHIPPED]
    ).select_related("unit", "patient")
    if not is_platform_admin(user):
        found = found.filter(
            Q(patient__centre_id=user.institution_id) | Q(unit__bank_id=user.institution_id)
        )
    return Queue(
        count=found.count(),
        rows=[
            QueueRow(
                label=f"{r.unit} · {r.patient.centre_patient_id}",
                url=reverse("cordblood:reservations"),
                badge=r.get_state_display(),
            )
            for r in found[:SHOWN]
        ],
        more_url=reverse("cordblood:reservations"),
        empty=_("No active reservation."),
    )


register_panel(
    Panel("patients", _("Patients and searches"), SEARCH, patients_queue, order=10),
    Panel(
        "reservations",
        _("Reservations"),
        (Perm.CORD_SEARCH, Perm.CORD_MANAGE),
        reservations_queue,
        order=20,
        when=lambda user: Perm.CORD_SEARCH in permissions_of(user) or runs_a_cord_bank(user),
    ),
)
