"""Cellosaurus import speed on a release-sized file (~150,000 entries). Prints entries/s and the
total time of a first import (everything created) and a second one (everything unchanged).

    .venv/bin/python benchmarks/cellosaurus_import.py [--entries 150000] [--postgres URL]

The file is generated from ../shared/cellosaurus/cellosaurus_head_1000.txt: its entries are
replicated with fresh accessions and names (links between entries follow their copies) and
lightly mutated (sex, age), so the mix of categories, STR profiles and links stays realistic.
SQLite runs on a temporary file; PostgreSQL (scratch database "stemhub_bench", created if
missing, tables dropped and recreated) runs when the server at --postgres answers.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / ".." / "shared" / "cellosaurus" / "cellosaurus_head_1000.txt"
ACCESSION = re.compile(r"CVCL_([A-Z0-9]{4})")
DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def generate(path: Path, count: int) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    start = text.index("\nID   ") + 1
    header, body = text[:start], text[start:]
    entries = [chunk + "//\n" for chunk in body.split("//\n") if chunk.strip()]
    with path.open("w", encoding="utf-8") as out:
        out.write(header)
        for index in range(count):
            copy, entry = divmod(index, len(entries))
            chunk = entries[entry]
            if copy:
                tag = DIGITS[copy // 36] + DIGITS[copy % 36]
                chunk = ACCESSION.sub(lambda m, t=tag: f"CVCL_{t}{m.group(1)}", chunk)
                chunk = re.sub(r"^ID   (.*)$", rf"ID   \1-g{copy}", chunk, count=1, flags=re.M)
                chunk = re.sub(r" ! (.*)$", rf" ! \1-g{copy}", chunk, flags=re.M)
                if copy % 3 == 0:
                    chunk = chunk.replace("SX   Female", "SX   Male")
                    chunk = re.sub(
                        r"^AG   (\d+)Y$",
                        lambda m: f"AG   {int(m.group(1)) + 1}Y",
                        chunk,
                        flags=re.M,
                    )
            out.write(chunk)


def run_import(database_url: str, path: Path) -> None:
    """In a child process: migrate, then time two imports of the file."""
    os.environ.update(DATABASE_URL=database_url, STEMHUB_DEMO="1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "stemhub.config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from stemhub.exchange.cellosaurus import read_release
    from stemhub.exchange.cellosaurus_import import cellosaurus_import

    if database_url.startswith("postgres"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    with path.open(encoding="utf-8") as handle:
        release = read_release(handle)
    for label in ("first import", "second import"):
        started = time.perf_counter()
        with path.open(encoding="utf-8") as handle:
            summary = cellosaurus_import(lines=handle, release=release)
        seconds = time.perf_counter() - started
        lines, refs = summary["cell_lines"], summary["str_profiles"]
        print(
            f"  {label}: {summary['entries']:,} entries in {seconds:.1f} s "
            f"({summary['entries'] / seconds:,.0f} entries/s); lines {lines}; STR {refs}"
        )


def pg_reachable(url: str) -> bool:
    try:
        import psycopg

        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, connect_timeout=3, autocommit=True) as conn:
            name = url.rsplit("/", 1)[1]
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not found:
                conn.execute(f'CREATE DATABASE "{name}"')
        return True
    except Exception:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=150_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/stemhub_bench")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_import(args.child[0], Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cellosaurus.txt"
        started = time.perf_counter()
        generate(path, args.entries)
        size = path.stat().st_size / 1e6
        print(
            f"generated {args.entries:,} entries ({size:.0f} MB) in "
            f"{time.perf_counter() - started:.1f} s"
        )
        targets = [("SQLite", f"sqlite:///{tmp}/bench.sqlite3")]
        if pg_reachable(args.postgres):
            targets.append(("PostgreSQL", args.postgres))
        else:
            print("PostgreSQL not reachable: skipped")
        for label, url in targets:
            print(f"{label}:")
            subprocess.run(
                [sys.executable, __file__, "--child", url, str(path)], check=True, cwd=ROOT
            )


if __name__ == "__main__":
    main()
