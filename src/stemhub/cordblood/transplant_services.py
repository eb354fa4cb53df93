"""Writes of transplants: the infusion of shipped units, then the follow-up outcomes.

Every date and every combination a person could get wrong is refused with the field named and
nothing written: an infusion in the future or before the unit was reserved, a follow-up before
the infusion, a death before the last follow-up, "alive" with a death date, a relapse date
without a relapse, an engraftment day with primary graft failure. The database holds the same
invariants as check constraints (`Transplant.Meta`), the last word if a write skips this module.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stemhub.accounts.models import User
from stemhub.accounts.permissions import Perm, require
from stemhub.audit.context import audited
from stemhub.cordblood import index as search_index
from stemhub.cordblood.models import (
    EventKind,
    GvhdAcute,
    GvhdChronic,
    Patient,
    Reservation,
    ReservationState,
    Transplant,
    Unit,
    UnitStatus,
    VitalStatus,
)
from stemhub.cordblood.services import event_write, status_set
from stemhub.core.errors import Conflict, InvalidInput, NotFound, full_clean


def _invalid(fields: dict[str, list[str]]) -> InvalidInput:
    return InvalidInput("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()), fields=fields)


@audited
def transplant_record(
    *, actor: User, patient: Patient, unit_ids: list[int], infused_on: dt.date
) -> Transplant:
    """The infusion of one or two units shipped for this patient, on a day that is neither in
    the future nor before the unit was reserved for the patient."""
    require(actor, Perm.CORD_SEARCH, patient.centre_id)
    if not 1 <= len(set(unit_ids)) <= 2:
        problem = _("one or two units")
        raise InvalidInput(f"units: {problem}", fields={"units": [problem]})
    today = timezone.localdate()
    if infused_on > today:
        raise _invalid({"infused_on": [_("%(day)s is in the future") % {"day": infused_on}]})
    if patient.date_of_birth is not None and infused_on < patient.date_of_birth:
        raise _invalid(
            {
                "infused_on": [
                    _("%(day)s is before the date of birth %(born)s")
                    % {"day": infused_on, "born": patient.date_of_birth}
                ]
            }
        )
    with transaction.atomic():
        generation = search_index.begin_generation()
        units = list(Unit.objects.select_for_update().filter(pk__in=unit_ids).order_by("pk"))
        if len(units) != len(set(unit_ids)):
            raise NotFound(_("units: unknown unit"), fields={"units": [_("unknown")]})
        for unit in units:
            shipped = (
                Reservation.objects.filter(
                    unit=unit, patient=patient, state=ReservationState.SHIPPED
                )
                .order_by("-created_at")
                .first()
            )
            if unit.status != UnitStatus.SHIPPED or shipped is None:
                raise Conflict(
                    _("Unit %(unit)s was not shipped for this patient") % {"unit": unit},
                    fields={"units": [str(unit.pk)]},
                )
            reserved_on = timezone.localdate(shipped.created_at)
            if infused_on < reserved_on:
                raise _invalid(
                    {
                        "infused_on": [
                            _("%(day)s is before unit %(unit)s was reserved on %(reserved)s")
                            % {"day": infused_on, "unit": unit, "reserved": reserved_on}
                        ]
                    }
                )
        transplant = Transplant(patient=patient, infused_on=infused_on, recorded_by=actor)
        full_clean(transplant, validate_constraints=True)
        transplant.save()
        transplant.units.set(units)
        for unit in units:
            status_set(unit, UnitStatus.INFUSED, generation)
            event_write(unit, EventKind.INFUSED, actor, UnitStatus.SHIPPED)
    return transplant


CHOICES = {
    "agvhd_grade": ["", *GvhdAcute.values],
    "cgvhd": ["", *GvhdChronic.values],
    "vital_status": VitalStatus.values,
}
DATES = ("relapse_on", "last_followup_on", "died_on")
FLAGS = ("graft_failure", "relapsed")
OUTCOME_FIELDS = ("neutrophil_engraftment_day", *CHOICES, *DATES, *FLAGS)


def _parse(values: dict[str, Any], fields: dict[str, list[str]]) -> dict[str, Any]:
    """Each value as its field's type; problems of form (not of sense) into `fields`."""
    parsed: dict[str, Any] = {}
    for name, value in values.items():
        if name not in OUTCOME_FIELDS:
            fields[name] = [_("unknown field")]
        elif name in CHOICES:
            text = "" if value is None else str(value)
            if text not in CHOICES[name]:
                listed = ", ".join(c or _("(blank)") for c in CHOICES[name])
                fields[name] = [_("one of %(choices)s") % {"choices": listed}]
            parsed[name] = text
        elif name in DATES:
            if value in (None, ""):
                parsed[name] = None
            elif isinstance(value, dt.date):
                parsed[name] = value
            else:
                try:
                    parsed[name] = dt.date.fromisoformat(str(value))
                except ValueError:
                    fields[name] = [_("%(value)r is not a date (YYYY-MM-DD)") % {"value": value}]
        elif name in FLAGS:
            if not isinstance(value, bool):
                fields[name] = [_("true or false")]
            parsed[name] = bool(value)
        elif value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1000
        ):
            fields[name] = [_("a day after the infusion, 0 to 1000")]
        else:
            parsed[name] = value
    return parsed


