"""Chinese catalogue search on PostgreSQL: 50,000 published lines with Chinese names, searched
for one-, two- and four-character Chinese terms and an English one, with the trigram indexes of
catalogue migration 0003 (and the full-text index of 0002) and without them. Prints, per query,
the lines found, the median time of the text match alone (SQL) and of the whole catalogue
search (facet counts included), and the index the plan uses.

    .venv/bin/python benchmarks/catalogue_search_zh.py [--lines 50000] [--database-url URL]
        [--reuse] [--plans]

The database (default postgres://postgres@127.0.0.1:5432/stemhub_bench_zh) is created when
missing; its tables are dropped and recreated: point it at a scratch database. `--reuse` keeps
the lines an earlier run generated there (generating 50,000 takes minutes).
"""

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from catalogue_search import setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/stemhub_bench_zh"
INDEXES = {
    "catalogue_entry_text_trgm": "USING gin (search_text gin_trgm_ops)",
    "catalogue_entry_grams_trgm": "USING gin (search_grams gin_trgm_ops)",
    "catalogue_entry_fulltext": "USING gin (to_tsvector('simple'::regconfig, search_text))",
}
QUERIES = (
    ("1 Chinese character", "癌"),
    ("2 Chinese characters", "肝癌"),
    ("4 Chinese characters", "帕金森病"),
    ("English word", "parkinson"),
)
# (DOID id, English label, Chinese name): the curated terms' and a few more.
DISEASES = (
    ("DOID:10652", "Alzheimer's disease", "阿尔茨海默病"),
    ("DOID:14330", "Parkinson's disease", "帕金森病"),
    ("DOID:12858", "Huntington's disease", "亨廷顿病"),
    ("DOID:9744", "Type 1 diabetes mellitus", "1型糖尿病"),
    ("DOID:10871", "Age-related macular degeneration", "年龄相关性黄斑变性"),
    ("DOID:1485", "Cystic fibrosis", "囊性纤维化"),
    ("DOID:332", "Amyotrophic lateral sclerosis", "肌萎缩侧索硬化"),
    ("DOID:10923", "Sickle cell anemia", "镰状细胞贫血"),
    ("DOID:14250", "Down syndrome", "唐氏综合征"),
    ("DOID:2843", "Long QT syndrome", "长QT综合征"),
    ("DOID:11984", "Hypertrophic cardiomyopathy", "肥厚型心肌病"),
    ("DOID:5419", "Schizophrenia", "精神分裂症"),
    ("DOID:686", "liver carcinoma", "肝癌"),
    ("DOID:1612", "breast cancer", "乳腺癌"),
    ("DOID:9256", "colorectal cancer", "结直肠癌"),
    ("DOID:2841", "asthma", "哮喘"),
    ("DOID:10584", "retinitis pigmentosa", "视网膜色素变性"),
    ("DOID:11723", "Duchenne muscular dystrophy", "杜氏肌营养不良"),
    ("DOID:12365", "malaria", "疟疾"),
    ("DOID:10247", "pleurisy", "胸膜炎"),
)
INSTITUTIONS = (
    ("BNA", "North China Stem Cell Resource Centre", "华北干细胞资源中心", "Beijing"),
    ("BNB", "East China Stem Cell Bank", "华东干细胞库", "Shanghai"),
    ("BNC", "South China Institute of Regenerative Medicine", "华南再生医学研究院", "Guangzhou"),
    ("BND", "Southwest Stem Cell Technology Platform", "西南干细胞技术平台", "Chengdu"),
    ("BNE", "Northeast Stem Cell Research Institute", "东北干细胞研究所", "Shenyang"),
)
TISSUES = ("皮肤成纤维细胞", "外周血单个核细胞", "尿液上皮细胞", "脐带间充质细胞")
VECTORS = {"sendai": "仙台病毒", "episomal": "附着体载体", "mrna": "mRNA", "lentiviral": "慢病毒"}


