"""Demo distribution requests: three researchers' requests for NSRB lines, in every state of
the workflow, so that every queue of every role shows something.

Runs on top of the quality demo (`stemhub.quality.demo`), which releases distribution lots of
the banked NSRB lines. Through the services, as people would: each researcher signs with the
demo password; NSRB's curator reviews; its access committee decides on managed-access lines; its
technician allocates and ships; researchers confirm receipt and report. Fixed dates, the same
every time; a second run finds the requests and does nothing.

| state | researcher | line |
| --- | --- | --- |
| submitted | researcher, irmr-curator | two requestable lines |
| awaiting the committee | researcher, irmr-researcher | the two managed-access lines |
| approved (to allocate) | irmr-curator | the stocked line |
| rejected, withdrawn | irmr-curator, irmr-researcher | requestable lines |
| allocated (to ship) | researcher | the stocked line |
| shipped, received, reported | irmr-researcher, researcher, researcher | the stocked line |
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from importlib import import_module
from typing import TextIO

from django.apps import apps
from django.db import transaction

from stemhub.accounts.demo import DEMO_PASSWORD
from stemhub.accounts.models import Institution, User
from stemhub.audit.triggers import history_rewritable
from stemhub.biobank.models import BankTier
from stemhub.distribution import reports, services
from stemhub.distribution.models import DistributionRequest, IntendedUse, LicenceVersion
from stemhub.distribution.notifications import notifications_muted
from stemhub.distribution.selectors import current_licence
from stemhub.quality.selectors import released_banks
from stemhub.registry.models import CellLine, Status

PEOPLE = ("researcher", "irmr-curator", "irmr-researcher", "curator", "committee", "technician")
BILINGUAL_LICENCE_MIGRATION = "stemhub.distribution.migrations.0003_translated_labels"
LICENCE_MIGRATION = "stemhub.distribution.migrations.0002_licence_version_1"
RESEARCHERS = {
    "researcher": ("李娜 教授 (Prof. Na Li)", "莲湖大学诱导多能干细胞平台", "CN"),
    "irmr-curator": ("郑雪 研究员 (Dr. Xue Zheng)", "再生医学研究院", "CN"),
    "irmr-researcher": ("郑雪 研究员 (Dr. Xue Zheng)", "再生医学研究院", "CN"),
}


@dataclass(frozen=True)
class Project:
    title: str
    summary: str
    ethics: str
    vials: int = 1


PROJECTS = {
    "cardio": Project(
        "Cardiomyocyte maturation on engineered substrates",
        "Differentiation into cardiomyocytes and their maturation on micropatterned hydrogels, "
        "measured by calcium imaging.",
        "EPM 2024-01123",
        2,
    ),
    "hepato": Project(
        "肝细胞样细胞分化用于药物代谢筛选",
        "定向分化为肝细胞样细胞，检测其在参比化合物作用下的 CYP3A4 活性。",
        "沪伦审 2025-0456",
        3,
    ),
    "organoids": Project(
        "用于神经发育研究的大脑皮层类器官",
        "大脑皮层类器官培养 120 天，以单细胞 RNA 测序鉴定其细胞组成。",
        "京伦审 2025-0221",
    ),
    "crest": Project(
        "Neural crest migration in microfluidic chips",
        "Neural crest cells derived from the line, their migration tracked in microfluidic "
        "gradients of SDF1.",
        "EPM 2025-03117",
    ),
    "beta": Project(
        "Stem-cell-derived beta cells in alginate capsules",
        "Pancreatic differentiation to insulin-producing beta-like cells, encapsulated and tested "
        "for glucose-stimulated insulin secretion.",
        "RVK 1-10-72-88-25",
        2,
    ),
    "retina": Project(
        "Retinal organoids from a clinical-grade line",
        "Retinal organoids for photoreceptor maturation studies, as groundwork for a future "
        "transplantation study.",
        "RVK 1-10-72-91-25",
    ),
    "trophoblast": Project(
        "Trophoblast stem cells from naive hESC",
        "Conversion of primed to naive pluripotency and derivation of trophoblast stem cells.",
        "RVK 1-10-72-93-25",
    ),
    "ntesc": Project(
        "Mitochondrial function in NT-ESC derived neurons",
        "Comparison of respiration in neurons from nuclear-transfer and IVF-derived ESC lines.",
        "RVK 1-10-72-95-25",
    ),
    "endothelium": Project(
        "Endothelial cells for vascularised skin models",
        "Endothelial differentiation and its use in three-dimensional skin equivalents.",
        "EPM 2025-04410",
    ),
    "variation": Project(
        "Variation between hESC lines in definitive endoderm",
        "Definitive endoderm efficiency across six hESC lines, with single-cell profiling.",
        "RVK 1-10-72-99-25",
    ),
    "screen": Project(
        "CRISPR screen for pluripotency exit",
        "A genome-wide CRISPR knock-out screen during exit from pluripotency.",
        "RVK 1-10-73-02-25",
    ),
}


@history_rewritable()  # the demo back-dates the events of the past it makes up
def load(*, stdout: TextIO | None = None) -> None:
    with notifications_muted():
        _load(stdout)


@transaction.atomic
def _load(stdout: TextIO | None) -> None:
    nsrb = Institution.objects.filter(provider_code="NSRB").first()
    people = {u.username: u for u in User.objects.filter(username__in=PEOPLE)}
    if nsrb is None or len(people) != len(PEOPLE):
        raise RuntimeError("Load the registry demo first (`stemhub demo`): NSRB, LUIC, staff")
    if DistributionRequest.objects.filter(provider=nsrb).exists():
        _say(stdout, "Distribution demo already loaded; nothing to do")
        return
    requestable = CellLine.objects.filter(
        institution=nsrb,
        status=Status.PUBLISHED,
        availability__in=services.REQUESTABLE,
        use_research=True,
    ).order_by("name")
    open_lines = list(requestable.filter(managed_access=False))
    managed = list(requestable.filter(managed_access=True))
    stocked = (
        requestable.filter(
            managed_access=False,
            banks__in=released_banks().filter(tier=BankTier.DISTRIBUTION, institution=nsrb),
        )
        .distinct()
        .first()
    )
    if stocked is None or not managed:
        _say(stdout, "Distribution demo: no released distribution lot at NSRB; skipped")
        return
    others = [line for line in open_lines if line != stocked] or [stocked]
    if not LicenceVersion.objects.exists():
        # The licence's data migration rows are gone after a `flush`: put versions 1 and 2
        # (the bilingual one, current) back.
        import_module(LICENCE_MIGRATION).add_version_1(apps, None)
        import_module(BILINGUAL_LICENCE_MIGRATION).add_version_2(apps, None)
    demo = _Demo(people)

    reported = demo.shipped("researcher", stocked, "cardio", date(2025, 3, 10))
    demo.received(reported, date(2025, 3, 11), "Dry shipper intact; logger below −150 °C")
    reports.distribution_thaw_report(
        actor=people["researcher"],
        request=reported,
        thawed_on=date(2025, 3, 18),
        viability=Decimal("86.0"),
        recovery=Decimal("72.5"),
        attachment="good",
    )
    received = demo.shipped("researcher", stocked, "crest", date(2025, 9, 22))
    demo.received(received, date(2025, 9, 23), "Arrived frozen; logger −182 °C on arrival")
    demo.shipped("irmr-researcher", stocked, "endothelium", date(2025, 11, 3))
    services.distribution_allocate(
        actor=people["technician"], request=demo.approved("researcher", stocked, "hepato")
    )
    demo.approved("irmr-curator", stocked, "beta")
    for who, line, project in (
        ("researcher", managed[0], "retina"),
        ("irmr-researcher", managed[-1], "ntesc"),
    ):
        demo.approved(who, line, project)  # the curator's approval: the committee decides next
    demo.request("researcher", others[0], "organoids")
    demo.request("irmr-curator", others[1 % len(others)], "variation")
    services.distribution_request_review(
        actor=people["curator"],
        request=demo.request("irmr-curator", others[2 % len(others)], "trophoblast"),
        approve=False,
        reason="The donor consent for this line excludes conversion to other embryonic "
        "lineages; please choose a line whose consent allows it",
    )
    services.distribution_request_withdraw(
        actor=people["irmr-researcher"],
        request=demo.request("irmr-researcher", others[3 % len(others)], "screen"),
        reason="The screen moved to a line we derived ourselves",
    )
    counts = DistributionRequest.objects.filter(provider=nsrb).count()
    _say(stdout, f"Distribution: {counts} requests by 3 researchers at NSRB, in every state")


class _Demo:
    """Requests made and moved on as the demo's people would."""

    def __init__(self, people: dict[str, User]) -> None:
        self.people = people

    def request(self, who: str, line: CellLine, project: str) -> DistributionRequest:
        researcher = self.people[who]
        chosen = PROJECTS[project]
        investigator, institution, country = RESEARCHERS[who]
        return services.distribution_request_create(
            actor=researcher,
            line=line,
            project_title=chosen.title,
            project_summary=chosen.summary,
            principal_investigator=investigator,
            recipient_institution=institution,
            recipient_country=country,
            intended_use=IntendedUse.BASIC_RESEARCH,
            ethics_reference=chosen.ethics,
            vials_requested=chosen.vials,
            licence_number=current_licence().number,
            accept_licence=True,
            password=DEMO_PASSWORD,
        )

    def approved(self, who: str, line: CellLine, project: str) -> DistributionRequest:
        return services.distribution_request_review(
            actor=self.people["curator"],
            request=self.request(who, line, project),
            approve=True,
            reason="Research use within the consent of the donor; ethics approval on file",
        )

    def shipped(self, who: str, line: CellLine, project: str, on: date) -> DistributionRequest:
        found = self.approved(who, line, project)
        technician = self.people["technician"]
        services.distribution_allocate(actor=technician, request=found)
        services.distribution_ship(
            actor=technician,
            request=found,
            courier="World Courier",
            tracking_number=f"WC-SE-{on:%y%m%d}-{found.pk:04d}",
            dry_shipper="DS-NSRB-03",
            temperature_logger=f"TL-{1180 + found.pk}",
            shipped_on=on,
            expected_on=on + timedelta(days=1),
        )
        found.refresh_from_db()
        return found

    def received(self, found: DistributionRequest, on: date, condition: str) -> None:
        reports.distribution_receipt_confirm(
            actor=self.people[found.researcher.username],
            request=found,
            received_on=on,
            condition=condition,
        )
        found.refresh_from_db()


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")
