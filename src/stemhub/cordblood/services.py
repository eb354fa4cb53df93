"""Writes of the cord blood platform: patients, searches, the reservation workflow, transplants.

Each function is atomic, checks the actor's permission, and writes the event rows of what it
did. Allocation (reserving a unit) locks the unit row and never checks-then-acts: the status
update is conditional on the status read under the lock, and a partial unique index allows one
active reservation per unit.
"""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stemhub.accounts.models import Institution, User
from stemhub.accounts.permissions import Perm, require, user_can
from stemhub.audit.context import audit_context, audited
from stemhub.cordblood import hla_typing as hla
from stemhub.cordblood import index as search_index
from stemhub.cordblood.hla_messages import error_words
from stemhub.cordblood.models import (
    ABO,
    LOCI,
    MALIGNANT_DIAGNOSES,
    NON_MALIGNANT_DIAGNOSES,
    CentreSettings,
    Diagnosis,
    DiseaseStatus,
    EventKind,
    Patient,
    Reservation,
    ReservationState,
    SavedSearch,
    Sex,
    TypingResult,
    Unit,
    UnitEvent,
    UnitStatus,
)
from stemhub.cordblood.search import SearchRequest, run_search
from stemhub.core.errors import Conflict, InvalidInput, NotFound, full_clean
from stemhub.core.hla import engine as hla_engine
from stemhub.hla import HLAError
from stemhub.populations.models import Population
from stemhub.qms.gating import require_authorised
from stemhub.qms.models import Task

# ---- patients -----------------------------------------------------------------------------------


def _dsa_targets(values: Any) -> list[str]:
    items = values if isinstance(values, list) else str(values or "").replace(",", " ").split()
    targets = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        try:
            hla_engine().parse_segment(item)
        except HLAError as error:  # a TypingError names the token
            problem = hla.BadTyping(item, error_words(error)).problem
            raise InvalidInput(f"dsa: {problem}", fields={"dsa": [problem]}) from None
        targets.append(item)
    return targets


def _choice(value: Any, allowed: list[str], field: str, fields: dict[str, list[str]]) -> str:
    """A choice by its code (any case); blank stays blank; else the field's problem."""
    text = str(value or "").strip()
    for option in allowed:
        if text.lower() == option.lower():
            return option
    if text:
        fields[field] = [
            _("%(text)r: one of %(allowed)s") % {"text": text, "allowed": ", ".join(allowed)}
        ]
    return ""


