"""Load and soak: a normal day against the real server on loopback, with PostgreSQL.

    .venv/bin/pip install -e '.[load]'         # locust, once
    .venv/bin/python benchmarks/load_day.py [--users 50] [--minutes 5] [--units 300000]
        [--workers 3] [--database-url postgres://postgres@127.0.0.1:5432/stemhub_load] [--fresh]

Prepares the database once (kept between runs; ``--fresh`` starts again): migrate, the demo
(`stemhub demo`: lines, researchers, banks, a transplant centre), ``--units`` generated cord
units uploaded to the demo's bank NCBB (benchmarks/cord_common.py, CAU haplotypes), the CAU
haplotype frequency set as the default population's, 50 patients of the demo's transplant
centre and one API token per coordinator. Then serves the platform as in production —
gunicorn (``--workers``) and the task worker — warms every worker's search index, and runs
``benchmarks/load/locustfile.py`` headless with ``--users`` users for ``--minutes``. Prints, per
kind of request: requests, throughput, p50/p95/p99 and errors, and the load average; writes the
same as JSON under var/bench/load/.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "var" / "bench" / "load"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO / "benchmarks"))


def _env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "load-test-secret-key-0123456789abcdefghijklmnopq",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DEBUG": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            # where cord_common.setup_django keeps data: the index snapshot written while
            # preparing is the one the server's workers open
            "STEMHUB_DATA_DIR": str(REPO / "var" / "bench" / "cord"),
            # the HLA tables and MAC dictionary the benchmarks' setup_django uses
            "STEMHUB_HLA_CACHE": str(REPO / "var" / "bench" / "hla" / "cache"),
            "STEMHUB_TOKEN_FAILURE_LIMIT": "1000000",
            "PYTHONPATH": str(REPO / "src"),
        }
    )
    env.setdefault("STEMHUB_IMGT_DIR", str(REPO.parent / "shared" / "imgt" / "Latest"))
    return env


def _stemhub(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "python"), "-P", "-m", "stemhub", *args], env=env, check=True)


def _prepare(database_url: str, units: int, fresh: bool) -> dict[str, object]:
    """The database as the day starts; what the simulated users need, as JSON-able values."""
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    marker = WORK / f"{name}.prepared.json"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
        if fresh and exists:
            conn.execute(f'drop database "{name}" with (force)')
            exists = None
        if not exists:
            conn.execute(f'create database "{name}"')
            marker.unlink(missing_ok=True)
    env = _env(database_url)
    # the generated typings use NMDP MAC codes: every server process needs the dictionary
    _stemhub(env, "hla", "macs", str(REPO.parent / "shared" / "hla" / "mac_subset_atlas.csv.gz"))
    if marker.exists():
        _stemhub(env, "migrate", "--no-input", "-v0")  # the code may have moved on since
        return json.loads(marker.read_text())
    started = time.perf_counter()
    _stemhub(env, "migrate", "--no-input", "-v0")
    _stemhub({**env, "STEMHUB_DEMO": "1"}, "demo")
    print(f"migrate + demo: {time.perf_counter() - started:.0f} s", flush=True)
    os.environ.update(env)
    import hla_donors
    from cord_common import default_population_set, setup_django, units_csv

    setup_django(database_url)
    from stemhub.accounts.models import Institution, Role, RoleGrant, User
    from stemhub.accounts.services import api_token_create
    from stemhub.catalogue.models import CatalogueEntry
    from stemhub.cordblood import index as search_index
    from stemhub.cordblood import services
    from stemhub.cordblood.models import Unit
    from stemhub.cordblood.uploads import units_import

    default_population_set(hla_donors.HAPLOTYPES)
    bank = Institution.objects.get(provider_code="NCBB")
    started = time.perf_counter()
    path = units_csv(units)
    report = units_import(
        actor=None, bank=bank, filename=path.name, content=path.read_bytes(), mode="delta"
    )
    assert report["applied"], report["errors"][:5]
    print(
        f"{report['created']:,} units uploaded: {time.perf_counter() - started:.0f} s", flush=True
    )
    started = time.perf_counter()
    search_index.current()
    search_index.snapshot()
    print(f"index + imputations + snapshot: {time.perf_counter() - started:.0f} s", flush=True)
    coordinators = list(User.objects.filter(role_grants__role=Role.SEARCH_COORDINATOR).distinct())
    centre = coordinators[0].institution
    tokens = [api_token_create(user=user, name="load test")[1] for user in coordinators]
    technician = User.objects.filter(username="cord-tech").first()
    if technician is None:
        technician = User.objects.create_user("load-bank", institution=bank)
        RoleGrant.objects.create(user=technician, role=Role.BANK_TECHNICIAN, institution=bank)
    patients = [
        services.patient_create(
            actor=coordinators[0],
            data={"centre_patient_id": pid, "weight_kg": 15 + number % 50, "hla": gl},
        ).pk
        for number, (pid, gl) in enumerate(hla_donors.generate(50, seed=99, prefix="LOAD"))
    ]
    del centre
    prepared = {
        "lines": list(CatalogueEntry.objects.values_list("name", flat=True)[:200]),
        "patients": patients,
        "units": list(Unit.objects.filter(bank=bank).values_list("pk", flat=True)[:2000]),
        "tokens": tokens,
        "bank_token": api_token_create(user=technician, name="load test")[1],
        "units_total": Unit.objects.count(),
    }
    marker.write_text(json.dumps(prepared))
    return prepared


def _delta_csv(count: int) -> str:
    """A delta upload of `count` units: the first rows of a generated file of another seed."""
    from cord_common import units_csv

    lines = units_csv(count, seed=7).read_text().splitlines()
    return "\n".join(lines[: count + 1]) + "\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


def _warm(base: str, prepared: dict[str, object], workers: int) -> None:
    """Every gunicorn worker opens its search index (snapshot + imputations) before the day
    starts: enough searches, one after another, that each worker has answered one."""
    started = time.perf_counter()
    for number in range(workers * 4):
        request = urllib.request.Request(
            f"{base}/api/v1/cord/patients/{prepared['patients'][number % 50]}/searches",  # type: ignore[index]
            data=json.dumps({"limit": 20}).encode(),
            headers={
                "Authorization": f"Bearer {prepared['tokens'][0]}",  # type: ignore[index]
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=600) as answer:
            answer.read()
    print(f"warm-up ({workers * 4} searches): {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    if not (BIN / "locust").exists():
        raise SystemExit("locust is not installed: .venv/bin/pip install -e '.[load]'")
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--units", type=int, default=300_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--delta", type=int, default=200, help="units in each bank upload")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/stemhub_load")
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    prepared = _prepare(args.database_url, args.units, args.fresh)
    env = _env(args.database_url)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    web = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "stemhub.config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "900",
        ],
        env=env,
        start_new_session=True,
    )
    worker = subprocess.Popen(
        [str(BIN / "python"), "-P", "-m", "stemhub", *_worker_command()],
        env=env,
        start_new_session=True,
    )
    try:
        _wait(f"{base}/healthz", 120)
        _warm(base, prepared, args.workers)
        out = WORK / f"day-{args.users}u"
        load_env = {
            **env,
            "LOAD_LINES": json.dumps(prepared["lines"]),
            "LOAD_PATIENTS": json.dumps(prepared["patients"]),
            "LOAD_UNITS": json.dumps(prepared["units"]),
            "LOAD_TOKENS": json.dumps(prepared["tokens"]),
            "LOAD_BANK_TOKEN": str(prepared["bank_token"]),
            "LOAD_DELTA_CSV": _delta_csv(args.delta),
        }
        load_before = os.getloadavg()[0]
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(REPO / "benchmarks" / "load" / "locustfile.py"),
                "--headless",
                "--host",
                base,
                "--users",
                str(args.users),
                "--spawn-rate",
                "10",
                "--run-time",
                f"{int(args.minutes * 60)}s",
                "--csv",
                str(out),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env=load_env,
            check=False,
        )
        _report(out, args, prepared, load_before, os.getloadavg()[0])
    finally:
        for process in (web, worker):
            os.killpg(process.pid, signal.SIGTERM)
        for process in (web, worker):
            process.wait(timeout=60)


def _worker_command() -> list[str]:
    """`stemhub worker` where it exists (it sweeps tasks a dead worker left), else the
    backend's own `db_worker`."""
    from importlib.util import find_spec

    return ["worker"] if find_spec("stemhub.jobs") else ["db_worker"]