def outcome_problems(
    outcome: dict[str, Any], infused_on: dt.date, today: dt.date
) -> dict[str, list[str]]:
    """What contradicts what in one transplant's outcomes (all fields, after the change)."""
    fields: dict[str, list[str]] = {}

    def say(name: str, problem: str) -> None:
        fields.setdefault(name, []).append(problem)

    followup, died, relapse = outcome["last_followup_on"], outcome["died_on"], outcome["relapse_on"]
    for name in DATES:
        day = outcome[name]
        if day is not None and day > today:
            say(name, _("%(day)s is in the future") % {"day": day})
        elif day is not None and day < infused_on:
            say(
                name,
                _("%(day)s is before the infusion on %(infused)s")
                % {"day": day, "infused": infused_on},
            )
    status = outcome["vital_status"]
    if died is not None and followup is not None and died < followup:
        say(
            "died_on",
            _("%(died)s is before the last follow-up on %(seen)s")
            % {"died": died, "seen": followup},
        )
    if status == VitalStatus.ALIVE and died is not None:
        say(
            "vital_status",
            _("“alive at last follow-up” contradicts the death on %(died)s") % {"died": died},
        )
    if status == VitalStatus.ALIVE and followup is None:
        say("last_followup_on", _("required: the day the patient was last seen alive"))
    if status == VitalStatus.DEAD and died is None:
        say("died_on", _("required when the patient died"))
    if status == VitalStatus.UNKNOWN and died is not None:
        say("vital_status", _("“not yet known” contradicts the death on %(died)s") % {"died": died})
    if relapse is not None and not outcome["relapsed"]:
        say("relapse_on", _("a relapse date needs the relapse recorded"))
    if relapse is not None and died is not None and relapse > died:
        say(
            "relapse_on",
            _("%(day)s is after the death on %(died)s") % {"day": relapse, "died": died},
        )
    elif relapse is not None and died is None and followup is not None and relapse > followup:
        say(
            "relapse_on",
            _("%(day)s is after the last follow-up on %(seen)s")
            % {"day": relapse, "seen": followup},
        )
    engrafted = outcome["neutrophil_engraftment_day"]
    if engrafted is not None and outcome["graft_failure"]:
        say(
            "neutrophil_engraftment_day",
            _("an engraftment day contradicts primary graft failure (no engraftment)"),
        )
    end = died or followup
    if engrafted is not None and end is not None and engrafted > (end - infused_on).days:
        say(
            "neutrophil_engraftment_day",
            _("day +%(day)s is after the last day known (day +%(known)s)")
            % {"day": engrafted, "known": (end - infused_on).days},
        )
    return fields


@audited
def transplant_outcome(
    *, actor: User, transplant: Transplant, values: dict[str, Any]
) -> Transplant:
    """Follow-up: engraftment (day) or primary graft failure, acute and chronic GVHD, relapse
    (and its date), the last follow-up date and the status then, the date of death. A partial
    update: fields not given keep their value, and the whole record must make sense after."""
    require(actor, Perm.CORD_SEARCH, transplant.patient.centre_id)
    fields: dict[str, list[str]] = {}
    parsed = _parse(values, fields)
    if fields:
        raise _invalid(fields)
    with transaction.atomic():
        locked = Transplant.objects.select_for_update().get(pk=transplant.pk)
        outcome = {name: getattr(locked, name) for name in OUTCOME_FIELDS} | parsed
        fields = outcome_problems(outcome, locked.infused_on, timezone.localdate())
        if fields:
            raise _invalid(fields)
        for name, value in parsed.items():
            setattr(locked, name, value)
        full_clean(locked, validate_constraints=True)
        locked.save()
    return locked
