"""Who may call each quality endpoint and open each quality page.

Setups build on the biobank's (`stocked`: bank 9101 of the published line NSCBi001-A at NSCB)
with rows of fixed primary keys: a result (9301) with its raw file, an open nonconformity
(9401), and a standing release (9501).
"""

from typing import Any

from django.urls import NoReverseMatch, reverse

from stemhub.audit.context import audit_context
from stemhub.biobank.models import CellBank, Vial
from stemhub.quality.models import Nonconformity, QcResult, QcTest, RawFile, Release, Signature
from stemhub.quality.selectors import qc_record, record_bytes, record_hash
from stemhub.registry.models import CellLine
from tests.biobank.permission_cases import BANK, OTHERS, VIEWERS, stocked
from tests.conftest import PASSWORD
from tests.equipment.setups import tank
from tests.permissions import Case, Page
from tests.quality.setups import LINE_PROFILE, TESTED, excursion_in, pass_everything

RECORDERS = {"bank_technician", "qa_manager", "platform_admin"}
RELEASERS = {"qa_manager", "platform_admin"}
RESULT, NC, RELEASE, EXCURSION = 9301, 9401, 9501, 9601


def _bank(users: dict[str, Any]) -> CellBank:
    stocked(users)
    bank = CellBank.objects.get(pk=BANK)
    CellLine.objects.filter(pk=bank.line_id).update(str_profile=LINE_PROFILE)
    return bank


def with_records(users: dict[str, Any]) -> None:
    """Bank 9101 with a sterility result (and its raw file) and an open nonconformity."""
    bank = _bank(users)
    tech = users["bank_technician"]
    with audit_context(actor=tech, reason="test setup"):
        raw = RawFile.objects.create(
            sha256="0" * 64, name="plate.csv", size=3, content=b"abc", uploaded_by=tech
        )
        result = QcResult.objects.create(
            pk=RESULT,
            bank=bank,
            test=QcTest.objects.get(code="endotoxin", current=True),
            value_number=1,
            unit="EU/mL",
            method="LAL",
            operator=tech,
            tested_on=TESTED,
            raw_file=raw,
            raw_sha256=raw.sha256,
            passed=True,
            recorded_by=tech,
        )
        Nonconformity.objects.create(
            pk=NC, bank=bank, result=result, description="Deviation", opened_by=tech
        )


def ready(users: dict[str, Any]) -> None:
    """Bank 9101 with a passing result for every required test."""
    pass_everything(users["bank_technician"], _bank(users))


def released(users: dict[str, Any]) -> None:
    ready(users)
    bank = CellBank.objects.get(pk=BANK)
    record = qc_record(bank)
    qa = users["qa_manager"]
    with audit_context(actor=qa, reason="test setup"):
        signature = Signature.objects.create(
            pk=RELEASE,
            signer=qa,
            printed_name="Qa Tester",
            meaning=Signature.Meaning.RELEASE,
            record=record_bytes(record).decode(),
            record_hash=record_hash(record),
        )
        Release.objects.create(pk=RELEASE, bank=bank, signature=signature)


def with_excursion(users: dict[str, Any]) -> None:
    """The bank's tank (equipment 9001) with an excursion (9601) that quarantined two vials."""
    stocked(users)
    unit = tank(users)
    vials = list(Vial.objects.filter(barcode__in=["LEGACY-0001", "LEGACY-0002"]))
    excursion_in(unit, vials, users["bank_technician"], pk=EXCURSION)


DECISION = {"impact_assessment": "Vapour phase stayed below -120 °C", "decision": "release"}

