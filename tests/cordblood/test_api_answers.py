"""The cord API's named answers carry what the selectors give, key for key (a named schema
drops what it does not declare, and renames what it declares under another name)."""

import pytest
from django.test import Client

from stemhub.cordblood import selectors
from stemhub.cordblood.models import Unit
from tests.cordblood.conftest import unit_row, upload

pytestmark = pytest.mark.django_db


def test_a_unit_and_the_network_answer_as_the_selectors_say(people, cord_bank):
    upload(people["tech"], cord_bank, [unit_row("U1", 1), unit_row("U2", 2, abo="A")])
    unit = Unit.objects.select_related("bank").get(local_id="U1")
    client = Client()
    client.force_login(people["tech"])
    answer = client.get(f"/api/v1/cord/units/{unit.pk}").json()
    assert answer == selectors.unit_record(unit)
    assert answer["history"] and "from" in answer["history"][0]
    assert Client().get("/api/v1/cord/network").json() == selectors.network_stats()
