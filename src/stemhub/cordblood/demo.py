"""Demo data: a few hundred cord blood units of the demo's cord blood bank (NCBB)."""

import json
import random
from typing import Any

from stdnum.iso7064 import mod_37_2

from stemhub.accounts.models import Institution
from stemhub.cordblood.uploads import units_import

# Common European haplotypes (A~C~B~DRB1~DQB1), two drawn per unit.
HAPLOTYPES = [
    ("A*01:01", "C*07:01", "B*08:01", "DRB1*03:01", "DQB1*02:01"),
    ("A*03:01", "C*07:02", "B*07:02", "DRB1*15:01", "DQB1*06:02"),
    ("A*02:01", "C*05:01", "B*44:02", "DRB1*04:01", "DQB1*03:01"),
    ("A*29:02", "C*16:01", "B*44:03", "DRB1*07:01", "DQB1*02:02"),
    ("A*02:01", "C*03:04", "B*40:01", "DRB1*13:02", "DQB1*06:04"),
    ("A*02:01", "C*07:02", "B*07:02", "DRB1*15:01", "DQB1*06:02"),
    ("A*11:01", "C*04:01", "B*35:01", "DRB1*01:01", "DQB1*05:01"),
    ("A*24:02", "C*07:01", "B*18:01", "DRB1*11:04", "DQB1*03:01"),
]
LOCI = ("hla_a", "hla_c", "hla_b", "hla_drb1", "hla_dqb1")


def units(count: int = 300, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for number in range(1, count + 1):
        first, second = rng.choice(HAPLOTYPES), rng.choice(HAPLOTYPES)
        din = f"G7777{20 + number % 4:02d}{number:06d}"
        rows.append(
            {
                "local_id": f"NCBB-{number:05d}",
                "din": din,
                "din_check": mod_37_2.calc_check_digit(din),
                "collection_date": f"20{15 + number % 9}-0{1 + number % 9}-1{number % 9}",
                "rbc_depleted": rng.choice(["yes", "no"]),
                "cryovolume_ml": 25,
                "tnc": round(rng.lognormvariate(4.9, 0.35), 1),
                "cd34": round(rng.lognormvariate(1.2, 0.6), 2),
                "abo": rng.choices(["O", "A", "B", "AB"], [45, 40, 11, 4])[0],
                "rh": rng.choices(["+", "-"], [85, 15])[0],
                "sex": rng.choice("FM"),
                "attached_segment": "yes",
                "accreditation": "FACT-NetCord",
                **{name: f"{a}+{b}" for name, a, b in zip(LOCI, first, second, strict=True)},
            }
        )
    return rows


def load(*, stdout: Any = None) -> None:
    bank = Institution.objects.get(provider_code="NCBB")
    report = units_import(
        actor=None,
        bank=bank,
        filename="demo.json",
        content=json.dumps(units()).encode(),
        mode="full",
    )
    if stdout is not None:
        stdout.write(f"cord blood: {report['created']} units at NCBB\n")
