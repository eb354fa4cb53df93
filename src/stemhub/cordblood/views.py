"""Pages of the cord blood platform under /cord/: the public ones and the reservations list
both sides work from. Bank staff's pages are in `bank_views`, search coordinators' in
`coordinator_views`.

Public: the network page, a page per bank, and the preliminary search (an HLA typing only, no
patient identity). Views parse, call a service or selector, render; errors of the services come
back as the error page (or the form) with their status.
"""

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from stemhub.accounts.models import Institution
from stemhub.accounts.permissions import Perm, is_platform_admin, permissions_of, user_can
from stemhub.cordblood import selectors, services
from stemhub.cordblood.display import din_text
from stemhub.cordblood.forms import EXAMPLE_GL, PreliminaryForm, form_fields
from stemhub.cordblood.hla_typing import BadTyping
from stemhub.cordblood.models import (
    READY_TO_SHIP,
    Reservation,
    ReservationState,
    TypingResult,
    UnitStatus,
)
from stemhub.cordblood.search import preliminary_counts
from stemhub.core.errors import Forbidden, InvalidInput, NotFound, StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest, HtmxHttpRequest, error_page, page

CORD_GRADES = ("8/8", "7/8", "6/8", "5/8", "4/8")
ADULT_GRADES = ("8/8", "7/8", "6/8")


def _mix(counts: dict[str, int], total: int) -> list[dict[str, Any]]:
    """Rows of a mix table: label, count, share of the total (for the bar and the %)."""
    return [
        {"label": label, "n": n, "pct": round(100 * n / total, 1) if total else 0.0}
        for label, n in counts.items()
    ]


def _mixes(stats: dict[str, Any]) -> dict[str, Any]:
    cord = sum(stats["tnc_bands"].values())
    collected = sum(stats["collected_per_year"].values())
    return {
        **stats,
        "abo_rows": _mix(stats["abo"], stats["units"]),
        "tnc_rows": _mix(stats["tnc_bands"], cord),
        "resolution_rows": _mix(stats["hla_resolution"], stats["units"]),
        "year_rows": _mix(stats["collected_per_year"], collected),
        "high_resolution_pct": round(100 * stats["high_resolution"] / stats["units"])
        if stats["units"]
        else None,
    }


# ---- public pages -------------------------------------------------------------------------------


def network(request: HttpRequest) -> HttpResponse:
    """Public: the network in figures, units by bank, ABO, HLA resolution, TNC band and year of
    collection."""
    stats = selectors.network_stats()
    network = _mixes(stats["network"])
    codes = [bank["code"] for bank in stats["banks"]]
    shown = {
        i.provider_code: i.display_name for i in Institution.objects.filter(provider_code__in=codes)
    }
    banks = [
        {**_mixes(bank), "name": shown.get(bank["code"], bank["name"])} for bank in stats["banks"]
    ]
    by_bank = _mix({bank["code"]: bank["units"] for bank in banks}, network["units"])
    return render(
        request,
        "cordblood/network.html",
        {"network": network, "banks": banks, "bank_rows": by_bank},
    )


def bank(request: HttpRequest, code: str) -> HttpResponse:
    """Public: one bank's units, ABO mix, TNC bands, HLA resolution mix and recent additions."""
    found = Institution.objects.filter(provider_code=code).first()
    if found is None or not (
        found.kind == Institution.Kind.CORD_BLOOD_BANK or found.cord_units.exists()
    ):
        return error_page(
            request, NotFound(gettext("No cord blood bank %(code)s") % {"code": code})
        )
    stats = _mixes(selectors.bank_stats(code))
    return render(request, "cordblood/bank.html", {"bank": found, "stats": stats})


