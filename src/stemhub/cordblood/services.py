"""Writes of the cord blood platform: patients, searches, the reservation workflow, transplants.

Each function is atomic, checks the actor's permission, and writes the event rows of what it
did. Allocation (reserving a unit) locks the unit row and never checks-then-acts: the status
update is conditional on the status read under the lock, and a partial unique index allows one
active reservation per unit.
"""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from stemhub.accounts.models import Institution, User
from stemhub.accounts.permissions import Perm, user_can
from stemhub.cordblood import index as search_index
from stemhub.cordblood import typing as hla
from stemhub.cordblood.models import (
    ABO,
    CentreSettings,
    EventKind,
    GvhdAcute,
    GvhdChronic,
    Patient,
    Reservation,
    ReservationState,
    SavedSearch,
    Sex,
    Survival,
    Transplant,
    Unit,
    UnitEvent,
    UnitStatus,
)
from stemhub.cordblood.search import SearchRequest, run_search
from stemhub.core.errors import Conflict, Forbidden, InvalidInput, NotFound


def require(actor: User, perm: Perm, institution_id: int | None = None) -> None:
    if not user_can(actor, perm, institution_id):
        raise Forbidden(f"You need the permission {perm} for this institution's records.")


# ---- patients -----------------------------------------------------------------------------------


def _dsa_targets(values: Any) -> list[str]:
    items = values if isinstance(values, list) else str(values or "").replace(",", " ").split()
    targets = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        try:
            hla.engine().parser.parse_segment(item)
        except Exception as error:  # TypingError or HLAError: name the token
            raise InvalidInput(
                f"dsa: {item!r}: {error}", fields={"dsa": [f"{item!r}: {error}"]}
            ) from None
        targets.append(item)
    return targets


def patient_create(*, actor: User, data: dict[str, Any]) -> Patient:
    """A patient of the actor's own centre."""
    require(actor, Perm.CORD_SEARCH)
    if actor.institution_id is None:
        raise InvalidInput("You belong to no centre", fields={"centre": ["required"]})
    fields: dict[str, list[str]] = {}
    patient_id = str(data.get("centre_patient_id") or "").strip()
    if not patient_id:
        fields["centre_patient_id"] = ["required"]
    try:
        weight = float(data.get("weight_kg") or 0)
    except (TypeError, ValueError):
        weight = 0
    if not 0 < weight <= 300:
        fields["weight_kg"] = ["a weight in kg, more than 0"]
    gl = str(data.get("hla") or "").strip()
    try:
        normalised = hla.gl_of(hla.split_gl(gl)) if gl else ""
        if not normalised:
            fields["hla"] = ["required: the patient's HLA typing (GL string)"]
    except hla.BadTyping as error:
        normalised = ""
        fields["hla"] = [f"{error.token!r}: {error.reason}"]
    abo = str(data.get("abo") or "")
    if abo and abo not in ABO.values:
        fields["abo"] = ["A, B, AB or O"]
    sex = str(data.get("sex") or "U")
    if sex not in Sex.values:
        fields["sex"] = ["F, M or U"]
    if fields:
        summary = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
        raise InvalidInput(summary, fields=fields)
    if Patient.objects.filter(
        centre_id=actor.institution_id, centre_patient_id=patient_id
    ).exists():
        raise Conflict(
            f"Patient {patient_id} already exists", fields={"centre_patient_id": ["taken"]}
        )
    birth_year = data.get("birth_year")
    return Patient.objects.create(
        centre_id=actor.institution_id,
        centre_patient_id=patient_id,
        sex=sex,
        birth_year=int(birth_year) if birth_year else None,
        weight_kg=weight,
        diagnosis=str(data.get("diagnosis") or "")[:200],
        malignant=bool(data.get("malignant", True)),
        ethnicity=str(data.get("ethnicity") or "")[:64],
        abo=abo,
        rh=str(data.get("rh") or "")[:1],
        hla_gl=normalised,
        dsa=_dsa_targets(data.get("dsa")),
        created_by=actor,
    )


def patient_of(actor: User, patient_id: int) -> Patient:
    """The patient if the actor may see it (cordblood.search at the patient's centre)."""
    patient = Patient.objects.select_related("centre").filter(pk=patient_id).first()
    if patient is None or not user_can(actor, Perm.CORD_SEARCH, patient.centre_id):
        raise NotFound(f"No patient {patient_id}")
    return patient


