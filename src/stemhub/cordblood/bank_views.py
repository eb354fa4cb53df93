"""Pages of a cord blood bank's staff: their units (search and filters), one unit with its
reservations and history, the web upload with its report and the recent uploads, and the
bank's dashboard. Platform admins see every bank (or one, with ?bank=CODE)."""

from typing import Any

from django.core.paginator import Paginator
from django.db.models.functions import Substr
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext

from stemhub.accounts.models import Institution
from stemhub.accounts.permissions import Perm, is_platform_admin, permissions_of, user_can
from stemhub.cordblood import display, selectors
from stemhub.cordblood.display import abo_text
from stemhub.cordblood.forms import UploadForm, form_error
from stemhub.cordblood.models import (
    Reservation,
    ReservationState,
    Unit,
    UnitStatus,
    UnitUpload,
)
from stemhub.cordblood.selectors import RESOLUTION_WORDS, TNC_BANDS, UnitFilters, resolution_of
from stemhub.cordblood.tasks import cord_upload_start
from stemhub.cordblood.upload_rows import COLUMNS
from stemhub.core.errors import Forbidden, NotFound, StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest, page
from stemhub.jobs import display as display_job
from stemhub.populations.selectors import default_population

STATUS_WORDS = dict(UnitStatus.choices)
UNITS_PER_PAGE = 50
UPLOADS_SHOWN = 10


def _bank_of(request: AuthenticatedHttpRequest) -> Institution | None:
    """Whose units: the user's own bank; a platform admin's choice (?bank=CODE) or all (None)."""
    if is_platform_admin(request.user):
        code = request.GET.get("bank", "")
        if not code:
            return None
        chosen = Institution.objects.filter(provider_code=code).first()
        if chosen is None:
            raise NotFound(gettext("No bank %(code)s") % {"code": code})
        return chosen
    if request.user.institution is None:
        raise Forbidden(gettext("You belong to no bank."))
    return request.user.institution