def chinese_name(rng: random.Random, line_type: str, disease: tuple[str, ...] | None) -> str:
    if line_type != "hiPSC":
        return rng.choice(("人胚胎干细胞系", "临床级人胚胎干细胞系", "人孤雌胚胎干细胞系"))
    if disease is None:
        return rng.choice(
            ("健康供者来源诱导多能干细胞系", f"{rng.choice(TISSUES)}来源诱导多能干细胞系")
        )
    pattern = rng.choice(
        ("{}患者来源诱导多能干细胞系", "{}患者特异性诱导多能干细胞系", "{}患者iPSC细胞系")
    )
    return pattern.format(disease[2])


def generate(count: int, seed: int = 11) -> None:
    from django.utils import timezone

    from stemhub.accounts.models import Institution
    from stemhub.catalogue.services import catalogue_rebuild
    from stemhub.registry import models as m

    rng = random.Random(seed)
    institutions = [
        Institution.objects.create(
            name=name, name_zh=name_zh, kind="stem_cell_bank", provider_code=code, city=city
        )
        for code, name, name_zh, city in INSTITUTIONS
    ]
    donors = [
        m.Donor(
            institution=rng.choice(institutions),
            code=f"D{number:06d}",
            sex=rng.choice(["female", "male", "unknown"]),
            age_bin=rng.choice(m.AGE_BINS[:20]),
            ethnicity=rng.choice(("汉族", "汉族", "汉族", "回族", "蒙古族", "")),
        )
        for number in range(count // 2)
    ]
    m.Donor.objects.bulk_create(donors, batch_size=2000)
    donors = list(m.Donor.objects.order_by("pk"))
    drawn = {donor.pk: rng.choice(DISEASES) if rng.random() < 0.6 else None for donor in donors}
    m.DonorDisease.objects.bulk_create(
        (
            m.DonorDisease(donor=donor, ontology="DOID", term_id=d[0], label=d[1])
            for donor in donors
            if (d := drawn[donor.pk]) is not None
        ),
        batch_size=2000,
    )
    now = timezone.now()
    lines = []
    for number in range(count):
        donor = donors[number // 2]
        disease = drawn[donor.pk]
        line_type = rng.choice(["hiPSC"] * 8 + ["hESC", "hESC"])
        vector = rng.choice(list(VECTORS)) if line_type == "hiPSC" else ""
        code = donor.institution.provider_code
        letter = "i" if line_type == "hiPSC" else "e"
        name_zh = f"{chinese_name(rng, line_type, disease)} {code}-{number:05d}"
        origin = f"{disease[2]}患者" if disease else "健康供者"
        lines.append(
            m.CellLine(
                name=f"{code}{letter}{number // 2 % 1000:03d}-{'AB'[number % 2]}{number // 2000}",
                name_zh=name_zh,
                line_type=line_type,
                institution=donor.institution,
                donor=donor,
                status="published",
                availability=rng.choice(m.Availability.values),
                derivation_method="reprogramming" if line_type == "hiPSC" else "embryo",
                vector=vector,
                source_cell_type="fibroblast" if line_type == "hiPSC" else "",
                description=(
                    f"由{origin}{rng.choice(TISSUES)}经{VECTORS[vector]}重编程获得，核型正常。"
                    if vector
                    else "由体外受精剩余胚胎建系，核型正常，三胚层分化能力经畸胎瘤实验验证。"
                ),
                published_at=now,
                version=1,
            )
        )
    m.CellLine.objects.bulk_create(lines, batch_size=2000)
    print(f"indexed {catalogue_rebuild()} lines", file=sys.stderr)


def median_ms(run: Callable[[], object], repeat: int) -> float:
    run()  # warm the cache
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def text_match_sql(q: str) -> tuple[str, list[object]]:
    """The SQL of the catalogue's text match alone (what the indexes serve)."""
    from stemhub.catalogue.models import CatalogueEntry
    from stemhub.catalogue.selectors import _text_filtered, search_terms

    entries = _text_filtered(CatalogueEntry.objects.all(), search_terms(q))
    sql, params = entries.order_by().values_list("pk").query.sql_with_params()
    return sql, list(params)


def plan_of(cursor, sql: str, params: list[object]) -> str:
    cursor.execute(f"EXPLAIN {sql}", params)
    return "\n".join(row[0] for row in cursor.fetchall())


def indexes_used(plan: str) -> str:
    used = [name for name in INDEXES if name in plan]
    if used:
        return ", ".join(used)
    return "none (sequential scan)" if "Seq Scan" in plan else "none"


def measure(label: str, repeat: int, show_plans: bool) -> None:
    from django.db import connection

    from stemhub.catalogue.selectors import catalogue_search

    print(f"\n{label}")
    print(f"{'query':<22} {'term':<10} {'lines':>6} {'match ms':>9} {'search ms':>10}  index")
    with connection.cursor() as cursor:
        for kind, q in QUERIES:
            sql, params = text_match_sql(q)
            cursor.execute(sql, params)
            found = len(cursor.fetchall())

            def match(sql: str = sql, params: list[object] = params) -> None:
                cursor.execute(sql, params)
                cursor.fetchall()

            match_ms = median_ms(match, repeat)
            search_ms = median_ms(lambda q=q: catalogue_search(q=q), max(3, repeat // 3))
            plan = plan_of(cursor, sql, params)
            print(
                f"{kind:<22} {q:<10} {found:>6} {match_ms:>9.1f} {search_ms:>10.1f}  "
                f"{indexes_used(plan)}"
            )
            if show_plans:
                print("    " + plan.replace("\n", "\n    "))


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=15, help="runs per query (median)")
    parser.add_argument("--plans", action="store_true", help="print the EXPLAIN of each query")
    parser.add_argument("--reuse", action="store_true", help="keep the lines of an earlier run")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("this benchmark measures PostgreSQL's indexes: give a postgres:// URL")
    ensure_database(args.database_url)
    setup_django(args.database_url)

    from django.core.management import call_command
    from django.db import connection

    from stemhub.catalogue.models import CatalogueEntry

    call_command("migrate", verbosity=0)
    if not (args.reuse and CatalogueEntry.objects.count() == args.lines):
        call_command("flush", "--no-input", verbosity=0)
        started = time.perf_counter()
        generate(args.lines)
        elapsed = time.perf_counter() - started
        print(f"generated {args.lines} lines in {elapsed:.1f} s", file=sys.stderr)

    with connection.cursor() as cursor:
        # As autovacuum leaves it: the GIN pending lists merged, the statistics fresh.
        cursor.execute("VACUUM ANALYZE catalogue_catalogueentry")
        cursor.execute("SHOW lc_ctype")
        (ctype,) = cursor.fetchone()
        cursor.execute("SELECT show_trgm('干细胞')")
        (trigrams,) = cursor.fetchone()
        cursor.execute("SELECT version()")
        (version,) = cursor.fetchone()
        sizes = {}
        for name in INDEXES:
            cursor.execute("SELECT pg_size_pretty(pg_relation_size(%s::regclass))", [name])
            sizes[name] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_relation_size('catalogue_catalogueentry'))")
        (table_size,) = cursor.fetchone()
    print(f"{version.split(' on ')[0]}, LC_CTYPE {ctype}: show_trgm('干细胞') = {trigrams}")
    print(
        f"{args.lines} lines; table {table_size}; "
        + ", ".join(f"{k} {v}" for k, v in sizes.items())
    )

    measure("with the indexes", args.repeat, args.plans)
    with connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("VACUUM ANALYZE catalogue_catalogueentry")
    try:
        measure("without them", args.repeat, args.plans)
    finally:
        with connection.cursor() as cursor:
            for name, definition in INDEXES.items():
                cursor.execute(f"CREATE INDEX {name} ON catalogue_catalogueentry {definition}")


if __name__ == "__main__":
    main()
