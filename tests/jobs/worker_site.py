"""A database of its own and `stemhub` commands against it, for the tests that start and kill
real worker processes. Run as a module (`python -m tests.jobs.worker_site queue N`), it creates
a cord blood bank and its technician, and queues an upload of N generated units; prints the
task's id."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

STEMHUB = Path(sys.executable).with_name("stemhub")
ROOT = Path(__file__).resolve().parents[2]


def database_url(folder: Path, vendor: str) -> str:
    """SQLite: a file in `folder`. PostgreSQL: a fresh database beside the suite's own."""
    if vendor == "sqlite":
        return f"sqlite:///{folder / 'worker.sqlite3'}"
    import psycopg

    parsed = urlparse(os.environ["DATABASE_URL"])
    name = re.sub(r"\W", "_", parsed.path.strip("/")) + "_worker_kill"
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}"))


def environment(folder: Path, url: str, **settings: str) -> dict[str, str]:
    from tests.pyard_support import imgt_dir

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "stemhub.config.settings",
        "STEMHUB_DEMO": "1",
        "DEBUG": "0",
        "STEMHUB_DATA_DIR": str(folder),
        "DATABASE_URL": url,
        "STEMHUB_IMGT_DIR": str(imgt_dir()),
        "STEMHUB_HLA_CACHE": os.environ.get("STEMHUB_HLA_CACHE", str(folder / "hla-cache")),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        **settings,
    }
    env.pop("SECRET_KEY", None)
    return env


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Read the worker's database from outside (no Django: the test process has its own)."""
    if url.startswith("sqlite"):
        with sqlite3.connect(urlparse(url).path, timeout=30) as connection:
            return connection.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        return connection.execute(sql).fetchall()


def generated_units(n: int) -> list[dict[str, Any]]:
    from stdnum.iso7064 import mod_37_2

    typings = [
        ("A*02:01+A*01:01", "B*08:01+B*44:02", "DRB1*03:01+DRB1*15:01"),
        ("A*24:02+A*11:01", "B*40:01+B*46:01", "DRB1*09:01+DRB1*15:01"),
        ("A*03:01+A*02:01", "B*07:02+B*35:01", "DRB1*04:01+DRB1*01:01"),
    ]
    units = []
    for i in range(n):
        number = f"G1234{21 + i // 900_000:02d}{i % 900_000:06d}"
        a, b, drb1 = typings[i % len(typings)]
        units.append(
            {
                "local_id": f"K{i:06d}",
                "din": number,
                "din_check": mod_37_2.calc_check_digit(number),
                "collection_date": "2021-05-01",
                "tnc": 150 + i % 50,
                "cd34": 5,
                "abo": "O",
                "rh": "+",
                "hla_a": a,
                "hla_b": b,
                "hla_drb1": drb1,
            }
        )
    return units


def queue_upload(n: int) -> str:
    import django

    django.setup()
    from stemhub.accounts.models import Institution, Role, RoleGrant, User
    from stemhub.cordblood.tasks import cord_upload_start

    bank = Institution.objects.create(
        name="Worker Test Cord Bank", kind=Institution.Kind.CORD_BLOOD_BANK, provider_code="WTCB"
    )
    tech = User.objects.create_user("wtcb-tech", institution=bank)
    RoleGrant.objects.create(user=tech, role=Role.BANK_TECHNICIAN)
    job = cord_upload_start(
        actor=tech,
        bank=bank,
        filename="units.json",
        content=json.dumps(generated_units(n)).encode(),
    )
    return str(job.pk)


if __name__ == "__main__":
    if sys.argv[1:2] == ["queue"]:
        print(queue_upload(int(sys.argv[2])))