@page(Perm.CORD_MANAGE)
def units(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs cordblood.manage: the bank's own units, searched by DIN, local id or HLA and
    filtered by status, ABO, TNC band and collection year, 50 a page."""
    bank = _bank_of(request)
    filters = UnitFilters.of(request.GET)
    found = selectors.bank_units(bank, filters)
    listing = Paginator(found["units"], UNITS_PER_PAGE).get_page(request.GET.get("page"))
    kept = request.GET.copy()
    kept.pop("page", None)
    status_links = []
    for status, n in found["by_status"]:
        chosen = kept.copy()
        chosen["status"] = status.value
        status_links.append(
            {"status": status, "n": n, "query": chosen.urlencode(), "current": filters.status}
        )
    return render(
        request,
        "cordblood/units.html",
        {
            "bank": bank,
            "admin": is_platform_admin(request.user),
            "filters": filters,
            "page": listing,
            "rows": [_unit_row(unit) for unit in listing.object_list],
            "status_links": status_links,
            "statuses": UnitStatus.choices,
            "abo_groups": ("O", "A", "B", "AB"),
            "bands": TNC_BANDS,
            "years": found["years"],
            "filter_query": kept.urlencode(),
            "example": selectors.search_examples(bank),
            "total": sum(n for _s, n in found["by_status"]),
            "total_text": number_format(
                sum(n for _s, n in found["by_status"]), force_grouping=True
            ),
            "shown_text": number_format(listing.paginator.count, force_grouping=True),
        },
    )


def _unit_row(unit: Unit) -> dict[str, Any]:
    return {
        "unit": unit,
        "din": display.din_text(unit.din, unit.din_check),
        "abo": abo_text(unit.abo, unit.rh),
        "hla": [
            (locus, text.split("+"))
            for locus, text in (("A", unit.hla_a), ("B", unit.hla_b), ("DRB1", unit.hla_drb1))
        ],
        "resolution": RESOLUTION_WORDS[
            min(
                (
                    resolution_of(unit.hla_a),
                    resolution_of(unit.hla_b),
                    resolution_of(unit.hla_drb1),
                ),
                key=selectors.RESOLUTIONS.index,
            )
        ],
    }


def _visible_unit(request: AuthenticatedHttpRequest, unit_id: int) -> Unit:
    """A coordinator sees any unit (they meet them in search results); bank staff their own."""
    found = Unit.objects.select_related("bank").filter(pk=unit_id).first()
    if found is None or not (
        Perm.CORD_SEARCH in permissions_of(request.user)
        or user_can(request.user, Perm.CORD_MANAGE, found.bank_id)
    ):
        raise NotFound(gettext("No unit %(id)s") % {"id": unit_id})
    return found


@page(Perm.CORD_SEARCH, Perm.CORD_MANAGE)
def unit(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    """Needs cordblood.search, or cordblood.manage at the unit's bank: one unit, its typing per
    locus, its reservations (the bank releases an active one for shipment) and its history."""
    found = _visible_unit(request, unit_id)
    bank_side = user_can(request.user, Perm.CORD_MANAGE, found.bank_id)
    reservations = Reservation.objects.filter(unit=found).select_related(
        "patient", "patient__centre"
    )
    if not bank_side:
        reservations = reservations.filter(patient__centre_id=request.user.institution_id)
    typing = display.typing_rows(found.hla_by_locus())
    return render(
        request,
        "cordblood/unit.html",
        {
            "unit": found,
            "default_population": default_population(),
            "din": display.din_text(found.din, found.din_check),
            "abo": abo_text(found.abo, found.rh),
            "typing": typing,
            "reservations": reservations,
            "bank_side": bank_side,
            "active": ReservationState.ACTIVE,
            "events": [
                {
                    "e": event,
                    "from": STATUS_WORDS.get(event.from_status, ""),
                    "to": STATUS_WORDS.get(event.to_status, ""),
                    "note": display.event_note(event.kind, event.note),
                }
                for event in found.events.select_related("actor").order_by("-at", "-pk")
            ],
        },
    )


@page(Perm.CORD_MANAGE)
def upload(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Needs cordblood.manage at the bank: upload units (CSV or JSON, full or delta mode). The
    file is queued as a task: with htmx the page swaps in its progress panel, which polls every
    second and shows the row-level report (line, field, reason) at the end; without JavaScript
    the answer is a redirect to the task's page. Lists the bank's recent uploads."""
    found = Institution.objects.filter(provider_code=code).first()
    if found is None or not user_can(request.user, Perm.CORD_MANAGE, found.pk):
        raise NotFound(gettext("No bank %(code)s whose units you manage") % {"code": code})
    form = UploadForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST":
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            try:
                job = cord_upload_start(
                    actor=request.user,
                    bank=found,
                    filename=upload_file.name,
                    content=upload_file.read(),
                    mode=form.cleaned_data["mode"],
                    skip_invalid=form.cleaned_data["skip_invalid"],
                )
            except StemhubError as caught:
                error = caught
            else:
                if request.htmx:
                    context = display_job.panel(request, job)
                    context["task_url"] = reverse("jobs:task", kwargs={"job_id": job.pk})
                    return render(request, "cordblood/_upload_task.html", context, status=202)
                return redirect("jobs:task", job_id=job.pk)
        else:
            error = form_error(form)
    context = {
        "bank": found,
        "form": form,
        "report": None,
        "facilities": list(
            Unit.objects.filter(bank=found)
            .exclude(din="")
            .annotate(facility=Substr("din", 1, 5))
            .order_by("facility")
            .values_list("facility", flat=True)
            .distinct()[:5]
        ),
        "error": error,
        "columns": COLUMNS,
        "uploads": UnitUpload.objects.filter(bank=found).select_related("uploaded_by")[
            :UPLOADS_SHOWN
        ],
    }
    template = "cordblood/_upload_report.html" if request.htmx else "cordblood/upload.html"
    return render(request, template, context, status=400 if error else 200)


@page(Perm.CORD_MANAGE)
def upload_report(request: AuthenticatedHttpRequest, code: str, upload_id: int) -> HttpResponse:
    """Needs cordblood.manage at the bank: one past upload, its counts and its problems by row."""
    found = (
        UnitUpload.objects.select_related("bank", "uploaded_by")
        .filter(pk=upload_id, bank__provider_code=code)
        .first()
    )
    if found is None or not user_can(request.user, Perm.CORD_MANAGE, found.bank_id):
        raise NotFound(gettext("No upload %(id)s") % {"id": upload_id})
    return render(request, "cordblood/upload_report.html", {"upload": found})


@page(Perm.CORD_MANAGE)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs cordblood.manage: a bank's own dashboard for its staff; platform admins see the
    whole network (or one bank with ?bank=CODE)."""
    admin = is_platform_admin(request.user)
    chosen = _bank_of(request)
    figures = selectors.dashboard(chosen)
    return render(
        request, "cordblood/dashboard.html", {"figures": figures, "bank": chosen, "admin": admin}
    )
