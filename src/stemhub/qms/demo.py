"""The quality system's demo: controlled documents first (the procedures that govern regulated
tasks), then who is trained and authorised, so that the other apps' demos, which do regulated
work, run as authorised people. Each part's demo lives in `demo_<part>.py`."""

from typing import TextIO

from stemhub.qms import demo_audits, demo_capa, demo_competence, demo_documents, demo_iqc

LOGINS: tuple[tuple[str, str], ...] = ()


def load(*, stdout: TextIO | None = None) -> None:
    """Each part in turn (documents, competence, CAPA, audits, internal QC and PT)."""
    demo_documents.load(stdout=stdout)
    demo_competence.load(stdout=stdout)
    demo_capa.load(stdout=stdout)
    demo_audits.load(stdout=stdout)
    demo_iqc.load(stdout=stdout)
