"""Registering a sheet's lines as a background task: the page queues it (302 to the task's page,
or htmx's progress panel), the real worker runs it with its progress (rows checked), a sheet with
a bad row fails the task naming it with nothing written, and a cancel stops it."""

import pytest

from stemhub.exchange.bulk import lines_import
from stemhub.exchange.tasks import lines_import_start
from stemhub.jobs import progress as live
from stemhub.jobs.models import Job, Kind, State
from stemhub.registry.models import CellLine
from tests.exchange.test_import_page import sheet
from tests.jobs.queue import run_queued_tasks

pytestmark = pytest.mark.django_db

ROW = {"name": "NSCBi010-A", "line_type": "hiPSC"}


def content(*rows: dict[str, str]) -> bytes:
    return sheet(*rows).read()


def test_the_htmx_import_swaps_in_the_polling_panel_then_the_report(users, client_for):
    curator = client_for("curator")
    sent = curator.post("/staff/import/lines/", {"file": sheet(ROW)}, HTTP_HX_REQUEST="true")
    job = Job.objects.get()
    body = sent.content.decode()
    assert sent.status_code == 202 and 'id="import-task"' in body
    assert f'hx-get="/tasks/{job.pk}/panel/"' in body and job.kind == Kind.LINE_IMPORT
    assert not CellLine.objects.exists()
    run_queued_tasks()
    panel = curator.get(f"/tasks/{job.pk}/panel/").content.decode()
    assert "hx-trigger" not in panel and "Registered 1 line as a draft" in panel
    assert CellLine.objects.get().name == "NSCBi010-A"


def test_a_bad_row_fails_the_task_naming_it_and_writes_nothing(users, client_for):
    job = lines_import_start(
        actor=users["curator"],
        institution=users["curator"].institution,
        filename="lines.csv",
        content=content(ROW, {"name": "NSCBi011-A", "line_type": "hXSC"}),
    )
    run_queued_tasks()
    job.refresh_from_db()
    assert job.state == State.FAILED
    assert job.error == "1 problem in the sheet; nothing was imported"
    assert [(e["row"], e["column"]) for e in job.report["errors"]] == [(3, "line_type")]
    assert not CellLine.objects.exists()
    page = client_for("curator").get(f"/tasks/{job.pk}/").content.decode()
    assert "nothing was written" in page and "<code>line_type</code>" in page


def test_a_cancelled_import_writes_nothing(users):
    job = lines_import_start(
        actor=users["curator"],
        institution=users["curator"].institution,
        filename="lines.csv",
        content=content(ROW),
    )
    live.flag_cancel(job.pk)
    run_queued_tasks()
    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.CANCELLED, 1)
    assert not CellLine.objects.exists()


def test_an_empty_file_is_refused_before_queuing(users, client_for):
    from stemhub.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        lines_import_start(
            actor=users["curator"],
            institution=users["curator"].institution,
            filename="lines.csv",
            content=b"",
        )
    assert not Job.objects.exists()


def test_the_service_reports_rows_checked(users):
    heard: list[tuple[str, int, int]] = []
    lines_import(
        actor=users["curator"],
        institution=users["curator"].institution,
        filename="lines.csv",
        content=content(ROW),
        dry_run=True,
        progress=lambda *point: heard.append(point),
    )
    assert heard == [("validate", 0, 1), ("validate", 1, 1)]