def _report(
    out: Path,
    args: argparse.Namespace,
    prepared: dict[str, object],
    load_before: float,
    load_after: float,
) -> None:
    with open(f"{out}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    summary = []
    print(
        f"\n{args.users} users for {args.minutes:g} min against gunicorn ({args.workers} workers) "
        f"and PostgreSQL, {prepared['units_total']:,} cord units; load average "
        f"{load_before:.1f} before, {load_after:.1f} after (2 cores; locust on the same machine)"
    )
    print(
        f"{'request':36} {'count':>7} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6}"
    )
    for row in rows:
        entry = {
            "name": row["Name"],
            "count": int(row["Request Count"]),
            "per_second": float(row["Requests/s"]),
            "p50_ms": float(row["50%"] or 0),
            "p95_ms": float(row["95%"] or 0),
            "p99_ms": float(row["99%"] or 0),
            "errors": int(row["Failure Count"]),
        }
        summary.append(entry)
        print(
            f"{entry['name'][:36]:36} {entry['count']:>7,} {entry['per_second']:>7.1f} "
            f"{entry['p50_ms']:>6.0f} {entry['p95_ms']:>6.0f} {entry['p99_ms']:>6.0f} "
            f"{entry['errors']:>6}"
        )
    (WORK / f"day-{args.users}u.json").write_text(
        json.dumps(
            {
                "users": args.users,
                "minutes": args.minutes,
                "workers": args.workers,
                "load_before": load_before,
                "load_after": load_after,
                "rows": summary,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
