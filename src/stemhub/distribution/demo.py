"""Demo distribution requests: the LUIC researcher's requests for NSRB lines, one in each of
three states of the workflow.

Runs on top of the quality demo (`stemhub.quality.demo`), which releases distribution lots of
the banked NSRB lines. Through the services, as people would: the researcher signs each request
with the demo password; NSRB's curator approves; its technician allocates and ships; the
researcher confirms receipt and reports the post-thaw results. Fixed dates, the same every
time; a second run finds the researcher's requests and does nothing.

- submitted, awaiting the curator's review: a requestable NSRB line;
- approved and allocated: vials of a released lot reserved, waiting to be shipped;
- shipped, received and reported: a thaw report filed.
"""

from datetime import date
from decimal import Decimal
from importlib import import_module
from typing import Any, TextIO

from django.apps import apps
from django.db import transaction

from stemhub.accounts.models import Institution, User
from stemhub.biobank.models import BankTier
from stemhub.core.demo.people import DEMO_PASSWORD
from stemhub.distribution import services
from stemhub.distribution.models import DistributionRequest, IntendedUse, LicenceVersion
from stemhub.distribution.notifications import notifications_muted
from stemhub.distribution.selectors import current_licence
from stemhub.quality.selectors import released_banks
from stemhub.quality.services import printed_name
from stemhub.registry.models import CellLine, Status

SHIPPED_ON = date(2025, 3, 10)


def load(*, stdout: TextIO | None = None) -> None:
    with notifications_muted():
        _load(stdout)


@transaction.atomic
def _load(stdout: TextIO | None) -> None:
    nsrb = Institution.objects.filter(provider_code="NSRB").first()
    people = {u.username: u for u in User.objects.filter(username__in=PEOPLE)}
    if nsrb is None or len(people) != len(PEOPLE):
        raise RuntimeError("Load the core demo first (`stemhub demo`): NSRB, LUIC and their staff")
    researcher = people["researcher"]
    if DistributionRequest.objects.filter(researcher=researcher, provider=nsrb).exists():
        _say(stdout, "Distribution demo already loaded; nothing to do")
        return
    requestable = CellLine.objects.filter(
        institution=nsrb,
        status=Status.PUBLISHED,
        availability__in=services.REQUESTABLE,
        use_research=True,
        managed_access=False,
    ).order_by("name")
    with_lots = requestable.filter(
        banks__in=released_banks().filter(tier=BankTier.DISTRIBUTION, institution=nsrb)
    ).distinct()
    stocked = with_lots.first()
    if stocked is None:
        _say(stdout, "Distribution demo: no released distribution lot at NSRB; skipped")
        return
    other = requestable.exclude(pk=stocked.pk).first() or stocked
    if not LicenceVersion.objects.exists():
        # The licence's data migration row is gone after a `flush`: put version 1 back.
        import_module(LICENCE_MIGRATION).add_version_1(apps, None)

    def request(line: CellLine, **project: Any) -> DistributionRequest:
        return services.distribution_request_create(
            actor=researcher,
            line=line,
            principal_investigator="Prof. Karin Lindholm",
            recipient_institution="Lindholm University iPSC Core Facility",
            recipient_country="SE",
            intended_use=IntendedUse.BASIC_RESEARCH,
            licence_number=current_licence().number,
            accept_licence=True,
            printed_name=printed_name(researcher),
            password=DEMO_PASSWORD,
            **project,
        )

    def approve_and_allocate(found: DistributionRequest) -> DistributionRequest:
        services.distribution_request_review(
            actor=people["curator"],
            request=found,
            approve=True,
            reason="Research use within the consent of the donor; ethics approval on file",
        )
        services.distribution_allocate(actor=people["technician"], request=found)
        found.refresh_from_db()
        return found

    shipped = approve_and_allocate(
        request(
            stocked,
            project_title="Cardiomyocyte maturation on engineered substrates",
            project_summary="Differentiation into cardiomyocytes and their maturation on "
            "micropatterned hydrogels, measured by calcium imaging.",
            ethics_reference="EPM 2024-01123",
            vials_requested=2,
        )
    )
    services.distribution_ship(
        actor=people["technician"],
        request=shipped,
        courier="World Courier",
        tracking_number="WC-SE-240310-0042",
        dry_shipper="DS-NSRB-03",
        temperature_logger="TL-1187",
        shipped_on=SHIPPED_ON,
        expected_on=date(2025, 3, 11),
    )
    services.distribution_receipt_confirm(
        actor=researcher,
        request=shipped,
        received_on=date(2025, 3, 11),
        condition="Dry shipper intact; logger below −150 °C throughout",
    )
    services.distribution_thaw_report(
        actor=researcher,
        request=shipped,
        thawed_on=date(2025, 3, 18),
        viability=Decimal("86.0"),
        recovery=Decimal("72.5"),
        attachment="good",
    )
    approve_and_allocate(
        request(
            stocked,
            project_title="Hepatocyte differentiation for drug metabolism screening",
            project_summary="Directed differentiation into hepatocyte-like cells and their "
            "CYP3A4 activity under reference compounds.",
            ethics_reference="EPM 2025-00456",
            vials_requested=3,
        )
    )
    request(
        other,
        project_title="Cortical organoids for neurodevelopmental studies",
        project_summary="Cortical organoids grown for 120 days, characterised by single-cell "
        "RNA sequencing.",
        ethics_reference="EPM 2025-02210",
        vials_requested=1,
    )
    _say(
        stdout,
        f"Distribution: 3 requests by researcher at NSRB (submitted for {other.name}; allocated "
        f"and shipped, received and reported for {stocked.name})",
    )


PEOPLE = ("researcher", "curator", "technician")
LICENCE_MIGRATION = "stemhub.distribution.migrations.0002_licence_version_1"


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")
