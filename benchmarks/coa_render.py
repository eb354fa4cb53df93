"""Certificate of analysis rendering: `stemhub.quality.coa.render_certificate` on a realistic
certificate (a master cell bank with 30 release tests, synonyms, signature).

    .venv/bin/python benchmarks/coa_render.py [--runs 50] [--out var/bench/coa-sample.pdf]

Prints the p50 and p95 wall time of one render (after one warm-up) and the PDF size; writes the
last PDF to --out so it can be looked at. Target: p95 <= 1 s. No database is touched (Django is
set up with the test settings only because `stemhub.quality.coa` imports the models).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stemhub.config.test_settings")
django.setup()

from stemhub.quality.coa import (  # noqa: E402  (needs the apps loaded)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--out", type=Path, default=Path("var/bench/coa-sample.pdf"))
    args = parser.parse_args()
    data = realistic_certificate()
    pdf = render_certificate(data)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        pdf = render_certificate(data)
        times.append(time.perf_counter() - start)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(pdf)
    print(f"certificate with {len(data.tests)} tests, {len(pdf):,} bytes, {args.runs} renders")
    print(f"render p50 {statistics.median(times) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
