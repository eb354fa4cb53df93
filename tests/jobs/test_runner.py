"""The runner: a queued cord upload runs once through the worker, reports its progress, keeps
its report; a rolled-back request leaves no task; a task delivered twice does its work once."""

import json

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from stemhub.cordblood.models import Unit, UnitUpload
from stemhub.cordblood.tasks import cord_units_import, cord_upload_start
from stemhub.core.errors import InvalidInput
from stemhub.jobs.models import Job, State
from tests.cordblood.conftest import unit_row
from tests.jobs.queue import run_queued_tasks

pytestmark = pytest.mark.django_db


def start(people, cord_bank, rows, **options) -> Job:
    return cord_upload_start(
        actor=people["tech"],
        bank=cord_bank,
        filename="units.json",
        content=json.dumps(rows).encode(),
        **options,
    )


def test_a_queued_upload_runs_once_and_keeps_its_report(people, cord_bank):
    job = start(people, cord_bank, [unit_row("U1", 1), unit_row("U2", 2)])
    assert (job.state, Unit.objects.count()) == (State.QUEUED, 0)
    assert DBTaskResult.objects.filter(pk=job.task_result_id, status="READY").exists()
    run_queued_tasks()
    job.refresh_from_db()
    assert (job.state, job.attempts, job.error) == (State.SUCCEEDED, 1, "")
    assert job.report["created"] == 2 and job.report["applied"]
    assert job.report["stages"]["validate"] == [2, 2]
    assert (job.stage, job.done, job.total) == ("index", 1, 1)
    assert job.report["upload"] == UnitUpload.objects.get().pk
    assert sorted(Unit.objects.values_list("local_id", flat=True)) == ["U1", "U2"]


def test_an_upload_with_bad_rows_fails_in_words_and_writes_no_unit(people, cord_bank):
    job = start(people, cord_bank, [unit_row("U1", 1), unit_row("U2", 2, din_check="Q")])
    run_queued_tasks()
    job.refresh_from_db()
    assert job.state == State.FAILED
    assert job.error == "1 problem in the upload; nothing was applied."
    assert "Traceback" not in job.error
    assert not Unit.objects.exists() and not UnitUpload.objects.get().applied


def test_a_task_delivered_twice_does_its_work_once(people, cord_bank):
    job = start(people, cord_bank, [unit_row("U1", 1)])
    run_queued_tasks()
    cord_units_import.enqueue(str(job.pk))  # the same job, delivered again
    run_queued_tasks()
    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.SUCCEEDED, 1)
    assert UnitUpload.objects.count() == 1 and Unit.objects.count() == 1


def test_a_request_that_rolls_back_leaves_no_task(people, cord_bank):
    with pytest.raises(RuntimeError), transaction.atomic():
        start(people, cord_bank, [unit_row("U1", 1)])
        raise RuntimeError("the request failed after queuing")
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.parametrize(
    ("content", "options", "field"),
    [(b"", {}, "file"), (b"[]", {"mode": "everything"}, "mode")],
)
def test_what_can_be_refused_before_queuing_is(people, cord_bank, content, options, field):
    with pytest.raises(InvalidInput) as refused:
        cord_upload_start(
            actor=people["tech"], bank=cord_bank, filename="u.json", content=content, **options
        )
    assert field in refused.value.fields
    assert not Job.objects.exists()
