"""Catalogue speed with 10,000 published lines: search with facet counts through the API, and
the public line page. Prints p50/p95 latency and SQL queries per request.

    .venv/bin/python benchmarks/catalogue_search.py [--lines 10000] [--database-url URL]

Runs the full Django request stack in-process (django.test.Client), on a fresh database: a
temporary SQLite file by default, or the PostgreSQL database named by --database-url (its
tables are dropped and recreated: point it at a scratch database).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("STEMHUB_DEMO", "1")
    os.environ["DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "stemhub.config.settings"
    import django

    django.setup()


DISEASES = [
    ("DOID:10652", "Alzheimer's disease"),
    ("DOID:14330", "Parkinson's disease"),
    ("DOID:12858", "Huntington's disease"),
    ("DOID:332", "amyotrophic lateral sclerosis"),
    ("DOID:1324", "lung cancer"),
    ("DOID:9352", "type 2 diabetes mellitus"),
    ("DOID:9744", "type 1 diabetes mellitus"),
    ("DOID:2841", "asthma"),
    ("DOID:1059", "intellectual disability"),
    ("DOID:0060041", "autism spectrum disorder"),
    ("DOID:5419", "schizophrenia"),
    ("DOID:3312", "bipolar disorder"),
    ("DOID:11476", "osteoporosis"),
    ("DOID:10283", "prostate cancer"),
    ("DOID:1612", "breast cancer"),
    ("DOID:9256", "colorectal cancer"),
    ("DOID:14250", "Down syndrome"),
    ("DOID:1485", "cystic fibrosis"),
    ("DOID:11723", "Duchenne muscular dystrophy"),
    ("DOID:10584", "retinitis pigmentosa"),
]
GENES = ["APOE", "SNCA", "LRRK2", "HTT", "SOD1", "CFTR", "DMD", "MAPT", "PSEN1", "GBA1"]
SPECIES = ["Homo sapiens"] * 17 + ["Mus musculus", "Macaca mulatta", "Oryctolagus cuniculus"]


def generate(count: int, seed: int = 7) -> None:
    from django.utils import timezone

    from stemhub.accounts.models import Institution
    from stemhub.catalogue.services import catalogue_rebuild
    from stemhub.registry import models as m

    rng = random.Random(seed)
    institutions = [
        Institution.objects.create(
            name=f"Bench Institute {code}", kind="stem_cell_bank", provider_code=code
        )
        for code in ("BNA", "BNB", "BNC", "BND", "BNE")
    ]
    donors = []
    for number in range(count // 2):
        donors.append(
            m.Donor(
                institution=rng.choice(institutions),
                code=f"D{number:06d}",
                sex=rng.choice(["female", "male", "unknown"]),
                age_bin=rng.choice(m.AGE_BINS[:20]),
            )
        )
    m.Donor.objects.bulk_create(donors, batch_size=2000)
    donors = list(m.Donor.objects.all())
    diseases = []
    for donor in donors:
        if rng.random() < 0.6:
            term, label = rng.choice(DISEASES)
            diseases.append(m.DonorDisease(donor=donor, ontology="DOID", term_id=term, label=label))
    m.DonorDisease.objects.bulk_create(diseases, batch_size=2000)

    now = timezone.now()
    lines = []
    for number in range(count):
        donor = donors[number // 2]
        line_type = rng.choice(["hiPSC"] * 6 + ["hESC", "hESC", "NT-ESC", "pESC"])
        code = donor.institution.provider_code
        letter = "i" if line_type == "hiPSC" else "e"
        lines.append(
            m.CellLine(
                name=f"{code}{letter}{number // 2 % 1000:03d}-{'AB'[number % 2]}{number // 2000}",
                line_type=line_type,
                species=rng.choice(SPECIES),
                institution=donor.institution,
                donor=donor,
                status="published",
                availability=rng.choice(m.Availability.values),
                clinical_grade=rng.random() < 0.05,
                derivation_method="reprogramming" if line_type == "hiPSC" else "embryo",
                vector=rng.choice(["sendai", "episomal", "mrna", "lentiviral"])
                if line_type == "hiPSC"
                else "",
                str_profile={"TH01": ["6", "9.3"]} if rng.random() < 0.4 else {},
                hla_typing="HLA-A*02:01+HLA-A*01:01" if rng.random() < 0.3 else "",
                published_at=now,
                version=1,
            )
        )
    m.CellLine.objects.bulk_create(lines, batch_size=2000)
    lines = list(m.CellLine.objects.all())
    m.Synonym.objects.bulk_create(
        (m.Synonym(line=line, name=f"SYN-{line.pk}") for line in lines if rng.random() < 0.3),
        batch_size=2000,
    )
    m.GeneticModification.objects.bulk_create(
        (
            m.GeneticModification(line=line, gene=rng.choice(GENES), kind="knock_out")
            for line in lines
            if rng.random() < 0.1
        ),
        batch_size=2000,
    )
    m.Karyotype.objects.bulk_create(
        (m.Karyotype(line=line, karyotype="46,XX") for line in lines if rng.random() < 0.5),
        batch_size=2000,
    )
    print(f"indexed {catalogue_rebuild()} lines", file=sys.stderr)


def measure(client, urls: list[str], repeat: int) -> tuple[list[float], list[int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries = [], []
    for _ in range(repeat):
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
                timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries.append(len(captured))
    return timings, queries


def report(label: str, timings: list[float], queries: list[int]) -> None:
    ordered = sorted(timings)
    p50 = statistics.median(ordered)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"{label}: n={len(ordered)} p50={p50:.1f} ms p95={p95:.1f} ms "
        f"queries/request max={max(queries)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
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
    generate(args.lines)
    print(f"generated {args.lines} lines in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    from stemhub.registry.models import CellLine

    client = Client()
    rng = random.Random(3)
    searches = [
        "/api/v1/cell-lines",
        "/api/v1/cell-lines?q=parkinson",
        "/api/v1/cell-lines?q=alzheimer&type=hiPSC",
        "/api/v1/cell-lines?disease=Huntington%27s%20disease&sex=female",
        "/api/v1/cell-lines?q=lrrk2&modified=yes",
        "/api/v1/cell-lines?type=hESC&availability=available&sort=newest",
        "/api/v1/cell-lines?data=STR%20profile&data=Karyotype&species=Homo%20sapiens",
        "/api/v1/cell-lines?q=bna&offset=40",
        "/api/v1/cell-lines?q=syn-12",
        "/api/v1/cell-lines?vector=sendai&clinical=yes",
    ]
    names = list(CellLine.objects.values_list("name", flat=True))
    details = [f"/api/v1/cell-lines/{rng.choice(names)}" for _ in range(20)]
    measure(client, searches + details, 1)  # warm up
    print(f"database: {connection.vendor}, lines: {args.lines}")
    report("catalogue search with facet counts (API)", *measure(client, searches, 20))
    report("line detail (API)", *measure(client, details, 10))
    try:
        pages = [f"/lines/{rng.choice(names)}/" for _ in range(20)]
        report("line detail page (HTML)", *measure(client, pages, 10))
    except AssertionError as missing:
        print(f"line detail page (HTML): not measured ({missing})")


if __name__ == "__main__":
    main()
