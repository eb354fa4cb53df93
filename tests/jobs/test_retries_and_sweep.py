"""Retries after a crash, the sweep of tasks whose worker stopped, and the progress cache on the
real Redis (127.0.0.1:6379) read by a second client while the task runs."""

import datetime as dt
import uuid

import pytest
import redis
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from stemhub.jobs import progress as live
from stemhub.jobs.models import Job, Kind, State
from stemhub.jobs.runner import Outcome, run_job
from stemhub.jobs.services import job_sweep_stale
from tests.cordblood.conftest import unit_row
from tests.jobs.queue import run_queued_tasks
from tests.jobs.test_runner import start

pytestmark = pytest.mark.django_db


def a_job(**fields) -> Job:
    return Job.objects.create(kind=Kind.CORD_UPLOAD, title="t", **fields)


def test_a_crash_is_retried_and_the_last_attempt_fails_in_words(caplog):
    job = a_job(max_attempts=2)

    def crashes(job, progress):
        raise RuntimeError("disk on fire")

    assert run_job(str(job.pk), crashes) == State.QUEUED
    job.refresh_from_db()
    assert (job.state, job.attempts, job.notes[-1]["code"]) == (State.QUEUED, 1, "retried")
    assert DBTaskResult.objects.filter(pk=job.task_result_id, status="READY").exists()
    assert run_job(str(job.pk), crashes) == State.FAILED
    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.FAILED, 2)
    assert "unexpected error after 2 attempts; nothing was written" in job.error
    assert "disk on fire" not in job.error and "Traceback" not in job.error
    assert "disk on fire" in caplog.text  # the traceback goes to the log


def test_a_running_task_without_heartbeat_is_queued_again_then_failed(settings):
    settings.STEMHUB_TASK_STALE_SECONDS = 60
    old = timezone.now() - dt.timedelta(minutes=5)
    lost = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="stemhub.cordblood.tasks.cord_units_import",
        backend_name="default",
        run_after=old,
        status="RUNNING",
    )
    job = a_job(state=State.RUNNING, attempts=1, started_at=old, task_result_id=str(lost.pk))
    fresh = a_job(state=State.RUNNING, attempts=1, started_at=old)
    live.put_heartbeat(fresh.pk, "alive")  # its worker still beats: left alone
    assert [found.pk for found in job_sweep_stale()] == [job.pk]
    job.refresh_from_db()
    assert (job.state, job.worker_id, job.notes[-1]["code"]) == (State.QUEUED, "", "requeued")
    lost.refresh_from_db()
    assert lost.status == "FAILED"
    assert DBTaskResult.objects.filter(pk=job.task_result_id, status="READY").exists()
    assert Job.objects.get(pk=fresh.pk).state == State.RUNNING

    Job.objects.filter(pk=job.pk).update(state=State.RUNNING, attempts=3, started_at=old)
    job_sweep_stale()
    job.refresh_from_db()
    assert job.state == State.FAILED
    assert job.error == "The worker stopped while running this task; nothing was written."


def test_the_task_page_sweeps_a_task_whose_worker_stopped(people, cord_bank, client):
    job = start(people, cord_bank, [unit_row("U1", 1)])
    old = timezone.now() - dt.timedelta(minutes=5)
    Job.objects.filter(pk=job.pk).update(state=State.RUNNING, attempts=1, started_at=old)
    client.force_login(people["tech"])
    page = client.get(f"/tasks/{job.pk}/").content.decode()
    assert "The worker stopped during attempt 1" in page
    run_queued_tasks()
    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.SUCCEEDED, 2)


REDIS = "redis://127.0.0.1:6379/15"


def test_progress_goes_through_redis_and_a_second_client_reads_it_while_it_runs():
    prefix = f"stemhub-test-{uuid.uuid4().hex[:8]}"
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": prefix,
        }
    }
    seen = {}
    with override_settings(CACHES=caches):
        job = a_job()
        other = RedisCache(REDIS, {"KEY_PREFIX": prefix})  # another process would be this

        def body(job, progress):
            progress("write", 5, 10)
            seen["progress"] = other.get(f"job:{job.pk}:progress")
            seen["heartbeat"] = other.get(f"job:{job.pk}:heartbeat")
            seen["keys"] = redis.Redis.from_url(REDIS).keys(f"{prefix}:*job:{job.pk}*")
            return Outcome(report={"ok": True})

        assert run_job(str(job.pk), body, worker_id="w-redis") == State.SUCCEEDED
        after = other.get(f"job:{job.pk}:progress")
    stage, done, total, _at = seen["progress"]
    assert (stage, done, total) == ("write", 5, 10)
    assert seen["heartbeat"][1] == "w-redis" and seen["keys"]
    assert after is None  # the row holds it now
    job.refresh_from_db()
    assert (job.stage, job.done, job.total, job.report) == ("write", 5, 10, {"ok": True})
