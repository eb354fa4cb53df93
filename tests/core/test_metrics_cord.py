"""/metrics on the cord blood search: its latency, and how far the donor index of this process
is behind the database's generation."""

import pytest

from stemhub.cordblood import services
from stemhub.cordblood.search import SearchRequest
from tests.cordblood.conftest import (  # noqa: F401 (the cord tests' fixtures, _engine autouse)
    _engine,
    centre,
    cord_bank,
    cord_engine,
    people,
    unit_row,
    upload,
)
from tests.core.test_metrics import scrape

pytestmark = pytest.mark.django_db


def test_a_search_is_timed_and_the_index_lag_follows_uploads(client, people, cord_bank):  # noqa: F811
    searches = ("stemhub_cord_search_duration_seconds_count", ())
    upload(people["tech"], cord_bank, [unit_row("U1", 1), unit_row("U2", 2)])
    before = scrape(client)
    patient = services.patient_create(
        actor=people["coordinator"],
        data={
            "centre_patient_id": "P1",
            "weight_kg": 20,
            "abo": "A",
            "hla": "A*02:01+A*01:01^B*08:01+B*44:02^C*07:01+C*05:01"
            "^DRB1*03:01+DRB1*15:01^DQB1*02:01+DQB1*06:02",
        },
    )
    services.search_run(actor=people["coordinator"], patient=patient, request=SearchRequest())

    searched = scrape(client)
    assert searched[searches] == before.get(searches, 0) + 1
    assert searched[("stemhub_cord_index_generation_lag", ())] == 0
    generation = searched[("stemhub_cord_index_database_generation", ())]

    upload(people["tech"], cord_bank, [unit_row("U3", 3)])
    behind = scrape(client)
    assert behind[("stemhub_cord_index_database_generation", ())] == generation + 1
    assert behind[("stemhub_cord_index_generation_lag", ())] == 1
