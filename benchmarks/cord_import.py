"""Import 300,000 generated cord blood units with full HLA validation; prints the seconds.

    .venv/bin/python benchmarks/cord_import.py [--units 300000] [--database-url URL] [--task]

A fresh SQLite file under var/bench/cord/ by default (or the PostgreSQL database given: its
tables are dropped and recreated). Timed: reading the CSV, validating every row (HLA by the
engine, once per distinct typing), writing units and events, and bringing the search index up
to date (plus its snapshot), i.e. `stemhub cord import --mode full` end to end after start-up.

`--task`: the same file as the web page and the API upload it, queued as a background task
(`cordblood.tasks.cord_upload_start`) and run by django-tasks-db's worker loop in this process
(`db_worker --batch`); timed from the queuing to the task's end, with the progress points the
upload reported and the cache writes the runner made of them.
"""

import argparse
import os
import time

from cord_common import WORK, setup_django, units_csv


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=300_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--task", action="store_true", help="queue it and run it as a task")
    args = parser.parse_args()
    path = units_csv(args.units)
    db = WORK / "cord.sqlite3"
    if not args.database_url:
        db.unlink(missing_ok=True)
    setup_django(args.database_url or f"sqlite:///{db}")
    from django.core.management import call_command

    if args.database_url:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    from stemhub.accounts.models import Institution
    from stemhub.cordblood import index as search_index
    from stemhub.cordblood.management.commands.cord import ProgressBar
    from stemhub.cordblood.uploads import units_import

    bank = Institution.objects.get_or_create(
        provider_code="NCBB",
        defaults={"name": "Bench Cord Blood Bank", "kind": "cord_blood_bank"},
    )[0]
    search_index.current()  # engine and empty index: start-up, not import
    started, cpu = time.perf_counter(), time.process_time()
    if args.task:
        report, counted = _through_a_task(bank, path.name, path.read_bytes())
    else:
        bar = ProgressBar()
        report = units_import(
            actor=None,
            bank=bank,
            filename=path.name,
            content=path.read_bytes(),
            mode="full",
            progress=bar,
        )
    search_index.snapshot()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if args.task:
        print(f"through a task: {counted}")
    else:
        bar.close()
    assert report["applied"], report["errors"][:5]
    print(
        f"imported {report['created']:,} units in {seconds:.1f} s "
        f"({report['created'] / seconds:,.0f} units/s; CPU {cpu:.1f} s, load average "
        f"{os.getloadavg()[0]:.1f}); index holds {len(search_index.current().donors['cord']):,}"
    )


def _through_a_task(bank, filename: str, content: bytes) -> tuple[dict, str]:  # type: ignore[no-untyped-def]
    """Queue the upload as the page does, run the worker loop until the queue is empty; the
    report, and the progress points and cache writes the runner logged."""
    import logging

    from django.core.management import call_command

    from stemhub.accounts.models import Role, RoleGrant, User
    from stemhub.cordblood.tasks import cord_upload_start
    from stemhub.jobs.models import Job

    tech = User.objects.filter(username="bench-tech").first()
    if tech is None:
        tech = User.objects.create_user("bench-tech", institution=bank)
        RoleGrant.objects.create(user=tech, role=Role.BANK_TECHNICIAN)
    lines: list[str] = []

    class Kept(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    logging.getLogger("stemhub.jobs.runner").addHandler(Kept(logging.INFO))
    logging.getLogger("stemhub.jobs.runner").setLevel(logging.INFO)
    job = cord_upload_start(actor=tech, bank=bank, filename=filename, content=content, mode="full")
    call_command(
        "db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0
    )
    job = Job.objects.get(pk=job.pk)
    assert job.state == "succeeded", (job.state, job.error)
    return job.report or {}, next((line for line in lines if "progress points" in line), "")


if __name__ == "__main__":
    main()
