"""An infusion and its follow-up refuse what cannot be true, naming the field, writing nothing;
and the database refuses the same when a write goes around the services.

Dates count back from today; the reservation is dated back 30 days, the infusion 20."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from stemhub.cordblood import services, transplant_services
from stemhub.cordblood.models import Reservation, Transplant, Unit, UnitStatus
from stemhub.core.errors import InvalidInput
from tests.cordblood.conftest import confirm_typing, unit_row, upload
from tests.cordblood.test_search import make_patient

pytestmark = pytest.mark.django_db


def today():
    """Computed when a test runs: a module-level date goes stale when a run passes midnight."""
    return timezone.localdate()


DAY = dt.timedelta(days=1)


@pytest.fixture
def shipped(people, cord_bank):
    """A unit shipped for P1, reserved 30 days before today."""
    upload(people["tech"], cord_bank, [unit_row("U1", 1)])
    patient = make_patient(people, diagnosis="aml", date_of_birth="2010-05-01")
    unit = Unit.objects.get()
    reservation = services.unit_reserve(
        actor=people["coordinator"], unit_id=unit.pk, patient=patient
    )
    confirm_typing(people, reservation)
    services.reservation_ship(actor=people["tech"], reservation=reservation)
    reserved = timezone.make_aware(dt.datetime.combine(today() - 30 * DAY, dt.time(9)))
    Reservation.objects.filter(pk=reservation.pk).update(
        created_at=reserved, expires_at=reserved + 14 * DAY, ended_at=reserved + DAY
    )
    return patient, unit


def infuse(people, patient, unit, day):
    return transplant_services.transplant_record(
        actor=people["coordinator"], patient=patient, unit_ids=[unit.pk], infused_on=day
    )


def refused(call, field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        call()
    assert field in caught.value.fields, caught.value.fields
    assert words in " ".join(caught.value.fields[field])


# ---- the infusion -------------------------------------------------------------------------------


def test_an_infusion_in_the_future_is_refused(people, shipped):
    patient, unit = shipped
    refused(lambda: infuse(people, patient, unit, today() + DAY), "infused_on", "in the future")
    assert Unit.objects.get().status == UnitStatus.SHIPPED and not Transplant.objects.exists()


def test_an_infusion_before_the_unit_was_reserved_is_refused(people, shipped):
    patient, unit = shipped
    refused(
        lambda: infuse(people, patient, unit, today() - 31 * DAY),
        "infused_on",
        f"before unit NCBB/U1 was reserved on {today() - 30 * DAY}",
    )
    assert infuse(people, patient, unit, today() - 30 * DAY).infused_on == today() - 30 * DAY


def test_an_infusion_before_the_patient_was_born_is_refused(people, cord_bank):
    upload(people["tech"], cord_bank, [unit_row("U1", 1)])
    patient = make_patient(people, date_of_birth=(today() - 10 * DAY).isoformat())
    unit = Unit.objects.get()
    refused(
        lambda: infuse(people, patient, unit, today() - 11 * DAY),
        "infused_on",
        "before the date of birth",
    )


# ---- the follow-up ------------------------------------------------------------------------------


@pytest.fixture
def transplant(people, shipped):
    patient, unit = shipped
    return infuse(people, patient, unit, today() - 20 * DAY)


def follow_up(people, transplant, **values):
    return transplant_services.transplant_outcome(
        actor=people["coordinator"], transplant=transplant, values=values
    )


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"last_followup_on": today() + DAY}, "last_followup_on", "is in the future"),
        ({"last_followup_on": today() - 21 * DAY}, "last_followup_on", "before the infusion"),
        (
            {"vital_status": "dead", "died_on": today() - 5 * DAY, "last_followup_on": today()},
            "died_on",
            f"{today() - 5 * DAY} is before the last follow-up on {today()}",
        ),
        (
            {"vital_status": "alive", "last_followup_on": today(), "died_on": today()},
            "vital_status",
            "“alive at last follow-up” contradicts the death on",
        ),
        ({"vital_status": "dead"}, "died_on", "required when the patient died"),
        ({"vital_status": "alive"}, "last_followup_on", "required"),
        ({"died_on": today() - DAY}, "vital_status", "“not yet known” contradicts the death"),
        ({"relapse_on": today() - 2 * DAY}, "relapse_on", "needs the relapse recorded"),
        (
            {
                "relapsed": True,
                "relapse_on": today() - DAY,
                "vital_status": "dead",
                "died_on": today() - 3 * DAY,
            },
            "relapse_on",
            "is after the death on",
        ),
        (
            {
                "relapsed": True,
                "relapse_on": today() - DAY,
                "vital_status": "alive",
                "last_followup_on": today() - 5 * DAY,
            },
            "relapse_on",
            "is after the last follow-up on",
        ),
        (
            {"graft_failure": True, "neutrophil_engraftment_day": 18},
            "neutrophil_engraftment_day",
            "contradicts primary graft failure",
        ),
        (
            {
                "neutrophil_engraftment_day": 18,
                "vital_status": "alive",
                "last_followup_on": today() - 5 * DAY,
            },
            "neutrophil_engraftment_day",
            "day +18 is after the last day known (day +15)",
        ),
        ({"agvhd_grade": "V"}, "agvhd_grade", "one of"),
        ({"relapse_on": "2026-02-30"}, "relapse_on", "is not a date"),
        ({"neutrophil_engraftment_day": -3}, "neutrophil_engraftment_day", "a day after"),
        ({"survival_1y": "alive"}, "survival_1y", "unknown field"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_a_follow_up_that_cannot_be_true_is_refused_and_nothing_written(
    people, transplant, values, field, words
):
    refused(lambda: follow_up(people, transplant, **values), field, words)
    stored = Transplant.objects.get()
    assert (stored.vital_status, stored.died_on, stored.last_followup_on) == ("unknown", None, None)
    assert (stored.relapse_on, stored.neutrophil_engraftment_day) == (None, None)


def test_a_consistent_follow_up_is_saved_and_later_fields_keep_it_whole(people, transplant):
    follow_up(
        people,
        transplant,
        neutrophil_engraftment_day=17,
        agvhd_grade="II",
        vital_status="alive",
        last_followup_on=today() - 2 * DAY,
    )
    # A later, partial update is checked against what is stored: a death before the last
    # follow-up already recorded is refused.
    refused(
        lambda: follow_up(people, transplant, vital_status="dead", died_on=today() - 3 * DAY),
        "died_on",
        "before the last follow-up",
    )
    follow_up(people, transplant, vital_status="dead", died_on=today())
    stored = Transplant.objects.get()
    assert (stored.vital_status, stored.died_on, stored.last_followup_on) == (
        "dead",
        today(),
        today() - 2 * DAY,
    )
    assert stored.followup_days == 20


# ---- the database holds the same invariants -----------------------------------------------------


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ({"vital_status": "dead"}, "cord_transplant_death_date_iff_dead"),
        ({"died_on": today()}, "cord_transplant_death_date_iff_dead"),
        ({"vital_status": "alive"}, "cord_transplant_alive_at_a_followup"),
        ({"last_followup_on": today() - 30 * DAY}, "cord_transplant_followup_after_infusion"),
        (
            {"vital_status": "dead", "died_on": today() - 3 * DAY, "last_followup_on": today()},
            "cord_transplant_no_followup_after_death",
        ),
        ({"relapse_on": today()}, "cord_transplant_relapse_date_needs_relapse"),
        (
            {"graft_failure": True, "neutrophil_engraftment_day": 20},
            "cord_transplant_graft_failure_never_engrafted",
        ),
    ],
)
def test_the_database_refuses_contradictions_written_around_the_services(
    transplant, values, constraint
):
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        Transplant.objects.filter(pk=transplant.pk).update(**values)
    assert constraint in str(caught.value)


def test_the_database_refuses_a_unit_frozen_before_it_was_collected(people, cord_bank):
    upload(people["tech"], cord_bank, [unit_row("U1", 1)])
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.update(collection_date=dt.date(2024, 5, 2), freezing_date=dt.date(2024, 5, 1))


def test_the_database_refuses_a_reservation_that_expires_before_it_starts(people, cord_bank):
    upload(people["tech"], cord_bank, [unit_row("U1", 1)])
    patient = make_patient(people)
    reservation = services.unit_reserve(
        actor=people["coordinator"], unit_id=Unit.objects.get().pk, patient=patient
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Reservation.objects.filter(pk=reservation.pk).update(
            expires_at=reservation.created_at - DAY
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Reservation.objects.filter(pk=reservation.pk).update(state="released")  # no end time
