"""The catalogue rebuild as a task: a platform admin queues it, the worker rebuilds the index
with progress in lines of the published total; nobody else may start it."""

import pytest

from stemhub.catalogue.models import CatalogueEntry
from stemhub.catalogue.tasks import catalogue_rebuild_start
from stemhub.core.errors import Forbidden
from stemhub.jobs.models import Job, Kind, State
from tests.jobs.queue import run_queued_tasks

pytestmark = pytest.mark.django_db


def test_a_platform_admin_queues_a_rebuild_the_worker_runs(lines, users):
    before = sorted(CatalogueEntry.objects.values_list("name", "search_text"))
    CatalogueEntry.objects.all().delete()
    job = catalogue_rebuild_start(actor=users["platform_admin"])
    assert job.kind == Kind.CATALOGUE_REBUILD and job.state == State.QUEUED
    assert not CatalogueEntry.objects.exists()  # queued, not done in the request
    run_queued_tasks()
    job.refresh_from_db()
    assert job.state == State.SUCCEEDED, job.error
    assert job.report == {"lines": 5}
    assert (job.stage, job.done, job.total) == ("lines", 5, 5)
    assert sorted(CatalogueEntry.objects.values_list("name", "search_text")) == before


@pytest.mark.parametrize("role", ["curator", "researcher", "institution_admin", "other_curator"])
def test_nobody_else_may_start_one(users, role):
    with pytest.raises(Forbidden):
        catalogue_rebuild_start(actor=users[role])
    assert not Job.objects.filter(kind=Kind.CATALOGUE_REBUILD).exists()


def test_the_tasks_page_button_starts_it_for_a_platform_admin_only(lines, users, client):
    client.force_login(users["curator"])
    assert b"start-tasks" not in client.get("/tasks/").content
    assert client.post("/staff/catalogue/rebuild/").status_code == 403
    client.force_login(users["platform_admin"])
    page = client.get("/tasks/").content.decode()
    assert 'action="/staff/catalogue/rebuild/"' in page
    answer = client.post("/staff/catalogue/rebuild/")
    job = Job.objects.get(kind=Kind.CATALOGUE_REBUILD)
    assert answer.status_code == 302 and answer["Location"] == f"/tasks/{job.pk}/"
    run_queued_tasks()
    job.refresh_from_db()
    assert job.state == State.SUCCEEDED, job.error
    shown = client.get(f"/tasks/{job.pk}/").content.decode()
    assert "rebuilt from 5 published lines" in shown