def centre_settings_update(
    *, actor: User, centre: Institution, values: dict[str, Any]
) -> CentreSettings:
    require(actor, Perm.CORD_SEARCH, centre.pk)
    found, _ = CentreSettings.objects.get_or_create(centre=centre)
    names = [f.name for f in CentreSettings._meta.fields if f.name not in ("id", "centre")]
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise InvalidInput("unknown settings", fields={k: ["unknown"] for k in unknown})
    for name, value in values.items():
        setattr(found, name, value)
    found.full_clean()
    found.save()
    return found


# ---- searches -----------------------------------------------------------------------------------


def search_run(
    *, actor: User, patient: Patient, request: SearchRequest
) -> tuple[SavedSearch, dict]:
    """Run a search and keep it (criteria, engine version, IMGT release)."""
    require(actor, Perm.CORD_SEARCH, patient.centre_id)
    if not 1 <= request.cord_min_matches <= 8:
        raise InvalidInput("cord_min_matches is 1-8", fields={"cord_min_matches": ["1-8"]})
    if not 1 <= request.limit <= 200:
        raise InvalidInput("limit is 1-200", fields={"limit": ["1-200"]})
    results = run_search(patient, request)
    saved = SavedSearch.objects.create(
        patient=patient,
        created_by=actor,
        criteria=request.as_dict(),
        engine_version=results["engine_version"],
        imgt_release=results["imgt_release"],
        result_count=sum(len(k["results"]) for k in results["kinds"].values()),
    )
    return saved, results


def search_rerun(*, actor: User, saved: SavedSearch) -> dict:
    require(actor, Perm.CORD_SEARCH, saved.patient.centre_id)
    request = SearchRequest(**saved.criteria)
    results = run_search(saved.patient, request)
    SavedSearch.objects.filter(pk=saved.pk).update(
        last_run_at=timezone.now(),
        runs=saved.runs + 1,
        engine_version=results["engine_version"],
        imgt_release=results["imgt_release"],
    )
    return results


# ---- the reservation workflow -------------------------------------------------------------------


def _event(unit: Unit, kind: str, actor: User | None, old: str, note: str = "") -> None:
    UnitEvent.objects.create(
        unit=unit, kind=kind, from_status=old, to_status=unit.status, actor=actor, note=note
    )


