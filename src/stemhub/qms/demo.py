"""The quality system's demo, in two steps around the other apps' demos (`stemhub demo`).

First (`load`): the controlled documents that govern regulated tasks and who is trained and
authorised under them, so that the biobank, quality, distribution and cord blood demos do
their regulated work as authorised people. Then (`demo_records.load`, after those demos): the
records that follow the work and cite it: CAPAs (some opened from the quality demo's
nonconformity and excursion), audits and management reviews, internal QC on the registered
instruments and proficiency testing. Each part's demo lives in `demo_<part>.py`."""

from typing import TextIO

from stemhub.qms import demo_competence, demo_documents

LOGINS: tuple[tuple[str, str], ...] = ()


def load(*, stdout: TextIO | None = None) -> None:
    demo_documents.load(stdout=stdout)
    demo_competence.load(stdout=stdout)
