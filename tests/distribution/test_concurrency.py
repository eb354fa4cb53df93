"""Two technicians allocate the last vials at the same moment (PostgreSQL): no vial twice."""

import threading

import pytest
from django.db import connection

from stemhub.biobank.models import Vial, VialStatus
from stemhub.core.errors import Conflict
from stemhub.distribution import services
from stemhub.distribution.models import Allocation, RequestStatus
from tests.distribution.setups import approved, available_line, distribution_lot

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks only matter where transactions run in parallel: needs PostgreSQL",
    ),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("stock", "each", "succeed"), [(3, 2, 1), (4, 2, 2)])
def test_two_allocations_of_the_last_vials_never_share_one(users, stock, each, succeed):
    line = available_line(users)
    distribution_lot(users, line, count=stock)
    requests = [approved(users, line, vials_requested=each) for _ in range(2)]
    start = threading.Barrier(2)
    done: list[int] = []
    refused: list[BaseException] = []

    def allocate(request) -> None:
        try:
            start.wait()
            services.distribution_allocate(actor=users["bank_technician"], request=request)
            done.append(request.pk)
        except BaseException as error:
            refused.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(done) == succeed
    assert all(isinstance(e, Conflict) for e in refused), refused
    vial_ids = list(Allocation.objects.values_list("vial_id", flat=True))
    assert len(vial_ids) == len(set(vial_ids)) == succeed * each
    assert Vial.objects.filter(status=VialStatus.RESERVED).count() == succeed * each
    for request in requests:
        request.refresh_from_db()
    allocated = [r for r in requests if r.status == RequestStatus.ALLOCATED]
    assert len(allocated) == succeed