Q = "/api/v1/quality"
API_CASES = [
    Case("GET", f"{Q}/tests", VIEWERS | OTHERS),
    Case(
        "POST",
        f"{Q}/tests/{{code}}/revise",
        {"platform_admin"},
        path=f"{Q}/tests/endotoxin/revise",
        body={"reason": "Pharmacopoeia update", "unit": "EU/mL"},
    ),
    Case("GET", f"{Q}/banks/{{bank_id}}", VIEWERS, path=f"{Q}/banks/{BANK}", setup=with_records),
    Case(
        "POST",
        f"{Q}/banks/{{bank_id}}/results",
        RECORDERS,
        path=f"{Q}/banks/{BANK}/results",
        body={"test": "sterility", "value": "no growth", "tested_on": TESTED.isoformat()},
        multipart=True,
        setup=with_records,
    ),
    Case(
        "POST",
        f"{Q}/results/{{result_id}}/correct",
        RECORDERS,
        path=f"{Q}/results/{RESULT}/correct",
        body={"value": "0.9", "reason": "Transcription error"},
        setup=with_records,
    ),
    Case(
        "GET",
        f"{Q}/results/{{result_id}}/raw-file",
        VIEWERS,
        path=f"{Q}/results/{RESULT}/raw-file",
        setup=with_records,
    ),
    Case("GET", f"{Q}/nonconformities", VIEWERS | OTHERS, setup=with_records),
    Case(
        "POST",
        f"{Q}/banks/{{bank_id}}/nonconformities",
        RECORDERS,
        path=f"{Q}/banks/{BANK}/nonconformities",
        body={"description": "Label misprinted"},
        setup=with_records,
    ),
    Case(
        "POST",
        f"{Q}/nonconformities/{{nc_id}}/close",
        RELEASERS,
        path=f"{Q}/nonconformities/{NC}/close",
        body={
            "reason": "Investigated, no impact",
            "capa": "Checklist updated",
            "password": PASSWORD,
        },
        setup=with_records,
    ),
    Case(
        "POST",
        f"{Q}/banks/{{bank_id}}/release",
        RELEASERS,
        path=f"{Q}/banks/{BANK}/release",
        body={"password": PASSWORD},
        setup=ready,
    ),
    Case(
        "GET",
        f"{Q}/releases/{{release_id}}",
        VIEWERS,
        path=f"{Q}/releases/{RELEASE}",
        setup=released,
    ),
    Case("GET", f"{Q}/excursions", VIEWERS | OTHERS, setup=with_excursion),
    Case(
        "GET",
        f"{Q}/excursions/{{excursion_id}}",
        VIEWERS,
        path=f"{Q}/excursions/{EXCURSION}",
        setup=with_excursion,
    ),
    Case(
        "POST",
        f"{Q}/excursions/{{excursion_id}}/decision",
        RELEASERS,
        path=f"{Q}/excursions/{EXCURSION}/decision",
        body={**DECISION, "password": PASSWORD},
        setup=with_excursion,
    ),
]

PAGE_CASES = [
    Page("quality:catalogue", "/quality/", VIEWERS | OTHERS),
    Page("quality:bank", f"/quality/banks/{BANK}/", VIEWERS, setup=with_records),
    Page(
        "quality:result_add",
        f"/quality/banks/{BANK}/results/",
        RECORDERS,
        method="POST",
        data={"test": "sterility", "value": "no growth", "tested_on": TESTED.isoformat()},
        setup=with_records,
    ),
    Page(
        "quality:result_correct",
        f"/quality/results/{RESULT}/correct/",
        RECORDERS,
        method="POST",
        data={"value": "0.9", "reason": "Transcription error"},
        setup=with_records,
    ),
    Page("quality:raw_file", f"/quality/results/{RESULT}/raw/", VIEWERS, setup=with_records),
    Page(
        "quality:nonconformity_open",
        f"/quality/banks/{BANK}/nonconformities/",
        RECORDERS,
        method="POST",
        data={"description": "Label misprinted"},
        setup=with_records,
    ),
    Page("quality:nonconformities", "/quality/nonconformities/", VIEWERS | OTHERS),
    Page(
        "quality:nonconformity_close",
        f"/quality/nonconformities/{NC}/close/",
        RELEASERS,
        method="POST",
        data={"closure_reason": "Investigated, no impact", "password": PASSWORD},
        setup=with_records,
    ),
    Page(
        "quality:release",
        f"/quality/banks/{BANK}/release/",
        RELEASERS,
        method="POST",
        data={"password": PASSWORD},
        setup=ready,
    ),
    Page("quality:excursions", "/quality/excursions/", VIEWERS | OTHERS, setup=with_excursion),
    Page("quality:excursion", f"/quality/excursions/{EXCURSION}/", VIEWERS, setup=with_excursion),
    Page(
        "quality:excursion_decide",
        f"/quality/excursions/{EXCURSION}/decide/",
        RELEASERS,
        method="POST",
        data={**DECISION, "password": PASSWORD},
        setup=with_excursion,
    ),
]


# Opening a CAPA from a nonconformity or an excursion needs qms.record (qms's CAPA).
API_CASES += [
    Case(
        "POST",
        f"{Q}/nonconformities/{{nc_id}}/capa",
        RECORDERS,
        path=f"{Q}/nonconformities/{NC}/capa",
        body={},
        setup=with_records,
    ),
    Case(
        "POST",
        f"{Q}/excursions/{{excursion_id}}/capa",
        RECORDERS,
        path=f"{Q}/excursions/{EXCURSION}/capa",
        body={},
        setup=with_excursion,
    ),
]
PAGE_CASES += [
    Page(
        "quality:nonconformity_capa",
        f"/quality/nonconformities/{NC}/capa/",
        RECORDERS,
        method="POST",
        setup=with_records,
    ),
    Page(
        "quality:excursion_capa",
        f"/quality/excursions/{EXCURSION}/capa/",
        RECORDERS,
        method="POST",
        setup=with_excursion,
    ),
]


def _public_pages_mounted() -> bool:
    try:
        reverse("quality_public:verify_lookup")
    except NoReverseMatch:
        return False
    return True


if _public_pages_mounted():
    from tests.quality.public_cases import PAGE_CASES as PUBLIC_PAGE_CASES

    PAGE_CASES += PUBLIC_PAGE_CASES
