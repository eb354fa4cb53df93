"""Biobank speed with 200,000 vials in 2,500 boxes: the box page, a vial's history (API), and
creating a bank of 500 vials with auto-placement. Prints p50/p95 of each round (wall clock and
this process's CPU time, which a busy machine inflates less), then the median of the rounds' p50s.

    .venv/bin/python benchmarks/biobank_inventory.py [--boxes 2500] [--rounds 3] \
        [--database-url URL]

Runs the full Django request stack in-process on a fresh database: a temporary SQLite file by
default, or the PostgreSQL database named by --database-url (flushed: use a scratch database).
The inventory is generated with bulk_create (80 vials per 9×9 box, one create event each).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("STEMHUB_DEMO", "1")
    os.environ["DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "stemhub.config.settings"
    import django

    django.setup()


def generate(boxes: int) -> dict:
    from stemhub.accounts.models import Institution, Role, RoleGrant, User
    from stemhub.biobank import services
    from stemhub.biobank.barcodes import new_barcode
    from stemhub.biobank.models import CellBank, Container, CustodyEvent, Vial
    from stemhub.registry.models import CellLine

    bank_inst = Institution.objects.create(
        name="Bench Bank", kind=Institution.Kind.STEM_CELL_BANK, provider_code="BNCH"
    )
    tech = User.objects.create_user("tech", password="x", institution=bank_inst)
    RoleGrant.objects.create(user=tech, role=Role.BANK_TECHNICIAN)
    box_type = services.container_type_create(
        actor=tech, name="Box 9×9", rows=9, columns=9, holds_vials=True
    )
    rack_type = services.container_type_create(
        actor=tech, name="Rack", rows=25, columns=1, row_labels="numbers"
    )
    tank_type = services.container_type_create(
        actor=tech, name="LN2 tank", temperature_class="LN_vapour"
    )
    site = services.container_create(actor=tech, type=tank_type, name="Site")
    lines = [
        CellLine.objects.create(name=f"BNCHi{n:03d}-A", line_type="hiPSC", institution=bank_inst)
        for n in range(50)
    ]
    banks = [
        CellBank.objects.create(
            institution=bank_inst, code=f"BANK-{n}", tier="mcb", line=lines[n % 50],
            passage_number=10, freeze_date=date(2024, 1, 1), vial_count=400, created_by=tech,
        )
        for n in range(500)
    ]  # fmt: skip
    racks = Container.objects.bulk_create(
        Container(institution=bank_inst, type=rack_type, parent=site, name=f"Rack {n}",
                  temperature_class="LN_vapour")
        for n in range(boxes // 25)
    )  # fmt: skip
    all_boxes = Container.objects.bulk_create(
        Container(institution=bank_inst, type=box_type, parent=racks[n // 25], row=n % 25 + 1,
                  column=1, name=f"Box {n}", temperature_class="LN_vapour")
        for n in range(boxes)
    )  # fmt: skip
    for chunk in range(0, boxes, 100):
        vials = Vial.objects.bulk_create(
            Vial(barcode=new_barcode(), bank=banks[(b * 80 + i) // 400], container=box,
                 row=i // 9 + 1, column=i % 9 + 1)
            for b, box in enumerate(all_boxes[chunk : chunk + 100], start=chunk)
            for i in range(80)
        )  # fmt: skip
        CustodyEvent.objects.bulk_create(
            CustodyEvent(vial=v, kind="create", actor=tech, to_container_id=v.container_id,
                         to_row=v.row, to_column=v.column, to_place="Site/Rack/Box")
            for v in vials
        )  # fmt: skip
    empty = [
        Container.objects.create(institution=bank_inst, type=box_type, parent=site,
                                 name=f"Empty {n}", temperature_class="LN_vapour")
        for n in range(7)
    ]  # fmt: skip
    return {"tech": tech, "boxes": all_boxes, "empty": empty, "line": lines[0]}


def report(label: str, samples: list[tuple[float, float]], limit: float) -> float:
    """Print one round's figures; return its wall-clock p50."""
    wall = sorted(w for w, _ in samples)
    cpu = sorted(c for _, c in samples)
    p50 = statistics.median(wall)
    p95 = wall[max(0, int(len(wall) * 0.95) - 1)]
    verdict = "ok" if p95 <= limit else "OVER at p95" if p50 <= limit else "OVER"
    print(f"{label}: n={len(wall)} p50={p50:.1f} ms p95={p95:.1f} ms "
          f"cpu p50={statistics.median(cpu):.1f} ms (limit {limit:.0f} ms) {verdict}")  # fmt: skip
    return p50


def timed(action) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--boxes", type=int, default=2500)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="stemhub-bench-"))
    setup_django(args.database_url or f"sqlite:///{scratch / 'bench.sqlite3'}")

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    if connection.vendor == "postgresql":
        call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    data = generate(args.boxes)
    from stemhub.biobank.models import Vial

    print(
        f"generated {Vial.objects.count()} vials in {args.boxes} boxes in "
        f"{time.perf_counter() - started:.1f} s ({connection.vendor})",
        file=sys.stderr,
    )

    client = Client()
    client.force_login(data["tech"])
    boxes = data["boxes"]
    barcodes = list(Vial.objects.order_by("?").values_list("barcode", flat=True)[:60])
    figures: dict[str, list[float]] = {"box page": [], "vial history": [], "bank of 500": []}
    for round_ in range(args.rounds):
        print(f"round {round_ + 1} (load average {os.getloadavg()[0]:.2f})")
        samples = []
        for n in range(60):
            path = f"/biobank/containers/{boxes[(n * 41 + round_) % len(boxes)].pk}/"
            samples.append(timed(lambda p=path: check(client.get(p))))
        figures["box page"].append(report("  box page", samples, 100))

        samples = []
        for barcode in barcodes:
            path = f"/api/v1/biobank/vials/{barcode}/history"
            samples.append(timed(lambda p=path: check(client.get(p))))
        figures["vial history"].append(report("  vial history (API)", samples, 50))

        samples = []
        for n in range(3):
            code = f"NEW-{round_}-{n}"
            samples.append(timed(lambda c=code, p=12 + n: new_bank(data, c, p)))
            # Free the boxes again for the next bank (as if the vials had been shipped).
            Vial.objects.filter(bank__code=code).update(
                container=None, row=None, column=None, status="distributed"
            )
        figures["bank of 500"].append(report("  bank of 500 vials, auto-placed", samples, 2000))
    medians = ", ".join(f"{name} {statistics.median(v):.1f} ms" for name, v in figures.items())
    print(f"median of {args.rounds} rounds' p50 ({connection.vendor}, load average now "
          f"{os.getloadavg()[0]:.2f}): {medians}")  # fmt: skip


def check(answer) -> None:
    assert answer.status_code == 200, answer.status_code


def new_bank(data: dict, code: str, passage: int) -> None:
    from stemhub.biobank.services import cell_bank_create

    cell_bank_create(
        actor=data["tech"], line=data["line"], tier="wcb", passage_number=passage,
        freeze_date=date(2025, 1, 1), vial_count=500, boxes=data["empty"], code=code,
    )  # fmt: skip


if __name__ == "__main__":
    main()
