"""Pages of the cord blood platform: the public network page, and for search coordinators a
patient's page with its search and the reserve buttons. Views parse, call, render."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from stemhub.accounts.permissions import Perm, permissions_of
from stemhub.cordblood import selectors, services
from stemhub.cordblood.search import SearchRequest
from stemhub.core.errors import Forbidden, StemhubError

View = Callable[..., HttpResponse]


def _error_page(request: HttpRequest, error: StemhubError) -> HttpResponse:
    return render(request, "core/error.html", {"error": error}, status=error.status)


def coordinators_only(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if Perm.CORD_SEARCH not in permissions_of(request.user):
            return _error_page(request, Forbidden("This page needs cordblood.search."))
        try:
            return view(request, *args, **kwargs)
        except StemhubError as error:
            return _error_page(request, error)

    return wrapper


def network(request: HttpRequest) -> HttpResponse:
    """Public: the network's units, ABO mix, TNC bands and HLA resolution mix, per bank."""
    return render(request, "cordblood/network.html", {"stats": selectors.network_stats()})


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
    reservations = found.reservations.select_related("unit", "unit__bank")
    return render(
        request,
        "cordblood/patient.html",
        {"patient": found, "results": results, "reservations": reservations},
    )


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