def _date(value: Any, field: str, fields: dict[str, list[str]]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        fields[field] = [_("%(value)r is not a date (YYYY-MM-DD)") % {"value": value}]
        return None


def _birth(
    data: dict[str, Any], today: dt.date, fields: dict[str, list[str]]
) -> tuple[dt.date | None, int | None]:
    """(date of birth, birth year) from a date of birth and/or an age in years."""
    born = _date(data.get("date_of_birth"), "date_of_birth", fields)
    if born is not None and born > today:
        fields["date_of_birth"] = [_("%(day)s is in the future") % {"day": born}]
    elif born is not None and born.year < today.year - 120:
        fields["date_of_birth"] = [_("%(day)s is more than 120 years ago") % {"day": born}]
    age_text = str(data.get("age") if data.get("age") is not None else "").strip()
    age = None
    if age_text:
        try:
            age = int(age_text)
        except ValueError:
            age = -1
        if not 0 <= age <= 120:
            fields["age"] = [_("%(age)r: an age in whole years, 0 to 120") % {"age": age_text}]
            age = None
    if born is not None and age is not None and "date_of_birth" not in fields:
        actual = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if actual != age:
            fields["age"] = [
                _("%(age)s does not fit the date of birth %(born)s (age %(actual)s)")
                % {"age": age, "born": born, "actual": actual}
            ]
    if "date_of_birth" in fields or born is None:
        legacy = data.get("birth_year")
        year = (
            (today.year - age)
            if age is not None
            else (None if legacy in (None, "") else int(legacy))
        )
        if year is not None and not today.year - 120 <= year <= today.year:
            fields["birth_year"] = [_("%(year)s is not a plausible year of birth") % {"year": year}]
        return None, year
    return born, born.year


@audited
def patient_create(*, actor: User, data: dict[str, Any]) -> Patient:
    """A patient of the actor's own centre. Every problem is named by its field: the typing
    (per locus or as a GL string, each bad token named), dates of birth in the future, an age
    that contradicts the date of birth, unknown choices, an impossible weight."""
    require(actor, Perm.CORD_SEARCH)
    if actor.institution_id is None:
        raise InvalidInput(_("You belong to no centre"), fields={"centre": [_("required")]})
    today = timezone.localdate()
    fields: dict[str, list[str]] = {}
    patient_id = str(data.get("centre_patient_id") or "").strip()
    if not patient_id:
        fields["centre_patient_id"] = [_("required")]
    elif len(patient_id) > 64:
        fields["centre_patient_id"] = [_("at most 64 characters")]
    try:
        weight = float(data.get("weight_kg") or 0)
    except (TypeError, ValueError):
        weight = 0
    if not 0 < weight <= 300:
        fields["weight_kg"] = [_("a weight in kg, more than 0 and at most 300")]
    per_locus = {locus: str(data.get(f"hla_{locus.lower()}") or "") for locus in LOCI}
    gl = str(data.get("hla") or "")
    normalised, problems = hla.patient_typing(gl, per_locus)
    if not gl.strip() and not any(per_locus.values()):
        problems = {"hla": [_("required: the patient's HLA typing, per locus or as a GL string")]}
    fields.update(problems)
    abo = _choice(data.get("abo"), ABO.values, "abo", fields)
    rh = _choice(data.get("rh"), ["+", "-"], "rh", fields)
    sex = _choice(data.get("sex"), Sex.values, "sex", fields) or Sex.UNKNOWN
    diagnosis = _choice(data.get("diagnosis"), Diagnosis.values, "diagnosis", fields)
    status = _choice(data.get("disease_status"), DiseaseStatus.values, "disease_status", fields)
    detail = str(data.get("diagnosis_detail") or "").strip()
    if diagnosis == Diagnosis.OTHER and not detail:
        fields["diagnosis_detail"] = [_("required for “other”: name the disease")]
    born, birth_year = _birth(data, today, fields)
    population = _population_of(data.get("population"), fields)
    malignant = bool(data.get("malignant", True))
    if diagnosis in MALIGNANT_DIAGNOSES:
        malignant = True
    elif diagnosis in NON_MALIGNANT_DIAGNOSES:
        malignant = False
    if status == DiseaseStatus.NOT_APPLICABLE and malignant:
        fields["disease_status"] = [_("“not applicable” is for non-malignant diseases")]
    if fields:
        summary = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
        raise InvalidInput(summary, fields=fields)
    if Patient.objects.filter(
        centre_id=actor.institution_id, centre_patient_id=patient_id
    ).exists():
        raise Conflict(
            _("Patient %(id)s already exists") % {"id": patient_id},
            fields={"centre_patient_id": [_("taken")]},
        )
    patient = Patient(
        centre_id=actor.institution_id,
        centre_patient_id=patient_id,
        sex=sex,
        date_of_birth=born,
        birth_year=birth_year,
        weight_kg=weight,
        diagnosis=diagnosis,
        diagnosis_detail=detail[:200],
        disease_status=status,
        malignant=malignant,
        ethnicity=str(data.get("ethnicity") or "")[:64],
        population=population,
        abo=abo,
        rh=rh,
        hla_gl=normalised,
        dsa=_dsa_targets(data.get("dsa")),
        created_by=actor,
    )
    full_clean(patient, validate_constraints=True)
    patient.save()
    return patient


def _population_of(value: Any, fields: dict[str, list[str]]) -> Population | None:
    """The population named by its code (any case); blank: None, the default population."""
    code = str(value or "").strip().upper()
    if not code:
        return None
    found = Population.objects.filter(code=code).first()
    if found is None:
        known = ", ".join(Population.objects.values_list("code", flat=True)) or _("none yet")
        fields["population"] = [
            _("unknown population %(code)s (known: %(known)s)") % {"code": code, "known": known}
        ]
    return found


def patient_of(actor: User, patient_id: int) -> Patient:
    """The patient if the actor may see it (cordblood.search at the patient's centre)."""
    patient = Patient.objects.select_related("centre").filter(pk=patient_id).first()
    if patient is None or not user_can(actor, Perm.CORD_SEARCH, patient.centre_id):
        raise NotFound(_("No patient %(id)s") % {"id": patient_id})
    return patient


@audited
def centre_settings_update(
    *, actor: User, centre: Institution, values: dict[str, Any]
) -> CentreSettings:
    require(actor, Perm.CORD_SEARCH, centre.pk)
    found = CentreSettings.objects.filter(centre=centre).first() or CentreSettings(centre=centre)
    names = [f.name for f in CentreSettings._meta.fields if f.name not in ("id", "centre")]
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise InvalidInput(
            _("unknown settings: %(names)s") % {"names": ", ".join(unknown)},
            fields={k: [_("unknown")] for k in unknown},
        )
    for name, value in values.items():
        setattr(found, name, value)
    problems: dict[str, list[str]] = {}
    for name in names:
        value = getattr(found, name)
        high = SETTING_LIMITS.get(name, 100)
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= high:
            problems[name] = [_("a number from 0 to %(high)s") % {"high": high}]
    if "reservation_days" not in problems and found.reservation_days < 1:
        problems["reservation_days"] = [_("at least 1 day")]
    for lower, higher, words in SETTING_ORDER:
        if lower in problems or higher in problems:
            continue
        if getattr(found, lower) > getattr(found, higher):
            problems.setdefault(lower, []).append(
                str(words) % {"value": getattr(found, higher)}  # the other threshold, in its unit
            )
    if problems:
        summary = "; ".join(f"{name}: {' '.join(why)}" for name, why in problems.items())
        raise InvalidInput(summary, fields=problems)
    full_clean(found, validate_constraints=True)
    found.save()
    return found


# Upper bounds of the centre thresholds (others: 100 in their unit per kg).
SETTING_LIMITS = {"max_mismatches_of_8": 8, "reservation_days": 90}
# Thresholds that must not exceed another: (lower, higher, why).
SETTING_ORDER = (
    (
        "double_tnc_per_kg",
        "single_tnc_per_kg",
        gettext_lazy(
            "at most the single-unit TNC threshold (%(value)s × 10⁷/kg): each unit of a double "
            "graft needs less than a single unit"
        ),
    ),
    (
        "double_cd34_per_kg",
        "single_cd34_per_kg",
        gettext_lazy("at most the single-unit CD34+ threshold (%(value)s × 10⁵/kg)"),
    ),
    (
        "search_tnc_per_kg",
        "double_tnc_per_kg",
        gettext_lazy(
            "at most the double-unit TNC threshold (%(value)s × 10⁷/kg), or the search would "
            "drop units that fit a double graft"
        ),
    ),
    (
        "search_cd34_per_kg",
        "double_cd34_per_kg",
        gettext_lazy("at most the double-unit CD34+ threshold (%(value)s × 10⁵/kg)"),
    ),
    (
        "single_tnc_per_kg",
        "nonmalignant_tnc_per_kg",
        gettext_lazy("at most the non-malignant disease TNC threshold (%(value)s × 10⁷/kg)"),
    ),
)


# ---- searches -----------------------------------------------------------------------------------


def search_run(
    *, actor: User, patient: Patient, request: SearchRequest
) -> tuple[SavedSearch, dict[str, Any]]:
    """Run a search and keep it (criteria, engine version, IMGT release, the haplotype
    frequency set of its predictions)."""
    require(actor, Perm.CORD_SEARCH, patient.centre_id)
    if not 1 <= request.cord_min_matches <= 8:
        problem = _("a whole number, %(low)s to %(high)s") % {"low": 1, "high": 8}
        raise InvalidInput(f"cord_min_matches: {problem}", fields={"cord_min_matches": [problem]})
    if not 1 <= request.limit <= 200:
        problem = _("a whole number, %(low)s to %(high)s") % {"low": 1, "high": 200}
        raise InvalidInput(f"limit: {problem}", fields={"limit": [problem]})
    results = run_search(patient, request)
    return _search_keep(actor=actor, patient=patient, request=request, results=results), results


@audited
def _search_keep(
    *, actor: User, patient: Patient, request: SearchRequest, results: dict[str, Any]
) -> SavedSearch:
    """The search's record, written after the search ran (no transaction is held while the
    engine works)."""
    return SavedSearch.objects.create(
        patient=patient,
        created_by=actor,
        criteria=request.as_dict(),
        engine_version=results["engine_version"],
        imgt_release=results["imgt_release"],
        haplotype_set_id=_set_id(results),
        result_count=sum(len(k["results"]) for k in results["kinds"].values()),
        counts={kind: section["counts"] for kind, section in results["kinds"].items()},
    )


def _set_id(results: dict[str, Any]) -> int | None:
    """The haplotype frequency set the search's predictions were computed with."""
    found = results.get("haplotype_set")
    return None if found is None else int(found["id"])


def search_rerun(*, actor: User, saved: SavedSearch) -> dict[str, Any]:
    require(actor, Perm.CORD_SEARCH, saved.patient.centre_id)
    request = SearchRequest(**saved.criteria)
    results = run_search(saved.patient, request)
    with audit_context(actor=actor):
        SavedSearch.objects.filter(pk=saved.pk).update(
            last_run_at=timezone.now(),
            runs=F("runs") + 1,
            engine_version=results["engine_version"],
            imgt_release=results["imgt_release"],
            haplotype_set_id=_set_id(results),
            result_count=sum(len(k["results"]) for k in results["kinds"].values()),
            counts={kind: section["counts"] for kind, section in results["kinds"].items()},
        )
    return results


# ---- the reservation workflow -------------------------------------------------------------------


def event_write(unit: Unit, kind: str, actor: User | None, old: str, note: str = "") -> None:
    """The unit's history row of a change its status went through (or an event beside it)."""
    UnitEvent.objects.create(
        unit=unit, kind=kind, from_status=old, to_status=unit.status, actor=actor, note=note
    )


def status_set(unit: Unit, status: str, generation: int) -> None:
    """The unit's new status, stamped with the search-index generation of this write."""
    unit.status = status
    unit.generation = generation
    unit.updated_at = timezone.now()
    unit.save(update_fields=["status", "generation", "updated_at"])


def reservations_expire(*, now: dt.datetime | None = None) -> int:
    """End reservations past their expiry and make their units available again."""
    now = now or timezone.now()
    ended = 0
    for pk in Reservation.objects.filter(
        state=ReservationState.ACTIVE, expires_at__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            generation = search_index.begin_generation()
            reservation = (
                Reservation.objects.select_for_update()
                .filter(pk=pk, state=ReservationState.ACTIVE)
                .first()
            )
            if reservation is None:
                continue
            unit = Unit.objects.select_for_update().get(pk=reservation.unit_id)
            reservation.state = ReservationState.EXPIRED
            reservation.ended_at = now
            reservation.save(update_fields=["state", "ended_at"])
            old = unit.status
            status_set(unit, UnitStatus.AVAILABLE, generation)
            event_write(unit, EventKind.RESERVATION_EXPIRED, None, old)
            ended += 1
    return ended


@audited
def unit_reserve(*, actor: User, unit_id: int, patient: Patient) -> Reservation:
    """Reserve an available unit for a patient of the actor's centre (one holder at a time)."""
    require(actor, Perm.CORD_SEARCH, patient.centre_id)
    reservations_expire()
    days = (
        CentreSettings.objects.filter(centre_id=patient.centre_id)
        .values_list("reservation_days", flat=True)
        .first()
        or 14
    )
    try:
        with transaction.atomic():
            generation = search_index.begin_generation()
            unit = Unit.objects.select_for_update().filter(pk=unit_id).first()
            if unit is None:
                raise NotFound(_("No unit %(id)s") % {"id": unit_id})
            if unit.status != UnitStatus.AVAILABLE:
                raise Conflict(
                    _("Unit %(unit)s is %(status)s; it cannot be reserved now.")
                    % {"unit": unit, "status": unit.get_status_display().lower()},
                    fields={"unit": [unit.status]},
                )
            now = timezone.now()
            reservation = Reservation.objects.create(
                unit=unit,
                patient=patient,
                holder=actor,
                created_at=now,
                expires_at=now + dt.timedelta(days=days),
            )
            status_set(unit, UnitStatus.RESERVED, generation)
            event_write(unit, EventKind.RESERVED, actor, UnitStatus.AVAILABLE, f"for {patient}")
    except IntegrityError:
        raise Conflict(_("The unit was reserved by someone else a moment ago.")) from None
    return reservation


def reservation_of(actor: User, reservation_id: int) -> Reservation:
    reservation = (
        Reservation.objects.select_related("unit", "unit__bank", "patient")
        .filter(pk=reservation_id)
        .first()
    )
    if reservation is None:
        raise NotFound(_("No reservation %(id)s") % {"id": reservation_id})
    centre = reservation.patient.centre_id
    bank = reservation.unit.bank_id
    if not (user_can(actor, Perm.CORD_SEARCH, centre) or user_can(actor, Perm.CORD_MANAGE, bank)):
        raise NotFound(_("No reservation %(id)s") % {"id": reservation_id})
    return reservation


def _locked_active(reservation_id: int) -> tuple[Reservation, Unit, int]:
    """`_locked`, refused (409) unless the reservation is still active."""
    reservation, unit, generation = _locked(reservation_id)
    if reservation.state != ReservationState.ACTIVE:
        raise Conflict(
            _("The reservation is %(state)s.") % {"state": reservation.get_state_display().lower()}
        )
    return reservation, unit, generation


def _locked(reservation_id: int) -> tuple[Reservation, Unit, int]:
    """Lock order of every writer: the index state row, then the reservation, then the unit."""
    generation = search_index.begin_generation()
    reservation = Reservation.objects.select_for_update().get(pk=reservation_id)
    unit = Unit.objects.select_for_update().get(pk=reservation.unit_id)
    return reservation, unit, generation


@audited
def reservation_release(*, actor: User, reservation: Reservation) -> Reservation:
    """The holder's centre gives the unit back."""
    require(actor, Perm.CORD_SEARCH, reservation.patient.centre_id)
    with transaction.atomic():
        reservation, unit, generation = _locked_active(reservation.pk)
        reservation.state = ReservationState.RELEASED
        reservation.ended_at = timezone.now()
        reservation.save(update_fields=["state", "ended_at"])
        status_set(unit, UnitStatus.AVAILABLE, generation)
        event_write(unit, EventKind.RESERVATION_ENDED, actor, UnitStatus.RESERVED)
    return reservation


@audited
def reservation_request_typing(*, actor: User, reservation: Reservation) -> Reservation:
    require(actor, Perm.CORD_SEARCH, reservation.patient.centre_id)
    with transaction.atomic():
        reservation, unit, _generation = _locked_active(reservation.pk)
        if reservation.confirmatory_typing_requested_at is not None:
            raise Conflict(_("Confirmatory typing was already requested."))
        reservation.confirmatory_typing_requested_at = timezone.now()
        reservation.save(update_fields=["confirmatory_typing_requested_at"])
        event_write(unit, EventKind.CONFIRMATORY_TYPING, actor, unit.status)
    return reservation


@audited
def reservation_record_typing(*, actor: User, reservation: Reservation, result: str) -> Reservation:
    """The holder's centre records the confirmatory typing result (match or mismatch) of a
    unit whose typing it requested; only a confirmed match lets the bank ship the unit."""
    require(actor, Perm.CORD_SEARCH, reservation.patient.centre_id)
    if result not in TypingResult.values:
        raise InvalidInput(
            _("confirmatory_typing_result: one of match, mismatch"),
            fields={"confirmatory_typing_result": [_("one of match, mismatch")]},
        )
    with transaction.atomic():
        reservation, unit, _generation = _locked_active(reservation.pk)
        if reservation.confirmatory_typing_requested_at is None:
            raise Conflict(_("Request confirmatory typing first, then record its result."))
        if reservation.confirmatory_typing_result:
            raise Conflict(
                _("The confirmatory typing result is already recorded: %(result)s.")
                % {"result": reservation.get_confirmatory_typing_result_display().lower()}
            )
        reservation.confirmatory_typing_result = result
        reservation.confirmatory_typing_recorded_at = timezone.now()
        reservation.save(
            update_fields=["confirmatory_typing_result", "confirmatory_typing_recorded_at"]
        )
        event_write(unit, EventKind.TYPING_RESULT, actor, unit.status)
    return reservation


def shipment_blocker(reservation: Reservation) -> str | None:
    """Why the bank may not ship a reserved unit yet (no confirmed confirmatory typing), or
    None."""
    if reservation.confirmatory_typing_result == TypingResult.MATCH:
        return None
    if reservation.confirmatory_typing_result == TypingResult.MISMATCH:
        return _(
            "%(unit)s may not ship: its confirmatory typing found a mismatch. The transplant "
            "centre releases the reservation and chooses another unit."
        ) % {"unit": reservation.unit}
    if reservation.confirmatory_typing_requested_at is None:
        return _(
            "%(unit)s may not ship yet: no confirmatory typing. The transplant centre requests "
            "it and records its result (match or mismatch) on its Reservations page; the unit "
            "ships once the match is confirmed."
        ) % {"unit": reservation.unit}
    return _(
        "%(unit)s may not ship yet: the confirmatory typing result is not recorded. The "
        "transplant centre records it (match or mismatch) on its Reservations page; the unit "
        "ships once the match is confirmed."
    ) % {"unit": reservation.unit}


@audited
def reservation_ship(*, actor: User, reservation: Reservation) -> Reservation:
    """The bank releases the reserved unit for shipment, once its confirmatory typing confirmed
    the match (`shipment_blocker` says why not)."""
    require(actor, Perm.CORD_MANAGE, reservation.unit.bank_id)
    # The bank's confirmation of the reservation: its unit leaves for the transplant centre.
    require_authorised(actor, Task.CORD_RESERVATION, reservation.unit.bank_id)
    with transaction.atomic():
        reservation, unit, generation = _locked_active(reservation.pk)
        blocker = shipment_blocker(reservation)
        if blocker:
            raise Conflict(blocker)
        reservation.state = ReservationState.SHIPPED
        reservation.ended_at = timezone.now()
        reservation.save(update_fields=["state", "ended_at"])
        status_set(unit, UnitStatus.SHIPPED, generation)
        event_write(unit, EventKind.SHIPPED, actor, UnitStatus.RESERVED)
    return reservation
