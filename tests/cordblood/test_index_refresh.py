"""The search index refresh as a task: loading a haplotype set (and applying an upload) queues
it; the worker imputes what the new set needs and writes a snapshot; a process that opens the
index afterwards (a new web process, or one still holding the old sets) answers a search without
imputing a single unit in the request. Imputations are counted with `CordIndex.imputed`."""

import json

import pytest

from stemhub.cordblood import index as search_index
from stemhub.cordblood import services
from stemhub.cordblood.search import SearchRequest
from stemhub.cordblood.tasks import cord_upload_start
from stemhub.jobs.models import Job, Kind, State
from stemhub.populations.services import haplotype_set_load
from tests.cordblood.conftest import unit_row
from tests.cordblood.test_predictions import (  # noqa: F401
    REST,
    SETS,
    _fresh_sets,
    admin,
    bank_units,
    frequency_csv,
    patient,
    populations,
)
from tests.jobs.queue import run_queued_tasks

pytestmark = pytest.mark.django_db


def refreshes() -> list[Job]:
    return list(Job.objects.filter(kind=Kind.SEARCH_INDEX_REBUILD).order_by("created_at"))


def load_chn_v2(admin, populations):  # noqa: F811
    replaced = dict(SETS["CHN"])
    replaced[f"A*02:01~{REST}"], replaced[f"A*02:05~{REST}"] = 0.2, 0.2
    return haplotype_set_load(
        actor=admin,
        population=populations["CHN"],
        filename="chn-2.csv",
        chunks=[frequency_csv(replaced)],
        source="test",
    )


def search(people, patient) -> None:  # noqa: F811
    services.search_run(actor=people["coordinator"], patient=patient, request=SearchRequest())


def test_a_loaded_set_queues_a_refresh_and_a_new_process_searches_without_imputing(
    people,
    admin,  # noqa: F811
    populations,  # noqa: F811
    bank_units,  # noqa: F811
    patient,  # noqa: F811
):
    run_queued_tasks()  # the refresh the fixtures' sets queued
    assert [job.state for job in refreshes()] == [State.SUCCEEDED]
    search(people, patient)
    new = load_chn_v2(admin, populations)
    queued = refreshes()[-1]
    assert queued.state == State.QUEUED and len(refreshes()) == 2

    run_queued_tasks()
    queued.refresh_from_db()
    assert queued.state == State.SUCCEEDED, queued.error
    # CHN-1 (population CHN) is the unit the new set imputes again; progress counted it
    assert queued.report["imputed"] == 1
    assert queued.report["stages"] == {"impute": [1, 1]}
    assert (queued.stage, queued.done, queued.total) == ("impute", 1, 1)

    search_index.forget()  # a web process that starts now
    search(people, patient)
    index = search_index.current()
    assert index.imputed == 0
    chn = bank_units["CHN-1"].pk
    assert index.store_of(chn) is index.stores[new.pk]


def test_a_process_still_holding_the_old_sets_opens_the_refreshed_snapshot(
    people,
    admin,  # noqa: F811
    populations,  # noqa: F811
    bank_units,  # noqa: F811
    patient,  # noqa: F811
):
    run_queued_tasks()
    search(people, patient)
    web = search_index.current()  # the web process's index, imputed with CHN v1
    new = load_chn_v2(admin, populations)
    search_index.forget()  # the worker is another process, with an index of its own
    run_queued_tasks()
    assert refreshes()[-1].state == State.SUCCEEDED
    before = web.imputed

    search_index._current = web  # back in the web process
    search(people, patient)
    index = search_index.current()
    assert index is not web and index.imputed == 0 and web.imputed == before
    assert index.store_of(bank_units["CHN-1"].pk) is index.stores[new.pk]


def test_an_applied_upload_queues_a_refresh_that_writes_the_snapshot(
    people,
    cord_bank,
    populations,  # noqa: F811
):
    run_queued_tasks()
    rows = [unit_row("U-1", 1, tnc=100), unit_row("U-2", 2, tnc=120)]
    cord_upload_start(
        actor=people["tech"], bank=cord_bank, filename="u.json", content=json.dumps(rows).encode()
    )
    run_queued_tasks()  # the upload, then the refresh it queued
    upload = Job.objects.get(kind=Kind.CORD_UPLOAD)
    assert upload.state == State.SUCCEEDED, upload.error
    refresh = refreshes()[-1]
    assert len(refreshes()) == 2 and refresh.state == State.SUCCEEDED, refresh.error
    generation = search_index.current().generation
    assert refresh.report["generation"] == generation
    assert list(search_index.snapshot_dir().glob(f"*-{generation:012d}-side.npz"))

    search_index.forget()
    index = search_index.current()
    assert index.imputed == 0 and index.generation == generation
    assert sum(len(store) for store in index.stores.values()) == 2


def test_a_refused_upload_queues_no_refresh(people, cord_bank, populations):  # noqa: F811
    run_queued_tasks()
    cord_upload_start(actor=people["tech"], bank=cord_bank, filename="u.json", content=b"[{}]")
    run_queued_tasks()
    assert Job.objects.get(kind=Kind.CORD_UPLOAD).state == State.FAILED
    assert len(refreshes()) == 1