def _set_status(unit: Unit, status: str, generation: int) -> None:
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
            _set_status(unit, UnitStatus.AVAILABLE, generation)
            _event(unit, EventKind.RESERVATION_EXPIRED, None, old)
            ended += 1
    return ended


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
                raise NotFound(f"No unit {unit_id}")
            if unit.status != UnitStatus.AVAILABLE:
                raise Conflict(
                    f"Unit {unit} is {unit.get_status_display().lower()}; "
                    "it cannot be reserved now.",
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
            _set_status(unit, UnitStatus.RESERVED, generation)
            _event(unit, EventKind.RESERVED, actor, UnitStatus.AVAILABLE, f"for {patient}")
    except IntegrityError:
        raise Conflict("The unit was reserved by someone else a moment ago.") from None
    return reservation


def reservation_of(actor: User, reservation_id: int) -> Reservation:
    reservation = (
        Reservation.objects.select_related("unit", "unit__bank", "patient")
        .filter(pk=reservation_id)
        .first()
    )
    if reservation is None:
        raise NotFound(f"No reservation {reservation_id}")
    centre = reservation.patient.centre_id
    bank = reservation.unit.bank_id
    if not (user_can(actor, Perm.CORD_SEARCH, centre) or user_can(actor, Perm.CORD_MANAGE, bank)):
        raise NotFound(f"No reservation {reservation_id}")
    return reservation


def _locked(reservation_id: int) -> tuple[Reservation, Unit, int]:
    """Lock order of every writer: the index state row, then the reservation, then the unit."""
    generation = search_index.begin_generation()
    reservation = Reservation.objects.select_for_update().get(pk=reservation_id)
    unit = Unit.objects.select_for_update().get(pk=reservation.unit_id)
    return reservation, unit, generation


def reservation_release(*, actor: User, reservation: Reservation) -> Reservation:
    """The holder's centre gives the unit back."""
    require(actor, Perm.CORD_SEARCH, reservation.patient.centre_id)
    with transaction.atomic():
        reservation, unit, generation = _locked(reservation.pk)
        if reservation.state != ReservationState.ACTIVE:
            raise Conflict(f"The reservation is {reservation.state}")
        reservation.state = ReservationState.RELEASED
        reservation.ended_at = timezone.now()
        reservation.save(update_fields=["state", "ended_at"])
        _set_status(unit, UnitStatus.AVAILABLE, generation)
        _event(unit, EventKind.RESERVATION_ENDED, actor, UnitStatus.RESERVED)
    return reservation


def reservation_request_typing(*, actor: User, reservation: Reservation) -> Reservation:
    require(actor, Perm.CORD_SEARCH, reservation.patient.centre_id)
    with transaction.atomic():
        reservation, unit, _generation = _locked(reservation.pk)
        if reservation.state != ReservationState.ACTIVE:
            raise Conflict(f"The reservation is {reservation.state}")
        if reservation.confirmatory_typing_requested_at is not None:
            raise Conflict("Confirmatory typing was already requested")
        reservation.confirmatory_typing_requested_at = timezone.now()
        reservation.save(update_fields=["confirmatory_typing_requested_at"])
        _event(unit, EventKind.CONFIRMATORY_TYPING, actor, unit.status)
    return reservation


def reservation_ship(*, actor: User, reservation: Reservation) -> Reservation:
    """The bank releases the reserved unit for shipment."""
    require(actor, Perm.CORD_MANAGE, reservation.unit.bank_id)
    with transaction.atomic():
        reservation, unit, generation = _locked(reservation.pk)
        if reservation.state != ReservationState.ACTIVE:
            raise Conflict(f"The reservation is {reservation.state}")
        reservation.state = ReservationState.SHIPPED
        reservation.ended_at = timezone.now()
        reservation.save(update_fields=["state", "ended_at"])
        _set_status(unit, UnitStatus.SHIPPED, generation)
        _event(unit, EventKind.SHIPPED, actor, UnitStatus.RESERVED)
    return reservation


def transplant_record(
    *, actor: User, patient: Patient, unit_ids: list[int], infused_on: dt.date
) -> Transplant:
    """The infusion of one or two shipped units reserved for this patient."""
    require(actor, Perm.CORD_SEARCH, patient.centre_id)
    if not 1 <= len(set(unit_ids)) <= 2:
        raise InvalidInput("one or two units", fields={"units": ["one or two units"]})
    with transaction.atomic():
        generation = search_index.begin_generation()
        units = list(Unit.objects.select_for_update().filter(pk__in=unit_ids).order_by("pk"))
        for unit in units:
            shipped_for_patient = Reservation.objects.filter(
                unit=unit, patient=patient, state=ReservationState.SHIPPED
            ).exists()
            if unit.status != UnitStatus.SHIPPED or not shipped_for_patient:
                raise Conflict(
                    f"Unit {unit} was not shipped for this patient",
                    fields={"units": [str(unit.pk)]},
                )
        if len(units) != len(set(unit_ids)):
            raise NotFound("unknown unit", fields={"units": ["unknown"]})
        transplant = Transplant.objects.create(
            patient=patient, infused_on=infused_on, recorded_by=actor
        )
        transplant.units.set(units)
        for unit in units:
            _set_status(unit, UnitStatus.INFUSED, generation)
            _event(unit, EventKind.INFUSED, actor, UnitStatus.SHIPPED)
    return transplant


OUTCOME_CHOICES = {
    "agvhd_grade": GvhdAcute.values,
    "cgvhd": GvhdChronic.values,
    "survival_day100": Survival.values,
    "survival_1y": Survival.values,
    "survival_5y": Survival.values,
}
OUTCOME_DAYS = ("neutrophil_engraftment_day", "death_day", "last_followup_day")


def transplant_outcome(
    *, actor: User, transplant: Transplant, values: dict[str, Any]
) -> Transplant:
    """Follow-up: engraftment day, GVHD grades, survival at day 100, 1 year, 5 years."""
    require(actor, Perm.CORD_SEARCH, transplant.patient.centre_id)
    fields: dict[str, list[str]] = {}
    for name, value in values.items():
        if name in OUTCOME_CHOICES:
            if value not in OUTCOME_CHOICES[name]:
                fields[name] = [f"one of {', '.join(OUTCOME_CHOICES[name])}"]
        elif name in OUTCOME_DAYS:
            if value is not None and (not isinstance(value, int) or not 0 <= value <= 20000):
                fields[name] = ["a day count after infusion"]
        else:
            fields[name] = ["unknown field"]
    if fields:
        raise InvalidInput("; ".join(f"{k}: {v[0]}" for k, v in fields.items()), fields=fields)
    with transaction.atomic():
        for name, value in values.items():
            setattr(transplant, name, value)
        transplant.save()
    return transplant
