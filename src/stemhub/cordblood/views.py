"""Pages of the cord blood platform under /cord/.

Public: the network page, a page per bank, and the preliminary search (an HLA typing only, no
patient identity). Bank staff: the web upload and their bank's dashboard. Platform admins: the
network operator dashboard. Search coordinators: patients, searches, reservations, transplants and
their outcomes, and their centre's guideline thresholds. Views parse, call a service or selector,
render; errors of the services come back as the error page (or the form) with their status.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from stemhub.accounts.models import Institution
from stemhub.accounts.permissions import Perm, is_platform_admin, permissions_of, user_can
from stemhub.cordblood import selectors, services
from stemhub.cordblood.forms import (
    SETTING_LABELS,
    OutcomeForm,
    PreliminaryForm,
    SettingsForm,
    UploadForm,
    form_error,
    form_fields,
)
from stemhub.cordblood.models import (
    CentreSettings,
    Patient,
    Reservation,
    ReservationState,
    Transplant,
    UnitStatus,
)
from stemhub.cordblood.search import SearchRequest, preliminary_counts
from stemhub.cordblood.typing import BadTyping
from stemhub.cordblood.uploads import COLUMNS, units_import
from stemhub.core.errors import Forbidden, InvalidInput, NotFound, StemhubError
from stemhub.core.pages import error_page, page

CORD_GRADES = ("8/8", "7/8", "6/8", "5/8", "4/8")
ADULT_GRADES = ("8/8", "7/8", "6/8")
STAGE_LABELS = {"validate": "rows validated", "write": "rows applied", "index": "index updated"}


coordinators_only = page(Perm.CORD_SEARCH)


def _mix(counts: dict[str, int], total: int) -> list[dict[str, Any]]:
    """Rows of a mix table: label, count, share of the total (for the bar and the %)."""
    return [
        {"label": label, "n": n, "pct": round(100 * n / total, 1) if total else 0.0}
        for label, n in counts.items()
    ]


def _mixes(stats: dict[str, Any]) -> dict[str, Any]:
    cord = sum(stats["tnc_bands"].values())
    return {
        **stats,
        "abo_rows": _mix(stats["abo"], stats["units"]),
        "tnc_rows": _mix(stats["tnc_bands"], cord),
        "resolution_rows": _mix(stats["hla_resolution"], stats["units"]),
    }


# ---- public pages -------------------------------------------------------------------------------


def network(request: HttpRequest) -> HttpResponse:
    """Public: the network's units, ABO mix, TNC bands and HLA resolution mix, per bank."""
    stats = selectors.network_stats()
    return render(
        request,
        "cordblood/network.html",
        {"stats": stats, "network": _mixes(stats["network"]), "banks": stats["banks"]},
    )


def bank(request: HttpRequest, code: str) -> HttpResponse:
    """Public: one bank's units, ABO mix, TNC bands and HLA resolution mix."""
    found = Institution.objects.filter(provider_code=code).first()
    if found is None or not (
        found.kind == Institution.Kind.CORD_BLOOD_BANK or found.cord_units.exists()
    ):
        return error_page(request, NotFound(f"No cord blood bank {code}"))
    stats = _mixes(selectors.bank_stats(code))
    return render(request, "cordblood/bank.html", {"bank": found, "stats": stats})


