"""Pages of a transplant centre's search coordinators: patients, searches and their results
(per-locus match grid, doses per kg, flags and ABO as words), reservations, infusions and
follow-up, and the centre's guideline thresholds."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from stemhub.accounts.permissions import Perm, is_platform_admin, user_can
from stemhub.cordblood import display, services, transplant_services
from stemhub.cordblood import hla_typing as hla
from stemhub.cordblood.forms import (
    SETTING_LABELS,
    OutcomeForm,
    PatientForm,
    SettingsForm,
    form_error,
)
from stemhub.cordblood.models import (
    LOCI,
    CentreSettings,
    Patient,
    ReservationState,
    SavedSearch,
    Sex,
    Transplant,
    UnitStatus,
)
from stemhub.cordblood.search import SearchRequest, run_search
from stemhub.cordblood.survival import MILESTONES
from stemhub.core.errors import InvalidInput, NotFound, StemhubError
from stemhub.core.pages import AuthenticatedHttpRequest, page
from stemhub.hla import MATCH_LOCI
from stemhub.populations.models import HaplotypeSet
from stemhub.populations.selectors import default_population, set_for

coordinators_only = page(Perm.CORD_SEARCH)
CMV_WORDS = {
    "pos": gettext_lazy("CMV positive"),
    "neg": gettext_lazy("CMV negative"),
    "unknown": gettext_lazy("CMV not known"),
}
LATEST_FIRST = SavedSearch.objects.order_by("-last_run_at", "-pk")


PATIENT_LISTS = ("waiting", "transplanted", "all")


@coordinators_only
def patients(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs cordblood.search: your centre's patients (platform admins: every centre's): those
    waiting for a unit with their latest search and its best match, or those transplanted."""
    show = request.GET.get("show", "waiting")
    if show not in PATIENT_LISTS:
        show = "waiting"
    found = (
        Patient.objects.select_related("centre")
        .annotate(
            active=Count(
                "reservations",
                filter=Q(reservations__state=ReservationState.ACTIVE),
                distinct=True,
            ),
            grafts=Count("transplants", distinct=True),
        )
        .prefetch_related(
            Prefetch("searches", queryset=LATEST_FIRST),
            Prefetch("transplants", queryset=Transplant.objects.order_by("-infused_on")),
        )
        .order_by("centre_patient_id")
    )
    if not is_platform_admin(request.user):
        found = found.filter(centre_id=request.user.institution_id)
    counts = {
        "waiting": found.filter(transplants__isnull=True).count(),
        "transplanted": found.filter(transplants__isnull=False).distinct().count(),
    }
    counts["all"] = counts["waiting"] + counts["transplanted"]
    if show == "waiting":
        found = found.filter(transplants__isnull=True)
    elif show == "transplanted":
        found = found.filter(transplants__isnull=False).distinct()
    rows = []
    for patient in found:
        searches = list(patient.searches.all())
        latest = searches[0] if searches else None
        best = latest.best_match() if latest else None
        grafts = list(patient.transplants.all())
        rows.append(
            {"p": patient, "latest": latest, "best": best, "graft": grafts[0] if grafts else None}
        )
    return render(
        request, "cordblood/patients.html", {"rows": rows, "show": show, "counts": counts}
    )


