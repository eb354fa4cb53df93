"""The excursion pages: a fixed number of queries however many vials an excursion flagged
(before and after its disposition), and the list; a refused disposition names its fields."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import PASSWORD
from tests.equipment.setups import tank
from tests.quality.setups import excursion_in, qc_bank

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def counts(client, found) -> tuple[int, int, int]:
    url = f"/quality/excursions/{found.pk}/"
    before = queries(client, url)
    listing = queries(client, "/quality/excursions/")
    client.post(
        f"{url}decide/",
        {"impact_assessment": "Stayed below -150 °C", "decision": "release", "password": PASSWORD},
    )
    return before, queries(client, url), listing


def test_the_excursion_pages_do_not_query_per_vial(users, client_for):
    vials = list(qc_bank(users, vials=9).vials.order_by("pk"))
    unit = tank(users)
    client = client_for("qa_manager")
    few = counts(client, excursion_in(unit, vials[:2], users["bank_technician"]))
    many = counts(client, excursion_in(unit, vials, users["bank_technician"]))
    assert many == few


def test_a_missing_vial_decision_is_named_by_its_vial(users, client_for):
    vials = list(qc_bank(users, vials=2).vials.order_by("barcode"))
    found = excursion_in(tank(users), vials, users["bank_technician"])
    answer = client_for("qa_manager").post(
        f"/quality/excursions/{found.pk}/decide/",
        {
            "impact_assessment": "Stayed below -150 °C",
            f"decision-{vials[0].barcode}": "release",
            "password": PASSWORD,
        },
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert f"<strong>Decision for vial {vials[1].barcode}</strong>" in page
    assert "decisions[" not in page
