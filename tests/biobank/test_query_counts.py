"""The list endpoints and the box page run a fixed number of queries however much the inventory
grows: each is counted on a small inventory, the inventory grows (more boxes, banks, vials,
holds and events), and the count must stay the same."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stemhub.biobank import services
from stemhub.biobank.models import Container
from tests.biobank.storage import bank_of, container_types

pytestmark = pytest.mark.django_db
V = "/api/v1/biobank"


def grow(tech, tree, line, n: int) -> None:
    """n more boxes in Rack 4, each with a bank of vials, a held position and a moved vial."""
    kinds = container_types(tech)
    for index in range(n):
        box = services.container_create(
            actor=tech,
            type=kinds["Box 9×9"],
            name=f"Extra {index}",
            parent=tree["rack4"],
            row=index + 1,
            column=1,
        )
        bank = bank_of(tech, line, [box, tree["box1"]], count=5, code=f"EXTRA-{index}")
        services.position_hold(actor=tech, container=box, row=9, column=9, kind="blocked")
        services.vial_move(
            actor=tech, vial=bank.vials.first(), container=tree["box1"], row=8, column=index + 1
        )
    services.position_hold(actor=tech, container=tree["box1"], row=9, column=8, kind="reserved")


def count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return len(queries)


PATHS = [
    "{B}/biobank/",
    "{B}/biobank/containers/{box1}/",
    "{B}/biobank/containers/{rack}/",
    "{B}/biobank/containers/{tank}/",
    "{B}/biobank/vials/{vial}/",
    "{B}/biobank/banks/",
    "{B}/biobank/banks/{bank}/",
    "{B}/biobank/containers/{box1}/history/",
    "{B}/biobank/reports/",
    "{V}/containers",
    "{V}/containers?parent={rack}",
    "{V}/containers/{box1}",
    "{V}/containers/{box1}/history",
    "{V}/banks",
    "{V}/banks/{bank}",
    "{V}/vials/{vial}/history",
    "{V}/reports/vials",
    "{V}/reports/occupancy",
]


@pytest.mark.parametrize("template", PATHS)
def test_the_query_count_does_not_grow_with_the_inventory(
    template,
    users,
    tree,
    line,
    client_for,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    tech = users["bank_technician"]
    bank = bank_of(tech, line, [tree["box1"]], count=4)
    vial = bank.vials.first()
    path = template.format(
        B="",
        V=V,
        box1=tree["box1"].pk,
        rack=tree["rack"].pk,
        tank=tree["tank"].pk,
        bank=bank.pk,
        vial=vial.barcode,
    )
    client = client_for("bank_technician")
    client.get(path)  # warm the session and the content-type caches
    small = count(client, path)
    grow(tech, tree, line, 6)
    services.vial_move(actor=tech, vial=vial, container=tree["box2"], row=1, column=1)
    services.vial_move(actor=tech, vial=vial, container=tree["box1"], row=9, column=7)
    with django_assert_num_queries(small):
        client.get(path)
    with django_assert_max_num_queries(25):
        client.get(path)


def test_the_box_page_counts_its_queries_on_a_full_box(
    users, tree, line, client_for, django_assert_max_num_queries
):
    tech = users["bank_technician"]
    bank_of(tech, line, [tree["box1"]], count=81)
    client = client_for("bank_technician")
    client.get(f"/biobank/containers/{tree['box1'].pk}/")
    with django_assert_max_num_queries(15):
        answer = client.get(f"/biobank/containers/{tree['box1'].pk}/")
    assert answer.content.decode().count('class="slot vial bank-c0 status-available') == 81
    assert Container.objects.filter(type__holds_vials=True).count() == 2