def _preliminary_rows(counts: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    rows = []
    for kind, grades, label in (
        ("cord", CORD_GRADES, "Cord blood units"),
        ("adult", ADULT_GRADES, "Adult volunteer donors"),
    ):
        found = counts.get(kind, {})
        cells = [(grade, found.get(grade, 0)) for grade in grades]
        rows.append(
            {"kind": kind, "label": label, "cells": cells, "total": sum(n for _, n in cells)}
        )
    return rows


def preliminary(request: HttpRequest) -> HttpResponse:
    """Public: a preliminary search; an HLA typing only (no patient identity) → counts of
    potential matches by match grade across all banks. A bad typing answers 400 naming it."""
    form = PreliminaryForm(request.POST or None)
    result = None
    error = None
    if request.method == "POST":
        if form.is_valid():
            try:
                found = preliminary_counts(form.cleaned_data["hla"])
            except BadTyping as caught:
                error = InvalidInput(
                    f"hla: {caught.token!r}: {caught.reason}", fields={"hla": [caught.reason]}
                )
            except Exception as caught:  # the engine's TypingError: name the token
                token = getattr(caught, "token", form.cleaned_data["hla"])
                reason = getattr(caught, "reason", str(caught))
                error = InvalidInput(f"hla: {token!r}: {reason}", fields={"hla": [reason]})
            else:
                rows = _preliminary_rows(found["counts"])
                result = {"release": found["imgt_release"], "rows": rows}
        else:
            error = InvalidInput(
                "hla: the HLA typing is required", fields=form_fields(form) or {"hla": ["required"]}
            )
    context = {
        "form": form,
        "result": result,
        "error": error,
        "cord_grades": CORD_GRADES,
    }
    template = "_preliminary_result" if request.htmx else "preliminary"
    return render(request, f"cordblood/{template}.html", context, status=400 if error else 200)


# ---- bank staff ---------------------------------------------------------------------------------


class _Stages:
    """The upload service's progress hook: the last (done, total) of each stage, for the report."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[int, int]] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.seen[stage] = (done, total)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"stage": STAGE_LABELS.get(stage, stage), "done": done, "total": total}
            for stage, (done, total) in self.seen.items()
        ]


@page(Perm.CORD_MANAGE)
def upload(request: HttpRequest, code: str) -> HttpResponse:
    """Needs cordblood.manage at the bank: upload units (CSV or JSON, full or delta mode) and
    read the row-level report (line, field, reason)."""
    found = Institution.objects.filter(provider_code=code).first()
    if found is None or not user_can(request.user, Perm.CORD_MANAGE, found.pk):
        raise NotFound(f"No bank {code} whose units you manage")
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    error = None
    stages = _Stages()
    if request.method == "POST":
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            try:
                report = units_import(
                    actor=request.user,
                    bank=found,
                    filename=upload_file.name,
                    content=upload_file.read(),
                    mode=form.cleaned_data["mode"],
                    skip_invalid=form.cleaned_data["skip_invalid"],
                    progress=stages,
                )
            except StemhubError as caught:
                error = caught
        else:
            error = form_error(form)
    status = 400 if error or (report is not None and not report["applied"]) else 200
    context = {
        "bank": found,
        "form": form,
        "report": report,
        "stages": stages.rows(),
        "error": error,
        "columns": COLUMNS,
    }
    template = "cordblood/_upload_report.html" if request.htmx else "cordblood/upload.html"
    return render(request, template, context, status=status)


@page(Perm.CORD_MANAGE)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Needs cordblood.manage: a bank's own dashboard for its staff; platform admins see the
    whole network (or one bank with ?bank=CODE)."""
    admin = is_platform_admin(request.user)
    chosen: Institution | None = None
    if admin and request.GET.get("bank"):
        chosen = Institution.objects.filter(provider_code=request.GET["bank"]).first()
        if chosen is None:
            raise NotFound(f"No bank {request.GET['bank']}")
    elif not admin:
        chosen = request.user.institution
        if chosen is None:
            raise Forbidden("You belong to no bank.")
    figures = selectors.dashboard(chosen)
    return render(
        request, "cordblood/dashboard.html", {"figures": figures, "bank": chosen, "admin": admin}
    )


# ---- search coordinators ------------------------------------------------------------------------


@coordinators_only
def patients(request: HttpRequest) -> HttpResponse:
    """Needs cordblood.search: your centre's patients (platform admins: every centre's)."""
    found = Patient.objects.select_related("centre").annotate(
        active=Count("reservations", filter=Q(reservations__state=ReservationState.ACTIVE)),
        grafts=Count("transplants", distinct=True),
    )
    if not is_platform_admin(request.user):
        found = found.filter(centre_id=request.user.institution_id)
    return render(request, "cordblood/patients.html", {"patients": found})


@coordinators_only
def patient_new(request: HttpRequest) -> HttpResponse:
    """Needs cordblood.search: register a patient of your centre."""
    error = None
    if request.method == "POST":
        data = {
            key: request.POST.get(key, "")
            for key in ("centre_patient_id", "weight_kg", "hla", "abo", "diagnosis")
        }
        data["malignant"] = request.POST.get("malignant") == "yes"
        data["dsa"] = request.POST.get("dsa", "")
        try:
            patient = services.patient_create(actor=request.user, data=data)
        except StemhubError as caught:
            error = caught
        else:
            return redirect("cordblood:patient", patient_id=patient.pk)
    return render(
        request,
        "cordblood/patient_new.html",
        {"error": error, "values": request.POST},
        status=400 if error else 200,
    )


def _patient_page(
    request: HttpRequest, found: Patient, *, results: Any = None, error: Any = None
) -> HttpResponse:
    reservations = found.reservations.select_related("unit", "unit__bank")
    shipped = [
        r
        for r in reservations
        if r.state == ReservationState.SHIPPED and r.unit.status == UnitStatus.SHIPPED
    ]
    return render(
        request,
        "cordblood/patient.html",
        {
            "patient": found,
            "results": results,
            "reservations": reservations,
            "shipped": shipped,
            "transplants": found.transplants.prefetch_related("units__bank"),
            "error": error,
            "today": dt.date.today().isoformat(),
        },
        status=error.status if error else 200,
    )


@coordinators_only
def patient(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Needs cordblood.search at the patient's centre: the patient, a search and its results."""
    found = services.patient_of(request.user, patient_id)
    results = None
    if "run" in request.GET:
        try:
            criteria = SearchRequest(
                donor_type=request.GET.get("donor_type", "cord"),  # type: ignore[arg-type]
                cord_min_matches=int(request.GET.get("cord_min_matches", 4)),
                dsa_policy=request.GET.get("dsa_policy", "exclude"),  # type: ignore[arg-type]
            )
        except ValueError:
            criteria = SearchRequest()
        _, results = services.search_run(actor=request.user, patient=found, request=criteria)
    return _patient_page(request, found, results=results)


@require_POST
@coordinators_only
def unit_reserve(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Needs cordblood.search at the patient's centre: reserve a unit for the patient."""
    found = services.patient_of(request.user, int(request.POST.get("patient") or 0))
    try:
        reservation = services.unit_reserve(actor=request.user, unit_id=unit_id, patient=found)
    except StemhubError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Unit {reservation.unit} is reserved for {found.centre_patient_id} until "
            f"{reservation.expires_at:%Y-%m-%d}.",
        )
    return redirect("cordblood:patient", patient_id=found.pk)


@page(Perm.CORD_SEARCH, Perm.CORD_MANAGE)
def reservations(request: HttpRequest) -> HttpResponse:
    """Needs cordblood.search (your centre's reservations: release, confirmatory typing) or
    cordblood.manage (reservations of your bank's units: release for shipment)."""
    user = request.user
    found = Reservation.objects.select_related(
        "unit", "unit__bank", "patient", "patient__centre", "holder"
    )
    if not is_platform_admin(user):
        mine = Q()
        if Perm.CORD_SEARCH in permissions_of(user):
            mine |= Q(patient__centre_id=user.institution_id)
        if Perm.CORD_MANAGE in permissions_of(user):
            mine |= Q(unit__bank_id=user.institution_id)
        found = found.filter(mine)
    show = request.GET.get("show", "open")
    if show == "open":
        found = found.filter(state__in=[ReservationState.ACTIVE, ReservationState.SHIPPED])
    rows = []
    for reservation in found:
        active = reservation.state == ReservationState.ACTIVE
        centre_side = user_can(user, Perm.CORD_SEARCH, reservation.patient.centre_id)
        bank_side = user_can(user, Perm.CORD_MANAGE, reservation.unit.bank_id)
        rows.append(
            {
                "r": reservation,
                "centre_side": centre_side,
                "can_release": active and centre_side,
                "can_type": active
                and centre_side
                and reservation.confirmatory_typing_requested_at is None,
                "can_ship": active and bank_side,
                "can_infuse": reservation.state == ReservationState.SHIPPED
                and reservation.unit.status == UnitStatus.SHIPPED
                and centre_side,
            }
        )
    return render(request, "cordblood/reservations.html", {"rows": rows, "show": show})


RESERVATION_STEPS: dict[str, tuple[Callable[..., Reservation], str]] = {
    "release": (services.reservation_release, "Reservation of {unit} released; it is available."),
    "typing": (services.reservation_request_typing, "Confirmatory typing of {unit} requested."),
    "ship": (services.reservation_ship, "{unit} is released for shipment."),
}


@require_POST
@page(Perm.CORD_SEARCH, Perm.CORD_MANAGE)
def reservation_action(request: HttpRequest, reservation_id: int, action: str) -> HttpResponse:
    """Needs cordblood.search at the patient's centre (release, typing) or cordblood.manage at
    the unit's bank (ship): move a reservation on."""
    if action not in RESERVATION_STEPS:
        raise NotFound(f"No action {action}")
    step, done = RESERVATION_STEPS[action]
    reservation = services.reservation_of(request.user, reservation_id)
    try:
        step(actor=request.user, reservation=reservation)
    except Forbidden:
        raise
    except StemhubError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done.format(unit=reservation.unit))
    target = request.POST.get("next", "")
    if not target.startswith("/cord/") or "//" in target:
        target = reverse("cordblood:reservations")
    return redirect(target)


@require_POST
@coordinators_only
def transplant_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Needs cordblood.search at the patient's centre: record the infusion of shipped units."""
    found = services.patient_of(request.user, patient_id)
    try:
        unit_ids = [int(value) for value in request.POST.getlist("units")]
        infused_on = dt.date.fromisoformat(request.POST.get("infused_on", ""))
    except ValueError:
        error = InvalidInput(
            "infused_on: a date (YYYY-MM-DD) and the units infused",
            fields={"infused_on": ["a date, YYYY-MM-DD"]},
        )
        return _patient_page(request, found, error=error)
    try:
        transplant = services.transplant_record(
            actor=request.user, patient=found, unit_ids=unit_ids, infused_on=infused_on
        )
    except (InvalidInput, NotFound) as error:
        return _patient_page(request, found, error=InvalidInput(error.message, fields=error.fields))
    except StemhubError as error:
        return _patient_page(request, found, error=error)
    messages.success(request, f"Infusion on {infused_on:%Y-%m-%d} recorded; add outcomes below.")
    return redirect("cordblood:transplant", transplant_id=transplant.pk)


def _transplant_of(request: HttpRequest, transplant_id: int) -> Transplant:
    found = (
        Transplant.objects.select_related("patient", "patient__centre")
        .prefetch_related("units__bank")
        .filter(pk=transplant_id)
        .first()
    )
    if found is None or not user_can(request.user, Perm.CORD_SEARCH, found.patient.centre_id):
        raise NotFound(f"No transplant {transplant_id}")
    return found


@coordinators_only
def transplant(request: HttpRequest, transplant_id: int) -> HttpResponse:
    """Needs cordblood.search at the patient's centre: a transplant and its follow-up outcomes
    (engraftment day, acute and chronic GVHD, survival at day 100, 1 year, 5 years)."""
    found = _transplant_of(request, transplant_id)
    initial = {
        name: getattr(found, name)
        for name in OutcomeForm.base_fields
        if getattr(found, name) not in (None, "")
    }
    form = OutcomeForm(request.POST or None, initial=initial)
    error = None
    if request.method == "POST":
        if form.is_valid():
            try:
                services.transplant_outcome(
                    actor=request.user, transplant=found, values=form.values()
                )
            except StemhubError as caught:
                error = caught
            else:
                messages.success(request, "Outcomes saved.")
                return redirect("cordblood:transplant", transplant_id=found.pk)
        else:
            error = form_error(form)
    return render(
        request,
        "cordblood/transplant.html",
        {"transplant": found, "form": form, "error": error},
        status=error.status if error else 200,
    )


@coordinators_only
def centre_settings(request: HttpRequest) -> HttpResponse:
    """Needs cordblood.search: your centre's guideline thresholds (used by its searches)."""
    centre = request.user.institution
    if centre is None:
        raise InvalidInput("You belong to no centre", fields={"centre": ["required"]})
    current = CentreSettings.objects.filter(centre=centre).first() or CentreSettings.defaults()
    initial = {name: getattr(current, name) for name in SETTING_LABELS}
    form = SettingsForm(request.POST or None, initial=initial)
    error = None
    if request.method == "POST":
        if form.is_valid():
            try:
                services.centre_settings_update(
                    actor=request.user, centre=centre, values=form.cleaned_data
                )
            except StemhubError as caught:
                error = caught
            else:
                messages.success(request, f"Thresholds of {centre.name} saved.")
                return redirect("cordblood:centre_settings")
        else:
            error = form_error(form)
    return render(
        request,
        "cordblood/settings.html",
        {"centre": centre, "form": form, "error": error, "defaults": CentreSettings.defaults()},
        status=error.status if error else 200,
    )
