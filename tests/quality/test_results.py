"""Recording results: the instrument must be usable on the test day, the raw file keeps its
checksum, units are the specification's, and an out-of-specification result opens a
nonconformity that only QA closes, with a reason."""

import hashlib
import json
from datetime import date, timedelta

import pytest

from stemhub.biobank.models import VialStatus
from stemhub.core.errors import Conflict, Forbidden, InvalidInput
from stemhub.equipment.models import EquipmentStatus
from stemhub.quality import services
from stemhub.quality.models import Nonconformity, QcEvent, RawFile
from tests.conftest import PASSWORD
from tests.quality.setups import TESTED, calibrate, instrument, qc_bank, record


@pytest.fixture
def cell_bank(users):
    return qc_bank(users)


def test_a_result_keeps_its_raw_file_and_checksum(users, cell_bank):
    content = b"FCS3.0 raw flow data"
    result = record(
        users["bank_technician"],
        cell_bank,
        "oct4",
        "96.5",
        instrument=instrument(users),
        raw_file=services.Upload("oct4.fcs", content, "application/octet-stream"),
    )
    assert result.passed and result.unit == "%" and result.method == "Flow cytometry"
    assert result.raw_sha256 == hashlib.sha256(content).hexdigest()
    assert bytes(RawFile.objects.get(pk=result.raw_file_id).content) == content
    assert QcEvent.objects.filter(bank=cell_bank, kind="result", result=result).exists()


def test_an_instrument_whose_calibration_expired_is_refused_with_the_reason(users, cell_bank):
    cytometer = instrument(users)
    calibrate(
        cytometer,
        users,
        TESTED - timedelta(days=400),
        result="passed",
        valid_until=TESTED - timedelta(days=35),
    )
    with pytest.raises(InvalidInput, match="calibration expired") as refused:
        record(users["bank_technician"], cell_bank, "oct4", "96", instrument=cytometer)
    assert "instrument" in refused.value.fields
    assert not cell_bank.qc_results.exists()


def test_an_instrument_that_failed_calibration_is_refused(users, cell_bank):
    cytometer = instrument(users)
    calibrate(cytometer, users, TESTED - timedelta(days=1), result="failed")
    with pytest.raises(InvalidInput, match="failed its calibration"):
        record(users["bank_technician"], cell_bank, "oct4", "96", instrument=cytometer)


def test_an_instrument_out_of_service_is_refused(users, cell_bank):
    cytometer = instrument(users, status=EquipmentStatus.OUT_OF_SERVICE)
    with pytest.raises(InvalidInput, match="out of service"):
        record(users["bank_technician"], cell_bank, "oct4", "96", instrument=cytometer)


def test_the_calibration_counts_on_the_test_day_not_today(users, cell_bank):
    cytometer = instrument(users)
    calibrate(cytometer, users, TESTED - timedelta(days=300), result="passed", valid_until=TESTED)
    assert record(users["bank_technician"], cell_bank, "oct4", "96", instrument=cytometer).passed
    with pytest.raises(InvalidInput, match="calibration expired"):
        record(
            users["bank_technician"],
            cell_bank,
            "oct4",
            "96",
            instrument=cytometer,
            tested_on=TESTED + timedelta(days=1),
        )


def test_another_unit_is_refused_not_converted(users, cell_bank):
    with pytest.raises(InvalidInput, match="EU/mL"):
        record(users["bank_technician"], cell_bank, "endotoxin", "0.5", unit="IU/mL")


def test_a_future_test_date_is_refused(users, cell_bank):
    with pytest.raises(InvalidInput, match="future"):
        record(
            users["bank_technician"], cell_bank, "sterility", tested_on=date.today() + timedelta(1)
        )


def test_an_out_of_specification_result_opens_a_nonconformity_and_quarantines(users, cell_bank):
    result = record(users["bank_technician"], cell_bank, "mycoplasma", "positive")
    assert not result.passed
    nc = Nonconformity.objects.get(bank=cell_bank)
    assert nc.status == "open" and nc.result == result and "Mycoplasma" in nc.description
    assert set(cell_bank.vials.values_list("status", flat=True)) == {VialStatus.QUARANTINED}
    kinds = list(QcEvent.objects.filter(bank=cell_bank).values_list("kind", flat=True))
    assert kinds == ["result", "nc_opened", "quarantined"]


def test_a_nonconformity_closes_only_with_a_reason_by_qa(users, cell_bank):
    record(users["bank_technician"], cell_bank, "mycoplasma", "positive")
    nc = Nonconformity.objects.get(bank=cell_bank)

    def close(who, reason="ok", password=PASSWORD, **more):
        return services.nonconformity_close(
            actor=users[who], nonconformity=nc, reason=reason, password=password, **more
        )

    with pytest.raises(Forbidden):
        close("bank_technician")
    with pytest.raises(InvalidInput, match="why"):
        close("qa_manager", reason="  ")
    with pytest.raises(Forbidden):
        close("other_qa")
    closed = close(
        "qa_manager",
        reason="Sample contaminated in the lab; retest negative",
        capa="Retrained operator on aseptic sampling",
    )
    assert (closed.status, closed.closed_by) == ("closed", users["qa_manager"])
    assert closed.capa.startswith("Retrained")
    with pytest.raises(Conflict, match="already closed"):
        close("qa_manager", reason="again")


def test_closing_a_nonconformity_is_signed_with_the_password(users, cell_bank):
    record(users["bank_technician"], cell_bank, "mycoplasma", "positive")
    nc = Nonconformity.objects.get(bank=cell_bank)
    with pytest.raises(Forbidden, match="password") as refused:
        services.nonconformity_close(
            actor=users["qa_manager"], nonconformity=nc, reason="Retest negative", password="x"
        )
    assert refused.value.fields == {"password": ["incorrect"]}
    nc.refresh_from_db()
    assert (nc.status, nc.closure_signature) == ("open", None)
    closed = services.nonconformity_close(
        actor=users["qa_manager"], nonconformity=nc, reason="Retest negative", password=PASSWORD
    )
    signature = closed.closure_signature
    assert signature.meaning == "nonconformity closure approved"
    assert signature.signer == users["qa_manager"]
    assert signature.signed_at == closed.closed_at
    assert json.loads(signature.record)["closure_reason"] == "Retest negative"
    assert signature.record_hash == hashlib.sha256(signature.record.encode()).hexdigest()


def test_a_nonconformity_is_opened_by_hand_with_a_description(users, cell_bank):
    with pytest.raises(InvalidInput, match="Describe"):
        services.nonconformity_open(actor=users["bank_technician"], bank=cell_bank, description="")
    nc = services.nonconformity_open(
        actor=users["bank_technician"], bank=cell_bank, description="Freezer door left open 10 min"
    )
    assert nc.status == "open" and nc.opened_by == users["bank_technician"]
    with pytest.raises(Forbidden):
        services.nonconformity_open(actor=users["curator"], bank=cell_bank, description="x")


def test_staff_of_another_institution_cannot_record(users, cell_bank):
    with pytest.raises(Forbidden):
        record(users["other_technician"], cell_bank, "sterility")