def _preliminary_rows(counts: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    rows = []
    for kind, grades, label in (
        ("cord", CORD_GRADES, gettext_lazy("Cord blood units")),
        ("adult", ADULT_GRADES, gettext_lazy("Adult volunteer donors")),
    ):
        found = counts.get(kind, {})
        cells = [(grade, found.get(grade, 0)) for grade in grades]
        rows.append(
            {"kind": kind, "label": label, "cells": cells, "total": sum(n for _g, n in cells)}
        )
    return rows


def preliminary(request: HtmxHttpRequest) -> HttpResponse:
    """Public: a preliminary search; an HLA typing only (no patient identity) → counts of
    potential matches by match grade across all banks. A bad typing answers 400 naming it."""
    form = PreliminaryForm(request.POST or None)
    result = None
    error = None
    label = form.fields["hla"].label
    if request.method == "POST":
        if form.is_valid():
            try:
                found = preliminary_counts(form.cleaned_data["hla"])
            except BadTyping as caught:
                error = InvalidInput(
                    gettext("%(label)s: %(token)s: %(reason)s")
                    % {"label": label, "token": caught.token, "reason": caught.reason},
                    fields={"hla": [caught.reason]},
                )
            else:
                rows = _preliminary_rows(found["counts"])
                result = {
                    "release": found["imgt_release"],
                    "rows": rows,
                    "homozygous": found["homozygous"],
                }
        else:
            fields = form_fields(form)
            error = InvalidInput(f"{label}: {' '.join(fields.get('hla', []))}", fields=fields)
    context = {
        "form": form,
        "result": result,
        "error": error,
        "cord_grades": CORD_GRADES,
        "example": EXAMPLE_GL,
    }
    template = "_preliminary_result" if request.htmx else "preliminary"
    return render(request, f"cordblood/{template}.html", context, status=400 if error else 200)


# ---- reservations: both sides -------------------------------------------------------------------

SHOWN_STATES = {
    "open": [ReservationState.ACTIVE, ReservationState.SHIPPED],
    "to_ship": [ReservationState.ACTIVE],
    "typing": [ReservationState.ACTIVE],
    "all": list(ReservationState),
}


@page(Perm.CORD_SEARCH, Perm.CORD_MANAGE)
def reservations(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs cordblood.search (your centre's reservations: release, confirmatory typing) or
    cordblood.manage (reservations of your bank's units: release for shipment)."""
    user = request.user
    found = Reservation.objects.select_related(
        "unit", "unit__bank", "patient", "patient__centre", "holder"
    )
    held = permissions_of(user)
    if not is_platform_admin(user):
        mine = Q()
        if Perm.CORD_SEARCH in held:
            mine |= Q(patient__centre_id=user.institution_id)
        if Perm.CORD_MANAGE in held:
            mine |= Q(unit__bank_id=user.institution_id)
        found = found.filter(mine)
    show = request.GET.get("show", "open")
    if show not in SHOWN_STATES:
        show = "open"
    found = found.filter(state__in=SHOWN_STATES[show])
    if show == "open":  # a shipped unit stays open until its infusion is recorded
        found = found.exclude(state=ReservationState.SHIPPED, unit__status=UnitStatus.INFUSED)
    if show == "typing":
        found = found.filter(confirmatory_typing_requested_at__isnull=False)
    if show == "to_ship":  # a unit ships once its confirmatory typing confirmed the match
        found = found.filter(READY_TO_SHIP)
    now = timezone.now()
    rows = []
    for reservation in found:
        active = reservation.state == ReservationState.ACTIVE
        centre_side = user_can(user, Perm.CORD_SEARCH, reservation.patient.centre_id)
        bank_side = user_can(user, Perm.CORD_MANAGE, reservation.unit.bank_id)
        rows.append(
            {
                "r": reservation,
                "din": din_text(reservation.unit.din, reservation.unit.din_check),
                "centre_side": centre_side,
                "bank_side": bank_side,
                "days_left": (reservation.expires_at - now).days if active else None,
                "can_release": active and centre_side,
                "can_type": active
                and centre_side
                and reservation.confirmatory_typing_requested_at is None,
                "can_ship": active and bank_side,
                "ship_blocker": services.shipment_blocker(reservation) if active else None,
                "can_record_typing": active
                and centre_side
                and reservation.confirmatory_typing_requested_at is not None
                and not reservation.confirmatory_typing_result,
                "can_infuse": reservation.state == ReservationState.SHIPPED
                and reservation.unit.status == UnitStatus.SHIPPED
                and centre_side,
            }
        )
    return render(
        request,
        "cordblood/reservations.html",
        {
            "rows": rows,
            "show": show,
            "centre_side": Perm.CORD_SEARCH in held,
            "bank_side": Perm.CORD_MANAGE in held,
        },
    )


RESERVATION_STEPS: dict[str, tuple[Callable[..., Reservation], Any]] = {
    "release": (
        services.reservation_release,
        gettext_lazy("Reservation of %(unit)s released; the unit is available to every centre."),
    ),
    "typing": (
        services.reservation_request_typing,
        gettext_lazy("Confirmatory typing of %(unit)s requested from the bank."),
    ),
    "ship": (
        services.reservation_ship,
        gettext_lazy("%(unit)s is released for shipment."),
    ),
    "typing-match": (
        partial(services.reservation_record_typing, result=TypingResult.MATCH),
        gettext_lazy("Confirmatory typing of %(unit)s confirms the match: the bank may ship it."),
    ),
    "typing-mismatch": (
        partial(services.reservation_record_typing, result=TypingResult.MISMATCH),
        gettext_lazy(
            "Confirmatory typing of %(unit)s found a mismatch: it will not ship. Release the "
            "reservation and choose another unit."
        ),
    ),
}


@require_POST
@page(Perm.CORD_SEARCH, Perm.CORD_MANAGE)
def reservation_action(
    request: AuthenticatedHttpRequest, reservation_id: int, action: str
) -> HttpResponse:
    """Needs cordblood.search at the patient's centre (release, typing and its result) or
    cordblood.manage at the unit's bank (ship, once a confirmatory typing confirmed the match):
    move a reservation on."""
    if action not in RESERVATION_STEPS:
        raise NotFound(gettext("No action %(action)s") % {"action": action})
    step, done = RESERVATION_STEPS[action]
    reservation = services.reservation_of(request.user, reservation_id)
    try:
        step(actor=request.user, reservation=reservation)
    except Forbidden:
        raise
    except StemhubError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, str(done) % {"unit": reservation.unit})
    target = request.POST.get("next", "")
    if not target.startswith("/cord/") or "//" in target:
        target = reverse("cordblood:reservations")
    return redirect(target)
