"""The quality system's demo: controlled documents first (the procedures that govern regulated
tasks), then who is trained and authorised, so that the other apps' demos, which do regulated
work, run as authorised people. Each part's demo lives in `demo_<part>.py`."""

from typing import TextIO

LOGINS: tuple[tuple[str, str], ...] = ()


def load(*, stdout: TextIO | None = None) -> None:
    """Each part in turn (documents, competence, CAPA, audits, internal QC and PT)."""
    from stemhub.qms import demo_iqc

    demo_iqc.load(stdout=stdout)
