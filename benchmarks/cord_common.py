"""Shared set-up of the cord blood benchmarks: a generated inventory and a Django database.

Units: HLA from `hla_donors.generate` (CAU haplotype frequencies, realistic resolution mix);
TNC, CD34+, ABO and the rest drawn from fixed-seed distributions shaped like public inventories.
Files and the SQLite database live under var/bench/cord/.
"""

from __future__ import annotations

import csv
import os
import random
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
WORK = REPO_ROOT / "var" / "bench" / "cord"
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

import hla_donors  # noqa: E402

LOCI = ("A", "B", "C", "DRB1", "DQB1")


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("STEMHUB_DEMO", "1")
    os.environ["DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["STEMHUB_DATA_DIR"] = str(WORK)
    os.environ.setdefault("STEMHUB_IMGT_DIR", str(hla_donors.imgt_dir()))
    os.environ.setdefault("STEMHUB_HLA_CACHE", str(REPO_ROOT / "var" / "bench" / "hla" / "cache"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "stemhub.config.settings"
    import django

    django.setup()
    from stemhub.core.hla import use_engine
    from stemhub.hla import HLAEngine, MacDictionary

    use_engine(HLAEngine.load(macs=MacDictionary.from_file(hla_donors.MACS)))


def default_population_set(path: Path) -> tuple[object, bool]:
    """The default population's haplotype frequency set: ``path`` loaded once (as platform
    admin ``bench-admin``) as the newest set of population CAU, made the default. Returns the
    set and whether it was loaded now."""
    from stemhub.accounts.models import Role, RoleGrant, User
    from stemhub.populations.models import Population
    from stemhub.populations.services import (
        haplotype_set_load,
        population_create,
        population_make_default,
    )

    admin = User.objects.filter(username="bench-admin").first()
    if admin is None:
        admin = User.objects.create_user("bench-admin")
        RoleGrant.objects.create(user=admin, role=Role.PLATFORM_ADMIN)
    population = Population.objects.filter(code="CAU").first()
    if population is None:
        population = population_create(actor=admin, code="CAU", name="European American (NMDP)")
    if not population.is_default:
        population_make_default(actor=admin, population=population)
    content = path.read_bytes()
    import hashlib

    newest = population.sets.order_by("-version").first()
    if newest is not None and newest.sha256 == hashlib.sha256(content).hexdigest():
        return newest, False
    loaded = haplotype_set_load(
        actor=admin,
        population=population,
        filename=path.name,
        chunks=[content],
        source="NMDP 2011 CAU haplotype frequencies (Gragert et al.), benchmark",
    )
    return loaded, True


SEROLOGY_PREFIX = (("DR", "DRB1"), ("DQ", "DQB1"), ("Cw", "C"), ("A", "A"), ("B", "B"), ("C", "C"))


def _locus_of(segment: str) -> str:
    token = segment.split("+")[0].split("/")[0].removeprefix("HLA-")
    if "*" in token:
        return token.split("*")[0]
    return next(locus for prefix, locus in SEROLOGY_PREFIX if token.startswith(prefix))


def units_csv(count: int, seed: int = 1) -> Path:
    """A CSV upload of `count` cord blood units, written once and reused."""
    from stdnum.iso7064 import mod_37_2

    path = WORK / f"units-{count}-{seed}.csv"
    if path.exists():
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "local_id",
                "din",
                "din_check",
                "collection_date",
                "rbc_depleted",
                "cryovolume_ml",
                "tnc",
                "cd34",
                "viability_pct",
                "abo",
                "rh",
                "sex",
                "ethnicity",
                *(f"hla_{locus.lower()}" for locus in LOCI),
                "attached_segment",
                "accreditation",
            ]
        )
        for number, (donor_id, gl) in enumerate(hla_donors.generate(count, seed=seed), start=1):
            per_locus = dict.fromkeys(LOCI, "")
            for segment in gl.split("^"):
                per_locus[_locus_of(segment)] = segment
            din = f"G1234{10 + number // 100_000:02d}{number % 1_000_000:06d}"
            writer.writerow(
                [
                    donor_id,
                    din,
                    mod_37_2.calc_check_digit(din),
                    f"20{rng.randint(5, 23):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    rng.choice(["yes", "no"]),
                    rng.choice([21, 25, 25, 50]),
                    round(rng.lognormvariate(4.9, 0.35), 1),
                    round(rng.lognormvariate(1.2, 0.6), 2),
                    rng.randint(85, 99),
                    rng.choices(["O", "A", "B", "AB"], [45, 40, 11, 4])[0],
                    rng.choices(["+", "-"], [85, 15])[0],
                    rng.choice("FM"),
                    "European",
                    *(per_locus[locus] for locus in LOCI),
                    rng.choices(["yes", "no"], [97, 3])[0],
                    "FACT-NetCord",
                ]
            )
    tmp.rename(path)
    return path
