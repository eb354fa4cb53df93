"""Back up a PostgreSQL database with `stemhub backup`, restore it into a new database with
`stemhub restore` (which verifies it), and print the times and sizes.

    .venv/bin/python benchmarks/backup_restore.py --database-url postgres://postgres@127.0.0.1:5432/stemhub_demo

The source is any migrated stemhub database (the demo: `stemhub migrate && stemhub demo`; the
300,000 units of `benchmarks/cord_import.py --database-url ...`). The restore goes into
`<name>_bench_restore` on the same server, dropped at the end; the backup folder under
var/bench/backup/ is removed too. Each command runs in its own process, timed whole
(start-up included, as an operator runs it).
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

REPO_ROOT = Path(__file__).resolve().parent.parent
WORK = REPO_ROOT / "var" / "bench" / "backup"


def stemhub(url: str, *args: str) -> tuple[float, float, str]:
    """Runs the command; returns its wall time, its CPU time (with pg_dump or pg_restore; not
    the server's) and its last line."""
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "STEMHUB_DEMO": "1",
        "PYTHONPATH": str(REPO_ROOT / "src"),
        "LC_ALL": "C.UTF-8",
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-P", "-m", "stemhub", *args],
        env=environment,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if done.returncode != 0:
        sys.exit(f"stemhub {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return seconds, cpu, done.stdout.strip().splitlines()[-1]


def psql(url: str, sql: str) -> None:
    subprocess.run(["psql", url, "-qc", sql], check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    source = urlparse(args.database_url)
    name = f"{source.path.lstrip('/')}_bench_restore"
    target = source._replace(path=f"/{name}").geturl()
    server = source._replace(path="/postgres").geturl()
    folder = WORK / "backup"
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    psql(server, f'DROP DATABASE IF EXISTS "{name}"')
    psql(server, f'CREATE DATABASE "{name}"')
    try:
        backup_s, backup_cpu, backup_line = stemhub(
            args.database_url, "backup", "--out", str(folder)
        )
        size = sum(path.stat().st_size for path in folder.iterdir())
        restore_s, restore_cpu, restore_line = stemhub(target, "restore", str(folder))
    finally:
        psql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(WORK, ignore_errors=True)
    print(backup_line)
    print(restore_line)
    print(
        f"backup {backup_s:.1f} s (CPU {backup_cpu:.1f} s), restore and verify {restore_s:.1f} s "
        f"(CPU {restore_cpu:.1f} s), backup folder "
        f"{size / 1e6:.1f} MB (load average {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
