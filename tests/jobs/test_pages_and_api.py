"""The task pages and API: live progress from the cache while a task runs, the report at the
end, cancel (queued at once; running at its next progress point, nothing written), the web
upload's htmx panel, and the API's 202 with the task and its Location."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from stemhub.cordblood.models import Unit, UnitUpload
from stemhub.jobs import progress as live
from stemhub.jobs.models import Job, State
from tests.conftest import make_user
from tests.cordblood.conftest import unit_row
from tests.jobs.queue import run_queued_tasks
from tests.jobs.test_runner import start

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_running_tasks_page_shows_its_live_progress_from_the_cache(people, cord_bank):
    job = start(people, cord_bank, [unit_row("U1", 1)])
    Job.objects.filter(pk=job.pk).update(state=State.RUNNING, attempts=1)
    live.put_heartbeat(job.pk, "w1")
    live.put_progress(job.pk, "validate", 12_000, 300_000)
    page = client_of(people["tech"]).get(f"/tasks/{job.pk}/").content.decode()
    assert "Validating rows: 12,000 of 300,000 rows (4 %)" in page
    assert 'hx-trigger="every 1s"' in page and "Cancel the task" in page
    answer = client_of(people["tech"]).get(f"/api/v1/tasks/{job.pk}").json()
    assert (answer["state"], answer["stage"], answer["done"], answer["total"]) == (
        "running",
        "validate",
        12_000,
        300_000,
    )
    assert answer["percent"] == 4 and answer["report"] is None


def test_the_api_queues_an_upload_and_answers_202_with_the_task(people, cord_bank):
    api = client_of(people["tech"])
    sent = api.post(
        "/api/v1/cord/banks/NCBB/units/import",
        json.dumps({"units": [unit_row("U1", 1)]}),
        content_type="application/json",
    )
    assert sent.status_code == 202
    task = sent.json()
    assert sent["Location"] == f"/api/v1/tasks/{task['id']}" == task["links"]["self"]
    assert task["state"] == "queued" and not Unit.objects.exists()
    run_queued_tasks()
    done = api.get(sent["Location"]).json()
    assert (done["state"], done["attempts"]) == ("succeeded", 1)
    assert done["report"]["created"] == 1
    assert done["report"]["upload"] == UnitUpload.objects.get().pk


def test_the_api_refuses_an_empty_file_before_queuing(people, cord_bank):
    sent = client_of(people["tech"]).post(
        "/api/v1/cord/banks/NCBB/units/import",
        json.dumps({"format": "csv", "content": ""}),
        content_type="application/json",
    )
    assert sent.status_code == 400 and "file" in sent.json()["error"]["fields"]
    assert not Job.objects.exists()


def test_cancelling_a_queued_task_means_it_never_runs(people, cord_bank):
    job = start(people, cord_bank, [unit_row("U1", 1)])
    answer = client_of(people["tech"]).post(f"/api/v1/tasks/{job.pk}/cancel")
    assert answer.status_code == 200 and answer.json()["state"] == "cancelled"
    run_queued_tasks()
    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.CANCELLED, 0)
    assert not Unit.objects.exists() and not UnitUpload.objects.exists()
    again = client_of(people["tech"]).post(f"/api/v1/tasks/{job.pk}/cancel")
    assert again.status_code == 409


def test_a_running_upload_cancelled_stops_at_its_next_progress_point_and_writes_nothing(
    people, cord_bank
):
    job = start(people, cord_bank, [unit_row(f"U{i}", i) for i in range(1, 4)])
    live.flag_cancel(job.pk)  # as job_cancel does for a running task, before it starts
    run_queued_tasks()
    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.CANCELLED, 1)
    assert not Unit.objects.exists() and not UnitUpload.objects.exists()
    page = client_of(people["tech"]).get(f"/tasks/{job.pk}/").content.decode()
    assert "Cancelled; nothing of the task was written." in page


def test_cancel_without_javascript_asks_first(people, cord_bank):
    job = start(people, cord_bank, [unit_row("U1", 1)])
    tech = client_of(people["tech"])
    asked = tech.post(f"/tasks/{job.pk}/cancel/")
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.content.decode()
    assert Job.objects.get().state == State.QUEUED
    done = tech.post(f"/tasks/{job.pk}/cancel/", {"confirm": "yes"})
    assert done.status_code == 302 and Job.objects.get().state == State.CANCELLED


def test_the_htmx_upload_swaps_in_the_polling_panel_then_the_report(people, cord_bank):
    tech = client_of(people["tech"])
    csv = b"local_id,din,din_check,collection_date,tnc,hla_a,hla_b,hla_drb1\n"
    row = unit_row("U1", 1)
    csv += ",".join(
        str(row[c])
        for c in ("local_id", "din", "din_check", "collection_date", "tnc", "hla_a", "hla_b")
    ).encode()
    csv += f",{row['hla_drb1']}\n".encode()
    sent = tech.post(
        "/cord/banks/NCBB/upload/",
        {"file": SimpleUploadedFile("june.csv", csv), "mode": "delta"},
        HTTP_HX_REQUEST="true",
    )
    body = sent.content.decode()
    assert sent.status_code == 202 and 'id="upload-report"' in body
    job = Job.objects.get()
    assert f'hx-get="/tasks/{job.pk}/panel/"' in body and "<strong>june.csv</strong>" in body
    run_queued_tasks()
    panel = tech.get(f"/tasks/{job.pk}/panel/").content.decode()
    assert "hx-trigger" not in panel  # finished: the polling stops
    assert "Imported: 1 row, Delta" in panel and "rows validated: 1 of 1" in panel
    assert f"/cord/banks/NCBB/upload/{UnitUpload.objects.get().pk}/" in panel


def test_the_tasks_list_shows_ones_own_and_the_managed_tasks_only(people, cord_bank):
    job = start(people, cord_bank, [unit_row("U1", 1)])
    colleague = make_user("cord_tech2", cord_bank, "bank_technician")
    assert job.title in client_of(colleague).get("/tasks/").content.decode()
    stranger = people["coordinator"]
    assert job.title not in client_of(stranger).get("/tasks/").content.decode()
    assert client_of(stranger).get(f"/tasks/{job.pk}/").status_code == 404
    assert client_of(stranger).get(f"/api/v1/tasks/{job.pk}").status_code == 404
    assert client_of(stranger).get("/api/v1/tasks/not-a-uuid").status_code == 404
