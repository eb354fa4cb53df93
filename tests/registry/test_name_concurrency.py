"""The generator under concurrent requests on PostgreSQL: every name issued once, counter exact.

SQLite serialises writers with a database lock, so races there prove nothing; PostgreSQL runs
the threads' transactions truly at once and only the counter row lock keeps them apart.
"""

import string
import threading
from collections.abc import Callable

import pytest
from django.db import connection

from stemhub.registry.models import IssuedName, NameCounter
from stemhub.registry.name_services import standard_name_issue

THREADS = 8

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks only matter where transactions run in parallel: needs PostgreSQL "
        "(set DATABASE_URL=postgres://...)",
    ),
]


def at_once(task: Callable[[], str]) -> tuple[list[str], list[BaseException]]:
    """Run `task` in THREADS threads released together; their names and their errors."""
    start = threading.Barrier(THREADS)
    names: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            names.append(task())
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return names, errors


def counter() -> NameCounter:
    return NameCounter.objects.get(provider_code="NSCB", type_letter="i")


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_new_donors_get_distinct_names(users):
    curator = users["curator"]
    assert curator.roles  # loaded here, not in each thread

    names, errors = at_once(
        lambda: standard_name_issue(actor=curator, provider_code="NSCB", type_letter="i")
    )

    assert not errors
    assert sorted(names) == [f"NSCBi{n:03d}-A" for n in range(1, THREADS + 1)]
    assert counter().last_donor_number == THREADS
    assert sorted(IssuedName.objects.values_list("name", flat=True)) == sorted(names)


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_the_same_donor_get_distinct_clone_letters(users):
    curator = users["curator"]
    assert curator.roles
    first = standard_name_issue(actor=curator, provider_code="NSCB", type_letter="i")

    names, errors = at_once(
        lambda: standard_name_issue(
            actor=curator, provider_code="NSCB", type_letter="i", same_donor=first
        )
    )

    assert not errors
    letters = string.ascii_uppercase[1 : THREADS + 1]
    assert sorted(names) == [f"NSCBi001-{letter}" for letter in letters]
    assert counter().last_donor_number == 1
    assert IssuedName.objects.count() == THREADS + 1
