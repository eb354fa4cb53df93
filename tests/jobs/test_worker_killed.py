"""A worker killed in the middle of an upload: its task resumes on another worker and ends
with every unit written exactly once; nothing was half-written in between.

Real processes on a database of their own (a SQLite file; PostgreSQL when the suite runs on
it): `stemhub worker`, killed with SIGKILL while the task reports progress, then a second
`stemhub worker`, which finds the task's heartbeat gone stale and runs it again."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache.backends.filebased import FileBasedCache

from tests.jobs.worker_site import ROOT, STEMHUB, database_url, environment, query

UNITS = 20_000
# Small limits so the test is quick: a heartbeat a second, stale after 4 s, a sweep a second.
LIMITS = {
    "STEMHUB_TASK_HEARTBEAT_SECONDS": "1",
    "STEMHUB_TASK_STALE_SECONDS": "4",
    "STEMHUB_TASK_SWEEP_SECONDS": "1",
}
VENDORS = ["sqlite"]
if os.environ.get("DATABASE_URL", "").startswith("postgres"):
    VENDORS.append("postgresql")


def worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(STEMHUB), "worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(what: str, check, seconds: float, process=None):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the worker exited ({process.returncode}) before {what}")
        time.sleep(0.1)
    raise AssertionError(f"no {what} within {seconds} s")


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_killed_workers_upload_runs_again_and_writes_each_unit_once(vendor, tmp_path):
    url = database_url(tmp_path, vendor)
    env = environment(tmp_path, url, **LIMITS)
    log = tmp_path / "worker.log"
    subprocess.run([str(STEMHUB), "migrate", "--no-input", "-v0"], env=env, check=True)
    queued = subprocess.run(
        [sys.executable, "-m", "tests.jobs.worker_site", "queue", str(UNITS)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    job_id = queued.stdout.strip().splitlines()[-1]
    key = job_id if vendor == "postgresql" else job_id.replace("-", "")
    job = f"SELECT state, attempts FROM jobs_job WHERE id = '{key}'"
    units = "SELECT count(*), count(DISTINCT local_id) FROM cordblood_unit"
    # The worker's progress, read from the cache the web pages read (the same files).
    cache = FileBasedCache(str(tmp_path / "cache" / "shared"), {})

    def progressing():  # type: ignore[no-untyped-def]
        found = cache.get(f"job:{job_id}:progress")
        return found if found and found[0] in ("validate", "write") and found[1] > 0 else None

    first = worker(env, log)
    try:
        stage, done, total, _at = wait_for("progress", progressing, 600, first)
        assert query(url, job) == [("running", 1)]
        assert total == UNITS
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    # Killed while validating or writing: the upload's one transaction left nothing behind.
    assert query(url, units) == [(0, 0)], (stage, done)
    assert query(url, "SELECT count(*) FROM cordblood_unitupload") == [(0,)]

    second = worker(env, log)
    try:
        wait_for(
            "the second attempt's end",
            lambda: query(url, job)[0][0] in ("succeeded", "failed"),
            900,
            second,
        )
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=60)
    assert query(url, job) == [("succeeded", 2)], log.read_text()[-3000:]
    assert query(url, units) == [(UNITS, UNITS)]
    assert query(url, "SELECT count(*), sum(created) FROM cordblood_unitupload") == [(1, UNITS)]
    notes = query(url, f"SELECT notes FROM jobs_job WHERE id = '{key}'")[0][0]
    assert "requeued" in str(notes)
