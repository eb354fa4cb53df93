"""Applying an inventory import as a background task: the page and the API queue it (302 to the
task's page, htmx's progress panel, or 202 + Location), the real worker runs it with its
progress (rows checked, rows written), the task page shows the row report, a bad row fails the
task with nothing written, a cancel stops it, and a check only still answers at once."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from stemhub.biobank.models import CellBank, CustodyEvent, Vial
from stemhub.biobank.tasks import inventory_import_start
from stemhub.core.errors import Forbidden, InvalidInput
from stemhub.jobs import progress as live
from stemhub.jobs.models import Job, Kind, State
from tests.biobank.test_import_and_reports import GOOD, HEADER
from tests.jobs.queue import run_queued_tasks

pytestmark = pytest.mark.django_db

BAD = "NSCBi001-A,OLD-MCB,LEGACY-3,Site A/Room 1/Tank 2/Rack 3/Box 9/A1,mcb,9,2019-05-02\n"


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("legacy.csv", text.encode(), "text/csv")


def test_applying_on_the_page_queues_a_task_whose_page_shows_the_report(
    users, tree, line, client_for
):
    tech = client_for("bank_technician")
    sent = tech.post("/biobank/import/", {"file": csv_file(HEADER + GOOD), "apply": "1"})
    job = Job.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/tasks/{job.pk}/"
    assert (job.kind, job.state, job.institution) == (
        Kind.INVENTORY_IMPORT,
        State.QUEUED,
        users["bank_technician"].institution,
    )
    assert not Vial.objects.exists()
    run_queued_tasks()
    job.refresh_from_db()
    assert (job.state, job.error, job.attempts) == (State.SUCCEEDED, "", 1)
    assert (job.stage, job.done, job.total) == ("write", 2, 2)
    assert Vial.objects.filter(container=tree["box1"]).count() == 2
    assert CustodyEvent.objects.filter(kind="import").count() == 2
    page = tech.get(sent["Location"]).content.decode()
    assert 'id="import-report"' in page and "Imported." in page and "LEGACY-2" in page
    assert "New banks: OLD-MCB." in page


def test_a_check_only_still_answers_at_once_and_queues_nothing(users, tree, line, client_for):
    page = client_for("bank_technician").post("/biobank/import/", {"file": csv_file(HEADER + GOOD)})
    assert page.status_code == 200 and b"All rows pass; nothing written" in page.content
    assert not Job.objects.exists() and not Vial.objects.exists()


def test_the_htmx_apply_swaps_in_the_polling_panel(users, tree, line, client_for):
    tech = client_for("bank_technician")
    sent = tech.post(
        "/biobank/import/",
        {"file": csv_file(HEADER + GOOD), "apply": "1"},
        HTTP_HX_REQUEST="true",
    )
    job = Job.objects.get()
    body = sent.content.decode()
    assert sent.status_code == 202 and 'id="import-task"' in body
    assert f'hx-get="/tasks/{job.pk}/panel/"' in body and "<strong>legacy.csv</strong>" in body
    run_queued_tasks()
    panel = tech.get(f"/tasks/{job.pk}/panel/").content.decode()
    assert "hx-trigger" not in panel and "Imported." in panel


def test_a_bad_row_fails_the_task_naming_it_and_writes_nothing(users, tree, line, client_for):
    job = inventory_import_start(actor=users["bank_technician"], text=HEADER + GOOD + BAD)
    run_queued_tasks()
    job.refresh_from_db()
    assert job.state == State.FAILED
    assert job.error == "1 of 3 rows have errors; nothing was imported"
    assert job.report["report"][2]["errors"] == {
        "location": ["no container at 'Site A/Room 1/Tank 2/Rack 3/Box 9'"]
    }
    assert not Vial.objects.exists() and not CellBank.objects.exists()
    page = client_for("bank_technician").get(f"/tasks/{job.pk}/").content.decode()
    assert "Nothing written." in page and "Box 9" in page


def test_the_api_queues_an_apply_and_answers_202_with_the_task(users, tree, line, client_for):
    api = client_for("bank_technician")
    sent = api.post(
        "/api/v1/biobank/imports/inventory",
        json.dumps({"csv": HEADER + GOOD, "dry_run": False, "filename": "legacy.csv"}),
        content_type="application/json",
    )
    assert sent.status_code == 202
    task = sent.json()
    assert sent["Location"] == f"/api/v1/tasks/{task['id']}" == task["links"]["self"]
    assert task["state"] == "queued" and task["kind"] == "inventory_import"
    assert not Vial.objects.exists()
    run_queued_tasks()
    done = api.get(sent["Location"]).json()
    assert done["state"] == "succeeded"
    assert (done["report"]["applied"], done["report"]["rows"]) == (True, 2)
    assert Vial.objects.count() == 2


def test_the_api_refuses_an_empty_file_before_queuing(users, tree, line, client_for):
    sent = client_for("bank_technician").post(
        "/api/v1/biobank/imports/inventory",
        json.dumps({"csv": "  ", "dry_run": False}),
        content_type="application/json",
    )
    assert sent.status_code == 400 and "file" in sent.json()["error"]["fields"]
    assert not Job.objects.exists()


def test_a_curator_may_not_queue_an_import(users, tree, line):
    with pytest.raises(Forbidden):
        inventory_import_start(actor=users["curator"], text=HEADER + GOOD)
    assert not Job.objects.exists()


def test_a_running_import_cancelled_stops_and_writes_nothing(users, tree, line, client_for):
    job = inventory_import_start(actor=users["bank_technician"], text=HEADER + GOOD)
    live.flag_cancel(job.pk)  # as job_cancel does for a running task
    run_queued_tasks()
    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.CANCELLED, 1)
    assert not Vial.objects.exists() and not CellBank.objects.exists()


def test_the_import_service_reports_rows_checked_then_written(users, tree, line):
    from stemhub.biobank.imports import inventory_import

    heard: list[tuple[str, int, int]] = []
    inventory_import(
        actor=users["bank_technician"],
        text=HEADER + GOOD,
        dry_run=False,
        progress=lambda *point: heard.append(point),
    )
    assert heard == [("validate", 0, 2), ("validate", 2, 2), ("write", 0, 2), ("write", 2, 2)]


def test_an_empty_file_is_refused_before_queuing(users):
    with pytest.raises(InvalidInput):
        inventory_import_start(actor=users["bank_technician"], text="")
