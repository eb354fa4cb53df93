"""Lines, distribution lots and requests for the distribution tests, built through the services.

`qc_release` releases a lot through `stemhub.quality.services` (every required result, the
signed release, the certificate issued): the end-to-end tests start there. `qc_release_rows`
writes a release and its certificate as rows, for the many unit tests that only need a lot
released: they are what `released_banks()` and `Certificate` read.
"""

import hashlib
import importlib
from datetime import date
from typing import Any

from stemhub.biobank.models import CellBank
from stemhub.distribution import services
from stemhub.distribution.models import DistributionRequest
from stemhub.distribution.selectors import current_licence
from stemhub.registry import services as registry
from stemhub.registry.models import CellLine
from tests.biobank.storage import bank_of, published_line, storage_tree
from tests.conftest import PASSWORD


def ensure_licence() -> None:
    """Licence versions 1 and 2 as their data migrations write them: a transactional test
    elsewhere in the suite flushes the tables, data-migration rows included."""
    from django.apps import apps

    migration = importlib.import_module("stemhub.distribution.migrations.0002_licence_version_1")
    migration.add_version_1(apps, None)
    bilingual = importlib.import_module("stemhub.distribution.migrations.0003_translated_labels")
    bilingual.add_version_2(apps, None)


def available_line(users: dict[str, Any], name: str = "NSCBi001-A", **consent: Any) -> CellLine:
    ensure_licence()
    line = published_line(users, name)
    if consent:
        CellLine.objects.filter(pk=line.pk).update(**consent)
        line.refresh_from_db()
    return registry.cell_line_set_availability(
        actor=users["curator"], line=line, availability="available"
    )


def qc_release_rows(bank: CellBank, qa: Any, certificate_pk: int | None = None) -> None:
    from stemhub.quality.models import Certificate, Release, Signature

    record = f'{{"bank": "{bank.code}"}}'
    signature = Signature.objects.create(
        signer=qa,
        printed_name="Qa Tester",
        meaning=Signature.Meaning.RELEASE,
        record=record,
        record_hash=hashlib.sha256(record.encode()).hexdigest(),
    )
    release = Release.objects.create(bank=bank, signature=signature)
    pdf = b"%PDF-1.4 certificate of analysis of " + bank.code.encode()
    Certificate.objects.create(
        pk=certificate_pk,
        release=release,
        number=f"COA-{bank.code}-1",
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )


def qc_release(users: dict[str, Any], bank: CellBank) -> None:
    """Release `bank` as QA does: every required result recorded and passing, the release
    signed, its certificate of analysis issued (`quality.services`, nothing made by hand)."""
    from stemhub.quality.services import bank_release
    from tests.quality.setups import LINE_PROFILE, pass_everything

    CellLine.objects.filter(pk=bank.line_id).update(str_profile=LINE_PROFILE)
    pass_everything(users["bank_technician"], bank)
    bank_release(actor=users["qa_manager"], bank=bank, password=PASSWORD)


def distribution_lot(
    users: dict[str, Any],
    line: CellLine,
    *,
    count: int = 5,
    freeze_date: date = date(2025, 3, 14),
    released: bool = True,
    boxes: list | None = None,
    **extra: Any,
) -> CellBank:
    tech = users["bank_technician"]
    if boxes is None:
        boxes = [storage_tree(tech, prefix=f"Lot {CellBank.objects.count() + 1} ")["box1"]]
    bank = bank_of(
        tech,
        line,
        boxes,
        count=count,
        tier=extra.pop("tier", "distribution"),
        freeze_date=freeze_date,
        cells_per_vial=extra.pop("cells_per_vial", 1_000_000),
        **extra,
    )
    if released:
        qc_release_rows(bank, users["qa_manager"])
    return bank


def request_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "project_title": "Modelling Alzheimer's disease in cortical neurons",
        "project_summary": "We differentiate the line into cortical neurons.",
        "principal_investigator": "Dr Ada Lovelace",
        "recipient_institution": "University of Somewhere",
        "recipient_country": "DE",
        "intended_use": "basic_research",
        "ethics_reference": "EK-2025-001",
        "vials_requested": 2,
        "accept_licence": True,
        "password": PASSWORD,
    }
    data.update(overrides)
    return data


def make_request(users: dict[str, Any], line: CellLine, who: str = "researcher", **overrides):
    data = request_data(**overrides)
    data.setdefault("licence_number", current_licence().number)
    return services.distribution_request_create(actor=users[who], line=line, **data)


def approved(users: dict[str, Any], line: CellLine, **overrides: Any) -> DistributionRequest:
    found = make_request(users, line, **overrides)
    return services.distribution_request_review(
        actor=users["curator"], request=found, approve=True, reason="Fits the consent"
    )


def ship(users: dict[str, Any], request: DistributionRequest) -> None:
    services.distribution_ship(
        actor=users["bank_technician"],
        request=request,
        courier="World Courier",
        tracking_number="WC-123",
        dry_shipper="DS-7",
        temperature_logger="TL-42",
        shipped_on=date(2025, 6, 2),
        expected_on=date(2025, 6, 3),
    )


def shipped(users: dict[str, Any], request: DistributionRequest) -> DistributionRequest:
    services.distribution_allocate(actor=users["bank_technician"], request=request)
    ship(users, request)
    request.refresh_from_db()
    return request
