"""The haplobank planner's pages: the plan of a population's set (with the network's holdings
and the coverage curve), its CSV, and the homozygous holdings that serve a cord blood patient."""

from typing import Any

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse

from stemhub.accounts.permissions import Perm
from stemhub.cordblood.services import patient_of
from stemhub.core.errors import InvalidInput, NotFound
from stemhub.core.exports import csv_download
from stemhub.core.pages import AuthenticatedHttpRequest, page
from stemhub.haplobank import selectors
from stemhub.haplobank.charts import coverage_svg
from stemhub.populations.models import HaplotypeSet, Population


def set_url(haplotype_set: HaplotypeSet) -> str:
    """The set's page (populations app)."""
    return reverse("populations:set_detail", args=[haplotype_set.pk])


def _asked(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    query = request.GET
    return {
        "population": query.get("population"),
        "loci": query.get("loci"),
        "resolution": query.get("resolution"),
        "top": query.get("top"),
    }


@page(Perm.POPULATIONS_VIEW)
def plan(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs populations.view: the plan of a population's set in use at the chosen loci,
    resolution and number of lines, which haplotypes the network holds, the coverage curve."""
    populations = list(Population.objects.order_by("-is_default", "code"))
    context: dict[str, Any] = {"populations": populations, "asked": _asked(request)}
    status = 200
    try:
        asked = selectors.plan_request(**context["asked"])
    except InvalidInput as error:
        context["error"] = error
        status = error.status
    except NotFound as error:
        if "population" in error.fields:  # no such population: the choice was wrong
            context["error"], status = error, error.status
        else:  # the population has no set yet: say who loads one
            context["no_set"] = str(error)
    else:
        found = selectors.plan(request.user, asked)
        context.update(
            asked=asked,
            plan=found,
            set_url=set_url(asked.haplotype_set),
            loci_choices=selectors.loci_choices(asked.haplotype_set),
            chart=coverage_svg(found.curve, found.held_by_lines, found.held_with_units),
            csv_query=request.GET.urlencode(),
        )
    return render(request, "haplobank/plan.html", context, status=status)


@page(Perm.POPULATIONS_VIEW)
def plan_csv(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Needs populations.view: the plan as CSV (rank,haplotype,frequency,coverage,
    cumulative_coverage; shares as fractions of 1)."""
    asked = selectors.plan_request(**_asked(request))
    found = selectors.plan(request.user, asked)
    name = f"haplobank-{asked.population.code}-v{asked.haplotype_set.version}-" + "-".join(
        asked.loci
    )
    return csv_download(
        f"{name}.csv", selectors.CSV_HEADER, selectors.plan_csv_rows(found), stream=False
    )


@page(Perm.CORD_SEARCH)
def patient(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """Needs cordblood.search at the patient's centre: the homozygous lines and cord units whose
    alleles the patient holds at A, B and DRB1 (no host-versus-graft mismatch)."""
    found = patient_of(request.user, patient_id)
    view = selectors.patient_view(request.user, found, loci=request.GET.get("loci"))
    return render(
        request,
        "haplobank/patient.html",
        {
            "view": view,
            "patient": found,
            "set_url": set_url(view.request.haplotype_set) if view.request else "",
            "certain": [m for m in view.matches if m.carries == "yes"],
            "maybe": [m for m in view.matches if m.carries == "maybe"],
        },
    )
