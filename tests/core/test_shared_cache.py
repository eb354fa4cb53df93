"""STEMHUB_CACHE_URL: the cache every server process shares, on the Redis that runs beside the
suite (its standard port, a database of its own); without it, files under the data directory;
a URL that is not Redis stops the process."""

import os
import subprocess
import sys
import uuid

PRELUDE = "from django.core.cache import caches; cache = caches['default']"
REDIS_URL = os.environ.get("STEMHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def run_with(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"STEMHUB_DEMO", "DEBUG"}}
    clean.update(SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="stemhub.config.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {PRELUDE}; {code}"],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_two_processes_share_the_redis_cache():
    key = f"stemhub-test-{uuid.uuid4().hex}"

    wrote = run_with(
        f"cache.set({key!r}, 'seen', 30); print(type(cache).__name__)",
        STEMHUB_CACHE_URL=REDIS_URL,
    )
    assert wrote.returncode == 0, wrote.stderr
    assert wrote.stdout.strip() == "RedisCache"
    read = run_with(
        f"print(cache.get({key!r})); cache.delete({key!r})",
        STEMHUB_CACHE_URL=REDIS_URL,
    )
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == "seen"


def test_without_it_the_processes_share_files_under_the_data_directory(tmp_path):
    """The embedded default: web and worker processes on one machine share a file cache (a
    task's progress written by the worker is read by the page)."""
    key = f"stemhub-test-{uuid.uuid4().hex}"
    data = str(tmp_path)
    wrote = run_with(
        f"cache.set({key!r}, 'seen', 30); print(type(cache).__name__)", STEMHUB_DATA_DIR=data
    )
    assert wrote.stdout.strip() == "FileBasedCache", wrote.stderr
    read = run_with(f"print(cache.get({key!r}))", STEMHUB_DATA_DIR=data)
    assert read.stdout.strip() == "seen", read.stderr
    assert (tmp_path / "cache" / "shared").is_dir()


def test_a_url_that_is_not_redis_stops_the_process():
    answer = run_with("pass", STEMHUB_CACHE_URL="memcached://127.0.0.1:11211")
    assert answer.returncode != 0 and "STEMHUB_CACHE_URL" in answer.stderr
