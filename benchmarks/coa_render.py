"""Certificate of analysis rendering: `stemhub.quality.coa.render_certificate` on a realistic
certificate (a master cell bank with 30 release tests, synonyms, signature), in English, in
Chinese and bilingual (the Chinese ones with a Chinese institution, line description, test
names and signer, one of whose characters lies outside GB 2312).

    .venv/bin/python benchmarks/coa_render.py [--runs 50] [--language all|en|zh-hans|bilingual]
        [--cold] [--out var/bench]

Prints, per language, the first render in this process (the font cuts already on disk), then
the p50 and p95 wall time and the median CPU time of one render, and the PDF size; writes each
language's last PDF to --out so it can be looked at. --cold first makes the font cuts in an
empty cache directory and prints how long that took (once per machine and font version).
Target: p95 <= 1 s. No database is touched (Django is set up with the test settings only
because `stemhub.quality.coa` imports the models).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stemhub.config.test_settings")
django.setup()

from django.conf import settings  # noqa: E402

from stemhub.core import pdf_fonts  # noqa: E402
from stemhub.quality.coa import (  # noqa: E402  (needs the apps loaded)
    MEANINGS,
    TIERS,
    CertificateData,
    ResultLine,
    SignatureData,
    render_certificate,
)

# (name, method, specification, result, unit) of a clinical-grade iPSC master bank's panel.
PANEL: list[tuple[str, str, str, str, str]] = [
    ("Sterility (bacteria)", "Ph. Eur. 2.6.1 direct inoculation", "No growth", "No growth", ""),
    ("Sterility (fungi)", "Ph. Eur. 2.6.1 direct inoculation", "No growth", "No growth", ""),
    ("Mycoplasma", "qPCR (Ph. Eur. 2.6.7)", "Negative", "Negative", ""),
    ("Mycoplasma (culture)", "Agar and broth culture, 28 days", "Negative", "Negative", ""),
    ("Endotoxin", "LAL kinetic chromogenic", "≤ 5 EU/mL", "0.42", "EU/mL"),
    ("HIV-1", "RT-qPCR", "Not detected", "Not detected", ""),
    ("HIV-2", "RT-qPCR", "Not detected", "Not detected", ""),
    ("HBV", "qPCR", "Not detected", "Not detected", ""),
    ("HCV", "RT-qPCR", "Not detected", "Not detected", ""),
    ("HTLV-1/2", "qPCR", "Not detected", "Not detected", ""),
    ("CMV", "qPCR", "Not detected", "Not detected", ""),
    ("EBV", "qPCR", "Not detected", "Not detected", ""),
    ("Adventitious viruses", "In vitro assay, 3 indicator lines", "Negative", "Negative", ""),
    ("STR identity", "PowerPlex 16 HS, 16 loci", "Tanabe ≥ 90 % vs donor", "100.00", "%"),
    ("Karyotype", "G-banding, 20 metaphases", "Normal", "46,XY", ""),
    ("Copy-number variation", "SNP array", "No CNV > 5 Mb", "None > 5 Mb", ""),
    ("OCT4", "Flow cytometry", "≥ 70 % positive", "96.4", "% positive"),
    ("NANOG", "Flow cytometry", "≥ 70 % positive", "93.1", "% positive"),
    ("SSEA-4", "Flow cytometry", "≥ 70 % positive", "98.7", "% positive"),
    ("TRA-1-60", "Flow cytometry", "≥ 70 % positive", "91.2", "% positive"),
    ("PluriTest pluripotency", "PluriTest (RNA-seq)", "≥ 20", "31.6", "score"),
    ("PluriTest novelty", "PluriTest (RNA-seq)", "≤ 1.67", "1.21", "score"),
    ("Endoderm differentiation", "Directed, SOX17/FOXA2 IF", "Positive", "Positive", ""),
    ("Mesoderm differentiation", "Directed, Brachyury/HAND1 IF", "Positive", "Positive", ""),
    ("Ectoderm differentiation", "Directed, PAX6/SOX1 IF", "Positive", "Positive", ""),
    ("Residual Sendai vector", "RT-qPCR, passage 10+", "Not detected", "Not detected", ""),
    ("Post-thaw viability", "Trypan blue, NucleoCounter", "≥ 70 %", "88.5", "%"),
    ("Post-thaw recovery", "Attached colonies at 24 h", "≥ 50 %", "72.0", "%"),
    ("HLA class I", "NGS typing", "Typed", "A*02:01,24:02 B*40:01,46:01 C*01:02", ""),
    ("HLA class II", "NGS typing", "Typed", "DRB1*09:01,15:01 DQB1*03:03,06:02", ""),
]


def realistic_certificate() -> CertificateData:
    issued = datetime(2025, 6, 3, 9, 41, 17, tzinfo=UTC)
    return CertificateData(
        number="COA-NSCBi001-A-MCB-01-1",
        issued_at=issued,
        verification_url="https://stemhub.example.org/verify/COA-NSCBi001-A-MCB-01-1/",
        line_name="NSCBi001-A",
        synonyms=("NSCB-iPS-1", "iPS-NSC#1"),
        provider="National Stem Cell Bank (NSCB)",
        bank_code="NSCBi001-A-MCB-01",
        bank_tier="Master cell bank",
        passage_number=12,
        freeze_date=date(2025, 3, 14),
        cells_per_vial=1_000_000,
        post_thaw_viability=Decimal("88.5"),
        post_thaw_recovery=Decimal("72.0"),
        tests=tuple(
            ResultLine(
                name=name,
                method=method,
                specification=spec,
                result=result,
                unit=unit,
                passed=True,
                tested_on=date(2025, 4, 1) + timedelta(days=i % 20),
            )
            for i, (name, method, spec, result, unit) in enumerate(PANEL)
        ),
        signature=SignatureData(
            printed_name="Qing Zhao, QA manager",
            signed_at=issued - timedelta(minutes=2),
            meaning="Approved for release",
            record_hash="9f2c1e7a55d0b4c3e8a1f6d2b7c9e0a4d5f3b2c1a0e9d8c7b6a5f4e3d2c1b0a9",
        ),
    )


# The first ten tests' names and methods as a Chinese centre writes them.
CHINESE_TESTS = [
    ("无菌检查（细菌）", "直接接种法"),
    ("无菌检查（真菌）", "直接接种法"),
    ("支原体检测", "荧光定量 PCR"),
    ("支原体检测（培养法）", "琼脂及肉汤培养 28 天"),
    ("细菌内毒素", "动态显色鲎试剂法"),
    ("HIV-1", "RT-qPCR"),
    ("HIV-2", "RT-qPCR"),
    ("乙型肝炎病毒", "qPCR"),
    ("丙型肝炎病毒", "RT-qPCR"),
    ("人类嗜T细胞病毒 1/2 型", "qPCR"),
]


def chinese_certificate(language: str) -> CertificateData:
    data = realistic_certificate()
    tests = [
        replace(test, name=name, method=method)
        for test, (name, method) in zip(data.tests, CHINESE_TESTS, strict=False)
    ]
    return replace(
        data,
        provider="国家干细胞资源库（NSCB）",
        product="人诱导多能干细胞来源心肌细胞",
        synonyms=("中干 iPS-1 号",),
        bank_tier=TIERS["mcb"],
        tests=(*tests, *data.tests[len(tests) :]),
        notes=("备注：本批次仅供科研使用，不得用于临床。",),
        signature=replace(
            data.signature,
            printed_name="王堃（质量保证经理）",
            meaning=MEANINGS["approved for release"],
        ),
        language=language,
    )


def measure(data: CertificateData, runs: int) -> tuple[float, list[float], float, bytes]:
    start = time.perf_counter()
    pdf = render_certificate(data)
    first = time.perf_counter() - start
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        pdf = render_certificate(data)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return first, sorted(times), statistics.median(cpu), pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--language", default="all", choices=["all", "en", "zh-hans", "bilingual"])
    parser.add_argument("--cold", action="store_true", help="make the font cuts first, and time it")
    parser.add_argument("--out", type=Path, default=Path("var/bench"))
    args = parser.parse_args()
    if args.cold:
        settings.DATA_DIR = Path(tempfile.mkdtemp(prefix="stemhub-fonts-"))
        start, start_cpu = time.perf_counter(), time.process_time()
        cuts = pdf_fonts.warm()
        wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        print(f"font cuts made in {wall:.1f} s (CPU {cpu:.1f} s, {len(cuts)} faces)")
    samples = {
        "en": realistic_certificate(),
        "zh-hans": chinese_certificate("zh-hans"),
        "bilingual": chinese_certificate("bilingual"),
    }
    languages = list(samples) if args.language == "all" else [args.language]
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"certificate with {len(samples['en'].tests)} tests, {args.runs} renders per language")
    for language in languages:
        first, times, cpu, pdf = measure(samples[language], args.runs)
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        out = args.out / f"coa-sample-{language}.pdf"
        out.write_bytes(pdf)
        p50 = statistics.median(times)
        print(
            f"{language:9} first {first * 1000:6.0f} ms, p50 {p50 * 1000:6.1f} ms, p95 "
            f"{p95 * 1000:6.1f} ms, CPU p50 {cpu * 1000:6.1f} ms, {len(pdf):,} bytes ({out})"
        )


if __name__ == "__main__":
    main()