@coordinators_only
def patient_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs cordblood.search: register a patient of your centre."""
    form = PatientForm(request.POST or None)
    error = None
    if request.method == "POST":
        form.is_valid()  # the service judges the values; this only readies the form's errors
        try:
            patient = services.patient_create(actor=request.user, data=form.data_for_service())
        except StemhubError as caught:
            error = caught
            form.show(caught)
        else:
            messages.success(
                request,
                _("Patient %(id)s registered. Search the network for a unit below.")
                % {"id": patient.centre_patient_id},
            )
            return redirect("cordblood:patient", patient_id=patient.pk)
    return render(
        request,
        "cordblood/patient_new.html",
        {"form": form, "error": error},
        status=error.status if error else 200,
    )


def _patient_page(request: HttpRequest, found: Patient, *, error: Any = None) -> HttpResponse:
    reservations = found.reservations.select_related("unit", "unit__bank")
    shipped = [
        r
        for r in reservations
        if r.state == ReservationState.SHIPPED and r.unit.status == UnitStatus.SHIPPED
    ]
    today = timezone.localdate()
    in_use = set_for(found.population_id)
    return render(
        request,
        "cordblood/patient.html",
        {
            "patient": found,
            "default_population": default_population(),
            "age": found.age_on(today),
            "abo": display.abo_text(found.abo, found.rh),
            "typing": display.typing_rows(hla.split_gl(found.hla_gl) if found.hla_gl else {}),
            "searches": [
                {
                    "s": s,
                    "best": s.best_match(),
                    "criteria": display.criteria_words(s.criteria),
                    "set_change": set_change(s, in_use),
                }
                for s in found.searches.select_related("haplotype_set__population")
            ],
            "reservations": reservations,
            "shipped": shipped,
            "transplants": found.transplants.prefetch_related("units__bank"),
            "error": error,
            "today": today.isoformat(),
        },
        status=error.status if error else 200,
    )


@coordinators_only
def patient(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """Needs cordblood.search at the patient's centre: the patient, their typing, searches with
    their dates, reservations and transplants."""
    return _patient_page(request, services.patient_of(request.user, patient_id))


def _criteria(query: Any) -> SearchRequest:
    """A search's criteria from a form; a value out of its choices is named with a 400."""
    options = {
        "donor_type": ("cord", "adult", "both"),
        "cord_rule": ("4of8", "6locus"),
        "adult_rule": ("8/8", "7/8", "10/10", "9/10"),
        "dsa_policy": ("exclude", "flag"),
    }
    values: dict[str, Any] = {}
    fields: dict[str, list[str]] = {}
    for name, allowed in options.items():
        value = query.get(name) or allowed[0]
        if value not in allowed:
            fields[name] = [_("one of %(choices)s") % {"choices": ", ".join(allowed)}]
        values[name] = value
    for name, low, high, default in (("cord_min_matches", 1, 8, 4), ("limit", 1, 200, 20)):
        try:
            values[name] = int(query.get(name) or default)
        except ValueError:
            values[name] = default
            fields[name] = [_("a whole number, %(low)s to %(high)s") % {"low": low, "high": high}]
    if fields:
        summary = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
        raise InvalidInput(summary, fields=fields)
    return SearchRequest(**values)


