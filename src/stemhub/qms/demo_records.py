"""The quality records of the demo, loaded after the other apps' demos (see `qms/demo.py`)."""

from typing import TextIO

from stemhub.qms import demo_audits, demo_capa, demo_iqc


def load(*, stdout: TextIO | None = None) -> None:
    demo_capa.load(stdout=stdout)
    demo_capa.link_quality_records(stdout=stdout)
    demo_iqc.load(stdout=stdout)  # before the management review gathers its PT inputs
    demo_audits.load(stdout=stdout)
