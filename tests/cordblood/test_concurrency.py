"""Two coordinators reserve the same unit at the same moment: exactly one succeeds.

Real threads, each with its own database connection, released together by a barrier. An upload
racing a reservation leaves the reservation standing. Runs on PostgreSQL (row locks); SQLite
serialises writers and is skipped."""

import threading
from functools import partial

import pytest
from django.db import connection, connections

from stemhub.cordblood import services
from stemhub.cordblood.models import Reservation, Unit, UnitStatus
from stemhub.core.errors import Conflict
from tests.concurrency import HeldOpen
from tests.cordblood.conftest import unit_row, upload
from tests.cordblood.test_search import make_patient


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_coordinators_at_the_same_moment_exactly_one_reserves(people, cord_bank, attempt):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL")
    upload(people["tech"], cord_bank, [unit_row("U1", 1)])
    unit = Unit.objects.get()
    patients = [
        make_patient(people, centre_patient_id="P1"),
        make_patient(people, centre_patient_id="P2"),
    ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def reserve(who: str, patient) -> None:
        try:
            barrier.wait()
            services.unit_reserve(actor=people[who], unit_id=unit.pk, patient=patient)
            outcomes.append("reserved")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=reserve, args=(who, patient))
        for who, patient in zip(("coordinator", "coordinator2"), patients, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "reserved"]
    assert Reservation.objects.filter(unit=unit, state="active").count() == 1
    assert Unit.objects.get().status == UnitStatus.RESERVED


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("mode", "rows"),
    [
        # delta: the file changes the unit's total nucleated cells and states it available
        ("delta", [unit_row("U1", 1, tnc=160)]),
        # full: the unit is missing from the file, which would withdraw an available unit
        ("full", [unit_row("U2", 2)]),
    ],
)
def test_an_upload_racing_a_reservation_never_overwrites_it(people, cord_bank, mode, rows):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL")
    upload(people["tech"], cord_bank, [unit_row("U1", 1)])
    unit = Unit.objects.get(local_id="U1")
    patient = make_patient(people)
    reserve = partial(
        services.unit_reserve, actor=people["coordinator"], unit_id=unit.pk, patient=patient
    )
    with HeldOpen(reserve) as reservation:
        report = upload(people["tech"], cord_bank, rows, mode=mode)

    assert reservation.outcome == "committed"
    assert reservation.waiter_seen  # the upload did wait for the reservation's transaction
    assert report["applied"], report["errors"]
    unit.refresh_from_db()
    assert unit.status == UnitStatus.RESERVED
    assert Reservation.objects.filter(unit=unit, state="active").count() == 1
    assert not unit.events.filter(kind="withdrawn").exists()