@require_POST
@coordinators_only
def search_new(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """Needs cordblood.search at the patient's centre: run a search and keep it."""
    found = services.patient_of(request.user, patient_id)
    saved, _results = services.search_run(
        actor=request.user, patient=found, request=_criteria(request.POST)
    )
    return redirect("cordblood:search", search_id=saved.pk)


def _dose(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def result_rows(section: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """A search's results as the page shows them: words, tones and units."""
    rows = []
    for result in section["results"]:
        compatibility, compatibility_title = display.abo_compatibility_words(
            result["abo_compatibility"]
        )
        cells = display.locus_cells(result["loci"], result["prediction"])
        row = {
            **result,
            "label": f"{result['bank']}/{result['local_id']}",
            "din_text": display.din_text(*result["din"].partition(" ")[::2]),
            "cells": cells,
            "odds": display.prediction_cells(result["prediction"]),
            "low_resolution": any(
                cell.tone == "potential" for cell in cells if cell.locus in MATCH_LOCI
            ),
            "abo_text": display.abo_text(result["abo_group"], result["rh"]) or "–",
            "abo_label": compatibility,
            "abo_title": compatibility_title,
        }
        if kind == "cord":
            row.update(
                flags=display.flags_of(result["flags"]),
                tnc_kg=_dose(result["tnc_per_kg"]),
                cd34_kg=_dose(result["cd34_per_kg"]),
                tnc_total=None if result["tnc"] is None else round(result["tnc"], 1),
            )
        else:
            row.update(
                sex=Sex(result["sex"]).label if result["sex"] in Sex.values else "–",
                cmv=CMV_WORDS.get(result["cmv"] or "unknown"),
            )
        rows.append(row)
    return rows


def _search_of(request: HttpRequest, search_id: int) -> SavedSearch:
    found = (
        SavedSearch.objects.select_related(
            "patient", "patient__centre", "created_by", "haplotype_set__population"
        )
        .filter(pk=search_id)
        .first()
    )
    if found is None or not user_can(request.user, Perm.CORD_SEARCH, found.patient.centre_id):
        raise NotFound(_("No search %(id)s") % {"id": search_id})
    return found


def set_url(set_id: int) -> str | None:
    """The page of a haplotype frequency set (None until the populations pages exist)."""
    try:
        return reverse("populations:set_detail", args=[set_id])
    except NoReverseMatch:
        return None


def set_change(saved: SavedSearch, in_use: HaplotypeSet | None) -> str | None:
    """Whether a saved search's predictions were made with another set than the patient's set
    in use now, in a sentence (None: unchanged)."""
    if in_use is None or saved.haplotype_set_id == in_use.pk:
        return None
    if saved.haplotype_set is None:
        return _("Predictions are available now with the set %(set)s: run the search again.") % {
            "set": in_use.label
        }
    return _(
        "Predictions changed: this search was saved with the set %(old)s, replaced by "
        "v%(version)s on %(day)s. The results below are predicted with the new set; run the "
        "search again to record them."
    ) % {
        "old": saved.haplotype_set.label,
        "version": in_use.version,
        "day": f"{timezone.localtime(in_use.at):%Y-%m-%d}",
    }


@coordinators_only
def search(request: AuthenticatedHttpRequest, search_id: int) -> HttpResponse:
    """Needs cordblood.search at the patient's centre: a saved search's results as of now (the
    criteria it was saved with, run against today's available units; nothing is written). A
    POST runs it again and records the run (date, counts, the set of its predictions)."""
    saved = _search_of(request, search_id)
    if request.method == "POST":
        services.search_rerun(actor=request.user, saved=saved)
        saved.refresh_from_db()
        messages.success(
            request,
            _("Search run again and recorded on %(day)s, with the set %(set)s.")
            % {
                "day": f"{timezone.localtime(saved.last_run_at):%Y-%m-%d %H:%M}",
                "set": saved.haplotype_set.label if saved.haplotype_set else "—",
            },
        )
        return redirect("cordblood:search", search_id=saved.pk)
    criteria = SearchRequest(**saved.criteria)
    results = run_search(saved.patient, criteria)
    sections = [
        {
            "kind": kind,
            "counts": section["counts"],
            "rows": result_rows(section, kind),
            "doubles": section.get("doubles", []),
        }
        for kind, section in results["kinds"].items()
    ]
    patient = saved.patient
    return render(
        request,
        "cordblood/search.html",
        {
            "saved": saved,
            "patient": patient,
            "age": patient.age_on(timezone.localdate()),
            "abo": display.abo_text(patient.abo, patient.rh),
            "criteria": criteria,
            "criteria_text": display.criteria_words(saved.criteria),
            "sections": sections,
            "release": results["imgt_release"],
            "prediction_set": results["haplotype_set"],
            "prediction_set_url": set_url(results["haplotype_set"]["id"])
            if results["haplotype_set"]
            else None,
            "set_change": set_change(saved, set_for(patient.population_id)),
            "patient_inexplicable": results.get("patient_inexplicable", False),
            "legend": display.LEGEND,
            "loci": LOCI,
        },
    )


@require_POST
@coordinators_only
def unit_reserve(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    """Needs cordblood.search at the patient's centre: reserve a unit for the patient."""
    try:
        patient_id = int(request.POST.get("patient") or 0)
    except ValueError:
        raise InvalidInput(
            _("patient: a patient's number"), fields={"patient": [_("a patient's number")]}
        ) from None
    found = services.patient_of(request.user, patient_id)
    back = request.POST.get("next", "")
    if not back.startswith("/cord/") or "//" in back:
        back = reverse("cordblood:patient", args=[found.pk])
    try:
        reservation = services.unit_reserve(actor=request.user, unit_id=unit_id, patient=found)
    except StemhubError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(
        request,
        _("Unit %(unit)s is reserved for %(patient)s until %(day)s.")
        % {
            "unit": reservation.unit,
            "patient": found.centre_patient_id,
            "day": f"{timezone.localtime(reservation.expires_at):%Y-%m-%d}",
        },
    )
    return redirect(reverse("cordblood:patient", args=[found.pk]) + "#reservations")


@require_POST
@coordinators_only
def transplant_new(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """Needs cordblood.search at the patient's centre: record the infusion of shipped units."""
    found = services.patient_of(request.user, patient_id)
    try:
        unit_ids = [int(value) for value in request.POST.getlist("units")]
        infused_on = dt.date.fromisoformat(request.POST.get("infused_on", ""))
    except ValueError:
        error = InvalidInput(
            _("infused_on: a date (YYYY-MM-DD) and the units infused"),
            fields={"infused_on": [_("a date, YYYY-MM-DD")]},
        )
        return _patient_page(request, found, error=error)
    try:
        transplant = transplant_services.transplant_record(
            actor=request.user, patient=found, unit_ids=unit_ids, infused_on=infused_on
        )
    except (InvalidInput, NotFound) as error:
        return _patient_page(request, found, error=InvalidInput(error.message, fields=error.fields))
    except StemhubError as error:
        return _patient_page(request, found, error=error)
    messages.success(
        request,
        _("Infusion on %(day)s recorded; add the follow-up below.") % {"day": infused_on},
    )
    return redirect("cordblood:transplant", transplant_id=transplant.pk)


def _transplant_of(request: HttpRequest, transplant_id: int) -> Transplant:
    found = (
        Transplant.objects.select_related("patient", "patient__centre")
        .prefetch_related("units__bank")
        .filter(pk=transplant_id)
        .first()
    )
    if found is None or not user_can(request.user, Perm.CORD_SEARCH, found.patient.centre_id):
        raise NotFound(_("No transplant %(id)s") % {"id": transplant_id})
    return found


def _milestones(found: Transplant) -> list[dict[str, Any]]:
    """Alive at day 100, 1, 3 and 5 years: known only once follow-up reaches the day."""
    days = found.followup_days
    rows = []
    for day, label in MILESTONES:
        if found.died_on is not None and days is not None and days <= day:
            state = "dead"
        elif days is not None and days >= day:
            state = "alive"
        else:
            state = "unknown"
        rows.append({"label": label, "state": state})
    return rows


@coordinators_only
def transplant(request: AuthenticatedHttpRequest, transplant_id: int) -> HttpResponse:
    """Needs cordblood.search at the patient's centre: a transplant and its follow-up:
    engraftment or graft failure, GVHD, relapse, last follow-up and the status then, death."""
    found = _transplant_of(request, transplant_id)
    initial = {name: getattr(found, name) for name in OutcomeForm.base_fields}
    form = OutcomeForm(request.POST or None, initial=initial)
    error = None
    if request.method == "POST":
        if form.is_valid():
            try:
                transplant_services.transplant_outcome(
                    actor=request.user, transplant=found, values=form.values()
                )
            except StemhubError as caught:
                error = caught
                for name, problems in caught.fields.items():
                    form.add_error(name if name in form.fields else None, " ".join(problems))
            else:
                messages.success(request, _("Follow-up saved."))
                return redirect("cordblood:transplant", transplant_id=found.pk)
        else:
            error = form_error(form)
    return render(
        request,
        "cordblood/transplant.html",
        {
            "transplant": found,
            "form": form,
            "error": error,
            "milestones": _milestones(found),
        },
        status=error.status if error else 200,
    )


def _settings_error(form: SettingsForm) -> InvalidInput:
    """The form's problems, each named by its label (as the page shows the field)."""
    fields = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
    named = [
        f"{form.fields[name].label if name in form.fields else _('Thresholds')}: {' '.join(found)}"
        for name, found in fields.items()
    ]
    count = len(named)
    head = ngettext(
        "%(n)s threshold needs fixing; nothing was saved.",
        "%(n)s thresholds need fixing; nothing was saved.",
        count,
    ) % {"n": count}
    return InvalidInput(" ".join([head, *named]), fields=fields)


@coordinators_only
def centre_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs cordblood.search: your centre's guideline thresholds (used by its searches)."""
    centre = request.user.institution
    if centre is None:
        raise InvalidInput(_("You belong to no centre"), fields={"centre": [_("required")]})
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
                for name, problems in caught.fields.items():
                    form.add_error(name if name in form.fields else None, " ".join(problems))
                error = _settings_error(form)
            else:
                messages.success(
                    request, _("Thresholds of %(centre)s saved.") % {"centre": centre.display_name}
                )
                return redirect("cordblood:centre_settings")
        else:
            error = _settings_error(form)
    return render(
        request,
        "cordblood/settings.html",
        {"centre": centre, "form": form, "error": error, "defaults": CentreSettings.defaults()},
        status=error.status if error else 200,
    )
