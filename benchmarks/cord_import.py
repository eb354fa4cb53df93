"""Import 300,000 generated cord blood units with full HLA validation; prints the seconds.

    .venv/bin/python benchmarks/cord_import.py [--units 300000] [--database-url URL]

A fresh SQLite file under var/bench/cord/ by default (or the PostgreSQL database given: its
tables are dropped and recreated). Timed: reading the CSV, validating every row (HLA by the
engine, once per distinct typing), writing units and events, and bringing the search index up
to date (plus its snapshot), i.e. `stemhub cord import --mode full` end to end after start-up.
"""

import argparse
import os
import time

from cord_common import WORK, setup_django, units_csv


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=300_000)
    parser.add_argument("--database-url", default="")
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
    bar.close()
    assert report["applied"], report["errors"][:5]
    print(
        f"imported {report['created']:,} units in {seconds:.1f} s "
        f"({report['created'] / seconds:,.0f} units/s; CPU {cpu:.1f} s, load average "
        f"{os.getloadavg()[0]:.1f}); index holds {len(search_index.current().donors['cord']):,}"
    )


if __name__ == "__main__":
    main()
