"""The reservation workflow: one holder at a time, expiry, typing, shipment, infusion, outcomes."""

import datetime as dt

import pytest
from django.utils import timezone

from stemhub.cordblood import index as search_index
from stemhub.cordblood import services, transplant_services
from stemhub.cordblood.models import EventKind, Reservation, Unit, UnitStatus
from stemhub.cordblood.selectors import dashboard
from stemhub.cordblood.survival import kaplan_meier
from stemhub.core.errors import Conflict, Forbidden
from tests.cordblood.conftest import confirm_typing, unit_row, upload
from tests.cordblood.test_search import make_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(people, cord_bank):
    upload(people["tech"], cord_bank, [unit_row("U1", 1)])
    return Unit.objects.get(local_id="U1")


def test_a_reserved_unit_cannot_be_reserved_again_and_leaves_the_search(people, unit):
    patient = make_patient(people)
    other = make_patient(people, centre_patient_id="P2")
    services.unit_reserve(actor=people["coordinator"], unit_id=unit.pk, patient=patient)
    with pytest.raises(Conflict):
        services.unit_reserve(actor=people["coordinator2"], unit_id=unit.pk, patient=other)
    unit.refresh_from_db()
    assert unit.status == UnitStatus.RESERVED
    assert str(unit.pk) not in search_index.current().donors["cord"]
    assert list(unit.events.values_list("kind", flat=True)) == [
        EventKind.IMPORTED,
        EventKind.RESERVED,
    ]


def test_an_expired_reservation_frees_the_unit(people, unit):
    patient = make_patient(people)
    reservation = services.unit_reserve(
        actor=people["coordinator"], unit_id=unit.pk, patient=patient
    )
    Reservation.objects.filter(pk=reservation.pk).update(
        created_at=timezone.now() - dt.timedelta(15), expires_at=timezone.now() - dt.timedelta(1)
    )
    other = make_patient(people, centre_patient_id="P2")
    again = services.unit_reserve(actor=people["coordinator2"], unit_id=unit.pk, patient=other)
    assert again.patient == other
    assert Reservation.objects.get(pk=reservation.pk).state == "expired"


def test_a_released_reservation_makes_the_unit_searchable_again(people, unit):
    patient = make_patient(people)
    reservation = services.unit_reserve(
        actor=people["coordinator"], unit_id=unit.pk, patient=patient
    )
    services.reservation_release(actor=people["coordinator"], reservation=reservation)
    assert str(unit.pk) in search_index.current().donors["cord"]


def test_the_whole_way_from_reservation_to_outcomes(people, unit):
    patient = make_patient(people, diagnosis="aml")
    reservation = services.unit_reserve(
        actor=people["coordinator"], unit_id=unit.pk, patient=patient
    )
    services.reservation_request_typing(actor=people["coordinator"], reservation=reservation)
    with pytest.raises(Forbidden):
        services.reservation_ship(actor=people["coordinator"], reservation=reservation)
    with pytest.raises(Conflict, match="confirmatory typing result is not recorded"):
        services.reservation_ship(actor=people["tech"], reservation=reservation)
    confirm_typing(people, reservation)
    services.reservation_ship(actor=people["tech"], reservation=reservation)
    transplant = transplant_services.transplant_record(
        actor=people["coordinator"],
        patient=patient,
        unit_ids=[unit.pk],
        infused_on=timezone.localdate(),
    )
    transplant_services.transplant_outcome(
        actor=people["coordinator"],
        transplant=transplant,
        values={
            "agvhd_grade": "II",
            "vital_status": "alive",
            "last_followup_on": timezone.localdate(),
        },
    )
    unit.refresh_from_db()
    assert unit.status == UnitStatus.INFUSED
    assert list(unit.events.values_list("kind", "to_status")) == [
        ("imported", "available"),
        ("reserved", "reserved"),
        ("confirmatory_typing", "reserved"),
        ("typing_result", "reserved"),
        ("shipped", "shipped"),
        ("infused", "infused"),
    ]
    figures = dashboard()
    assert figures["transplants"] == 1
    assert [(d["name"], d["transplants"], d["followed"]) for d in figures["diseases"]] == [
        ("Acute myeloid leukaemia (AML)", 1, 1)
    ]


def test_an_unknown_outcome_value_is_refused(people, unit):
    from stemhub.core.errors import InvalidInput

    patient = make_patient(people)
    reservation = services.unit_reserve(
        actor=people["coordinator"], unit_id=unit.pk, patient=patient
    )
    confirm_typing(people, reservation)
    services.reservation_ship(actor=people["tech"], reservation=reservation)
    transplant = transplant_services.transplant_record(
        actor=people["coordinator"],
        patient=patient,
        unit_ids=[unit.pk],
        infused_on=timezone.localdate(),
    )
    with pytest.raises(InvalidInput) as caught:
        transplant_services.transplant_outcome(
            actor=people["coordinator"], transplant=transplant, values={"agvhd_grade": "V"}
        )
    assert "agvhd_grade" in caught.value.fields


def test_kaplan_meier_is_the_product_limit_estimate():
    # 4 patients: deaths at 10 and 30, censored at 20 and 40.
    steps = kaplan_meier([(10, True), (20, False), (30, True), (40, False)])
    assert steps == [(0, 1.0), (10, 0.75), (30, 0.375)]
