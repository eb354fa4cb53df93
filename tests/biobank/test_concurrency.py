"""Concurrent custody and placement on PostgreSQL: no vial taken twice, no position twice."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from stemhub.biobank import services
from stemhub.biobank.models import CustodyEvent, Vial
from stemhub.core.errors import Conflict
from tests.biobank.storage import bank_of, published_line, storage_tree
from tests.concurrency import HeldOpen

THREADS = 6

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks only matter where transactions run in parallel: needs PostgreSQL",
    ),
]


def at_once(task: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    start = threading.Barrier(THREADS)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait()
            results.append(task(n))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_two_people_never_take_the_same_vial(users):
    tech = users["bank_technician"]
    assert tech.roles
    tree = storage_tree(tech)
    vial = bank_of(tech, published_line(users), [tree["box1"]], count=1).vials.get()

    taken, errors = at_once(lambda n: services.vial_check_out(actor=tech, vial=vial))

    assert len(taken) == 1
    assert len(errors) == THREADS - 1
    assert all("checked out" in str(e) for e in errors), errors
    assert CustodyEvent.objects.filter(vial=vial, kind="check_out").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_check_out_waits_for_the_one_in_progress_and_finds_the_vial_taken(users):
    """The interleaving forced: the first check-out is written but not committed when the
    second starts. Without the row lock the second reads the vial still in its box and takes it
    too (two check-outs of one vial), every time."""
    tech = users["bank_technician"]
    tree = storage_tree(tech)
    vial = bank_of(tech, published_line(users), [tree["box1"]], count=1).vials.get()

    first = HeldOpen(lambda: services.vial_check_out(actor=tech, vial=vial))
    with first, pytest.raises(Conflict, match="checked out"):
        services.vial_check_out(actor=tech, vial=vial)

    assert first.outcome == "committed"
    assert first.waiter_seen
    assert CustodyEvent.objects.filter(vial=vial, kind="check_out").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_banks_never_share_a_position(users):
    tech = users["bank_technician"]
    assert tech.roles
    tree = storage_tree(tech, boxes=2)
    line = published_line(users)

    banks, errors = at_once(
        lambda n: bank_of(tech, line, [tree["box1"], tree["box2"]], count=20, code=f"B-{n}")
    )

    assert not errors
    assert len(banks) == THREADS
    positions = list(Vial.objects.values_list("container_id", "row", "column"))
    assert len(positions) == THREADS * 20 == len(set(positions))


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_into_one_position_let_one_through(users):
    tech = users["bank_technician"]
    assert tech.roles
    tree = storage_tree(tech)
    vials = list(bank_of(tech, published_line(users), [tree["box1"]], count=THREADS).vials.all())

    moved, errors = at_once(
        lambda n: services.vial_move(
            actor=tech, vial=vials[n], container=tree["box2"], row=5, column=5
        )
    )

    assert len(moved) == 1 and len(errors) == THREADS - 1
    assert Vial.objects.filter(container=tree["box2"], row=5, column=5).count() == 1
